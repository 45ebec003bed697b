/* Masks and waiting for signals: rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, rt_sigtimedwait, pause; pending standard signals merge,
 * real-time ones queue, and delivery order. */
#include "tests.h"

static volatile int hits;
static volatile int order[8];
static void record(int sig)
{
	if (hits < 8)
		order[hits] = sig;
	hits++;
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

TEST(sig_procmask_block_pending)
{
	signal(SIGUSR1, record);
	sigset_t usr1 = set_of(SIGUSR1, 0), old, pending;
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, &old));
	CHECK(!sigismember(&old, SIGUSR1));
	CHECK_OK(raise(SIGUSR1));
	CHECK_OK(raise(SIGUSR1));
	CHECK_EQ(hits, 0);
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR1));
	CHECK(!sigismember(&pending, SIGUSR2));
	/* Unblocking delivers it, once: standard signals do not queue. */
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 1);
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR1));
}

TEST(sig_procmask_setmask)
{
	sigset_t both = set_of(SIGUSR1, SIGUSR2), old, now;
	CHECK_OK(sigprocmask(SIG_SETMASK, &both, &old));
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2));
	sigset_t one = set_of(SIGUSR2, 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &one, NULL));
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
	/* SIGKILL and SIGSTOP cannot be blocked: silently left out. */
	sigset_t all;
	sigfillset(&all);
	CHECK_OK(sigprocmask(SIG_SETMASK, &all, NULL));
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(!sigismember(&now, SIGKILL));
	CHECK(!sigismember(&now, SIGSTOP));
	CHECK(sigismember(&now, SIGTERM));
}

TEST(sig_procmask_errors)
{
	uint64_t set = 0;
	CHECK_ERR(syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigpending, &set, 16), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		if (!p)
			continue;
		CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8), EFAULT);
		CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, p, 8), EFAULT);
		CHECK_ERR(syscall(SYS_rt_sigpending, p, 8), EFAULT);
	}
}

/* Handlers that block the other signals take pending signals one at a
 * time, lowest number first. */
TEST(sig_pending_order)
{
	sigset_t all = set_of(SIGUSR1, SIGUSR2);
	sigaddset(&all, SIGHUP);
	struct sigaction sa = { .sa_handler = record, .sa_mask = all };
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	CHECK_OK(sigaction(SIGHUP, &sa, NULL));
	CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));
	CHECK_OK(raise(SIGUSR2));
	CHECK_OK(raise(SIGHUP));
	CHECK_OK(raise(SIGUSR1));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
	CHECK_EQ(hits, 3);
	CHECK_EQ(order[0], SIGHUP);
	CHECK_EQ(order[1], SIGUSR1);
	CHECK_EQ(order[2], SIGUSR2);
}

static volatile int rt_values[8], rt_count;
static void record_rt(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (rt_count < 8)
		rt_values[rt_count] = si->si_value.sival_int;
	rt_count++;
}

/* Real-time signals queue: three sent while blocked arrive three times,
 * in order, with their values. */
TEST(sig_realtime_queue)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = record_rt;
	sa.sa_flags = SA_SIGINFO;
	int rt = SIGRTMIN + 1;
	CHECK_OK(sigaction(rt, &sa, NULL));
	sigset_t block = set_of(rt, 0);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	for (int i = 0; i < 3; i++)
		CHECK_OK(sigqueue(getpid(), rt, (union sigval){ .sival_int = 100 + i }));
	CHECK_OK(kill(getpid(), rt));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK_EQ(rt_count, 4);
	CHECK_EQ(rt_values[0], 100);
	CHECK_EQ(rt_values[1], 101);
	CHECK_EQ(rt_values[2], 102);
}

static void nothing(int sig)
{
	(void)sig;
}

TEST(sig_suspend)
{
	signal(SIGUSR1, record);
	sigset_t block = set_of(SIGUSR1, 0), empty = set_of(0, 0), now;
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	CHECK_OK(raise(SIGUSR1));
	/* The pending signal is delivered as soon as the mask opens. */
	CHECK_ERR(sigsuspend(&empty), EINTR);
	CHECK_EQ(hits, 1);
	CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1));
	/* Woken by another process. */
	pid_t me = getpid();
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(kill(me, SIGUSR1));
		_exit(0);
	}
	CHECK_ERR(sigsuspend(&empty), EINTR);
	CHECK_EQ(hits, 2);
	wait_exit(pid, 0);
	CHECK_ERR(syscall(SYS_rt_sigsuspend, &empty, 4), EINVAL);
}

TEST(sig_timedwait)
{
	signal(SIGUSR1, nothing);
	sigset_t set = set_of(SIGUSR1, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_OK(raise(SIGUSR2));
	siginfo_t si;
	struct timespec ts = { 1, 0 };
	/* Takes the pending signal; no handler runs. */
	CHECK_EQ(sigtimedwait(&set, &si, &ts), SIGUSR2);
	CHECK_EQ(si.si_signo, SIGUSR2);
	CHECK_EQ(si.si_code, SI_TKILL);
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR2));
	/* Nothing pending: EAGAIN after the timeout. */
	ts = (struct timespec){ 0, 20000000 };
	CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
	ts = (struct timespec){ 0, 0 };
	CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
	ts = (struct timespec){ 0, 1000000000 };
	CHECK_ERR(sigtimedwait(&set, &si, &ts), EINVAL);
	/* Sent by another process while waiting. */
	pid_t me = getpid();
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(kill(me, SIGUSR1));
		_exit(0);
	}
	ts = (struct timespec){ 10, 0 };
	CHECK_EQ(sigtimedwait(&set, &si, &ts), SIGUSR1);
	CHECK_EQ(si.si_pid, pid);
	wait_exit(pid, 0);
}

TEST(sig_pause)
{
	signal(SIGUSR1, nothing);
	int ready[2];
	CHECK_OK(pipe(ready));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_signal(ready[1]);
		CHECK_ERR(pause(), EINTR);
		_exit(0);
	}
	sync_wait(ready[0]);
	/* Keep signalling until pause has returned (a signal sent before
	 * the child reaches pause is handled and lost for pause). */
	int status;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGUSR1);
		sched_yield();
	}
	CHECK_EQ(status, 0);
}

/* Ignoring a pending signal discards it. */
TEST(sig_ignore_discards_pending)
{
	signal(SIGUSR1, record);
	sigset_t block = set_of(SIGUSR1, 0), pending;
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	CHECK_OK(raise(SIGUSR1));
	signal(SIGUSR1, SIG_IGN);
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR1));
	signal(SIGUSR1, record);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK_EQ(hits, 0);
}
