/* Calls that make, remove and move names: mkdir, mknod, symlink, link,
 * unlink, rmdir, rename (renameat2), and readlink. The checks are
 * Linux's, in Linux's order, so programs see the same errors. */
#include <fs/vfs.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/fs_ctx.h>
#include <fs/internal.h>
#include <fs/namei.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/cred.h>
#include <lib/string.h>
#include <sys/uio.h>

int may_create(struct inode *dir)
{
	if (dir->nlink == 0)
		return -ENOENT;             /* a removed directory takes no new names */
	return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

int may_delete(struct inode *dir, struct inode *victim, bool isdir)
{
	const struct cred *c = cred_current();
	int err = inode_permission(dir, MAY_WRITE | MAY_EXEC);

	if (err)
		return err;
	/* the sticky bit: only the file's owner, the directory's owner or
	 * root may remove or rename a name */
	if ((dir->mode & S_ISVTX) && c->fsuid != 0 && c->fsuid != victim->uid &&
	    c->fsuid != dir->uid)
		return -EPERM;
	if (isdir && !S_ISDIR(victim->mode))
		return -ENOTDIR;
	if (!isdir && S_ISDIR(victim->mode))
		return -EISDIR;
	return 0;
}

/* The parent of a new name, locked, and a negative dentry for it. On
 * success the caller unlocks l->parent's inode and drops both. dir_ok:
 * a trailing slash is allowed (mkdir). */
static int create_start(const struct path *dir, const char *path, bool dir_ok,
			struct lookup_last *l, struct dentry **out)
{
	struct inode *d;
	struct dentry *child;
	int err = vfs_lookup_parent(dir, path, 0, l);

	if (err)
		return err;
	if (l->type != LAST_NORM) {
		lookup_last_put(l);
		return -EEXIST;
	}
	d = l->parent.dentry->inode;
	err = inode_permission(d, MAY_EXEC);
	if (err) {
		lookup_last_put(l);
		return err;
	}
	err = mutex_lock(&d->lock);
	if (err) {
		lookup_last_put(l);
		return err;
	}
	child = lookup_one_locked(l->parent.dentry, l->name, l->len, &err);
	if (child && child->inode)
		err = -EEXIST;
	else if (child && l->trailing_slash && !dir_ok)
		err = -ENOENT;
	else if (child && !(err = mnt_check_write(l->parent.mnt)))
		err = may_create(d);
	if (err) {
		mutex_unlock(&d->lock);
		if (child)
			dput(child);
		lookup_last_put(l);
		return err;
	}
	*out = child;
	return 0;
}

static void create_end(struct lookup_last *l, struct dentry *child)
{
	mutex_unlock(&l->parent.dentry->inode->lock);
	dput(child);
	lookup_last_put(l);
}

int vfs_mkdirat(const struct path *dir, const char *path, uint32_t mode)
{
	struct lookup_last l;
	struct dentry *child;
	struct inode *d;
	int err = create_start(dir, path, true, &l, &child);

	if (err)
		return err;
	d = l.parent.dentry->inode;
	if (!d->ops || !d->ops->mkdir)
		err = -EPERM;
	else
		err = d->ops->mkdir(d, child, S_IFDIR | (mode & 01777 &
							  ~fs_ctx_umask(fs_ctx_current())));
	create_end(&l, child);
	return err;
}

int vfs_mknodat(const struct path *dir, const char *path, uint32_t mode, uint32_t dev)
{
	struct lookup_last l;
	struct dentry *child;
	struct inode *d;
	uint32_t type = mode & S_IFMT;
	int err;

	if (type == 0)
		type = S_IFREG;
	if (type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return -EINVAL;
	err = create_start(dir, path, false, &l, &child);
	if (err)
		return err;
	d = l.parent.dentry->inode;
	mode = type | (mode & 07777 & ~fs_ctx_umask(fs_ctx_current()));
	if ((type == S_IFCHR || type == S_IFBLK) && cred_current()->euid != 0)
		err = -EPERM;
	else if (type == S_IFREG)
		err = d->ops && d->ops->create ? d->ops->create(d, child, mode) : -EPERM;
	else
		err = d->ops && d->ops->mknod ? d->ops->mknod(d, child, mode,
							      type == S_IFCHR || type == S_IFBLK ? dev : 0)
					      : -EPERM;
	create_end(&l, child);
	return err;
}

int vfs_symlinkat(const char *target, const struct path *dir, const char *path)
{
	struct lookup_last l;
	struct dentry *child;
	struct inode *d;
	size_t len = strnlen(target, PATH_MAX);
	int err;

	if (len == 0)
		return -ENOENT;
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	err = create_start(dir, path, false, &l, &child);
	if (err)
		return err;
	d = l.parent.dentry->inode;
	err = d->ops && d->ops->symlink ? d->ops->symlink(d, child, target, len) : -EPERM;
	create_end(&l, child);
	return err;
}

int vfs_linkat(const struct path *odir, const char *opath, const struct path *ndir,
	       const char *npath, unsigned flags)
{
	struct lookup_last l;
	struct dentry *child;
	struct path old;
	struct inode *d, *ino;
	int err;

	if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup(odir, opath, ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) |
				      ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0), &old);
	if (err)
		return err;
	err = create_start(ndir, npath, false, &l, &child);
	if (err) {
		path_put(&old);
		return err;
	}
	d = l.parent.dentry->inode;
	ino = old.dentry->inode;
	if (old.mnt != l.parent.mnt)
		err = -EXDEV;
	else if (S_ISDIR(ino->mode))
		err = -EPERM;
	else if (!d->ops || !d->ops->link)
		err = -EPERM;
	else if (!(err = mutex_lock(&ino->lock))) {
		/* an open file whose last name went cannot get a new one */
		err = ino->nlink == 0 ? -ENOENT : d->ops->link(old.dentry, d, child);
		mutex_unlock(&ino->lock);
	}
	create_end(&l, child);
	path_put(&old);
	return err;
}

/* unlink and rmdir. */
int vfs_unlinkat(const struct path *dir, const char *path, unsigned flags)
{
	bool isdir = flags & AT_REMOVEDIR;
	struct lookup_last l;
	struct dentry *child;
	struct inode *d, *victim;
	int err;

	if (flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	err = vfs_lookup_parent(dir, path, 0, &l);
	if (err)
		return err;
	if (l.type != LAST_NORM) {
		err = !isdir ? -EISDIR : l.type == LAST_DOT ? -EINVAL
				       : l.type == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
		lookup_last_put(&l);
		return err;
	}
	d = l.parent.dentry->inode;
	err = inode_permission(d, MAY_EXEC);
	if (!err)
		err = mnt_check_write(l.parent.mnt);
	if (!err)
		err = mutex_lock(&d->lock);
	if (err) {
		lookup_last_put(&l);
		return err;
	}
	child = lookup_one_locked(l.parent.dentry, l.name, l.len, &err);
	if (!child)
		goto out_unlock;
	victim = child->inode;
	if (!victim) {
		err = -ENOENT;
	} else if (!isdir && l.trailing_slash && !S_ISDIR(victim->mode)) {
		err = -ENOTDIR;
	} else if (!(err = may_delete(d, victim, isdir))) {
		if (__atomic_load_n(&child->mounted, __ATOMIC_ACQUIRE))
			err = -EBUSY;
		else if (!d->ops || !(isdir ? d->ops->rmdir : d->ops->unlink))
			err = -EPERM;
		else if (!(err = mutex_lock(&victim->lock))) {
			err = isdir ? d->ops->rmdir(d, child) : d->ops->unlink(d, child);
			mutex_unlock(&victim->lock);
			if (!err)
				d_delete(child);
		}
	}
	dput(child);
out_unlock:
	mutex_unlock(&d->lock);
	lookup_last_put(&l);
	return err;
}

long vfs_readlinkat(const struct path *dir, const char *path, struct uio *u)
{
	struct path p;
	struct inode *ino;
	char *buf;
	long n;
	int err;

	if (u->resid == 0)
		return -EINVAL;
	err = vfs_lookup(dir, path, path[0] ? 0 : LOOKUP_EMPTY, &p);
	if (err)
		return err;
	ino = p.dentry->inode;
	if (!S_ISLNK(ino->mode) || !ino->ops || !ino->ops->readlink) {
		path_put(&p);
		return path[0] ? -EINVAL : -ENOENT;
	}
	buf = kmalloc(PATH_MAX);
	if (!buf) {
		path_put(&p);
		return -ENOMEM;
	}
	n = mutex_lock(&ino->lock);
	if (!n) {
		n = ino->ops->readlink(ino, buf, PATH_MAX);
		mutex_unlock(&ino->lock);
	}
	if (n > 0) {
		size_t want = (size_t)n < u->resid ? (size_t)n : u->resid;

		touch_atime(&p, ino);
		n = uio_copy_out(u, buf, want);
		/* as Linux: a buffer that runs off its mapping is EFAULT, not
		 * a shorter name */
		if (n >= 0 && (size_t)n != want)
			n = -EFAULT;
	}
	kfree(buf);
	path_put(&p);
	return n;
}

/* ---- rename ---- */

/* Takes first's lock, then second's; 0, or an error with neither held. */
static int lock_in_order(struct inode *first, struct inode *second)
{
	int err = mutex_lock(&first->lock);

	if (!err && (err = mutex_lock(&second->lock)))
		mutex_unlock(&first->lock);
	return err;
}

int lock_rename(struct dentry *a, struct dentry *b)
{
	if (a == b)
		return mutex_lock(&a->inode->lock);
	if (d_is_ancestor(a, b))
		return lock_in_order(a->inode, b->inode);
	if (d_is_ancestor(b, a))
		return lock_in_order(b->inode, a->inode);
	return inode_lock_two(a->inode, b->inode);
}

void unlock_rename(struct dentry *a, struct dentry *b)
{
	mutex_unlock(&a->inode->lock);
	if (a != b)
		mutex_unlock(&b->inode->lock);
}

/* Both parents and the sb rename mutex are held; od and nd looked up. */
static int rename_checks(struct inode *odir, struct dentry *od, struct dentry *op,
			 struct inode *ndir, struct dentry *nd, struct dentry *np,
			 unsigned flags, bool exchange)
{
	struct inode *src = od->inode, *tgt = nd->inode;
	bool isdir = S_ISDIR(src->mode), new_isdir = tgt && S_ISDIR(tgt->mode);
	int err;

	/* a directory may not move under itself */
	if (isdir && d_is_ancestor(od, np))
		return -EINVAL;
	/* nor may a name be replaced by something inside it */
	if (tgt && new_isdir && d_is_ancestor(nd, op))
		return exchange ? -EINVAL : -ENOTEMPTY;
	if (exchange && !tgt)
		return -ENOENT;
	if ((flags & RENAME_NOREPLACE) && tgt)
		return -EEXIST;
	if (src == tgt)
		return 1;                   /* the same file: nothing to do */
	err = may_delete(odir, src, isdir);
	if (err)
		return err;
	if (!tgt)
		err = may_create(ndir);
	else
		err = may_delete(ndir, tgt, exchange ? new_isdir : isdir);
	if (err)
		return err;
	/* a directory changing parents rewrites its "..": it must be writable */
	if (odir != ndir) {
		if (isdir && (err = inode_permission(src, MAY_WRITE)))
			return err;
		if (exchange && new_isdir && (err = inode_permission(tgt, MAY_WRITE)))
			return err;
	}
	if (__atomic_load_n(&od->mounted, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&nd->mounted, __ATOMIC_ACQUIRE))
		return -EBUSY;
	if (!odir->ops || !odir->ops->rename)
		return -EPERM;
	return 0;
}

int vfs_renameat2(const struct path *odir, const char *opath, const struct path *ndir,
		  const char *npath, unsigned flags)
{
	bool exchange = flags & RENAME_EXCHANGE;
	struct lookup_last ol, nl;
	struct dentry *op, *np, *od = NULL, *nd = NULL;
	struct inode *oi, *ni;
	struct super_block *sb;
	int err;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && exchange)
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;             /* no overlay file system here */
	err = vfs_lookup_parent(odir, opath, 0, &ol);
	if (err)
		return err;
	err = vfs_lookup_parent(ndir, npath, 0, &nl);
	if (err) {
		lookup_last_put(&ol);
		return err;
	}
	if (ol.parent.mnt != nl.parent.mnt) {
		err = -EXDEV;
		goto out_paths;
	}
	if (ol.type != LAST_NORM || nl.type != LAST_NORM) {
		err = ol.type == LAST_NORM && (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out_paths;
	}
	err = mnt_check_write(ol.parent.mnt);
	if (!err)
		err = inode_permission(ol.parent.dentry->inode, MAY_EXEC);
	if (!err)
		err = inode_permission(nl.parent.dentry->inode, MAY_EXEC);
	if (err)
		goto out_paths;
	op = ol.parent.dentry;
	np = nl.parent.dentry;
	oi = op->inode;
	ni = np->inode;
	sb = op->sb;
	err = mutex_lock(&sb->rename_lock);
	if (err)
		goto out_paths;
	err = lock_rename(op, np);
	if (err) {
		mutex_unlock(&sb->rename_lock);
		goto out_paths;
	}
	od = lookup_one_locked(op, ol.name, ol.len, &err);
	if (!od)
		goto out_unlock;
	if (!od->inode) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (!exchange && !S_ISDIR(od->inode->mode) && (ol.trailing_slash || nl.trailing_slash)) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	nd = lookup_one_locked(np, nl.name, nl.len, &err);
	if (!nd)
		goto out_unlock;
	if (exchange && nd->inode && !S_ISDIR(nd->inode->mode) &&
	    (nl.trailing_slash || (ol.trailing_slash && !S_ISDIR(od->inode->mode)))) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	err = rename_checks(oi, od, op, ni, nd, np, flags, exchange);
	if (err == 1) {
		err = 0;
		goto out_unlock;
	}
	if (err)
		goto out_unlock;
	err = inode_lock_two(od->inode, nd->inode);
	if (err)
		goto out_unlock;
	err = oi->ops->rename(oi, od, ni, nd, flags);
	inode_unlock_two(od->inode, nd->inode);
	if (!err)
		d_move(od, nd, exchange);
out_unlock:
	unlock_rename(op, np);
	mutex_unlock(&sb->rename_lock);
	if (od)
		dput(od);
	if (nd)
		dput(nd);
out_paths:
	lookup_last_put(&ol);
	lookup_last_put(&nl);
	return err;
}
