/* poll, ppoll, select and pselect6: the descriptor lists and bitmaps
 * copied in and looked up, the timeouts turned into deadlines, the wait
 * itself done by fs/poll.c, the results and the time left copied out.
 * ppoll and pselect6 put their signal mask in place for the wait only. */
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

/* The thread's own mask: only its thread writes it. */
static void mask_swap_in(struct wait_mask *m)
{
	if (m->use) {
		m->saved = thread_current()->sig_blocked;
		thread_current()->sig_blocked = m->mask;
	}
}

static void mask_restore(struct wait_mask *m)
{
	if (m->use)
		thread_current()->sig_blocked = m->saved;
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
		mask_restore(m);
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

static long set_get(uptr_t u, unsigned nfds, abi_fd_set *s, abi_fd_set **use)
{
	*use = 0;
	if (uptr_is_null(u))
		return 0;
	memset(s, 0, sizeof(*s));
	if (copy_from_user(s->fds_bits, u, SET_WORDS(nfds) * sizeof(uint64_t)))
		return -EFAULT;
	*use = s;
	return 0;
}

static bool set_has(const abi_fd_set *s, unsigned fd)
{
	return s && (s->fds_bits[fd / ABI_NFDBITS] >> (fd % ABI_NFDBITS) & 1);
}

static long do_select(int nfds, uptr_t urfds, uptr_t uwfds, uptr_t uefds, uint64_t deadline,
		      struct wait_mask *m)
{
	abi_fd_set sets[3], *in, *out, *ex;
	struct file **files;
	unsigned n;
	long r;

	if (nfds < 0)
		return -EINVAL;
	/* Linux looks no further than the descriptor table reaches */
	n = nfds > FD_SETSIZE ? FD_SETSIZE : (unsigned)nfds;
	if ((r = set_get(urfds, n, &sets[0], &in)) || (r = set_get(uwfds, n, &sets[1], &out)) ||
	    (r = set_get(uefds, n, &sets[2], &ex)))
		return r;
	files = kzalloc((n ? n : 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	for (unsigned fd = 0; fd < n && !r; fd++)
		if (set_has(in, fd) || set_has(out, fd) || set_has(ex, fd))
			r = sys_file_get((int)fd, 0, &files[fd]);
	if (!r) {
		mask_swap_in(m);
		r = select_files(n, files, in, out, ex, deadline);
		mask_restore(m);
	}
	for (unsigned fd = 0; fd < n; fd++)
		if (files[fd])
			file_put(files[fd]);
	kfree(files);
	if (r >= 0 && ((in && copy_to_user(urfds, in->fds_bits, SET_WORDS(n) * 8)) ||
		       (out && copy_to_user(uwfds, out->fds_bits, SET_WORDS(n) * 8)) ||
		       (ex && copy_to_user(uefds, ex->fds_bits, SET_WORDS(n) * 8))))
		r = -EFAULT;
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
	mask_restore(&m);
	return r;
}
