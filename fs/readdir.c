/* getdents64: a directory's entries as linux_dirent64 records. */
#include <fs/vfs.h>
#include <cosmos/abi/dirent.h>
#include <cosmos/errno.h>
#include <fs/internal.h>
#include <kernel/mm/heap.h>
#include <lib/string.h>
#include <sys/uio.h>

#define DIRENT_NAME_OFF 19     /* offsetof(struct linux_dirent64, d_name) */
/* Records are built in a kernel buffer and copied out this many bytes at
 * a time (one user copy for dozens of entries, not one each); the whole
 * context stays within the heap's 2 KiB size class. */
#define GETDENTS_BATCH 1792

struct getdents_ctx {
	struct dir_ctx ctx;
	struct uio *u;
	long written;              /* bytes copied out */
	size_t fill;               /* bytes waiting in buf */
	size_t room;               /* the caller's buffer minus written and fill */
	uint64_t batch_pos;        /* the position of buf's first record */
	uint64_t resume;           /* after a fault: where the next call starts */
	bool full;                 /* a record did not fit */
	bool fault;
	char buf[GETDENTS_BATCH] __attribute__((aligned(8)));
};
_Static_assert(sizeof(struct getdents_ctx) <= 2048, "getdents_ctx outgrew the 2 KiB heap class");

/* Copies the batched records out. On a fault only whole records count
 * (as when each went out alone): written stops after the last whole one
 * and the directory resumes after it. */
static bool flush(struct getdents_ctx *g)
{
	long n;
	size_t whole = 0;
	uint64_t pos = g->batch_pos;

	if (g->fill == 0)
		return true;
	n = uio_copy_out(g->u, g->buf, g->fill);
	if (n == (long)g->fill) {
		g->written += n;
		g->fill = 0;
		g->batch_pos = g->ctx.pos;
		return true;
	}
	while (n > 0 && whole < (size_t)n) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(g->buf + whole);

		if (whole + d->d_reclen > (size_t)n)
			break;
		whole += d->d_reclen;
		pos = (uint64_t)d->d_off;
	}
	g->written += (long)whole;
	g->fill = 0;
	g->resume = pos;
	g->fault = true;
	return false;
}

static bool fill(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		 unsigned dtype, uint64_t next)
{
	struct getdents_ctx *g = (struct getdents_ctx *)ctx;
	size_t reclen = (DIRENT_NAME_OFF + len + 1 + 7) & ~(size_t)7;
	struct linux_dirent64 *d;

	if (len > NAME_MAX || reclen > g->room) {
		g->full = true;
		return false;
	}
	if (g->fill + reclen > GETDENTS_BATCH && !flush(g))
		return false;
	d = (struct linux_dirent64 *)(g->buf + g->fill);
	d->d_ino = ino;
	d->d_off = (int64_t)next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, len);
	memset(d->d_name + len, 0, reclen - DIRENT_NAME_OFF - len);   /* the NUL and padding */
	g->fill += reclen;
	g->room -= reclen;
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
	g->fill = 0;
	g->room = u->resid;
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
		g->batch_pos = f->pos;
		err = f->ops->readdir(f, &g->ctx);
		if (!g->fault)
			flush(g);
		f->pos = g->fault ? g->resume : g->ctx.pos;
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
