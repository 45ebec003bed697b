/* The poll and select core (fs/poll.h). A scan asks every file for its
 * ready bits. The first scan only counts the wait queues the files name;
 * if nothing is ready it scans again with an array of wait entries, one
 * per queue, which puts the thread on all of them before the bits are
 * read, so no wake-up between the check and the sleep is lost. Later
 * scans (after a wake-up) just look. Entries live on the caller's stack
 * when few, else in one allocation; nothing here is shared. */
#include <fs/poll.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>
#include <lib/string.h>

#define POLL_STACK_ENTRIES 16
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct poll_table {
	struct wait_entry *e;    /* NULL: only count the queues */
	unsigned n, cap;
	bool overflow;           /* more queues than the array holds */
	uint64_t wakes;          /* the named queues' wake counts, summed */
};

void poll_wait(struct poll_table *pt, struct waitq *wq)
{
	if (!pt)
		return;
	pt->wakes += waitq_wakes(wq);
	if (!pt->e) {
		pt->n++;
		return;
	}
	if (pt->n == pt->cap) {
		pt->overflow = true;
		return;
	}
	wait_entry_add(&pt->e[pt->n++], wq);
}

bool poll_will_wait(const struct poll_table *pt)
{
	return pt && pt->e;
}

unsigned file_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops || !f->ops->poll)
		return DEFAULT_POLLMASK;
	return f->ops->poll(f, pt);
}

unsigned file_poll_wakes(struct file *f, struct poll_table *pt, uint64_t *wakes)
{
	struct poll_table look = { 0 };   /* counts only: nobody sleeps on it */
	struct poll_table *use = pt ? pt : &look;
	uint64_t before = use->wakes;
	unsigned mask = file_poll(f, use);

	*wakes = use->wakes - before;
	return mask;
}


static void table_release(struct poll_table *pt, struct wait_entry *stack)
{
	for (unsigned i = 0; i < pt->n && pt->e; i++)
		wait_entry_remove(&pt->e[i]);
	if (pt->e && pt->e != stack)
		kfree(pt->e);
	*pt = (struct poll_table){ 0 };
}

static bool deadline_passed(uint64_t deadline)
{
	return deadline != POLL_FOREVER && time_ns() >= deadline;
}

long poll_scan_wait(poll_scan_fn scan, void *ctx, uint64_t deadline)
{
	struct wait_entry stack[POLL_STACK_ENTRIES];
	struct poll_table pt = { 0 };
	long ready;
	int err;

	ready = scan(ctx, &pt);                       /* count the queues */
	if (ready || deadline_passed(deadline))
		return ready;
	for (;;) {
		unsigned cap = pt.n;

		pt = (struct poll_table){ .cap = cap };
		pt.e = cap <= POLL_STACK_ENTRIES ? stack : kmalloc(cap * sizeof(*pt.e));
		if (!pt.e)
			return -ENOMEM;
		memset(pt.e, 0, cap * sizeof(*pt.e));
		ready = scan(ctx, &pt);               /* register, then look */
		if (!pt.overflow)
			break;
		/* a file named more queues than it did a moment ago: recount */
		table_release(&pt, stack);
		pt.n = 0;
		ready = scan(ctx, &pt);
		if (ready)
			return ready;
	}
	while (!ready) {
		err = wait_entries_sleep(pt.e, pt.n, deadline == POLL_FOREVER ? 0 : deadline,
					 WAIT_INTERRUPTIBLE);
		ready = scan(ctx, NULL);
		if (ready)
			break;
		if (err == -ETIMEDOUT || deadline_passed(deadline)) {
			ready = 0;
			break;
		}
		if (err) {
			ready = err;                  /* -EINTR */
			break;
		}
	}
	table_release(&pt, stack);
	return ready;
}

struct poll_ctx {
	struct poll_file *fds;
	unsigned n;
};

static long poll_scan(void *arg, struct poll_table *pt)
{
	struct poll_ctx *c = arg;
	long ready = 0;

	for (unsigned i = 0; i < c->n; i++) {
		struct poll_file *p = &c->fds[i];
		unsigned mask;

		if (p->fd < 0) {
			p->revents = 0;
			continue;
		}
		if (!p->file) {
			mask = POLLNVAL;
		} else {
			mask = file_poll(p->file, pt);
			mask &= (uint16_t)p->events | POLLERR | POLLHUP;
		}
		p->revents = (int16_t)mask;
		if (mask)
			ready++;
	}
	return ready;
}

long poll_files(struct poll_file *fds, unsigned n, uint64_t deadline)
{
	struct poll_ctx c = { fds, n };

	return poll_scan_wait(poll_scan, &c, deadline);
}

struct select_ctx {
	unsigned nfds;
	size_t words;                          /* in each set */
	struct file *const *files;
	const uint64_t *in, *out, *ex;         /* what was asked */
	uint64_t *rin, *rout, *rex;            /* what is ready */
};

static bool fd_isset(const uint64_t *s, unsigned fd)
{
	return s && (s[fd / 64] >> (fd % 64) & 1);
}

static void fd_set_bit(uint64_t *s, unsigned fd)
{
	s[fd / 64] |= 1ull << (fd % 64);
}

static long select_scan(void *arg, struct poll_table *pt)
{
	struct select_ctx *c = arg;
	long ready = 0;

	memset(c->rin, 0, 3 * c->words * sizeof(uint64_t));
	for (unsigned fd = 0; fd < c->nfds; fd++) {
		bool want_in = fd_isset(c->in, fd), want_out = fd_isset(c->out, fd);
		bool want_ex = fd_isset(c->ex, fd);
		unsigned mask;

		if (!(want_in || want_out || want_ex) || !c->files[fd])
			continue;
		mask = file_poll(c->files[fd], pt);
		if (want_in && (mask & POLLIN_SET)) {
			fd_set_bit(c->rin, fd);
			ready++;
		}
		if (want_out && (mask & POLLOUT_SET)) {
			fd_set_bit(c->rout, fd);
			ready++;
		}
		if (want_ex && (mask & POLLEX_SET)) {
			fd_set_bit(c->rex, fd);
			ready++;
		}
	}
	return ready;
}

long select_files(unsigned nfds, struct file *const *files, uint64_t *in, uint64_t *out,
		  uint64_t *ex, uint64_t deadline)
{
	struct select_ctx c = { .nfds = nfds, .words = (nfds + 63) / 64, .files = files,
				.in = in, .out = out, .ex = ex };
	size_t bytes = c.words * sizeof(uint64_t);
	long ret;

	if (nfds > SELECT_NFDS_MAX)
		return -EINVAL;
	c.rin = kmalloc(3 * (bytes ? bytes : 1));
	if (!c.rin)
		return -ENOMEM;
	c.rout = c.rin + c.words;
	c.rex = c.rout + c.words;
	ret = poll_scan_wait(select_scan, &c, deadline);
	if (ret >= 0) {
		if (in)
			memcpy(in, c.rin, bytes);
		if (out)
			memcpy(out, c.rout, bytes);
		if (ex)
			memcpy(ex, c.rex, bytes);
	}
	kfree(c.rin);
	return ret;
}
