/* poll, ppoll, select and pselect6: the descriptor lists and bitmaps
 * copied in and looked up, the timeouts turned into deadlines, the wait
 * itself done by fs/poll.c, the results and the time left copied out.
 * ppoll and pselect6 put their signal mask in place for the wait and,
 * when a signal ends it, until that signal's handler has run. */
#include <cosmos/abi/poll.h>
#include <cosmos/abi/resource.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <fs/poll.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define NSEC_PER_SEC 1000000000ull

/* Linux's struct timespec and struct timeval on x86-64. */
struct utimespec { int64_t sec, nsec; };
struct utimeval { int64_t sec, usec; };

/* A relative timeout of sec + nsec from now as a deadline. */
static uint64_t deadline_after(uint64_t sec, uint64_t nsec)
{
	uint64_t now = time_ns();

	if (sec > (POLL_FOREVER - now - nsec) / NSEC_PER_SEC)
		return POLL_FOREVER;
	return now + sec * NSEC_PER_SEC + nsec;
}

static uint64_t time_left(uint64_t deadline)
{
	uint64_t now = time_ns();

	return deadline > now ? deadline - now : 0;
}

/* A struct timespec timeout (NULL: none) as a deadline. */
static long ts_deadline(uptr_t uts, uint64_t *deadline)
{
	struct utimespec ts;

	*deadline = POLL_FOREVER;
	if (uptr_is_null(uts))
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*deadline = deadline_after((uint64_t)ts.sec, (uint64_t)ts.nsec);
	return 0;
}

/* Linux writes the time left back into the caller's timeout. */
static long ts_write_left(uptr_t uts, uint64_t deadline)
{
	uint64_t left = time_left(deadline);
	struct utimespec ts = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };

	return copy_to_user(uts, &ts, sizeof(ts));
}

/* The signal mask for the wait of ppoll and pselect6 (none: *use false). */
struct wait_mask {
	bool use;
	uint64_t mask, saved;
};

static long mask_get(uptr_t uset, size_t size, struct wait_mask *m)
{
	m->use = false;
	if (uptr_is_null(uset))
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&m->mask, uset, sizeof(m->mask)))
		return -EFAULT;
	m->mask &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	m->use = true;
	return 0;
}

/* The wait's mask goes in through signal_set_mask, so a pending signal it
 * unblocks ends the wait at once. */
static void mask_swap_in(struct wait_mask *m)
{
	if (m->use) {
		m->saved = thread_current()->sig_blocked;
		signal_set_mask(m->mask);
	}
}

/* After the wait. Interrupted (r == -EINTR), the wait's mask stays until
 * the handler of the signal that ended it has its frame, as for
 * sigsuspend: the frame records the old mask and the handler's sigreturn
 * puts it back (or the delivery does, when no handler runs). Otherwise
 * the old mask returns now. */
static void mask_restore(struct wait_mask *m, long r)
{
	struct thread *t = thread_current();

	if (!m->use)
		return;
	if (r == -EINTR) {
		t->sig->saved_mask = m->saved;
		t->sig->restore_mask = true;
		thread_ret_work_set(t);   /* the return puts the mask back */
	} else {
		signal_set_mask(m->saved);
	}
}

/* ---- poll ---- */

static uint64_t nofile_limit(void)
{
	struct process *p = process_current();
	uint64_t lim;

	process_lock(p);
	lim = p->rlim[RLIMIT_NOFILE].rlim_cur;
	mutex_unlock(&p->lock);
	return lim;
}

static long do_poll(uptr_t ufds, unsigned nfds, uint64_t deadline, struct wait_mask *m)
{
	struct pollfd *pfd;
	struct poll_file *pf;
	long r;

	if (nfds > nofile_limit())
		return -EINVAL;
	pfd = kmalloc((nfds ? nfds : 1) * sizeof(*pfd));
	pf = kmalloc((nfds ? nfds : 1) * sizeof(*pf));
	r = pfd && pf ? 0 : -ENOMEM;
	if (!r && copy_from_user(pfd, ufds, nfds * sizeof(*pfd)))
		r = -EFAULT;
	if (!r) {
		for (unsigned i = 0; i < nfds; i++) {
			pf[i].fd = pfd[i].fd;
			pf[i].events = pfd[i].events;
			pf[i].revents = 0;
			pf[i].file = 0;
			if (pfd[i].fd >= 0)
				sys_file_get(pfd[i].fd, 0, &pf[i].file);   /* NULL: POLLNVAL */
		}
		mask_swap_in(m);
		r = poll_files(pf, nfds, deadline);
		mask_restore(m, r);
		for (unsigned i = 0; i < nfds; i++) {
			pfd[i].revents = pf[i].revents;
			if (pf[i].file)
				file_put(pf[i].file);
		}
		if (r >= 0 && copy_to_user(ufds, pfd, nfds * sizeof(*pfd)))
			r = -EFAULT;
	}
	kfree(pf);
	kfree(pfd);
	return r;
}

long sys_poll(uptr_t fds, unsigned int nfds, int timeout)
{
	struct wait_mask m = { 0 };
	uint64_t deadline = POLL_FOREVER;

	if (timeout >= 0)
		deadline = deadline_after((unsigned)timeout / 1000, (unsigned)timeout % 1000 * 1000000ull);
	return do_poll(fds, nfds, deadline, &m);
}

long sys_ppoll(uptr_t fds, unsigned int nfds, uptr_t ts, uptr_t sigmask, size_t sigsetsize)
{
	struct wait_mask m;
	uint64_t deadline;
	long r = ts_deadline(ts, &deadline);

	if (!r)
		r = mask_get(sigmask, sigsetsize, &m);
	if (r)
		return r;
	r = do_poll(fds, nfds, deadline, &m);
	if ((r >= 0 || r == -EINTR) && !uptr_is_null(ts) && ts_write_left(ts, deadline))
		r = -EFAULT;
	return r;
}

/* ---- select ---- */

#define SET_WORDS(n) (((size_t)(n) + ABI_NFDBITS - 1) / ABI_NFDBITS)

/* The bits of a set select reads: nfds rounded up to whole words. */
static long set_get(uptr_t u, size_t words, uint64_t *s, uint64_t **use)
{
	*use = 0;
	if (uptr_is_null(u))
		return 0;
	if (copy_from_user(s, u, words * sizeof(uint64_t)))
		return -EFAULT;
	*use = s;
	return 0;
}

static bool set_has(const uint64_t *s, unsigned fd)
{
	return s && (s[fd / ABI_NFDBITS] >> (fd % ABI_NFDBITS) & 1);
}

/* How far select looks: FD_SETSIZE, or further to take in the highest
 * open descriptor (in powers of two, as Linux's descriptor array grows);
 * bits past it are not read, as Linux reads none past its array. */
static unsigned table_reach(void)
{
	struct handle_table *t = process_current()->files;
	unsigned reach = FD_SETSIZE;
	int high = -1;

	for (int fd = t ? handle_next_open(t, 0) : -1; fd >= 0; fd = handle_next_open(t, fd + 1))
		high = fd;
	while ((int)reach <= high)
		reach *= 2;
	return reach;
}

static long do_select(int nfds, uptr_t urfds, uptr_t uwfds, uptr_t uefds, uint64_t deadline,
		      struct wait_mask *m)
{
	uint64_t *sets, *in = 0, *out = 0, *ex = 0;
	struct file **files;
	size_t words;
	unsigned n, reach;
	long r;

	if (nfds < 0)
		return -EINVAL;
	/* any nfds is taken; Linux looks no further than its table reaches */
	reach = table_reach();
	n = (unsigned)nfds < reach ? (unsigned)nfds : reach;
	words = SET_WORDS(n);
	sets = kmalloc(3 * (words ? words : 1) * sizeof(uint64_t));
	files = kzalloc((n ? n : 1) * sizeof(*files));
	r = sets && files ? 0 : -ENOMEM;
	if (!r && ((r = set_get(urfds, words, sets, &in)) ||
		   (r = set_get(uwfds, words, sets + words, &out)) ||
		   (r = set_get(uefds, words, sets + 2 * words, &ex))))
		goto out;
	for (unsigned fd = 0; fd < n && !r; fd++)
		if (set_has(in, fd) || set_has(out, fd) || set_has(ex, fd))
			r = sys_file_get((int)fd, 0, &files[fd]);
	if (!r) {
		mask_swap_in(m);
		r = select_files(n, files, in, out, ex, deadline);
		mask_restore(m, r);
	}
	for (unsigned fd = 0; files && fd < n; fd++)
		if (files[fd])
			file_put(files[fd]);
	if (r >= 0 && ((in && copy_to_user(urfds, in, words * 8)) ||
		       (out && copy_to_user(uwfds, out, words * 8)) ||
		       (ex && copy_to_user(uefds, ex, words * 8))))
		r = -EFAULT;
out:
	kfree(files);
	kfree(sets);
	return r;
}

long sys_select(int nfds, uptr_t rfds, uptr_t wfds, uptr_t efds, uptr_t timeout)
{
	struct wait_mask m = { 0 };
	uint64_t deadline = POLL_FOREVER;
	struct utimeval tv;
	long r;

	if (!uptr_is_null(timeout)) {
		if (copy_from_user(&tv, timeout, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000)
			return -EINVAL;
		deadline = deadline_after((uint64_t)tv.sec, (uint64_t)tv.usec * 1000);
	}
	r = do_select(nfds, rfds, wfds, efds, deadline, &m);
	if ((r >= 0 || r == -EINTR) && !uptr_is_null(timeout)) {
		uint64_t left = time_left(deadline);

		tv = (struct utimeval){ (int64_t)(left / NSEC_PER_SEC),
					(int64_t)(left % NSEC_PER_SEC / 1000) };
		if (copy_to_user(timeout, &tv, sizeof(tv)))
			r = -EFAULT;
	}
	return r;
}

/* pselect6's sixth argument: where the mask is and its size. */
struct pselect_sig {
	uint64_t set;
	uint64_t size;
};

long sys_pselect6(int nfds, uptr_t rfds, uptr_t wfds, uptr_t efds, uptr_t ts, uptr_t sig)
{
	struct wait_mask m = { 0 };
	struct pselect_sig ps;
	uint64_t deadline;
	long r = ts_deadline(ts, &deadline);

	if (r)
		return r;
	if (!uptr_is_null(sig)) {
		if (copy_from_user(&ps, sig, sizeof(ps)))
			return -EFAULT;
		r = mask_get(uptr(ps.set), ps.size, &m);
		if (r)
			return r;
	}
	r = do_select(nfds, rfds, wfds, efds, deadline, &m);
	if ((r >= 0 || r == -EINTR) && !uptr_is_null(ts) && ts_write_left(ts, deadline))
		r = -EFAULT;
	return r;
}

/* ---- epoll's wait (the interest list is sys/epoll.c's) ---- */

long sys_epoll_wait(int epfd, uptr_t events, int max, int timeout)
{
	return sys_epoll_pwait(epfd, events, max, timeout, uptr(0), 0);
}

long sys_epoll_pwait(int epfd, uptr_t events, int max, int timeout, uptr_t sigmask,
		     size_t sigsetsize)
{
	struct wait_mask m;
	uint64_t deadline = POLL_FOREVER;
	long r = mask_get(sigmask, sigsetsize, &m);

	if (r)
		return r;
	if (timeout >= 0)
		deadline = deadline_after((unsigned)timeout / 1000, (unsigned)timeout % 1000 * 1000000ull);
	mask_swap_in(&m);
	r = epoll_wait_user(epfd, events, max, deadline);
	mask_restore(&m, r);
	return r;
}
