/* cosmfs block and inode allocation over the per-group bitmaps. A new
 * block goes as close after the goal (the file's previous block) as the
 * bitmap allows, so files stay contiguous; directories spread over the
 * groups, files stay in their directory's group.
 *
 * Freed blocks are "quarantined" (kept in a per-group bitmap in memory)
 * until the next checkpoint: until then the journal may still hold a copy
 * that replay would write over them, and the transaction that freed them
 * may not reach the disk, leaving the old owner pointing at them. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define BITS_OFF sizeof(struct cfs_bhdr)

struct cfs_group *cfs_group_desc(struct cfs_fs *fs, uint32_t g, cfs_buf_t **buf)
{
	cfs_buf_t *b = fs->gdt[g / CFS_GROUPS_PER_BLOCK];

	if (buf)
		*buf = b;
	return (struct cfs_group *)(b->data + BITS_OFF) + g % CFS_GROUPS_PER_BLOCK;
}

static uint64_t group_first(const struct cfs_fs *fs, uint32_t g)
{
	return (uint64_t)g * fs->bpg;
}

static uint32_t group_size(const struct cfs_fs *fs, uint32_t g)
{
	uint64_t left = fs->nblocks - group_first(fs, g);

	return left < fs->bpg ? (uint32_t)left : fs->bpg;
}

static bool bit_get(const uint8_t *bits, uint32_t i)
{
	return bits[i / 8] >> (i % 8) & 1;
}

static void bit_set(uint8_t *bits, uint32_t i)
{
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void bit_clear(uint8_t *bits, uint32_t i)
{
	bits[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static uint64_t word_at(const uint8_t *bits, uint32_t w)
{
	uint64_t v;

	__builtin_memcpy(&v, bits + w * 8, 8);
	return v;
}

/* The first bit in [from, to) clear in both maps (q may be NULL), or to. */
static uint32_t find_clear(const uint8_t *bits, const uint8_t *q, uint32_t from, uint32_t to)
{
	while (from < to) {
		uint32_t w = from / 64;
		uint64_t used = word_at(bits, w) | (q ? word_at(q, w) : 0);

		used |= (1ull << (from % 64)) - 1;      /* bits below from */
		if (~used) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(~used);

			return i < to ? i : to;
		}
		from = (w + 1) * 64;
	}
	return to;
}

static int read_bitmap(struct cfs_fs *fs, uint64_t blk, cfs_buf_t **b)
{
	return cfs_meta_read(fs, blk, CFS_MAGIC_BITMAP, 0, b);
}

long cfs_balloc(struct cfs_fs *fs, uint64_t goal, uint32_t want, uint64_t *pblk)
{
	uint32_t g0;

	if (!want)
		want = 1;
	if (!cfs_block_valid(fs, goal, 1))
		goal = fs->sb.journal_start + fs->sb.journal_blocks;
	g0 = (uint32_t)(goal / fs->bpg);
	for (uint32_t i = 0; i <= fs->ngroups; i++) {
		uint32_t g = (g0 + i) % fs->ngroups, size = group_size(fs, g), bit, run;
		cfs_buf_t *gb, *bb;
		struct cfs_group *gd = cfs_group_desc(fs, g, &gb);
		const uint8_t *q = fs->quarantine[g];
		uint8_t *bits;
		int err;

		if (!gd->free_blocks)
			continue;
		if ((err = read_bitmap(fs, gd->block_bitmap, &bb)))
			return err;
		bits = bb->data + BITS_OFF;
		/* the goal's group: from the goal on first, the start last */
		bit = i == 0 ? find_clear(bits, q, (uint32_t)(goal - group_first(fs, g)), size) : size;
		if (bit == size)
			bit = find_clear(bits, q, 0, size);
		if (bit == size) {
			cfs_brelse(bb);
			continue;
		}
		for (run = 1; run < want && bit + run < size && run < gd->free_blocks; run++)
			if (bit_get(bits, bit + run) || (q && bit_get(q, bit + run)))
				break;
		*pblk = group_first(fs, g) + bit;
		if (!cfs_block_valid(fs, *pblk, run)) {
			cfs_brelse(bb);
			return cfs_corrupt(fs, gd->block_bitmap, 0, "bitmap offers a reserved block");
		}
		if ((err = cfs_op_join(fs, bb)) || (err = cfs_op_join(fs, gb))) {
			cfs_brelse(bb);
			return err;
		}
		for (uint32_t k = 0; k < run; k++)
			bit_set(bits, bit + k);
		cfs_brelse(bb);
		gd->free_blocks -= run;
		fs->free_blocks -= run;
		return run;
	}
	/* cfs_op_begin saw the space in the counts, the bitmaps disagree */
	return cfs_corrupt(fs, 0, 0, "free block counts do not match the bitmaps");
}

int cfs_bfree(struct cfs_fs *fs, uint64_t pblk, uint64_t n)
{
	if (!cfs_block_valid(fs, pblk, n))
		return cfs_corrupt(fs, pblk, 0, "freeing a block outside the data area");
	while (n) {
		uint32_t g = (uint32_t)(pblk / fs->bpg), bit = (uint32_t)(pblk - group_first(fs, g));
		uint32_t k = group_size(fs, g) - bit;
		cfs_buf_t *gb, *bb;
		struct cfs_group *gd = cfs_group_desc(fs, g, &gb);
		uint8_t *bits;
		int err;

		if (k > n)
			k = (uint32_t)n;
		if (!fs->quarantine[g] && !(fs->quarantine[g] = cfs_zalloc(CFS_BITMAP_BYTES)))
			return -ENOMEM;
		if ((err = read_bitmap(fs, gd->block_bitmap, &bb)))
			return err;
		bits = bb->data + BITS_OFF;
		for (uint32_t i = 0; i < k; i++)
			if (!bit_get(bits, bit + i)) {
				cfs_brelse(bb);
				return cfs_corrupt(fs, gd->block_bitmap, 0, "freeing a free block");
			}
		if ((err = cfs_op_join(fs, bb)) || (err = cfs_op_join(fs, gb))) {
			cfs_brelse(bb);
			return err;
		}
		for (uint32_t i = 0; i < k; i++) {
			bit_clear(bits, bit + i);
			bit_set(fs->quarantine[g], bit + i);
		}
		cfs_brelse(bb);
		gd->free_blocks += k;
		fs->free_blocks += k;
		fs->quarantined += k;
		cfs_dev_forget(fs->dev, pblk, k);
		pblk += k;
		n -= k;
	}
	return 0;
}

void cfs_quarantine_clear(struct cfs_fs *fs)
{
	if (fs->quarantine)
		for (uint32_t g = 0; g < fs->ngroups; g++) {
			cfs_free(fs->quarantine[g]);
			fs->quarantine[g] = NULL;
		}
	fs->quarantined = 0;
}

/* Directories go to a group with more free inodes and blocks than the
 * average, after the last one used; files to their parent's group. */
static uint32_t pick_group(struct cfs_fs *fs, uint64_t parent, bool dir)
{
	uint64_t avg_i = fs->free_inodes / fs->ngroups, avg_b = fs->free_blocks / fs->ngroups;
	uint32_t start = dir ? fs->last_group + 1 : (uint32_t)((parent - 1) / fs->ipg);

	if (start >= fs->ngroups)
		start = 0;
	if (dir)
		for (uint32_t i = 0; i < fs->ngroups; i++) {
			uint32_t g = (start + i) % fs->ngroups;
			struct cfs_group *gd = cfs_group_desc(fs, g, NULL);

			if (gd->free_inodes && gd->free_inodes >= avg_i && gd->free_blocks >= avg_b) {
				fs->last_group = g;
				return g;
			}
		}
	for (uint32_t i = 0; i < fs->ngroups; i++) {
		uint32_t g = (start + i) % fs->ngroups;

		if (cfs_group_desc(fs, g, NULL)->free_inodes)
			return g;
	}
	return start;
}

int cfs_ialloc(struct cfs_fs *fs, uint64_t parent, bool dir, uint64_t *ino)
{
	uint32_t g, bit;
	cfs_buf_t *gb, *bb;
	struct cfs_group *gd;
	uint8_t *bits;
	int err;

	if (!fs->free_inodes)
		return -ENOSPC;
	if (parent < 1 || parent > fs->ninodes)
		parent = CFS_ROOT_INO;
	g = pick_group(fs, parent, dir);
	gd = cfs_group_desc(fs, g, &gb);
	if (!gd->free_inodes)
		return cfs_corrupt(fs, 0, 0, "free inode counts do not match the groups");
	if ((err = cfs_meta_read(fs, gd->inode_bitmap, CFS_MAGIC_BITMAP, 0, &bb)))
		return err;
	bits = bb->data + BITS_OFF;
	bit = find_clear(bits, NULL, 0, fs->ipg);
	if (bit == fs->ipg) {
		cfs_brelse(bb);
		return cfs_corrupt(fs, gd->inode_bitmap, 0, "inode bitmap full, its group says not");
	}
	if ((err = cfs_op_join(fs, bb)) || (err = cfs_op_join(fs, gb))) {
		cfs_brelse(bb);
		return err;
	}
	bit_set(bits, bit);
	cfs_brelse(bb);
	gd->free_inodes--;
	if (dir)
		gd->dirs++;
	fs->free_inodes--;
	*ino = (uint64_t)g * fs->ipg + bit + 1;
	return 0;
}

int cfs_ifree(struct cfs_fs *fs, uint64_t ino, bool dir)
{
	uint32_t g = (uint32_t)((ino - 1) / fs->ipg), bit = (uint32_t)((ino - 1) % fs->ipg);
	cfs_buf_t *gb, *bb;
	struct cfs_group *gd = cfs_group_desc(fs, g, &gb);
	uint8_t *bits;
	int err;

	if ((err = cfs_meta_read(fs, gd->inode_bitmap, CFS_MAGIC_BITMAP, 0, &bb)))
		return err;
	bits = bb->data + BITS_OFF;
	if (!bit_get(bits, bit)) {
		cfs_brelse(bb);
		return cfs_corrupt(fs, gd->inode_bitmap, ino, "freeing a free inode");
	}
	if ((err = cfs_op_join(fs, bb)) || (err = cfs_op_join(fs, gb))) {
		cfs_brelse(bb);
		return err;
	}
	bit_clear(bits, bit);
	cfs_brelse(bb);
	gd->free_inodes++;
	if (dir && gd->dirs)
		gd->dirs--;
	fs->free_inodes++;
	return 0;
}
