/* Open files (see file.h): allocation, references, the last close, and
 * helpers file systems share (dir_emit_dots, generic_file_seek). */
#include <fs/file.h>
#include <cosmos/abi/dirent.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/inode.h>
#include <fs/lock.h>
#include <cosmos/abi/signal.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>

static void file_release(struct kobject *o)
{
	struct file *f = file_from_kobject(o);

	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->inode) {
		vfs_locks_release_file(f);
		if (f->fmode & FMODE_WRITER)
			inode_put_write(f->inode);
		iput(f->inode);
	}
	path_put(&f->path);
	kfree(f);
}

struct file *file_alloc(const struct file_ops *ops, struct inode *ino, uint32_t flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	kobject_init(&f->obj, KOBJ_FILE, file_release);
	f->ops = ops;
	f->inode = ino;
	f->flags = flags;
	mutex_init(&f->pos_lock, "f_pos");
	spin_init(&f->owner_lock, "f_owner");
	switch (flags & O_ACCMODE) {
	case O_RDONLY: f->fmode = FMODE_READ; break;
	case O_WRONLY: f->fmode = FMODE_WRITE; break;
	case O_RDWR: f->fmode = FMODE_READ | FMODE_WRITE; break;
	}
	return f;
}

bool dir_emit_dots(struct file *f, struct dir_ctx *ctx)
{
	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, f->inode->ino, DT_DIR, 1))
			return false;
	}
	if (ctx->pos == 1) {
		struct dentry *parent = dget_parent(f->path.dentry);
		uint64_t ino = parent->inode ? parent->inode->ino : f->inode->ino;

		dput(parent);
		if (!dir_emit(ctx, "..", 2, ino, DT_DIR, 2))
			return false;
	}
	return true;
}

int64_t generic_file_seek(struct file *f, int64_t off, int whence)
{
	int64_t base, size = (int64_t)f->inode->size;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = size; break;
	case SEEK_DATA:
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = (uint64_t)off;
		return off;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = (uint64_t)size;
		return size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return base + off;
}

int file_set_owner(struct file *f, int who)
{
	const struct cred *c = cred_current();
	uint64_t fl;

	/* Linux: an owner that does not exist leaves none, without an error */
	if (who == INT32_MIN)
		return -EINVAL;
	if (who && (who > 0 ? signal_send_pid(who, 0) : signal_send_pgrp(-who, 0)))
		who = 0;
	fl = spin_lock_irqsave(&f->owner_lock);
	f->owner = who;
	f->owner_tid = false;
	f->owner_uid = c->uid;
	f->owner_euid = c->euid;
	spin_unlock_irqrestore(&f->owner_lock, fl);
	return 0;
}

int file_set_owner_tid(struct file *f, int tid)
{
	const struct cred *c = cred_current();
	struct process *p = 0;
	uint64_t fl;
	bool alive;

	process_table_lock();
	alive = tid > 0 && process_find_thread_locked(tid, &p) != NULL;
	process_table_unlock();
	if (tid && !alive)
		return -ESRCH;
	fl = spin_lock_irqsave(&f->owner_lock);
	f->owner = tid;
	f->owner_tid = tid != 0;
	f->owner_uid = c->uid;
	f->owner_euid = c->euid;
	spin_unlock_irqrestore(&f->owner_lock, fl);
	return 0;
}

int file_get_owner_ex(struct file *f, bool *tid)
{
	uint64_t fl = spin_lock_irqsave(&f->owner_lock);
	int who = f->owner;

	*tid = f->owner_tid;
	spin_unlock_irqrestore(&f->owner_lock, fl);
	return who;
}

int file_set_sig(struct file *f, int sig, int fd)
{
	uint64_t fl;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	fl = spin_lock_irqsave(&f->owner_lock);
	f->owner_sig = sig;
	f->owner_fd = fd;
	spin_unlock_irqrestore(&f->owner_lock, fl);
	return 0;
}

int file_get_sig(struct file *f)
{
	uint64_t fl = spin_lock_irqsave(&f->owner_lock);
	int sig = f->owner_sig;

	spin_unlock_irqrestore(&f->owner_lock, fl);
	return sig;
}

void file_note_fd(struct file *f, int fd)
{
	uint64_t fl = spin_lock_irqsave(&f->owner_lock);

	f->owner_fd = fd;
	spin_unlock_irqrestore(&f->owner_lock, fl);
}

int file_get_owner(struct file *f)
{
	uint64_t fl = spin_lock_irqsave(&f->owner_lock);
	int who = f->owner;

	spin_unlock_irqrestore(&f->owner_lock, fl);
	return who;
}

/* Linux's band_table: si_band for POLL_IN and POLL_OUT. */
#define BAND_IN  (POLLIN | POLLRDNORM | POLLMSG)
#define BAND_OUT (POLLOUT | POLLWRNORM | POLLWRBAND)

void file_send_sigio(struct file *f)
{
	uint64_t fl = spin_lock_irqsave(&f->owner_lock);
	int who = f->owner, sig = f->owner_sig, fd = f->owner_fd;
	bool tid = f->owner_tid;
	uint32_t uid = f->owner_uid, euid = f->owner_euid;
	/* a file open for reading became readable, else writable */
	bool in = (f->fmode & FMODE_READ) != 0;
	struct ksiginfo info = { .signo = SIGIO, .code = SI_KERNEL };

	spin_unlock_irqrestore(&f->owner_lock, fl);
	if (!who)
		return;
	if (sig) {
		/* F_SETSIG: that signal, with the reason, band and descriptor */
		info = (struct ksiginfo){ .signo = sig, .code = in ? POLL_IN : POLL_OUT, .poll = true,
					  .fd = fd, .addr = in ? BAND_IN : BAND_OUT };
	}
	process_send_sigio(who, tid, uid, euid, &info);
}
