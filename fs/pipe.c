/* Pipes and FIFOs (fs/pipe.h).
 *
 * Locking: each pipe's lock (a mutex) protects its buffer, head, count,
 * size, readers, writers and the open counters; data is copied to and
 * from the caller's buffers under it, so a write of up to PIPE_BUF bytes
 * lands in one piece. Waiters sleep on rd_wq (readers: data or no more
 * writers) and wr_wq (writers: room or no more readers); FIFO openers
 * waiting for a partner use the same queues. fifo_lock (a mutex, taken
 * before any pipe's lock) protects inode->pipe of every FIFO inode, so an
 * open never finds a pipe its last close is freeing. A write finding no
 * reader sends the writer SIGPIPE (after the lock is dropped). */
#include <fs/pipe.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl.h>
#include <cosmos/abi/limits.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/signal.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/anon.h>
#include <fs/fasync.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/poll.h>
#include <fs/special.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>
#include <sys/uio.h>

struct pipe {
	struct mutex lock;
	uint8_t *buf;
	uint32_t size;            /* bytes in buf, a power of two */
	uint32_t head;            /* next byte to read */
	uint32_t count;           /* bytes waiting */
	unsigned readers, writers;
	/* Opens so far of each kind: a FIFO opener waits for the other
	 * kind's counter to move (a partner came, even if it left again). */
	unsigned r_counter, w_counter;
	struct waitq rd_wq, wr_wq;
	struct inode *fifo;       /* the FIFO inode it hangs off, or NULL */
	/* Its files with O_ASYNC (fs/fasync.h): the owner hears SIGIO when
	 * data comes (a reading file) or room (a writing one). A file leaves
	 * the list before it goes. */
	struct list_node async;
};

static struct mutex fifo_lock;

/* Drops p's lock, sleeps on wq until cond (or a signal: -EINTR), takes
 * the lock again. *held says whether it did: if not, the result is the
 * lock's error (a kernel bug, already reported) and the caller returns. */
#define pipe_sleep(p, wq, cond, held)                                 \
	({                                                            \
		int _err, _lerr;                                      \
		mutex_unlock(&(p)->lock);                             \
		_err = waitq_wait_event_intr((wq), (cond), 0);        \
		_lerr = mutex_lock(&(p)->lock);                       \
		*(held) = _lerr == 0;                                 \
		_lerr ? _lerr : _err;                                 \
	})

/* For paths that cannot fail (a file's last close): a lock that cannot be
 * taken there is a kernel bug. */
static void lock_or_panic(struct mutex *m)
{
	int err = mutex_lock(m);

	if (err)
		panic("pipe: cannot take %s (%d)", m->name, err);
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_DEF_BYTES);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	p->size = PIPE_DEF_BYTES;
	mutex_init(&p->lock, "pipe");
	list_init(&p->async);
	waitq_init(&p->rd_wq);
	waitq_init(&p->wr_wq);
	return p;
}

static void pipe_free(struct pipe *p)
{
	kfree(p->buf);
	kfree(p);
}

/* SIGIO to the owners of its O_ASYNC files that read (data came, or the
 * last writer went) or write (room came, or the last reader went). Lock
 * held. */
static void pipe_notify_async(struct pipe *p, unsigned fmode)
{
	fasync_notify(&p->async, fmode);
}

static int pipe_fasync(struct file *f, bool on)
{
	struct pipe *p = f->priv;
	int err;

	if ((err = mutex_lock(&p->lock)))
		return err;
	err = fasync_update(&p->async, f, on);
	mutex_unlock(&p->lock);
	return err;
}

/* Copies n bytes (n <= count) to the reader's buffers; the ring may wrap
 * once. Returns bytes moved or -EFAULT. */
static long ring_out(struct pipe *p, struct uio *u, uint32_t n)
{
	uint32_t first = p->size - p->head < n ? p->size - p->head : n;
	long c = uio_copy_out(u, p->buf + p->head, first), c2 = 0;

	if (c > 0 && (uint32_t)c == first && n > first) {
		c2 = uio_copy_out(u, p->buf, n - first);
		if (c2 < 0)
			c2 = 0;
	}
	if (c <= 0)
		return c;
	c += c2;
	p->head = (uint32_t)((p->head + (uint32_t)c) & (p->size - 1));
	p->count -= (uint32_t)c;
	if (p->count == 0)
		p->head = 0;     /* keeps later small writes unwrapped */
	return c;
}

/* Copies n bytes (n <= size - count) from the writer's buffers. */
static long ring_in(struct pipe *p, struct uio *u, uint32_t n)
{
	uint32_t tail = (p->head + p->count) & (p->size - 1);
	uint32_t first = p->size - tail < n ? p->size - tail : n;
	long c = uio_copy_in(u, p->buf + tail, first), c2 = 0;

	if (c > 0 && (uint32_t)c == first && n > first) {
		c2 = uio_copy_in(u, p->buf, n - first);
		if (c2 < 0)
			c2 = 0;
	}
	if (c <= 0)
		return c;
	c += c2;
	p->count += (uint32_t)c;
	return c;
}

static long pipe_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pipe *p = f->priv;
	long ret;

	(void)pos;
	if (u->resid == 0)
		return 0;
	if ((ret = mutex_lock(&p->lock)))
		return ret;
	for (;;) {
		bool held;

		if (p->count) {
			uint32_t n = u->resid < p->count ? (uint32_t)u->resid : p->count;

			ret = ring_out(p, u, n);
			if (ret > 0) {
				/* sync: a reader mostly answers or reads again */
				waitq_wake_all_sync(&p->wr_wq);
				pipe_notify_async(p, FMODE_WRITE);
			}
			break;
		}
		if (!p->writers) {
			ret = 0;             /* EOF */
			break;
		}
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		ret = pipe_sleep(p, &p->rd_wq, p->count || !p->writers, &held);
		if (!held)
			return ret;
		if (ret)
			break;
	}
	mutex_unlock(&p->lock);
	return ret;
}

static long pipe_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t total = u->resid, done = 0;
	long err = 0;

	(void)pos;
	if (total == 0)
		return 0;
	if ((err = mutex_lock(&p->lock)))
		return err;
	for (;;) {
		bool held;
		/* up to PIPE_BUF bytes go in one piece or not at all */
		uint32_t need = total <= PIPE_BUF ? (uint32_t)total : 1;
		uint32_t room = p->size - p->count;

		if (!p->readers) {
			err = -EPIPE;
			break;
		}
		if (room >= need) {
			uint32_t n = total - done < room ? (uint32_t)(total - done) : room;
			long c = ring_in(p, u, n);

			if (c > 0) {
				done += (size_t)c;
				/* sync: a writer mostly waits for an answer next */
				waitq_wake_all_sync(&p->rd_wq);
				pipe_notify_async(p, FMODE_READ);
			}
			if (c < (long)n) {
				err = -EFAULT;
				break;
			}
			if (done == total)
				break;
			continue;
		}
		if (f->flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		err = pipe_sleep(p, &p->wr_wq, p->size - p->count >= need || !p->readers, &held);
		if (!held)
			return done ? (long)done : err;
		if (err)
			break;
	}
	mutex_unlock(&p->lock);
	/* as Linux: the writer hears SIGPIPE whenever it finds no reader, even
	 * after part of the data went in (then that part is the result) */
	if (err == -EPIPE)
		process_signal_self(SIGPIPE);
	return done ? (long)done : err;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	if (f->fmode & FMODE_READ)
		poll_wait(pt, &p->rd_wq);
	if (f->fmode & FMODE_WRITE)
		poll_wait(pt, &p->wr_wq);
	if (mutex_lock(&p->lock))
		return POLLERR;
	if (f->fmode & FMODE_READ) {
		if (p->count)
			mask |= POLLIN | POLLRDNORM;
		/* f->pos: see fifo_open */
		if (!p->writers && f->pos != p->w_counter)
			mask |= POLLHUP;
	}
	if (f->fmode & FMODE_WRITE) {
		if (p->size - p->count >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	mutex_unlock(&p->lock);
	return mask;
}

/* A file of p goes (its last close, or an interrupted FIFO open): count
 * it out, wake everyone, free the pipe with its last file. */
static void pipe_leave(struct pipe *p, bool reader, bool writer)
{
	bool last;

	if (p->fifo)
		lock_or_panic(&fifo_lock);
	lock_or_panic(&p->lock);
	if (reader)
		p->readers--;
	if (writer)
		p->writers--;
	last = !p->readers && !p->writers;
	waitq_wake_all(&p->rd_wq);
	waitq_wake_all(&p->wr_wq);
	/* as Linux: when one side is left alone, its files hear of it */
	if (!p->readers != !p->writers)
		pipe_notify_async(p, FMODE_READ | FMODE_WRITE);
	mutex_unlock(&p->lock);
	if (p->fifo) {
		if (last)
			p->fifo->pipe = NULL;
		mutex_unlock(&fifo_lock);
	}
	if (last)
		pipe_free(p);
}

static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	struct pipe *p = f->priv;
	int err;

	(void)arg;
	if (cmd != FIONREAD)
		return -ENOTTY;
	if (!kbuf)
		return -EFAULT;
	if ((err = mutex_lock(&p->lock)))
		return err;
	*(int32_t *)kbuf = (int32_t)p->count;
	mutex_unlock(&p->lock);
	return 0;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if (!p)
		return;
	lock_or_panic(&p->lock);
	(void)fasync_update(&p->async, f, false);   /* removing cannot fail */
	mutex_unlock(&p->lock);
	pipe_leave(p, f->fmode & FMODE_READ, f->fmode & FMODE_WRITE);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.fasync = pipe_fasync,
};

int pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct pipe *p;
	struct inode *ino;
	struct file *r, *w;

	if (flags & ~(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	ino = anon_inode_new(S_IFIFO | 0600);
	r = ino ? file_alloc(&pipe_ops, ino, O_RDONLY | (flags & O_NONBLOCK)) : NULL;
	if (!r) {
		iput(ino);
		pipe_free(p);
		return -ENOMEM;
	}
	/* each file holds a reference to the inode */
	w = file_alloc(&pipe_ops, igrab(ino), O_WRONLY | (flags & O_NONBLOCK));
	if (!w) {
		iput(ino);
		file_put(r);           /* no pipe attached yet: its release does nothing */
		pipe_free(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	r->priv = w->priv = p;
	*rd = r;
	*wr = w;
	return 0;
}

/* Linux's round_pipe_size: a power of two number of pages, at least one;
 * 0 when the request is out of range. */
static uint64_t round_pipe_size(uint64_t size)
{
	uint64_t n = 4096;

	if (size == 0 || size > (1ull << 31))
		return 0;
	while (n < size)
		n <<= 1;
	return n;
}

long pipe_fcntl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pipe *p;
	uint64_t size;
	uint8_t *nbuf;
	long ret;

	if (!f || f->ops != &pipe_ops)
		return -EBADF;
	p = f->priv;
	if (cmd == F_GETPIPE_SZ) {
		if ((ret = mutex_lock(&p->lock)))
			return ret;
		ret = p->size;
		mutex_unlock(&p->lock);
		return ret;
	}
	if (cmd != F_SETPIPE_SZ)
		return -EINVAL;
	size = round_pipe_size(arg);
	if (!size)
		return -EINVAL;
	if (size > PIPE_MAX_BYTES && cred_current()->euid != 0)
		return -EPERM;
	if (size > PIPE_HARD_MAX_BYTES)
		return -ENOMEM;
	nbuf = kmalloc(size);
	if (!nbuf)
		return -ENOMEM;
	if ((ret = mutex_lock(&p->lock))) {
		kfree(nbuf);
		return ret;
	}
	if (p->count > size) {
		mutex_unlock(&p->lock);
		kfree(nbuf);
		return -EBUSY;
	}
	/* move the waiting bytes to the start of the new buffer */
	for (uint32_t i = 0; i < p->count; i++)
		nbuf[i] = p->buf[(p->head + i) & (p->size - 1)];
	kfree(p->buf);
	p->buf = nbuf;
	p->head = 0;
	p->size = (uint32_t)size;
	waitq_wake_all(&p->wr_wq);      /* a bigger pipe may have room now */
	mutex_unlock(&p->lock);
	return (long)size;
}

/* The S_IFIFO opener: attach to (or create) the inode's pipe and apply
 * Linux's open rules: a reader waits for a writer and a writer for a
 * reader (each for the other kind's open counter to move, so a partner
 * that came and went already counts), O_RDWR never waits, a non-blocking
 * reader does not wait, a non-blocking writer with no reader gets
 * -ENXIO. */
static int fifo_open(struct inode *ino, struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	bool nonblock = f->flags & O_NONBLOCK, fresh = false;
	struct waitq *wq = NULL;
	unsigned *counter = NULL, seen = 0;
	struct pipe *p;
	int err;

	if (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	if ((err = mutex_lock(&fifo_lock)))
		return err;
	p = ino->pipe;
	if (!p) {
		p = pipe_alloc();
		if (!p) {
			mutex_unlock(&fifo_lock);
			return -ENOMEM;
		}
		p->fifo = ino;
		ino->pipe = p;
		fresh = true;
	}
	if ((err = mutex_lock(&p->lock)) || (acc == O_WRONLY && nonblock && !p->readers)) {
		if (!err)
			mutex_unlock(&p->lock);
		if (fresh) {
			ino->pipe = NULL;
			pipe_free(p);
		}
		mutex_unlock(&fifo_lock);
		return err ? err : -ENXIO;
	}
	if (acc != O_WRONLY) {
		p->readers++;
		p->r_counter++;
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->w_counter++;
	}
	/* A pipe file has no position; a FIFO reader keeps there the writer
	 * count it opened at when it came non-blocking with no writer, so
	 * that poll does not report POLLHUP before a writer has been seen
	 * (Linux's f_version). Anonymous pipes start with w_counter 1. */
	f->pos = acc == O_RDONLY && nonblock && !p->writers ? p->w_counter : 0;
	if (acc == O_RDONLY && !p->writers && !nonblock) {
		wq = &p->rd_wq;
		counter = &p->w_counter;
	} else if (acc == O_WRONLY && !p->readers) {
		wq = &p->wr_wq;
		counter = &p->r_counter;
	}
	if (counter)
		seen = *counter;
	waitq_wake_all(&p->rd_wq);
	waitq_wake_all(&p->wr_wq);
	mutex_unlock(&p->lock);
	mutex_unlock(&fifo_lock);

	/* the pipe cannot go while our count is in it */
	if (wq)
		err = waitq_wait_event_intr(wq, *(volatile unsigned *)counter != seen, 0);
	if (err) {
		pipe_leave(p, acc != O_WRONLY, acc != O_RDONLY);
		return err;
	}
	f->ops = &pipe_ops;
	f->priv = p;
	return 0;
}

void pipe_init(void)
{
	mutex_init(&fifo_lock, "fifo");
	vfs_set_special_open(S_IFIFO, fifo_open);
}
