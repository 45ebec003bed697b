/* eventfd (kernel/ipc/eventfd.h). A read of 8 bytes takes the whole count
 * (with EFD_SEMAPHORE: 1 of it) and waits while it is 0; a write of 8
 * bytes (exactly 8: Linux refuses more since 6.5) adds a value and waits
 * while the sum would pass EFD_MAX. Both
 * end with -EAGAIN instead of waiting on a non-blocking file, and -EINTR
 * on a signal. poll: POLLIN while the count is above 0, POLLOUT while
 * one more can be added.
 *
 * Locking: each eventfd's lock (a mutex) protects count. Waits check the
 * count without it, in the wait macro's condition (one aligned 64-bit
 * load), and check again under it before they act. */
#include <kernel/ipc/eventfd.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/errno.h>
#include <fs/anon.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/poll.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>
#include <sys/uio.h>

#define EFD_MAX 0xfffffffffffffffeull   /* the largest count */

struct eventfd {
	struct mutex lock;
	uint64_t count;                 /* under lock */
	bool semaphore;                 /* fixed at creation */
	struct waitq rd_wq;             /* readers waiting for count > 0 */
	struct waitq wr_wq;             /* writers waiting for room */
};

static uint64_t count_now(struct eventfd *e)
{
	return *(volatile uint64_t *)&e->count;
}

static long eventfd_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	int err;

	(void)pos;
	if (u->resid < sizeof(v))
		return -EINVAL;
	if ((err = mutex_lock(&e->lock)))
		return err;
	while (e->count == 0) {
		mutex_unlock(&e->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = waitq_wait_event_intr(&e->rd_wq, count_now(e) != 0, 0);
		if (err)
			return err;
		if ((err = mutex_lock(&e->lock)))
			return err;
	}
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	waitq_wake_all(&e->wr_wq);
	mutex_unlock(&e->lock);
	/* as Linux: the value is taken even when the copy then faults */
	err = (int)uio_copy_out(u, &v, sizeof(v));
	return err < 0 ? err : (long)sizeof(v);
}

static long eventfd_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	long n;
	int err;

	(void)pos;
	if (u->resid != sizeof(v))
		return -EINVAL;
	n = uio_copy_in(u, &v, sizeof(v));
	if (n < 0)
		return n;
	if (v == UINT64_MAX)
		return -EINVAL;
	if ((err = mutex_lock(&e->lock)))
		return err;
	while (EFD_MAX - e->count < v) {
		mutex_unlock(&e->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = waitq_wait_event_intr(&e->wr_wq, EFD_MAX - count_now(e) >= v, 0);
		if (err)
			return err;
		if ((err = mutex_lock(&e->lock)))
			return err;
	}
	e->count += v;
	if (v)
		waitq_wake_all(&e->rd_wq);
	mutex_unlock(&e->lock);
	return sizeof(v);
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	unsigned mask = 0;
	uint64_t c;

	poll_wait(pt, &e->rd_wq);
	poll_wait(pt, &e->wr_wq);
	c = count_now(e);
	if (c > 0)
		mask |= POLLIN | POLLRDNORM;
	if (c < EFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

int eventfd_create(uint64_t initval, uint32_t flags, struct file **out)
{
	struct eventfd *e;
	struct inode *ino;
	struct file *f = NULL;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	mutex_init(&e->lock, "eventfd");
	waitq_init(&e->rd_wq);
	waitq_init(&e->wr_wq);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	ino = anon_inode_new(0600);
	if (ino)
		f = file_alloc(&eventfd_ops, ino, O_RDWR | (flags & EFD_NONBLOCK));
	if (!f) {
		if (ino)
			iput(ino);
		kfree(e);
		return -ENOMEM;
	}
	f->priv = e;
	*out = f;
	return 0;
}
