/* poll, ppoll, select, pselect6: readiness of pipes and files, timeouts,
 * signal masks and errors. */
#include "tests.h"

#include <sys/select.h>
#include <sys/time.h>
#include <ucontext.h>

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

TEST(fs_poll_pipe)
{
	int p[2];
	CHECK_OK(pipe(p));
	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	CHECK_EQ(poll(fds, 2, 0), 1);
	CHECK_EQ(fds[0].revents, 0);
	CHECK_EQ(fds[1].revents, POLLOUT);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll(fds, 2, 0), 2);
	CHECK_EQ(fds[0].revents, POLLIN);
	/* The writer gone: POLLHUP (with the data still readable). */
	CHECK_OK(close(p[1]));
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK_EQ(fds[0].revents, POLLIN | POLLHUP);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK_EQ(fds[0].revents, POLLHUP);
}

TEST(fs_poll_reader_gone)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(close(p[0]));
	struct pollfd fd = { p[1], POLLOUT, 0 };
	CHECK_EQ(poll(&fd, 1, 0), 1);
	CHECK_EQ(fd.revents, POLLOUT | POLLERR);
}

TEST(fs_poll_regular_file)
{
	write_text("f", "x");
	int fd = CHECK_OK(open("f", O_RDWR));
	struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&pfd, 1, -1), 1);
	CHECK_EQ(pfd.revents, POLLIN | POLLOUT);
}

TEST(fs_poll_nval_and_negative)
{
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(write(p[1], "x", 1), 1);
	struct pollfd fds[3] = { { 999, POLLIN, 0 }, { -1, POLLIN, 77 }, { p[0], POLLIN, 0 } };
	CHECK_EQ(poll(fds, 3, 0), 2);
	CHECK_EQ(fds[0].revents, POLLNVAL);
	CHECK_EQ(fds[1].revents, 0);    /* negative descriptors are skipped */
	CHECK_EQ(fds[2].revents, POLLIN);
}

TEST(fs_poll_timeout)
{
	int p[2];
	CHECK_OK(pipe(p));
	struct pollfd pfd = { p[0], POLLIN, 0 };
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_EQ(poll(&pfd, 1, 100), 0);
	long ms = elapsed_ms(&start);
	CHECK(ms >= 100);
	CHECK(ms < 2000);
	/* No descriptors at all: a sleep. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_EQ(poll(NULL, 0, 50), 0);
	CHECK(elapsed_ms(&start) >= 50);
}

TEST(fs_poll_wakes_on_data)
{
	int p[2], ready[2];
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_wait(ready[0]);
		CHECK_EQ(write(p[1], "x", 1), 1);
		_exit(0);
	}
	sync_signal(ready[1]);
	struct pollfd pfd = { p[0], POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 10000), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	wait_exit(pid, 0);
}

TEST(fs_poll_errors)
{
	struct pollfd pfd = { 0, POLLIN, 0 };
	void *p;
	FOR_EACH_BAD_PTR(p)
		if (p)
			CHECK_ERR(poll(p, 1, 0), EFAULT);
	ut_note(NULL);
	/* More descriptors than the limit allows. */
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 64, 64 }));
	CHECK_ERR(poll(&pfd, 65, 0), EINVAL);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* Leaves SIGUSR1 (with a handler) blocked and pending; *block holds just
 * SIGUSR1, *empty nothing. */
static void pend_usr1(sigset_t *block, sigset_t *empty)
{
	signal(SIGUSR1, on_usr1);
	sigemptyset(block);
	sigaddset(block, SIGUSR1);
	sigemptyset(empty);
	CHECK_OK(sigprocmask(SIG_BLOCK, block, NULL));
	CHECK_OK(kill(getpid(), SIGUSR1));
}

/* ppoll swaps the mask in for the wait only: a blocked pending signal
 * interrupts it with EINTR and its handler runs. */
TEST(fs_ppoll_sigmask)
{
	int p[2];
	CHECK_OK(pipe(p));
	sigset_t block, empty;
	pend_usr1(&block, &empty);
	CHECK_EQ(got_usr1, 0);
	struct pollfd pfd = { p[0], POLLIN, 0 };
	struct timespec ts = { 5, 0 };
	CHECK_ERR(ppoll(&pfd, 1, &ts, &empty), EINTR);
	CHECK_EQ(got_usr1, 1);
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1));
	/* A timeout, with a mask. */
	ts = (struct timespec){ 0, 20000000 };
	CHECK_EQ(ppoll(&pfd, 1, &ts, &block), 0);
	ts = (struct timespec){ 0, 1000000000 };
	CHECK_ERR(ppoll(&pfd, 1, &ts, NULL), EINVAL);
}

/* What the SIGALRM handler saw: that it ran, and the mask its frame
 * records (the one sigreturn puts back). */
static volatile sig_atomic_t alrm_ran, alrm_saved_blocked;
static void on_alrm_ctx(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	alrm_ran = 1;
	alrm_saved_blocked = sigismember(&((ucontext_t *)ctx)->uc_sigmask, SIGALRM);
}

/* Arms SIGALRM (blocked outside the wait) for 30 ms from now. */
static void alrm_soon(sigset_t *block, sigset_t *empty)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_alrm_ctx;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	sigemptyset(block);
	sigaddset(block, SIGALRM);
	sigemptyset(empty);
	CHECK_OK(sigprocmask(SIG_BLOCK, block, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 30000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
}

/* A signal blocked outside the call arrives during the wait, which it
 * ends: its handler runs before the old mask returns (the frame records
 * the old mask), and the mask afterwards blocks it again. */
TEST(fs_ppoll_sigmask_signal_during_wait)
{
	int p[2];
	CHECK_OK(pipe(p));
	sigset_t block, empty, now;
	struct pollfd pfd = { p[0], POLLIN, 0 };
	struct timespec ts = { 5, 0 };
	alrm_soon(&block, &empty);
	CHECK_ERR(ppoll(&pfd, 1, &ts, &empty), EINTR);
	CHECK_EQ(alrm_ran, 1);
	CHECK_EQ(alrm_saved_blocked, 1);
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGALRM));
	/* The same with pselect6. */
	alrm_ran = alrm_saved_blocked = 0;
	alrm_soon(&block, &empty);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK_ERR(pselect(p[0] + 1, &r, NULL, NULL, &ts, &empty), EINTR);
	CHECK_EQ(alrm_ran, 1);
	CHECK_EQ(alrm_saved_blocked, 1);
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGALRM));
	/* Blocked by the wait's mask too: it stays pending, the wait times out
	 * and no handler runs. */
	alrm_ran = 0;
	alrm_soon(&block, &empty);
	ts = (struct timespec){ 0, 100000000 };
	CHECK_EQ(ppoll(&pfd, 1, &ts, &block), 0);
	CHECK_EQ(alrm_ran, 0);
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	CHECK(sigismember(&pend, SIGALRM));
	/* Bad masks. */
	ts = (struct timespec){ 0, 0 };
	CHECK_ERR(syscall(SYS_ppoll, &pfd, 1, &ts, &empty, 4), EINVAL);
	void *bp;
	FOR_EACH_BAD_PTR(bp)
		if (bp)
			CHECK_ERR(syscall(SYS_ppoll, &pfd, 1, &ts, bp, 8), EFAULT);
}

TEST(fs_select)
{
	int p[2];
	CHECK_OK(pipe(p));
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(select(p[1] + 1, &r, &w, NULL, &tv), 1);
	CHECK(!FD_ISSET(p[0], &r));
	CHECK(FD_ISSET(p[1], &w));
	CHECK_EQ(write(p[1], "x", 1), 1);
	FD_SET(p[0], &r);
	CHECK_EQ(select(p[0] + 1, &r, NULL, NULL, NULL), 1);
	CHECK(FD_ISSET(p[0], &r));
	/* The system call writes back the time left (raw: musl's select
	 * works on a copy). */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 30000 };
	CHECK_EQ(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0);
	CHECK(!FD_ISSET(p[0], &r));
	CHECK_EQ(tv.tv_sec, 0);
	CHECK_EQ(tv.tv_usec, 0);
}

TEST(fs_select_errors)
{
	fd_set r;
	FD_ZERO(&r);
	FD_SET(100, &r);
	struct timeval tv = { 0, 0 };
	CHECK_ERR(select(101, &r, NULL, NULL, &tv), EBADF);
	CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv.tv_usec = -1;
	CHECK_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		if (p)
			CHECK_ERR(syscall(SYS_select, 1, p, NULL, NULL, NULL), EFAULT);
}

TEST(fs_pselect6_sigmask)
{
	int p[2];
	CHECK_OK(pipe(p));
	sigset_t block, empty;
	pend_usr1(&block, &empty);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timespec ts = { 5, 0 };
	CHECK_ERR(pselect(p[0] + 1, &r, NULL, NULL, &ts, &empty), EINTR);
	CHECK_EQ(got_usr1, 1);
	FD_SET(p[0], &r);
	ts = (struct timespec){ 0, 10000000 };
	CHECK_EQ(pselect(p[0] + 1, &r, NULL, NULL, &ts, &block), 0);
}

TEST(fs_select_above_fd_setsize)
{
	/* Descriptors past 1024 in sets of the program's own size, as Linux
	 * takes them (nfds up to where the descriptor table reaches). */
	struct rlimit rl = { 4096, 4096 };
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_EQ(dup2(p[0], 3000), 3000);
	CHECK_EQ(dup2(p[1], 3001), 3001);
	enum { WORDS = 4096 / 64 };
	static uint64_t r[WORDS], w[WORDS];
	r[3000 / 64] |= 1ull << (3000 % 64);
	w[3001 / 64] |= 1ull << (3001 % 64);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(syscall(SYS_select, 3002, r, w, NULL, &tv), 1);
	CHECK_EQ(r[3000 / 64], 0);
	CHECK_EQ(w[3001 / 64], 1ull << (3001 % 64));
	CHECK_EQ(write(3001, "x", 1), 1);
	r[3000 / 64] |= 1ull << (3000 % 64);
	CHECK_EQ(syscall(SYS_select, 3001, r, NULL, NULL, NULL), 1);
	CHECK_EQ(r[3000 / 64], 1ull << (3000 % 64));
	/* a set bit for a closed descriptor up there is EBADF */
	memset(r, 0, sizeof r);
	r[2500 / 64] |= 1ull << (2500 % 64);
	CHECK_ERR(syscall(SYS_select, 4000, r, NULL, NULL, &tv), EBADF);
	/* nfds far beyond the table: only what the table reaches is read,
	 * so a set just big enough for it does */
	memset(r, 0, sizeof r);
	r[3000 / 64] |= 1ull << (3000 % 64);
	CHECK_EQ(syscall(SYS_select, 1 << 20, r, NULL, NULL, &tv), 1);
	CHECK_ERR(syscall(SYS_select, -1, r, NULL, NULL, &tv), EINVAL);
}
