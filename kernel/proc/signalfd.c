/* signalfd files (see signalfd.h). A read takes signals from the reading
 * thread's pending set and its process's, as Linux does, whoever opened
 * the file; it sleeps on the process's signalfd_wq, which every queued
 * signal wakes (kernel/proc/signal.c). */
#include <kernel/proc/signalfd.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <fs/anon.h>
#include <fs/file.h>
#include <fs/poll.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/wait.h>
#include <lib/string.h>
#include <sys/uio.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <fs/inode.h>

/* Linux's struct signalfd_siginfo. */
struct signalfd_siginfo {
	uint32_t signo;
	int32_t err, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb, pad2;
	int32_t syscall;
	uint64_t call_addr;
	uint32_t arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "Linux's layout");

/* The file's mask: read and written whole (atomically), no lock. */
struct sigfd {
	uint64_t mask;
};

static uint64_t mask_of(struct file *f)
{
	return __atomic_load_n(&((struct sigfd *)f->priv)->mask, __ATOMIC_RELAXED);
}

static void to_ssi(struct signalfd_siginfo *s, const struct ksiginfo *k)
{
	memset(s, 0, sizeof(*s));
	s->signo = (uint32_t)k->signo;
	s->err = k->err;
	s->code = k->code;
	if (k->poll) {               /* F_SETSIG's: Linux's SIL_POLL */
		s->fd = k->fd;
		s->band = (uint32_t)k->addr;
	} else if (k->signo == SIGCHLD && k->code > 0) {
		s->pid = (uint32_t)k->pid;
		s->uid = k->uid;
		s->status = k->status;
		s->utime = (uint64_t)k->utime;
		s->stime = (uint64_t)k->stime;
	} else if (k->code > 0 && k->code != SI_KERNEL) {
		s->addr = k->addr;   /* faults */
	} else if (k->code == SI_TIMER) {
		s->tid = (uint32_t)k->pid;   /* the timer's id */
		s->overrun = k->uid;
		s->ptr = k->addr;
		s->int_ = (int32_t)k->addr;
	} else {
		s->pid = (uint32_t)k->pid;
		s->uid = k->uid;
		s->ptr = k->addr;
		s->int_ = (int32_t)k->addr;
	}
}

static long sigfd_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct process *p = process_current();
	struct signalfd_siginfo s;
	struct ksiginfo k;
	struct wait_entry e;
	long done = 0, r;
	int err = 0;

	(void)pos;
	if (u->resid < sizeof(s))
		return -EINVAL;
	for (;;) {
		while (u->resid >= sizeof(s) && signal_dequeue(mask_of(f), &k)) {
			to_ssi(&s, &k);
			r = uio_copy_out(u, &s, sizeof(s));
			if (r != (long)sizeof(s))
				return done ? done : -EFAULT;
			done += r;
		}
		if (done)
			return done;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		/* a signal queued after the check wakes the entry, so the
		 * sleep returns at once */
		wait_entry_add(&e, &p->signalfd_wq);
		while (!(signal_pending_set() & mask_of(f)) && err == 0)
			err = wait_entries_sleep(&e, 1, 0, WAIT_INTERRUPTIBLE);
		wait_entry_remove(&e);
		if (err)
			return err;
	}
}

static unsigned sigfd_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &process_current()->signalfd_wq);
	return (signal_pending_set() & mask_of(f)) ? POLLIN | POLLRDNORM : 0;
}

static void sigfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops signalfd_ops = {
	.read = sigfd_read,
	.poll = sigfd_poll,
	.release = sigfd_release,
};

struct file *signalfd_create(uint64_t mask, bool nonblock)
{
	struct sigfd *s = kzalloc(sizeof(*s));
	struct inode *ino = s ? anon_inode_new(S_IFREG | 0600) : 0;
	struct file *f = ino ? file_alloc(&signalfd_ops, ino, O_RDWR | (nonblock ? O_NONBLOCK : 0)) : 0;

	if (!f) {
		if (ino)
			iput(ino);
		kfree(s);
		return 0;
	}
	s->mask = mask & ~SIG_UNBLOCKABLE;
	f->priv = s;
	return f;
}

int signalfd_set_mask(struct file *f, uint64_t mask)
{
	if (f->ops != &signalfd_ops)
		return -EINVAL;
	__atomic_store_n(&((struct sigfd *)f->priv)->mask, mask & ~SIG_UNBLOCKABLE, __ATOMIC_RELAXED);
	return 0;
}
