/* Making a cosmfs file system: geometry, group descriptors, bitmaps, the
 * journal, the root directory and both superblocks. Inode tables are not
 * cleared: a free inode's slot is never read as an inode (its checksum,
 * seeded with this file system's UUID, fails), and a new one is written
 * whole. Used by mkfs.cosmfs and by the kernel's tests on memory disks. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <lib/string.h>

struct geom {
	uint64_t blocks;
	uint32_t groups, gdt_blocks, journal, ipg, it_blocks;
};

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* First block of group g's own metadata (bitmaps, then inode table). */
static uint64_t meta_start(const struct geom *g, uint32_t grp)
{
	return grp ? (uint64_t)grp * CFS_BITS_PER_BITMAP : 1 + g->gdt_blocks + g->journal;
}

static int geometry(const struct cfs_mkfs_opts *o, struct geom *g)
{
	uint64_t ratio = o->inode_ratio ? o->inode_ratio : 16384;

	g->blocks = o->blocks;
	if (ratio < CFS_BLOCK_SIZE)
		return -EINVAL;
	for (;;) {
		uint64_t last_size, inodes;

		if (g->blocks < CFS_MIN_BLOCKS || g->blocks > CFS_MAX_BLOCKS)
			return -EINVAL;
		g->groups = (uint32_t)div_up(g->blocks, CFS_BITS_PER_BITMAP);
		g->gdt_blocks = (uint32_t)div_up(g->groups, CFS_GROUPS_PER_BLOCK);
		g->journal = o->journal_blocks;
		if (!g->journal) {
			uint64_t j = g->blocks / 32;

			g->journal = j < CFS_MIN_JOURNAL ? CFS_MIN_JOURNAL : j > 16384 ? 16384 : (uint32_t)j;
		}
		if (g->journal < CFS_MIN_JOURNAL || g->journal > CFS_MAX_JOURNAL ||
		    g->journal > g->blocks / 2)
			return -EINVAL;
		inodes = g->blocks * CFS_BLOCK_SIZE / ratio;
		g->ipg = (uint32_t)div_up(div_up(inodes, g->groups), CFS_INODES_PER_BLOCK) * CFS_INODES_PER_BLOCK;
		if (g->ipg < CFS_INODES_PER_BLOCK)
			g->ipg = CFS_INODES_PER_BLOCK;
		if (g->ipg > CFS_BITS_PER_BITMAP)
			g->ipg = CFS_BITS_PER_BITMAP / CFS_INODES_PER_BLOCK * CFS_INODES_PER_BLOCK;
		g->it_blocks = g->ipg / CFS_INODES_PER_BLOCK;
		/* group 0 must hold the fixed area, its metadata and the root
		 * directory; a last group too small for its metadata goes */
		if (g->groups == 1) {
			if (meta_start(g, 0) + 2 + g->it_blocks + 2 > g->blocks)
				return -EINVAL;
			return 0;
		}
		if (meta_start(g, 0) + 2 + g->it_blocks + 1 > CFS_BITS_PER_BITMAP)
			return -EINVAL;
		last_size = g->blocks - (uint64_t)(g->groups - 1) * CFS_BITS_PER_BITMAP;
		if (last_size >= 2 + g->it_blocks + 16)
			return 0;
		g->blocks = (uint64_t)(g->groups - 1) * CFS_BITS_PER_BITMAP;
	}
}

static void bit_set(uint8_t *bits, uint64_t i)
{
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static int put(cfs_dev_t *dev, uint64_t blk, void *block)
{
	void *blocks[1] = { block };

	return cfs_dev_write(dev, blk, 1, blocks);
}

int cfs_mkfs(cfs_dev_t *dev, const struct cfs_mkfs_opts *o)
{
	struct geom g;
	struct cfs_super *sb = NULL;
	uint8_t *blk = NULL;
	uint64_t root_block;
	uint32_t seed;
	int err;

	if (o->blocks > cfs_dev_blocks(dev))
		return -EINVAL;
	if ((err = geometry(o, &g)))
		return err;
	sb = cfs_zalloc(sizeof(*sb));
	blk = cfs_zalloc(CFS_BLOCK_SIZE);
	if (!sb || !blk) {
		err = -ENOMEM;
		goto out;
	}
	sb->h.magic = CFS_MAGIC_SUPER;
	sb->version = CFS_VERSION;
	sb->block_size = CFS_BLOCK_SIZE;
	sb->block_count = g.blocks;
	sb->blocks_per_group = CFS_BITS_PER_BITMAP;
	sb->inodes_per_group = g.ipg;
	sb->group_count = g.groups;
	sb->inode_count = (uint64_t)g.groups * g.ipg;
	sb->gdt_start = 1;
	sb->gdt_blocks = g.gdt_blocks;
	sb->journal_start = 1 + g.gdt_blocks;
	sb->journal_blocks = g.journal;
	sb->root_ino = CFS_ROOT_INO;
	sb->state = CFS_STATE_CLEAN;
	memcpy(sb->uuid, o->uuid, 16);
	{
		static const uint8_t zero[16];

		if (!memcmp(sb->uuid, zero, 16))
			cfs_env_random(sb->uuid, 16);
	}
	cfs_env_random(sb->hash_seed, 16);
	memcpy(sb->label, o->label, strnlen(o->label, CFS_LABEL_MAX));
	sb->mkfs_time = sb->write_time = o->time;
	seed = cfs_seed(sb->uuid);
	root_block = meta_start(&g, 0) + 2 + g.it_blocks;

	/* the journal: its superblock, and a first ring block that cannot
	 * pass for a transaction */
	{
		struct cfs_jsuper *js = (struct cfs_jsuper *)blk;

		memset(blk, 0, CFS_BLOCK_SIZE);
		js->h.magic = CFS_MAGIC_JSUPER;
		js->h.blockno = sb->journal_start;
		js->tail = 1;
		js->tail_seq = 1;
		js->blocks = g.journal;
		cfs_block_seal(seed, js);
		if ((err = put(dev, sb->journal_start, blk)))
			goto out;
		memset(blk, 0, CFS_BLOCK_SIZE);
		if ((err = put(dev, sb->journal_start + 1, blk)))
			goto out;
	}

	/* bitmaps, group by group; descriptors gathered into the table */
	uint64_t free_blocks = 0, free_inodes = 0;
	for (uint32_t gb = 0; gb < g.gdt_blocks; gb++) {
		uint8_t *table = cfs_zalloc(CFS_BLOCK_SIZE);
		struct cfs_bhdr *th = (struct cfs_bhdr *)table;

		if (!table) {
			err = -ENOMEM;
			goto out;
		}
		for (uint32_t k = 0; k < CFS_GROUPS_PER_BLOCK; k++) {
			uint32_t grp = gb * (uint32_t)CFS_GROUPS_PER_BLOCK + k;
			struct cfs_group *gd = (struct cfs_group *)(table + sizeof(*th)) + k;
			uint64_t first = (uint64_t)grp * CFS_BITS_PER_BITMAP, ms, size, used;
			struct cfs_bhdr *bh = (struct cfs_bhdr *)blk;
			uint8_t *bits = blk + sizeof(*bh);

			if (grp >= g.groups)
				break;
			ms = meta_start(&g, grp);
			size = g.blocks - first < CFS_BITS_PER_BITMAP ? g.blocks - first : CFS_BITS_PER_BITMAP;
			gd->block_bitmap = ms;
			gd->inode_bitmap = ms + 1;
			gd->inode_table = ms + 2;
			/* block bitmap: the group's metadata (and in group 0
			 * everything before it and the root directory's block;
			 * in the last, the backup superblock), and the bits
			 * past the end */
			memset(blk, 0, CFS_BLOCK_SIZE);
			bh->magic = CFS_MAGIC_BITMAP;
			bh->blockno = ms;
			used = 0;
			for (uint64_t b = first; b < ms + 2 + g.it_blocks; b++, used++)
				bit_set(bits, b - first);
			if (grp == 0) {
				bit_set(bits, root_block);
				used++;
			}
			if (first + size == g.blocks) {
				bit_set(bits, g.blocks - 1 - first);
				used++;
			}
			for (uint64_t b = size; b < CFS_BITS_PER_BITMAP; b++)
				bit_set(bits, b);
			gd->free_blocks = (uint32_t)(size - used);
			cfs_block_seal(seed, blk);
			if ((err = put(dev, ms, blk)))
				break;
			/* inode bitmap: the root in group 0, and the padding */
			memset(blk, 0, CFS_BLOCK_SIZE);
			bh->magic = CFS_MAGIC_BITMAP;
			bh->blockno = ms + 1;
			for (uint64_t b = g.ipg; b < CFS_BITS_PER_BITMAP; b++)
				bit_set(bits, b);
			gd->free_inodes = (uint16_t)g.ipg;
			if (grp == 0) {
				bit_set(bits, 0);
				gd->free_inodes--;
				gd->dirs = 1;
			}
			cfs_block_seal(seed, blk);
			if ((err = put(dev, ms + 1, blk)))
				break;
			free_blocks += gd->free_blocks;
			free_inodes += gd->free_inodes;
		}
		th->magic = CFS_MAGIC_GROUPS;
		th->blockno = 1 + gb;
		cfs_block_seal(seed, table);
		if (!err)
			err = put(dev, 1 + gb, table);
		cfs_free(table);
		if (err)
			goto out;
	}
	sb->free_blocks = free_blocks;
	sb->free_inodes = free_inodes;

	/* the root directory: inode 1 and one empty leaf */
	{
		struct cfs_dnode *dn = (struct cfs_dnode *)blk;

		memset(blk, 0, CFS_BLOCK_SIZE);
		dn->h.magic = CFS_MAGIC_DIR;
		dn->h.blockno = root_block;
		dn->h.owner = CFS_ROOT_INO;
		cfs_block_seal(seed, blk);
		if ((err = put(dev, root_block, blk)))
			goto out;
	}
	{
		struct cfs_dinode *d = (struct cfs_dinode *)blk;
		struct cfs_xhdr *x = (struct cfs_xhdr *)d->data;
		struct cfs_extent *e = (struct cfs_extent *)(d->data + sizeof(*x));

		memset(blk, 0, CFS_BLOCK_SIZE);
		d->mode = CFS_S_IFDIR | (o->root_mode ? o->root_mode & 07777 : 0755);
		d->uid = o->root_uid;
		d->gid = o->root_gid;
		d->nlink = 2;
		d->size = CFS_BLOCK_SIZE;
		d->blocks = 1;
		d->atime = d->mtime = d->ctime = d->crtime = o->time;
		d->parent = CFS_ROOT_INO;
		cfs_env_random(&d->generation, sizeof(d->generation));
		x->magic = CFS_XHDR_MAGIC;
		x->max = CFS_ROOT_EXTENTS;
		x->count = 1;
		e->lblk = 0;
		e->len = 1;
		e->pblk = root_block;
		d->crc = cfs_inode_crc(seed, CFS_ROOT_INO, d);
		if ((err = put(dev, meta_start(&g, 0) + 2, blk)))
			goto out;
	}

	/* the superblock and its backup in the last block */
	sb->h.blockno = g.blocks - 1;
	cfs_block_seal(seed, sb);
	if ((err = put(dev, g.blocks - 1, sb)))
		goto out;
	sb->h.blockno = 0;
	cfs_block_seal(seed, sb);
	if ((err = put(dev, 0, sb)))
		goto out;
	err = cfs_dev_flush(dev);
out:
	cfs_free(sb);
	cfs_free(blk);
	return err;
}
