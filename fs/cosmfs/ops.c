/* cosmfs operations on names and attributes: create, link, unlink,
 * rename, readlink, truncate. Each is one journal operation, so each is
 * atomic on disk; each checks everything that can fail for a reason other
 * than a broken disk before it changes a block. */
#include <fs/cosmfs/cfs.h>
#include <fs/cosmfs/crc32c.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define NAME_OP_BLOCKS 128       /* journal blocks a name operation may dirty */

static bool is_dir(const struct cfs_inode *ip)
{
	return (ip->d.mode & CFS_S_IFMT) == CFS_S_IFDIR;
}

#define SET_TIME(d, f, t) ((d)->f = (t).sec, (d)->f##_ns = (t).nsec)

static void touch_mc(struct cfs_inode *ip, struct cfs_time t)
{
	SET_TIME(&ip->d, mtime, t);
	SET_TIME(&ip->d, ctime, t);
}

static void touch_c(struct cfs_inode *ip, struct cfs_time t)
{
	SET_TIME(&ip->d, ctime, t);
}

static int name_ok(const struct cfs_inode *dir, size_t len)
{
	if (!is_dir(dir))
		return -ENOTDIR;
	if (len == 0 || len > CFS_NAME_MAX)
		return len ? -ENAMETOOLONG : -ENOENT;
	if (dir->d.nlink == 0)
		return -ENOENT;          /* removed while someone was in it */
	return 0;
}

static void dinode_init(struct cfs_dinode *d, const struct cfs_newinode *ni)
{
	struct cfs_xhdr *x = (struct cfs_xhdr *)d->data;

	memset(d, 0, sizeof(*d));
	d->mode = ni->mode;
	d->uid = ni->uid;
	d->gid = ni->gid;
	d->rdev = ni->rdev;
	d->nlink = 1;
	cfs_env_random(&d->generation, sizeof(d->generation));
	SET_TIME(d, atime, ni->now);
	SET_TIME(d, mtime, ni->now);
	SET_TIME(d, ctime, ni->now);
	SET_TIME(d, crtime, ni->now);
	x->magic = CFS_XHDR_MAGIC;
	x->max = CFS_ROOT_EXTENTS;
}

/* A long symlink target: one block, zero-padded, its checksum in the inode. */
static int symlink_block(struct cfs_fs *fs, struct cfs_inode *ip, const char *target, size_t tlen)
{
	uint64_t pblk;
	cfs_buf_t *b;
	long got = cfs_balloc(fs, 0, 1, &pblk);
	int err;

	if (got < 0)
		return (int)got;
	if ((err = cfs_xinsert(fs, ip, 0, pblk, 1)))
		return err;
	ip->d.blocks = 1;
	if ((err = cfs_op_bnew(fs, pblk, &b)))
		return err;
	memcpy(b->data, target, tlen);
	ip->d.link_crc = crc32c(fs->seed, b->data, CFS_BLOCK_SIZE);
	cfs_brelse(b);
	return 0;
}

int cfs_create(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
	       const struct cfs_newinode *ni, const char *target, size_t tlen,
	       struct cfs_inode *ip)
{
	uint32_t type = ni->mode & CFS_S_IFMT;
	uint64_t space = cfs_dir_reserve(dir), ino;
	unsigned t;
	int err = name_ok(dir, len);

	if (err)
		return err;
	if (type == CFS_S_IFLNK && (tlen == 0 || tlen > CFS_SYMLINK_MAX))
		return tlen ? -ENAMETOOLONG : -ENOENT;
	if (type == CFS_S_IFDIR && dir->d.nlink >= CFS_LINK_MAX)
		return -EMLINK;
	err = cfs_dir_lookup(fs, dir, name, len, &ino, &t);
	if (err != -ENOENT)
		return err ? err : -EEXIST;
	if (type == CFS_S_IFDIR || (type == CFS_S_IFLNK && tlen > CFS_INLINE_SYMLINK_MAX))
		space += 1 + CFS_EXTENT_DEPTH_MAX;
	if ((err = cfs_op_begin(fs, NAME_OP_BLOCKS, space)))
		return err;
	if ((err = cfs_ialloc(fs, dir->ino, type == CFS_S_IFDIR, &ino)))
		return cfs_op_end(fs, err);
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	dinode_init(&ip->d, ni);
	if (type == CFS_S_IFDIR) {
		ip->d.nlink = 2;
		ip->d.parent = dir->ino;
		err = cfs_dir_init(fs, ip);
		dir->d.nlink++;
	} else if (type == CFS_S_IFLNK) {
		ip->d.size = tlen;
		if (tlen <= CFS_INLINE_SYMLINK_MAX) {
			memset(ip->d.data, 0, sizeof(ip->d.data));
			memcpy(ip->d.data, target, tlen);
			ip->d.flags |= CFS_IFL_INLINE;
		} else {
			err = symlink_block(fs, ip, target, tlen);
		}
	}
	if (!err)
		err = cfs_iwrite(fs, ip);
	touch_mc(dir, ni->now);
	if (!err)
		err = cfs_dir_add(fs, dir, name, len, ino, CFS_DT(ni->mode));
	return cfs_op_end(fs, err);
}

int cfs_link(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
	     struct cfs_inode *ip, struct cfs_time now)
{
	uint64_t ino;
	int err = name_ok(dir, len);

	if (err)
		return err;
	if (is_dir(ip))
		return -EPERM;
	if (ip->d.nlink >= CFS_LINK_MAX)
		return -EMLINK;
	if (ip->d.nlink == 0)
		return -ENOENT;
	err = cfs_dir_lookup(fs, dir, name, len, &ino, NULL);
	if (err != -ENOENT)
		return err ? err : -EEXIST;
	if ((err = cfs_op_begin(fs, NAME_OP_BLOCKS, cfs_dir_reserve(dir))))
		return err;
	ip->d.nlink++;
	touch_c(ip, now);
	touch_mc(dir, now);
	err = cfs_iwrite(fs, ip);
	if (!err)
		err = cfs_dir_add(fs, dir, name, len, ip->ino, CFS_DT(ip->d.mode));
	return cfs_op_end(fs, err);
}

/* ip lost one name (a directory its only one). */
static int drop_link(struct cfs_fs *fs, struct cfs_inode *dir, struct cfs_inode *ip,
		     struct cfs_time now)
{
	if (is_dir(ip)) {
		ip->d.nlink = 0;
		if (dir->d.nlink > 2)
			dir->d.nlink--;
	} else if (ip->d.nlink) {
		ip->d.nlink--;
	}
	touch_c(ip, now);
	if (ip->d.nlink == 0) {
		int err = cfs_orphan_add(fs, ip);

		if (err)
			return err;
	}
	return cfs_iwrite(fs, ip);
}

int cfs_unlink(struct cfs_fs *fs, struct cfs_inode *dir, const char *name, size_t len,
	       struct cfs_inode *ip, struct cfs_time now)
{
	int err = name_ok(dir, len);

	if (err)
		return err;
	if (is_dir(ip) && ip->d.entries)
		return -ENOTEMPTY;
	if ((err = cfs_op_begin(fs, NAME_OP_BLOCKS, 0)))
		return err;
	err = cfs_dir_remove(fs, dir, name, len);
	if (err == -ENOENT && !fs->op_changed)
		return cfs_op_end(fs, err);
	touch_mc(dir, now);
	if (!err)
		err = drop_link(fs, dir, ip, now);
	if (!err)
		err = cfs_iwrite(fs, dir);
	return cfs_op_end(fs, err);
}

/* Is ino the directory anc or below it? Walks up the parent links. */
static int is_under(struct cfs_fs *fs, struct cfs_inode *start, uint64_t anc, bool *under)
{
	uint64_t ino = start->ino, parent = start->d.parent;

	*under = false;
	for (uint64_t steps = 0; steps <= fs->ninodes; steps++) {
		struct cfs_inode p;
		int err;

		if (ino == anc) {
			*under = true;
			return 0;
		}
		if (ino == CFS_ROOT_INO)
			return 0;
		ino = parent;
		if ((err = cfs_iget(fs, ino, &p)))
			return err;
		if (!is_dir(&p))
			return cfs_corrupt(fs, 0, ino, "a directory's parent is not a directory");
		parent = p.d.parent;
	}
	return cfs_corrupt(fs, 0, start->ino, "directory parents loop");
}

int cfs_rename(struct cfs_fs *fs, struct cfs_inode *odir, const char *oname, size_t olen,
	       struct cfs_inode *src, struct cfs_inode *ndir, const char *nname, size_t nlen,
	       struct cfs_inode *tgt, unsigned flags, struct cfs_time now)
{
	bool xchg = flags & CFS_RENAME_EXCHANGE, sdir = is_dir(src), tdir = tgt && is_dir(tgt);
	bool under;
	uint64_t space = cfs_dir_reserve(ndir);
	int err;

	if ((err = name_ok(odir, olen)) || (err = name_ok(ndir, nlen)))
		return err;
	if (xchg && !tgt)
		return -ENOENT;
	if ((flags & CFS_RENAME_NOREPLACE) && tgt)
		return -EEXIST;
	if (tgt == src || (tgt && tgt->ino == src->ino))
		return 0;                /* two names of one file: nothing to do */
	if (tgt && !xchg) {
		if (sdir && !tdir)
			return -ENOTDIR;
		if (!sdir && tdir)
			return -EISDIR;
		if (tdir && tgt->d.entries)
			return -ENOTEMPTY;
	}
	if (odir != ndir) {
		if (sdir) {
			if ((err = is_under(fs, ndir, src->ino, &under)))
				return err;
			if (under)
				return -EINVAL;
			if (!tgt && ndir->d.nlink >= CFS_LINK_MAX)
				return -EMLINK;
		}
		if (xchg && tdir) {
			if ((err = is_under(fs, odir, tgt->ino, &under)))
				return err;
			if (under)
				return -EINVAL;
		}
	}
	if ((err = cfs_op_begin(fs, 2 * NAME_OP_BLOCKS, space)))
		return err;
	if (xchg) {
		err = cfs_dir_set(fs, odir, oname, olen, tgt->ino, CFS_DT(tgt->d.mode));
		if (!err)
			err = cfs_dir_set(fs, ndir, nname, nlen, src->ino, CFS_DT(src->d.mode));
		if (!err && odir != ndir) {
			if (sdir)
				src->d.parent = ndir->ino;
			if (tdir)
				tgt->d.parent = odir->ino;
			if (sdir && !tdir) {
				odir->d.nlink--;
				ndir->d.nlink++;
			} else if (tdir && !sdir) {
				ndir->d.nlink--;
				odir->d.nlink++;
			}
		}
		touch_c(tgt, now);
		if (!err)
			err = cfs_iwrite(fs, tgt);
	} else {
		if (tgt) {
			err = cfs_dir_set(fs, ndir, nname, nlen, src->ino, CFS_DT(src->d.mode));
			if (!err)
				err = drop_link(fs, ndir, tgt, now);
		} else {
			err = cfs_dir_add(fs, ndir, nname, nlen, src->ino, CFS_DT(src->d.mode));
		}
		if (!err)
			err = cfs_dir_remove(fs, odir, oname, olen);
		if (!err && sdir && odir != ndir) {
			odir->d.nlink--;
			ndir->d.nlink++;
			src->d.parent = ndir->ino;
		}
	}
	touch_c(src, now);
	touch_mc(odir, now);
	touch_mc(ndir, now);
	if (!err)
		err = cfs_iwrite(fs, src);
	if (!err)
		err = cfs_iwrite(fs, odir);
	if (!err && ndir != odir)
		err = cfs_iwrite(fs, ndir);
	return cfs_op_end(fs, err);
}

long cfs_readlink(struct cfs_fs *fs, struct cfs_inode *ip, char *buf, size_t len)
{
	size_t n = ip->d.size < len ? (size_t)ip->d.size : len;
	uint64_t pblk;
	uint32_t run;
	cfs_buf_t *b;
	int err;

	if ((ip->d.mode & CFS_S_IFMT) != CFS_S_IFLNK)
		return -EINVAL;
	if (ip->d.flags & CFS_IFL_INLINE) {
		memcpy(buf, ip->d.data, n);
		return (long)n;
	}
	if ((err = cfs_bmap(fs, ip, 0, &pblk, &run)))
		return err;
	if (!pblk)
		return cfs_corrupt(fs, 0, ip->ino, "symlink without its block");
	if ((err = cfs_bread(fs->dev, pblk, &b)))
		return err;
	if (!(b->fsflags & CFS_BF_CHECKED)) {
		if (crc32c(fs->seed, b->data, CFS_BLOCK_SIZE) != ip->d.link_crc) {
			cfs_brelse(b);
			return cfs_corrupt(fs, pblk, ip->ino, "symlink block checksum");
		}
		b->fsflags |= CFS_BF_CHECKED;
	}
	memcpy(buf, b->data, n);
	cfs_brelse(b);
	return (long)n;
}

int cfs_write_inode(struct cfs_fs *fs, struct cfs_inode *ip)
{
	int err = cfs_op_begin(fs, 4, 0);

	if (err)
		return err;
	return cfs_op_end(fs, cfs_iwrite(fs, ip));
}

/* Zeroes the file's last block beyond size, so that growing the file
 * again shows zeros there. */
static int zero_tail(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t size)
{
	uint32_t off = (uint32_t)(size % CFS_BLOCK_SIZE), run;
	uint64_t pblk;
	cfs_buf_t *b;
	int err;

	if (!off)
		return 0;
	if ((err = cfs_bmap(fs, ip, (uint32_t)(size / CFS_BLOCK_SIZE), &pblk, &run)) || !pblk)
		return err;
	if ((err = cfs_bread(fs->dev, pblk, &b)))
		return err;
	memset(b->data + off, 0, CFS_BLOCK_SIZE - off);
	cfs_bdirty(b, true);
	cfs_brelse(b);
	return 0;
}

int cfs_truncate(struct cfs_fs *fs, struct cfs_inode *ip, uint64_t size)
{
	uint64_t keep = (size + CFS_BLOCK_SIZE - 1) / CFS_BLOCK_SIZE;
	uint32_t steps = fs->j.max_txn / (2 * CFS_XSTEP_BLOCKS);
	bool done = size >= ip->d.size, orphaned = false;
	int err;

	if ((ip->d.mode & CFS_S_IFMT) != CFS_S_IFREG)
		return -EINVAL;
	if (size > CFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (fs->rdonly || fs->aborted)
		return -EROFS;
	if (size < ip->d.size && (err = zero_tail(fs, ip, size)))
		return err;
	if (!steps)
		steps = 1;
	err = cfs_op_begin(fs, steps * CFS_XSTEP_BLOCKS + 16, 0);
	if (err)
		return err;
	ip->d.size = size;
	for (uint32_t i = 0; i < steps && !done && !err; i++)
		err = cfs_xtrunc_step(fs, ip, keep, &done);
	/* a long truncation finishes at the next mount if the power goes */
	if (!err && !done) {
		err = cfs_orphan_add(fs, ip);
		orphaned = true;
	}
	if (!err)
		err = cfs_iwrite(fs, ip);
	if ((err = cfs_op_end(fs, err)) || done)
		return err;
	if ((err = cfs_free_blocks_from(fs, ip, keep)))
		return err;
	if (orphaned && !(err = cfs_op_begin(fs, 8, 0)))
		err = cfs_op_end(fs, cfs_orphan_del(fs, ip->ino));
	return err;
}
