/* Opening files and moving their data: open/openat/creat, the exec
 * checks, read/write and the positional and vectored forms, lseek, ioctl,
 * F_GETFL/F_SETFL. */
#include <fs/vfs.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/fs_ctx.h>
#include <fs/internal.h>
#include <fs/namei.h>
#include <kernel/mm/heap.h>
#include <cosmos/abi/resource.h>
#include <cosmos/abi/signal.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <lib/string.h>
#include <sys/uio.h>

/* Flags open keeps out of f->flags, as Linux does. */
#define OPEN_ONLY_FLAGS (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)
/* Flags F_SETFL may change. */
#define SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* An O_PATH file does nothing but name its path. */
static const struct file_ops path_only_ops;

/* relatime: atime is written only when it is not newer than mtime or
 * ctime, or a day old, so a reader can tell whether a file was read since
 * its last change without every read writing a time stamp. */
static bool atime_stale(const struct inode *ino, unsigned mf, const struct vfs_time *now)
{
	return (mf & MNT_STRICTATIME) || ino->atime.sec < ino->mtime.sec ||
	       (ino->atime.sec == ino->mtime.sec && ino->atime.nsec <= ino->mtime.nsec) ||
	       ino->atime.sec < ino->ctime.sec ||
	       (ino->atime.sec == ino->ctime.sec && ino->atime.nsec <= ino->ctime.nsec) ||
	       now->sec - ino->atime.sec >= 24 * 3600;
}

void touch_atime(const struct path *p, struct inode *ino)
{
	struct vfs_time now;
	unsigned mf = p->mnt->flags;

	if ((mf & MNT_NOATIME) || mnt_is_rdonly(p->mnt))
		return;
	if ((mf & MNT_NODIRATIME) && S_ISDIR(ino->mode))
		return;
	now = vfs_now();
	/* A look without the lock first: most reads change nothing, and a
	 * torn view can only make us take the lock and look again. */
	if (!atime_stale(ino, mf, &now))
		return;
	/* Where the caller may not sleep the time stamp is left: atime is
	 * a hint, and the read it records has happened either way. */
	if (mutex_lock(&ino->lock))
		return;
	if (atime_stale(ino, mf, &now))
		ino->atime = now;
	mutex_unlock(&ino->lock);
}

static int may_open(const struct path *p, struct inode *ino, uint32_t flags)
{
	uint32_t acc = flags & O_ACCMODE;
	int mask = 0, err;

	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	switch (ino->mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (mask & MAY_WRITE)
			return -EISDIR;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (p->mnt->flags & MNT_NODEV)
			return -EACCES;
		flags &= ~(uint32_t)O_TRUNC;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		flags &= ~(uint32_t)O_TRUNC;
		break;
	}
	err = inode_permission(ino, mask);
	if (err)
		return err;
	/* Device nodes and FIFOs on a read-only mount may still be written:
	 * the data does not go to the file system. */
	if ((mask & MAY_WRITE) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode)) &&
	    mnt_is_rdonly(p->mnt))
		return -EROFS;
	if ((flags & O_NOATIME) && !inode_owner_or_root(ino))
		return -EPERM;
	return 0;
}

/* The file for path p. check: permissions as open(2) asks (not for a
 * file this open created, nor for exec, which checked its own). */
static int open_inode(const struct path *p, uint32_t flags, bool check, struct file **out)
{
	struct inode *ino = p->dentry->inode;
	struct file *f;
	int err;

	if (flags & O_PATH) {
		f = file_alloc(&path_only_ops, igrab(ino), O_PATH | (flags & O_DIRECTORY));
		if (!f) {
			iput(ino);
			return -ENOMEM;
		}
		f->fmode = FMODE_PATH;
		f->path = *p;
		path_get(&f->path);
		*out = f;
		return 0;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (check && (err = may_open(p, ino, flags)))
		return err;
	if (S_ISLNK(ino->mode))
		return -ELOOP;
	if (S_ISSOCK(ino->mode))
		return -ENXIO;
	f = file_alloc(ino->fops, igrab(ino), (flags & ~(uint32_t)OPEN_ONLY_FLAGS) | O_LARGEFILE);
	if (!f) {
		iput(ino);
		return -ENOMEM;
	}
	f->path = *p;
	path_get(&f->path);
	if (S_ISREG(ino->mode) || S_ISDIR(ino->mode))
		f->fmode |= FMODE_SEEK;
	if (f->fmode & FMODE_WRITE) {
		err = inode_get_write(ino);     /* -ETXTBSY: a program runs from it */
		if (err) {
			f->ops = NULL;
			file_put(f);
			return err;
		}
		f->fmode |= FMODE_WRITER;
	}
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode) || S_ISFIFO(ino->mode)) {
		/* a terminal's open decides on O_NOCTTY; the file keeps it not */
		f->flags |= flags & O_NOCTTY;
		err = special_open(ino, f);
		f->flags &= ~(uint32_t)O_NOCTTY;
	} else if (f->ops && f->ops->open)
		err = f->ops->open(ino, f);
	else
		err = 0;
	if (err) {
		f->ops = NULL;         /* a failed open leaves nothing to release */
		file_put(f);
		return err;
	}
	if ((flags & O_TRUNC) && S_ISREG(ino->mode) && check) {
		err = do_truncate(p, ino, 0);
		if (err) {
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

/* O_CREAT: find or make the last component. A final symlink is followed
 * (its target is created if missing) unless O_EXCL or O_NOFOLLOW. */
static int open_create(const struct path *dir, const char *path, uint32_t flags, uint32_t mode,
		       struct path *out, bool *created)
{
	struct path base = { 0 };
	char *body = NULL;
	const char *name = path;
	int links = 0, err;

	*created = false;
	if (dir && path[0] != '/' && (!dir->mnt || !dir->dentry))
		return -ENOTDIR;    /* a pipe or an anonymous inode: no directory */
	if (dir && dir->mnt) {
		base = *dir;
		path_get(&base);
	}
	for (;;) {
		struct lookup_last l;
		struct inode *d;
		struct dentry *child;

		err = vfs_lookup_parent(base.mnt ? &base : NULL, name, 0, &l);
		if (err)
			break;
		/* ".", ".." and "/" exist and are directories */
		if (l.type != LAST_NORM) {
			lookup_last_put(&l);
			err = (flags & O_EXCL) ? -EEXIST : -EISDIR;
			break;
		}
		if (l.trailing_slash) {
			lookup_last_put(&l);
			err = -EISDIR;
			break;
		}
		d = l.parent.dentry->inode;
		err = inode_permission(d, MAY_EXEC);
		if (err) {
			lookup_last_put(&l);
			break;
		}
		err = mutex_lock(&d->lock);
		if (err) {
			lookup_last_put(&l);
			break;
		}
		child = lookup_one_locked(l.parent.dentry, l.name, l.len, &err);
		if (child && !child->inode) {
			err = may_create(d);
			if (!err)
				err = mnt_check_write(l.parent.mnt);
			if (!err && (!d->ops || !d->ops->create))
				err = -EACCES;
			if (!err)
				err = d->ops->create(d, child, S_IFREG | (mode & 07777 &
							~fs_ctx_umask(fs_ctx_current())));
			mutex_unlock(&d->lock);
			if (err) {
				dput(child);
			} else {
				out->mnt = mnt_get(l.parent.mnt);
				out->dentry = child;
				*created = true;
			}
			lookup_last_put(&l);
			break;
		}
		mutex_unlock(&d->lock);
		if (!child) {
			lookup_last_put(&l);
			break;
		}
		if (flags & O_EXCL) {
			dput(child);
			lookup_last_put(&l);
			err = -EEXIST;
			break;
		}
		out->mnt = mnt_get(l.parent.mnt);
		out->dentry = child;
		mount_follow_down(out);
		if (S_ISDIR(out->dentry->inode->mode)) {
			path_put(out);     /* O_CREAT never opens a directory */
			lookup_last_put(&l);
			err = -EISDIR;
			break;
		}
		if (!S_ISLNK(out->dentry->inode->mode) || (flags & O_NOFOLLOW)) {
			lookup_last_put(&l);
			break;             /* open_inode refuses a symlink with -ELOOP */
		}
		/* A symlink: walk its body from the directory it is in. */
		if (++links > SYMLOOP_MAX) {
			err = -ELOOP;
		} else if (!(body = body ? body : kmalloc(PATH_MAX))) {
			err = -ENOMEM;
		} else {
			struct inode *li = out->dentry->inode;
			long n;

			n = mutex_lock(&li->lock);
			if (!n) {
				n = li->ops && li->ops->readlink ?
					    li->ops->readlink(li, body, PATH_MAX - 1) : -EINVAL;
				mutex_unlock(&li->lock);
			}
			if (n <= 0) {
				err = n < 0 ? (int)n : -ENOENT;
			} else {
				body[n] = 0;
				name = body;
			}
		}
		path_put(out);
		path_put(&base);
		base = l.parent;           /* takes over l's references */
		if (err)
			break;
	}
	path_put(&base);
	kfree(body);
	return err;
}

int vfs_openat(const struct path *dir, const char *path, uint32_t flags, uint32_t mode,
	       struct file **out)
{
	struct path p;
	bool created = false;
	int err;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	if (flags & O_CREAT) {
		err = open_create(dir, path, flags, mode, &p, &created);
	} else {
		unsigned lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;

		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		err = vfs_lookup(dir, path, lf, &p);
	}
	if (err)
		return err;
	err = open_inode(&p, flags, !created, out);
	path_put(&p);
	return err;
}

int vfs_may_exec(const struct file *f)
{
	struct inode *ino = f->inode;

	if (!ino || !f->path.mnt || !S_ISREG(ino->mode))
		return -EACCES;
	if (f->path.mnt->flags & MNT_NOEXEC)
		return -EACCES;
	return inode_permission(ino, MAY_EXEC);
}

int vfs_open_exec(const struct path *dir, const char *path, unsigned at_flags, struct file **out)
{
	struct path p;
	struct file *f;
	unsigned lf = (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	int err;

	if (at_flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (at_flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = vfs_lookup(dir, path, lf, &p);
	if (err)
		return err;
	if (S_ISLNK(p.dentry->inode->mode)) {
		path_put(&p);
		return -ELOOP;
	}
	/* Execute permission suffices: a program need not be readable. */
	err = open_inode(&p, O_RDONLY, false, &f);
	path_put(&p);
	if (err)
		return err;
	err = vfs_may_exec(f);
	if (err) {
		file_put(f);
		return err;
	}
	f->fmode |= FMODE_EXEC;
	*out = f;
	return 0;
}

/* ---- data ---- */

static long rw_checks(struct file *f, unsigned need)
{
	if (!(f->fmode & need))
		return -EBADF;
	if (need == FMODE_READ && (!f->ops || !f->ops->read))
		return f->inode && S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	if (need == FMODE_WRITE && (!f->ops || !f->ops->write))
		return -EINVAL;
	return 0;
}

static long do_read(struct file *f, struct uio *u, uint64_t *pos)
{
	long n = f->ops->read(f, u, pos);

	if (n > 0 && f->path.mnt && !(f->flags & O_NOATIME))
		touch_atime(&f->path, f->inode);
	return n;
}

/* RLIMIT_FSIZE, as Linux: a write to a regular file that starts at or
 * past the limit sends SIGXFSZ and fails with EFBIG; one that would cross
 * it is cut short there. An O_APPEND write starts at the current size. */
static long fsize_limit(struct file *f, struct uio *u, uint64_t pos)
{
	uint64_t lim;

	if (!f->inode || !S_ISREG(f->inode->mode) || !u->resid)
		return 0;
	lim = process_rlimit_self(RLIMIT_FSIZE);
	if (lim == RLIM_INFINITY)
		return 0;
	if (f->flags & O_APPEND)
		pos = __atomic_load_n(&f->inode->size, __ATOMIC_RELAXED);
	if (pos >= lim) {
		process_signal_self(SIGXFSZ);
		return -EFBIG;
	}
	if (u->resid > lim - pos)
		uio_truncate(u, (size_t)(lim - pos));
	return 0;
}

static long do_write(struct file *f, struct uio *u, uint64_t *pos)
{
	long err = fsize_limit(f, u, *pos);

	return err ? err : f->ops->write(f, u, pos);
}

/* At and advancing the file position (under pos_lock) for seekable
 * files; streams have none. */
static long rw_at_pos(struct file *f, struct uio *u, unsigned need,
		      long (*rw)(struct file *, struct uio *, uint64_t *))
{
	long n = rw_checks(f, need);
	uint64_t pos = 0;

	if (n)
		return n;
	if (!(f->fmode & FMODE_SEEK))
		return rw(f, u, &pos);
	n = mutex_lock(&f->pos_lock);
	if (n)
		return n;
	pos = f->pos;
	n = rw(f, u, &pos);
	if (n > 0)
		f->pos = pos;
	mutex_unlock(&f->pos_lock);
	return n;
}

/* At a given offset; the file position stays. */
static long rw_at_off(struct file *f, struct uio *u, int64_t off, unsigned need,
		      long (*rw)(struct file *, struct uio *, uint64_t *))
{
	long n = rw_checks(f, need);
	uint64_t pos = (uint64_t)off;

	if (n)
		return n;
	if (!(f->fmode & FMODE_SEEK) || !f->ops->seek)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	return rw(f, u, &pos);
}

long vfs_read(struct file *f, struct uio *u) { return rw_at_pos(f, u, FMODE_READ, do_read); }
long vfs_write(struct file *f, struct uio *u) { return rw_at_pos(f, u, FMODE_WRITE, do_write); }

long vfs_pread(struct file *f, struct uio *u, int64_t off)
{
	return rw_at_off(f, u, off, FMODE_READ, do_read);
}

long vfs_pwrite(struct file *f, struct uio *u, int64_t off)
{
	return rw_at_off(f, u, off, FMODE_WRITE, do_write);
}

int64_t vfs_lseek(struct file *f, int64_t off, int whence)
{
	int64_t r;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->ops || !f->ops->seek)
		return -ESPIPE;
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	r = mutex_lock(&f->pos_lock);
	if (r)
		return r;
	r = f->ops->seek(f, off, whence);
	mutex_unlock(&f->pos_lock);
	return r;
}

long vfs_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->ops || !f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, cmd, arg, kbuf);
}

uint32_t vfs_getfl(const struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
}

int vfs_setfl(struct file *f, uint32_t flags)
{
	uint32_t old, want;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if ((flags & O_NOATIME) && f->inode && !inode_owner_or_root(f->inode))
		return -EPERM;
	old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
	/* as Linux: the file takes the change of O_ASYNC first */
	if (((old ^ flags) & O_ASYNC) && f->ops && f->ops->fasync) {
		int err = f->ops->fasync(f, (flags & O_ASYNC) != 0);

		if (err)
			return err;
	}
	do {
		want = (old & ~(uint32_t)SETFL_FLAGS) | (flags & SETFL_FLAGS);
	} while (!__atomic_compare_exchange_n(&f->flags, &old, want, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}
