/* getdents64: a directory's entries as linux_dirent64 records. */
#include <fs/vfs.h>
#include <cosmos/abi/dirent.h>
#include <cosmos/errno.h>
#include <fs/internal.h>
#include <kernel/mm/heap.h>
#include <lib/string.h>
#include <sys/uio.h>

#define DIRENT_NAME_OFF 19     /* offsetof(struct linux_dirent64, d_name) */

struct getdents_ctx {
	struct dir_ctx ctx;
	struct uio *u;
	long written;
	bool full;                 /* a record did not fit */
	bool fault;
	char rec[(DIRENT_NAME_OFF + NAME_MAX + 1 + 7) & ~7];
};

static bool fill(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		 unsigned dtype, uint64_t next)
{
	struct getdents_ctx *g = (struct getdents_ctx *)ctx;
	size_t reclen = (DIRENT_NAME_OFF + len + 1 + 7) & ~(size_t)7;
	struct linux_dirent64 *d = (struct linux_dirent64 *)g->rec;
	long n;

	if (len > NAME_MAX || reclen > g->u->resid) {
		g->full = true;
		return false;
	}
	memset(g->rec, 0, reclen);
	d->d_ino = ino;
	d->d_off = (int64_t)next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, len);
	n = uio_copy_out(g->u, g->rec, reclen);
	if (n != (long)reclen) {
		g->fault = true;
		return false;
	}
	g->written += n;
	return true;
}

long vfs_getdents64(struct file *f, struct uio *u)
{
	struct getdents_ctx *g;
	struct inode *dir = f->inode;
	long ret;
	int err;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!dir || !S_ISDIR(dir->mode) || !f->ops || !f->ops->readdir)
		return -ENOTDIR;
	g = kmalloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ctx.actor = fill;
	g->u = u;
	g->written = 0;
	g->full = g->fault = false;
	err = mutex_lock(&f->pos_lock);
	if (err) {
		kfree(g);
		return err;
	}
	err = mutex_lock(&dir->lock);
	if (err) {
		mutex_unlock(&f->pos_lock);
		kfree(g);
		return err;
	}
	if (dir->nlink == 0) {
		err = -ENOENT;               /* removed while open, as Linux says */
	} else {
		g->ctx.pos = f->pos;
		err = f->ops->readdir(f, &g->ctx);
		f->pos = g->ctx.pos;
	}
	mutex_unlock(&dir->lock);
	mutex_unlock(&f->pos_lock);
	if (g->written || !err)
		touch_atime(&f->path, dir);
	if (g->written)
		ret = g->written;
	else if (err)
		ret = err;
	else if (g->fault)
		ret = -EFAULT;
	else if (g->full)
		ret = -EINVAL;
	else
		ret = 0;
	kfree(g);
	return ret;
}
