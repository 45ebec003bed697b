/* cosmfs inodes: reading (every field checked), writing into the inode
 * table, the orphan list (inodes whose last name went while still open,
 * or whose truncation spans transactions) and freeing. */
#include <fs/cosmfs/cfs.h>
#include <cosmos/errno.h>
#include <lib/string.h>

static int inode_block(struct cfs_fs *fs, uint64_t ino, cfs_buf_t **b, struct cfs_dinode **d)
{
	uint32_t g, i;
	int err;

	if (ino < 1 || ino > fs->ninodes)
		return cfs_corrupt(fs, 0, ino, "inode number out of range");
	g = (uint32_t)((ino - 1) / fs->ipg);
	i = (uint32_t)((ino - 1) % fs->ipg);
	err = cfs_bread(fs->dev, cfs_group_desc(fs, g, NULL)->inode_table + i / CFS_INODES_PER_BLOCK, b);
	if (err)
		return err;
	*d = (struct cfs_dinode *)((*b)->data + (i % CFS_INODES_PER_BLOCK) * CFS_INODE_SIZE);
	return 0;
}

static bool uses_extents(const struct cfs_dinode *d)
{
	uint32_t t = d->mode & CFS_S_IFMT;

	return t == CFS_S_IFREG || t == CFS_S_IFDIR || (t == CFS_S_IFLNK && !(d->flags & CFS_IFL_INLINE));
}

const char *cfs_dinode_check(const struct cfs_fs *fs, const struct cfs_dinode *d)
{
	uint32_t t = d->mode & CFS_S_IFMT;
	const struct cfs_xhdr *x = (const struct cfs_xhdr *)d->data;

	if (d->mode == 0)
		return "free inode in use";
	if (t != CFS_S_IFREG && t != CFS_S_IFDIR && t != CFS_S_IFLNK && t != CFS_S_IFCHR &&
	    t != CFS_S_IFBLK && t != CFS_S_IFIFO && t != CFS_S_IFSOCK)
		return "unknown file type";
	if (d->mode & ~(uint32_t)(CFS_S_IFMT | 07777))
		return "mode bits";
	if (d->flags & ~(uint32_t)CFS_IFL_INLINE)
		return "unknown inode flags";
	if ((d->flags & CFS_IFL_INLINE) && t != CFS_S_IFLNK)
		return "inline data on a non-symlink";
	if (d->size > CFS_MAX_FILE_SIZE)
		return "size too large";
	if (d->atime_ns >= 1000000000u || d->mtime_ns >= 1000000000u || d->ctime_ns >= 1000000000u ||
	    d->crtime_ns >= 1000000000u)
		return "nanoseconds out of range";
	if (uses_extents(d) && (x->magic != CFS_XHDR_MAGIC || x->max != CFS_ROOT_EXTENTS ||
				x->count > x->max || x->depth > CFS_EXTENT_DEPTH_MAX))
		return "extent tree root";
	if (t == CFS_S_IFLNK) {
		if (d->size == 0 || d->size >= CFS_BLOCK_SIZE)
			return "symlink length";
		if ((d->flags & CFS_IFL_INLINE) && d->size > CFS_INLINE_SYMLINK_MAX)
			return "inline symlink length";
	}
	if (t == CFS_S_IFDIR) {
		/* every block of a directory is mapped: it holds at least
		 * that many */
		if (d->size == 0 || d->size % CFS_BLOCK_SIZE || d->size / CFS_BLOCK_SIZE > d->blocks)
			return "directory size";
		if (d->parent < 1 || d->parent > fs->ninodes)
			return "directory parent";
	}
	if (d->blocks > fs->nblocks)
		return "block count";
	return NULL;
}

int cfs_iget(struct cfs_fs *fs, uint64_t ino, struct cfs_inode *ip)
{
	struct cfs_dinode *d;
	cfs_buf_t *b;
	const char *why;
	int err = inode_block(fs, ino, &b, &d);

	if (err)
		return err;
	if (d->crc != cfs_inode_crc(fs->seed, ino, d)) {
		uint64_t blk = b->blk;

		cfs_brelse(b);
		return cfs_corrupt(fs, blk, ino, d->mode ? "inode checksum" : "free inode in use");
	}
	why = cfs_dinode_check(fs, d);
	if (why) {
		uint64_t blk = b->blk;

		cfs_brelse(b);
		return cfs_corrupt(fs, blk, ino, why);
	}
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	ip->d = *d;
	cfs_brelse(b);
	return 0;
}

/* Changes the slot of ino in the inode table: its fields from d (NULL:
 * keep them), its orphan link from next (NULL: keep it). */
static int slot_write(struct cfs_fs *fs, uint64_t ino, const struct cfs_dinode *src,
		      const uint64_t *next)
{
	struct cfs_dinode *d;
	cfs_buf_t *b;
	uint64_t keep;
	int err = inode_block(fs, ino, &b, &d);

	if (err)
		return err;
	err = cfs_op_join(fs, b);
	if (!err) {
		keep = d->orphan_next;
		if (src)
			*d = *src;
		d->orphan_next = next ? *next : keep;
		d->crc = cfs_inode_crc(fs->seed, ino, d);
	}
	cfs_brelse(b);
	return err;
}

int cfs_iwrite(struct cfs_fs *fs, struct cfs_inode *ip)
{
	return slot_write(fs, ip->ino, &ip->d, NULL);
}

/* The superblock, changed in the running operation. */
static int super_join(struct cfs_fs *fs)
{
	cfs_buf_t *b;
	int err = cfs_bread(fs->dev, 0, &b);

	if (err)
		return err;
	err = cfs_op_join(fs, b);
	if (!err) {
		fs->sb.h.blockno = 0;
		memcpy(b->data, &fs->sb, CFS_BLOCK_SIZE);
		b->fsflags |= CFS_BF_CHECKED;
	}
	cfs_brelse(b);
	return err;
}

static size_t orphan_index(struct cfs_fs *fs, uint64_t ino)
{
	for (size_t i = 0; i < fs->norphans; i++)
		if (fs->orphans[i] == ino)
			return i;
	return fs->norphans;
}

int cfs_orphan_track(struct cfs_fs *fs, uint64_t ino, bool first)
{
	if (fs->norphans == fs->orphans_cap) {
		size_t cap = fs->orphans_cap ? fs->orphans_cap * 2 : 16;
		uint64_t *n = cfs_zalloc(cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		if (fs->norphans)
			memcpy(n, fs->orphans, fs->norphans * sizeof(*n));
		cfs_free(fs->orphans);
		fs->orphans = n;
		fs->orphans_cap = cap;
	}
	if (first) {
		memmove(fs->orphans + 1, fs->orphans, fs->norphans * sizeof(*fs->orphans));
		fs->orphans[0] = ino;
	} else {
		fs->orphans[fs->norphans] = ino;
	}
	fs->norphans++;
	return 0;
}

int cfs_orphan_add(struct cfs_fs *fs, struct cfs_inode *ip)
{
	uint64_t next = fs->sb.orphan_head;
	int err;

	if (orphan_index(fs, ip->ino) < fs->norphans)
		return 0;
	if ((err = slot_write(fs, ip->ino, NULL, &next)))
		return err;
	fs->sb.orphan_head = ip->ino;
	if ((err = super_join(fs)))
		return err;
	return cfs_orphan_track(fs, ip->ino, true);
}

int cfs_orphan_del(struct cfs_fs *fs, uint64_t ino)
{
	size_t k = orphan_index(fs, ino);
	uint64_t next, zero = 0;
	int err;

	if (k == fs->norphans)
		return 0;
	next = k + 1 < fs->norphans ? fs->orphans[k + 1] : 0;
	if (k == 0) {
		fs->sb.orphan_head = next;
		err = super_join(fs);
	} else {
		err = slot_write(fs, fs->orphans[k - 1], NULL, &next);
	}
	if (!err)
		err = slot_write(fs, ino, NULL, &zero);
	if (err)
		return err;
	memmove(fs->orphans + k, fs->orphans + k + 1, (fs->norphans - k - 1) * sizeof(*fs->orphans));
	fs->norphans--;
	return 0;
}

/* Frees the inode's blocks from file block lblk on, a transaction's
 * worth of steps per operation. */
int cfs_free_blocks_from(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t lblk)
{
	bool done = !uses_extents(&ip->d);
	uint32_t steps = fs->j.max_txn / (2 * CFS_XSTEP_BLOCKS);

	if (!steps)
		steps = 1;
	while (!done) {
		int err = cfs_op_begin(fs, steps * CFS_XSTEP_BLOCKS + 4, 0);

		if (err)
			return err;
		for (uint32_t i = 0; i < steps && !done && !err; i++)
			err = cfs_xtrunc_step(fs, ip, lblk, &done);
		if (!err)
			err = cfs_iwrite(fs, ip);
		if ((err = cfs_op_end(fs, err)))
			return err;
	}
	return 0;
}

int cfs_evict(struct cfs_fs *fs, struct cfs_inode *ip)
{
	struct cfs_dinode d;
	int err;

	if (ip->d.nlink)
		return 0;
	err = cfs_free_blocks_from(fs, ip, 0);
	if (err)
		return err;
	err = cfs_op_begin(fs, 16, 0);
	if (err)
		return err;
	err = cfs_ifree(fs, ip->ino, (ip->d.mode & CFS_S_IFMT) == CFS_S_IFDIR);
	if (!err)
		err = cfs_orphan_del(fs, ip->ino);
	if (!err) {
		/* a stale name pointing here now reads as a free inode */
		memset(&d, 0, sizeof(d));
		d.generation = ip->d.generation;
		err = slot_write(fs, ip->ino, &d, NULL);
	}
	return cfs_op_end(fs, err);
}

int cfs_orphans_recover(struct cfs_fs *fs)
{
	unsigned freed = 0, trimmed = 0;

	while (fs->norphans) {
		struct cfs_inode ip;
		uint64_t ino = fs->orphans[fs->norphans - 1];
		int err = cfs_iget(fs, ino, &ip);

		if (!err && ip.d.nlink == 0) {
			err = cfs_evict(fs, &ip);
			freed++;
		} else if (!err) {
			err = cfs_free_blocks_from(fs, &ip, (ip.d.size + CFS_BLOCK_SIZE - 1) / CFS_BLOCK_SIZE);
			if (!err && !(err = cfs_op_begin(fs, 8, 0)))
				err = cfs_op_end(fs, cfs_orphan_del(fs, ino));
			trimmed++;
		}
		if (err)
			return err;
	}
	if (freed || trimmed)
		cfs_log("orphans: %u unlinked inode%s freed, %u truncation%s finished", freed,
			freed == 1 ? "" : "s", trimmed, trimmed == 1 ? "" : "s");
	return 0;
}
