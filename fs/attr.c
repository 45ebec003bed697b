/* Attributes: the stat family in Linux's layouts, statfs, truncate,
 * chmod, chown, utimensat, access, fallocate, fsync and sync. */
#include <fs/vfs.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/internal.h>
#include <fs/namei.h>
#include <fs/super.h>
#include <cosmos/abi/resource.h>
#include <cosmos/abi/signal.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <kernel/mm/vm.h>
#include <lib/string.h>

int notify_change(struct inode *ino, struct iattr *a)
{
	int err;

	a->valid |= ATTR_CTIME;
	a->ctime = vfs_now();
	if (ino->ops && ino->ops->setattr)
		err = ino->ops->setattr(ino, a);
	else if (a->valid & ATTR_SIZE)
		err = -EPERM;
	else {
		inode_setattr_copy(ino, a);
		err = 0;
	}
	return err;
}

int do_truncate(const struct path *p, struct inode *ino, uint64_t len)
{
	struct iattr a = { .valid = ATTR_SIZE | ATTR_MTIME, .size = len };
	uint64_t old;
	int err;

	(void)p;
	if (len > ino->sb->max_bytes)
		return -EFBIG;
	err = mutex_lock(&ino->lock);
	if (err)
		return err;
	/* growing past RLIMIT_FSIZE: SIGXFSZ and EFBIG, as Linux */
	if (len > ino->size && len > process_rlimit_self(RLIMIT_FSIZE)) {
		mutex_unlock(&ino->lock);
		process_signal_self(SIGXFSZ);
		return -EFBIG;
	}
	a.mtime = vfs_now();
	inode_kill_suid(ino);
	old = ino->size;
	err = notify_change(ino, &a);
	/* pages past the new end leave every mapping (SIGBUS there, zeros
	 * after growing again), as on Linux; under the inode lock, so no
	 * write refills them meanwhile */
	if (!err && len < old && __atomic_load_n(&ino->mmapped, __ATOMIC_SEQ_CST))
		vm_unmap_backing(ino, len, UINT64_MAX);
	mutex_unlock(&ino->lock);
	return err;
}

/* ---- stat ---- */

struct kstat {
	uint32_t mode, uid, gid, nlink, rdev, dev;
	uint64_t ino, size, blocks;
	uint32_t blksize;
	struct vfs_time atime, mtime, ctime, btime;
};

/* Without the inode lock, as Linux's stat: each field is read whole. */
static void getattr(struct inode *ino, struct kstat *k)
{
	k->mode = ino->mode;
	k->uid = ino->uid;
	k->gid = ino->gid;
	k->nlink = ino->nlink;
	k->rdev = ino->rdev;
	k->dev = ino->sb->dev;
	k->ino = ino->ino;
	k->size = ino->size;
	k->blocks = ino->blocks;
	k->blksize = ino->sb->blocksize;
	k->atime = ino->atime;
	k->mtime = ino->mtime;
	k->ctime = ino->ctime;
	k->btime = ino->btime;
}

static void fill_stat(const struct kstat *k, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev_to_abi(k->dev);
	st->st_ino = k->ino;
	st->st_nlink = k->nlink;
	st->st_mode = k->mode;
	st->st_uid = k->uid;
	st->st_gid = k->gid;
	st->st_rdev = dev_to_abi(k->rdev);
	st->st_size = (int64_t)k->size;
	st->st_blksize = k->blksize;
	st->st_blocks = (int64_t)k->blocks;
	st->st_atime = (uint64_t)k->atime.sec;
	st->st_atime_nsec = k->atime.nsec;
	st->st_mtime = (uint64_t)k->mtime.sec;
	st->st_mtime_nsec = k->mtime.nsec;
	st->st_ctime = (uint64_t)k->ctime.sec;
	st->st_ctime_nsec = k->ctime.nsec;
}

int vfs_fstat(struct file *f, struct stat *st)
{
	struct kstat k;

	if (!f->inode)
		return -EBADF;
	getattr(f->inode, &k);
	fill_stat(&k, st);
	return 0;
}

/* The file an *at() call names: flags beyond allowed are -EINVAL;
 * AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH shape the lookup. */
static int at_lookup(const struct path *dir, const char *path, unsigned at_flags,
		     unsigned allowed, struct path *out)
{
	if (at_flags & ~allowed)
		return -EINVAL;
	return vfs_lookup(dir, path, ((at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
				     ((at_flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0), out);
}

static int stat_lookup(const struct path *dir, const char *path, unsigned at_flags, struct path *out)
{
	if ((at_flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	return at_lookup(dir, path, at_flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
			 AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE, out);
}

int vfs_fstatat(const struct path *dir, const char *path, unsigned at_flags, struct stat *st)
{
	struct path p;
	struct kstat k;
	int err;

	if (at_flags & AT_STATX_SYNC_TYPE)
		return -EINVAL;             /* statx's bits only */
	err = stat_lookup(dir, path, at_flags, &p);
	if (err)
		return err;
	getattr(p.dentry->inode, &k);
	fill_stat(&k, st);
	path_put(&p);
	return 0;
}

static struct statx_timestamp sx_time(struct vfs_time t)
{
	return (struct statx_timestamp){ .tv_sec = t.sec, .tv_nsec = t.nsec };
}

/* statx's answer for ino, reached through p (an empty path for a file
 * with no name: no mount id then). */
static void fill_statx(struct inode *ino, const struct path *p, struct statx *stx)
{
	struct kstat k;

	getattr(ino, &k);
	memset(stx, 0, sizeof(*stx));
	/* Everything is always there, whatever was asked. */
	stx->stx_mask = STATX_BASIC_STATS | STATX_BTIME | (p->mnt ? STATX_MNT_ID : 0);
	stx->stx_blksize = k.blksize;
	stx->stx_nlink = k.nlink;
	stx->stx_uid = k.uid;
	stx->stx_gid = k.gid;
	stx->stx_mode = (uint16_t)k.mode;
	stx->stx_ino = k.ino;
	stx->stx_size = k.size;
	stx->stx_blocks = k.blocks;
	stx->stx_attributes_mask = STATX_ATTR_MOUNT_ROOT;
	if (p->mnt && p->dentry == p->mnt->root)
		stx->stx_attributes |= STATX_ATTR_MOUNT_ROOT;
	stx->stx_atime = sx_time(k.atime);
	stx->stx_btime = sx_time(k.btime);
	stx->stx_ctime = sx_time(k.ctime);
	stx->stx_mtime = sx_time(k.mtime);
	stx->stx_rdev_major = DEV_MAJOR(k.rdev);
	stx->stx_rdev_minor = DEV_MINOR(k.rdev);
	stx->stx_dev_major = DEV_MAJOR(k.dev);
	stx->stx_dev_minor = DEV_MINOR(k.dev);
	stx->stx_mnt_id = p->mnt ? p->mnt->id : 0;
}

int vfs_statx(const struct path *dir, const char *path, unsigned at_flags, unsigned mask,
	      struct statx *stx)
{
	struct path p;
	int err;

	if (mask & STATX__RESERVED)
		return -EINVAL;
	err = stat_lookup(dir, path, at_flags, &p);
	if (err)
		return err;
	fill_statx(p.dentry->inode, &p, stx);
	path_put(&p);
	return 0;
}

int vfs_fstatx(struct file *f, unsigned mask, struct statx *stx)
{
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if (!f->inode)
		return -EBADF;
	fill_statx(f->inode, &f->path, stx);
	return 0;
}

static int statfs_path(const struct path *p, struct statfs *sf)
{
	struct super_block *sb = p->dentry->sb;
	struct kstatfs k = { 0 };
	unsigned mf = p->mnt->flags;
	int err;

	if (!sb->ops->statfs)
		return -ENOSYS;
	err = sb->ops->statfs(sb, &k);
	if (err)
		return err;
	memset(sf, 0, sizeof(*sf));
	sf->f_type = (int64_t)k.type;
	sf->f_bsize = (int64_t)k.bsize;
	sf->f_blocks = (int64_t)k.blocks;
	sf->f_bfree = (int64_t)k.bfree;
	sf->f_bavail = (int64_t)k.bavail;
	sf->f_files = (int64_t)k.files;
	sf->f_ffree = (int64_t)k.ffree;
	sf->f_fsid[0] = (int32_t)dev_to_abi(sb->dev);
	sf->f_fsid[1] = (int32_t)(dev_to_abi(sb->dev) >> 32);
	sf->f_namelen = (int64_t)k.namelen;
	sf->f_frsize = (int64_t)k.bsize;
	sf->f_flags = ST_VALID | (mnt_is_rdonly(p->mnt) ? ST_RDONLY : 0) |
		      (mf & MNT_NOSUID ? ST_NOSUID : 0) | (mf & MNT_NODEV ? ST_NODEV : 0) |
		      (mf & MNT_NOEXEC ? ST_NOEXEC : 0) | (mf & MNT_NOATIME ? ST_NOATIME : 0) |
		      (mf & MNT_NODIRATIME ? ST_NODIRATIME : 0) |
		      (mf & (MNT_NOATIME | MNT_STRICTATIME) ? 0 : ST_RELATIME);
	return 0;
}

int vfs_statfs(const struct path *dir, const char *path, struct statfs *sf)
{
	struct path p;
	int err = vfs_lookup(dir, path, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = statfs_path(&p, sf);
	path_put(&p);
	return err;
}

int vfs_fstatfs(struct file *f, struct statfs *sf)
{
	if (!f->path.mnt)
		return -EBADF;
	return statfs_path(&f->path, sf);
}

/* ---- sizes ---- */

int vfs_truncate(const struct path *dir, const char *path, int64_t len)
{
	struct path p;
	struct inode *ino;
	int err;

	if (len < 0)
		return -EINVAL;
	err = vfs_lookup(dir, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	ino = p.dentry->inode;
	if (S_ISDIR(ino->mode))
		err = -EISDIR;
	else if (!S_ISREG(ino->mode))
		err = -EINVAL;
	else if (!(err = mnt_check_write(p.mnt)) && !(err = inode_permission(ino, MAY_WRITE)) &&
		 !(err = inode_get_write(ino))) {   /* -ETXTBSY: a program runs from it */
		err = do_truncate(&p, ino, (uint64_t)len);
		inode_put_write(ino);
	}
	path_put(&p);
	return err;
}

int vfs_ftruncate(struct file *f, int64_t len)
{
	if (len < 0)
		return -EINVAL;
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->inode || !S_ISREG(f->inode->mode) || !(f->fmode & FMODE_WRITE))
		return -EINVAL;
	return do_truncate(&f->path, f->inode, (uint64_t)len);
}

int vfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *ino = f->inode;
	int err;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
		     FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (!ino)
		return -ENODEV;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (S_ISFIFO(ino->mode))
		return -ESPIPE;
	if (!S_ISREG(ino->mode))
		return -ENODEV;
	if ((uint64_t)off + (uint64_t)len > ino->sb->max_bytes || off + len < 0)
		return -EFBIG;
	if (!ino->ops || !ino->ops->fallocate)
		return -EOPNOTSUPP;
	err = mutex_lock(&ino->lock);
	if (err)
		return err;
	err = ino->ops->fallocate(ino, mode, (uint64_t)off, (uint64_t)len);
	/* a punched or zeroed range's whole pages leave every mapping, so
	 * it reads the zeros the file now holds */
	if (!err && (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) &&
	    __atomic_load_n(&ino->mmapped, __ATOMIC_SEQ_CST))
		vm_unmap_backing(ino, (uint64_t)off, (uint64_t)off + (uint64_t)len);
	mutex_unlock(&ino->lock);
	return err;
}

int vfs_fsync(struct file *f, bool datasync)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->ops || !f->ops->fsync)
		return -EINVAL;
	return f->ops->fsync(f, datasync);
}

static void sync_one(const struct mount *m, void *ctx)
{
	(void)ctx;
	if (m->sb->ops->sync_fs && !mnt_is_rdonly(m))
		m->sb->ops->sync_fs(m->sb, true);
}

int vfs_sync(void)
{
	return mount_for_each(sync_one, NULL);
}

int vfs_syncfs(struct file *f)
{
	struct super_block *sb = f->path.dentry ? f->path.dentry->sb : NULL;

	if (sb && sb->ops->sync_fs)
		return sb->ops->sync_fs(sb, true);
	return 0;
}

/* ---- permissions and owners ---- */

int vfs_faccessat(const struct path *dir, const char *path, int mode, unsigned flags)
{
	const struct cred *c = cred_current();
	struct cred real;
	struct path p;
	struct inode *ino;
	int mask = 0, err;

	if (mode & ~(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	err = at_lookup(dir, path, flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);
	if (err)
		return err;
	ino = p.dentry->inode;
	if (!(flags & AT_EACCESS)) {
		/* access(2) asks about the real ids */
		real = *c;
		real.fsuid = c->uid;
		real.fsgid = c->gid;
		c = &real;
	}
	if (mode & R_OK)
		mask |= MAY_READ;
	if (mode & W_OK)
		mask |= MAY_WRITE;
	if (mode & X_OK)
		mask |= MAY_EXEC;
	err = inode_permission_as(c, ino, mask);
	/* no program runs from a noexec mount, so access says so (Linux) */
	if (!err && (mode & X_OK) && S_ISREG(ino->mode) && (p.mnt->flags & MNT_NOEXEC))
		err = -EACCES;
	if (!err && (mode & W_OK) && mnt_is_rdonly(p.mnt) &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
		err = -EROFS;
	path_put(&p);
	return err;
}

/* Before an attribute change: the mount must allow writes; then ino's
 * lock. 0 with the lock held, or an error without it. A file reached by
 * descriptor may be on no mount (a pipe, an anonymous inode): its
 * attributes live in memory only, as on Linux's pipefs. */
static int attr_change_begin(const struct mount *m, struct inode *ino)
{
	int err = m ? mnt_check_write(m) : 0;

	return err ? err : mutex_lock(&ino->lock);
}

static int chmod_inode(const struct path *p, struct inode *ino, uint32_t mode)
{
	const struct cred *c = cred_current();
	struct iattr a = { .valid = ATTR_MODE };
	int err = attr_change_begin(p->mnt, ino);

	if (err)
		return err;
	if (!inode_owner_or_root(ino)) {
		mutex_unlock(&ino->lock);
		return -EPERM;
	}
	a.mode = mode & 07777;
	/* set-group-ID for a group one is not in is dropped, as Linux does */
	if (c->fsuid != 0 && !cred_in_group(c, ino->gid))
		a.mode &= ~(uint32_t)S_ISGID;
	err = notify_change(ino, &a);
	mutex_unlock(&ino->lock);
	return err;
}

int vfs_fchmodat(const struct path *dir, const char *path, uint32_t mode, unsigned flags)
{
	struct path p;
	int err = at_lookup(dir, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);

	if (err)
		return err;
	if (S_ISLNK(p.dentry->inode->mode))
		err = -EOPNOTSUPP;      /* link modes mean nothing */
	else
		err = chmod_inode(&p, p.dentry->inode, mode);
	path_put(&p);
	return err;
}

int vfs_fchmod(struct file *f, uint32_t mode)
{
	if (!f->inode || (f->fmode & FMODE_PATH))
		return -EBADF;
	return chmod_inode(&f->path, f->inode, mode);
}

static int chown_inode(const struct path *p, struct inode *ino, uint32_t uid, uint32_t gid)
{
	const struct cred *c = cred_current();
	struct iattr a = { 0 };
	int err = attr_change_begin(p->mnt, ino);

	if (err)
		return err;
	if (c->fsuid != 0) {
		/* the owner may keep the owner and give the file to a group it is in */
		bool owner = c->fsuid == ino->uid;

		if ((uid != (uint32_t)-1 && !(owner && uid == ino->uid)) ||
		    (gid != (uint32_t)-1 && !(owner && (gid == ino->gid || cred_in_group(c, gid))))) {
			mutex_unlock(&ino->lock);
			return -EPERM;
		}
	}
	if (uid != (uint32_t)-1) {
		a.valid |= ATTR_UID;
		a.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		a.valid |= ATTR_GID;
		a.gid = gid;
	}
	/* chown clears set-user-ID and set-group-ID (if group-executable)
	 * on anything but a directory, for root too, as Linux does */
	if (a.valid && !S_ISDIR(ino->mode)) {
		uint32_t m = ino->mode & 07777;

		if (m & S_ISUID)
			m &= ~(uint32_t)S_ISUID;
		if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			m &= ~(uint32_t)S_ISGID;
		if (m != (ino->mode & 07777)) {
			a.valid |= ATTR_MODE;
			a.mode = m;
		}
	}
	err = notify_change(ino, &a);
	mutex_unlock(&ino->lock);
	return err;
}

int vfs_fchownat(const struct path *dir, const char *path, uint32_t uid, uint32_t gid,
		 unsigned flags)
{
	struct path p;
	int err = at_lookup(dir, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);

	if (err)
		return err;
	err = chown_inode(&p, p.dentry->inode, uid, gid);
	path_put(&p);
	return err;
}

int vfs_fchown(struct file *f, uint32_t uid, uint32_t gid)
{
	if (!f->inode || (f->fmode & FMODE_PATH))
		return -EBADF;
	return chown_inode(&f->path, f->inode, uid, gid);
}

static bool nsec_valid(uint32_t ns)
{
	return ns < 1000000000u || ns == UTIME_NOW || ns == UTIME_OMIT;
}

/* Sets ino's times (NULL: both now); m is its mount, NULL for a file
 * outside the tree (a pipe's). */
static int utimes_inode(const struct mount *m, struct inode *ino, const struct vfs_time *times)
{
	struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME };
	bool explicit = false;
	int err;

	a.atime = a.mtime = vfs_now();
	if (times) {
		for (int i = 0; i < 2; i++) {
			unsigned bit = i ? ATTR_MTIME : ATTR_ATIME;
			struct vfs_time *t = i ? &a.mtime : &a.atime;

			if (times[i].nsec == UTIME_OMIT) {
				a.valid &= ~bit;
			} else if (times[i].nsec != UTIME_NOW) {
				*t = times[i];
				explicit = true;
			}
		}
	}
	err = attr_change_begin(m, ino);
	if (!err) {
		/* Setting given times needs ownership; "now" also write access. */
		if (!inode_owner_or_root(ino))
			err = explicit ? -EPERM : inode_permission(ino, MAY_WRITE);
		if (!err)
			err = notify_change(ino, &a);
		mutex_unlock(&ino->lock);
	}
	return err;
}

/* The checks utimensat makes before it looks anything up: 0 to go on,
 * 1 for nothing to do, or an error. */
static int utimes_check(const struct vfs_time *times)
{
	if (!times)
		return 0;
	if (!nsec_valid(times[0].nsec) || !nsec_valid(times[1].nsec))
		return -EINVAL;
	/* Linux: both omitted is nothing to do, not even a lookup */
	return times[0].nsec == UTIME_OMIT && times[1].nsec == UTIME_OMIT;
}

int vfs_utimensat(const struct path *dir, const char *path, const struct vfs_time *times,
		  unsigned flags)
{
	struct path p;
	int err;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = utimes_check(times)))
		return err < 0 ? err : 0;
	if (!path) {
		if (!dir)
			return -EFAULT;
		if (!dir->mnt || !dir->dentry)
			return -EBADF;      /* no place in the tree: vfs_futimens */
		p = *dir;
		path_get(&p);
	} else {
		err = at_lookup(dir, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);
		if (err)
			return err;
	}
	err = utimes_inode(p.mnt, p.dentry->inode, times);
	path_put(&p);
	return err;
}

int vfs_futimens(struct file *f, const struct vfs_time *times)
{
	int err;

	if ((err = utimes_check(times)))
		return err < 0 ? err : 0;
	if (f->path.dentry)
		return vfs_utimensat(&f->path, 0, times, 0);
	/* a pipe or an anonymous inode: its own times, as Linux's pipefs */
	if (!f->inode)
		return -EBADF;
	return utimes_inode(NULL, f->inode, times);
}
