/* POSIX timers: timer_create with SIGEV_SIGNAL, SIGEV_NONE and
 * SIGEV_THREAD_ID on CLOCK_REALTIME and CLOCK_MONOTONIC, the siginfo of a
 * timer's signal, overrun counting, timer_gettime, and the error paths.
 * Raw system calls: the kernel's timer id is an int (musl's timer_t is a
 * pointer). */
#include "tests.h"

#include <pthread.h>

struct ksigevent {
	union sigval value;
	int signo, notify;
	int tid;
	int pad[11];
};

#define SIGEV_THREAD_ID_ 4

static int tcreate(clockid_t clock, int notify, int signo, long value, int tid, int *id)
{
	struct ksigevent ev = { .value.sival_ptr = (void *)value, .signo = signo,
				.notify = notify, .tid = tid };
	return (int)syscall(SYS_timer_create, clock, &ev, id);
}

static long tset(int id, int flags, long long value_ns, long long interval_ns, struct itimerspec *old)
{
	struct itimerspec its = {
		{ interval_ns / 1000000000, interval_ns % 1000000000 },
		{ value_ns / 1000000000, value_ns % 1000000000 },
	};
	return syscall(SYS_timer_settime, id, flags, &its, old);
}

static long long spec_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static sigset_t only(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static volatile sig_atomic_t h_ran, h_code, h_timerid;
static volatile long h_value;
static void on_timer(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	h_code = si->si_code;
	h_value = (long)si->si_value.sival_ptr;
	h_timerid = si->si_timerid;
	h_ran = 1;
}

/* SIGEV_SIGNAL on CLOCK_MONOTONIC: the handler gets SI_TIMER, the value
 * and the timer's id; a one-shot timer reads 0 afterwards. */
TEST(time_posix_timer_signal)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_timer;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	sigset_t usr1 = only(SIGUSR1), none;
	sigemptyset(&none);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	int id = -1;
	CHECK_OK(tcreate(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1, 0xabc, 0, &id));
	CHECK(id >= 0);
	CHECK_OK(tset(id, 0, 20000000, 0, NULL));
	struct itimerspec cur;
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK(spec_ns(&cur.it_value) > 0 && spec_ns(&cur.it_value) <= 20000000);
	CHECK_EQ(spec_ns(&cur.it_interval), 0);
	CHECK_ERR(sigsuspend(&none), EINTR);
	CHECK_EQ(h_ran, 1);
	CHECK_EQ(h_code, SI_TIMER);
	CHECK_EQ(h_value, 0xabc);
	CHECK_EQ(h_timerid, id);
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK_EQ(spec_ns(&cur.it_value), 0);
	CHECK_EQ(syscall(SYS_timer_getoverrun, id), 0);
	CHECK_OK(syscall(SYS_timer_delete, id));
	/* No sigevent: SIGALRM with the timer's id as its value. */
	sigset_t alrm = only(SIGALRM);
	CHECK_OK(sigprocmask(SIG_BLOCK, &alrm, NULL));
	CHECK_OK(syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &id));
	CHECK_OK(tset(id, 0, 10000000, 0, NULL));
	siginfo_t si;
	struct timespec ts = { 5, 0 };
	CHECK_EQ(sigtimedwait(&alrm, &si, &ts), SIGALRM);
	CHECK_EQ(si.si_code, SI_TIMER);
	CHECK_EQ(si.si_value.sival_int, id);
	CHECK_OK(syscall(SYS_timer_delete, id));
}

/* A periodic timer whose real-time signal stays blocked: one instance is
 * queued, and the expiries meanwhile are its overrun count, which
 * timer_getoverrun repeats. Absolute CLOCK_REALTIME start. */
TEST(time_posix_timer_overrun)
{
	sigset_t rt = only(SIGRTMIN);
	CHECK_OK(sigprocmask(SIG_BLOCK, &rt, NULL));
	int id;
	CHECK_OK(tcreate(CLOCK_REALTIME, SIGEV_SIGNAL, SIGRTMIN, 7, 0, &id));
	struct timespec now;
	CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
	CHECK_OK(tset(id, TIMER_ABSTIME, spec_ns(&now) + 5000000, 5000000, NULL));
	struct timespec nap = { 0, 200000000 };
	CHECK_OK(nanosleep(&nap, NULL));
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	CHECK_EQ(sigtimedwait(&rt, &si, &zero), SIGRTMIN);
	struct timespec end;
	CHECK_OK(clock_gettime(CLOCK_REALTIME, &end));
	CHECK_EQ(si.si_code, SI_TIMER);
	CHECK_EQ(si.si_value.sival_int, 7);
	/* a slow host may oversleep: the count is bounded by the time that
	 * really passed, one expiry per 5 ms after the first */
	long long passed = spec_ns(&end) - spec_ns(&now);
	ut_diag("overrun after %lld ms of a 5 ms timer: %d", passed / 1000000, si.si_overrun);
	CHECK(si.si_overrun >= 10);
	CHECK(si.si_overrun <= passed / 5000000);
	CHECK_EQ(syscall(SYS_timer_getoverrun, id), si.si_overrun);
	struct itimerspec cur, old;
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK_EQ(spec_ns(&cur.it_interval), 5000000);
	CHECK(spec_ns(&cur.it_value) > 0 && spec_ns(&cur.it_value) <= 5000000);
	/* Disarming returns the old setting. */
	CHECK_OK(tset(id, 0, 0, 0, &old));
	CHECK_EQ(spec_ns(&old.it_interval), 5000000);
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK_EQ(spec_ns(&cur.it_value), 0);
	CHECK_EQ(spec_ns(&cur.it_interval), 0);
	CHECK_OK(syscall(SYS_timer_delete, id));
}

/* SIGEV_NONE: no signal; timer_gettime shows the time left, and 0 once a
 * one-shot expired. */
TEST(time_posix_timer_none)
{
	sigset_t all;
	sigfillset(&all);
	CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));
	int id;
	CHECK_OK(tcreate(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, &id));
	CHECK_OK(tset(id, 0, 10000000000LL, 0, NULL));
	struct itimerspec cur;
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK(spec_ns(&cur.it_value) > 9000000000LL && spec_ns(&cur.it_value) <= 10000000000LL);
	/* Absolute, already past. */
	CHECK_OK(tset(id, TIMER_ABSTIME, 1, 0, NULL));
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK_EQ(spec_ns(&cur.it_value), 0);
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	for (int s = 1; s < 32; s++)
		CHECK(!sigismember(&pend, s));
	CHECK_OK(syscall(SYS_timer_delete, id));
}

static volatile int worker_tid, worker_code, worker_value, main_got;
static void *timer_worker(void *arg)
{
	(void)arg;
	sigset_t usr2 = only(SIGUSR2);
	siginfo_t si;
	struct timespec ts = { 10, 0 };
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	worker_tid = (int)syscall(SYS_gettid);
	if (sigtimedwait(&usr2, &si, &ts) == SIGUSR2) {
		worker_code = si.si_code;
		worker_value = si.si_value.sival_int;
	}
	return NULL;
}

static void on_usr2_main(int sig)
{
	(void)sig;
	main_got = 1;
}

/* SIGEV_THREAD_ID: the signal goes to the thread named, not to the
 * process: the main thread, which does not block it and would take a
 * process-directed one, never sees it. */
TEST(time_posix_timer_thread_id)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr2_main;
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, timer_worker, NULL), 0);
	while (!worker_tid)
		sched_yield();
	int id;
	CHECK_OK(tcreate(CLOCK_MONOTONIC, SIGEV_THREAD_ID_, SIGUSR2, 55, worker_tid, &id));
	CHECK_OK(tset(id, 0, 10000000, 0, NULL));
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(worker_code, SI_TIMER);
	CHECK_EQ(worker_value, 55);
	CHECK_EQ(main_got, 0);
	CHECK_OK(syscall(SYS_timer_delete, id));
	/* A thread of another process, or none, is refused. */
	CHECK_ERR(tcreate(CLOCK_MONOTONIC, SIGEV_THREAD_ID_, SIGUSR2, 0, getppid(), &id), EINVAL);
	CHECK_ERR(tcreate(CLOCK_MONOTONIC, SIGEV_THREAD_ID_, SIGUSR2, 0, 0, &id), EINVAL);
}

TEST(time_posix_timer_errors)
{
	int id;
	/* Clock ids and sigevents. */
	CHECK_ERR(tcreate(100, SIGEV_SIGNAL, SIGUSR1, 0, 0, &id), EINVAL);
	CHECK_ERR(tcreate(-1, SIGEV_SIGNAL, SIGUSR1, 0, 0, &id), EINVAL);
	CHECK_ERR(tcreate(CLOCK_MONOTONIC, 99, SIGUSR1, 0, 0, &id), EINVAL);
	CHECK_ERR(tcreate(CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 0, 0, &id), EINVAL);
	CHECK_ERR(tcreate(CLOCK_MONOTONIC, SIGEV_SIGNAL, 65, 0, 0, &id), EINVAL);
	void *bp;
	FOR_EACH_BAD_PTR(bp) {
		if (bp)
			CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, bp, &id), EFAULT);
		CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, bp), EFAULT);
	}
	ut_note(NULL);
	/* Ids. */
	struct itimerspec its = { { 0, 0 }, { 1, 0 } }, cur;
	CHECK_ERR(syscall(SYS_timer_settime, 12345, 0, &its, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_timer_settime, -1, 0, &its, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_timer_gettime, 12345, &cur), EINVAL);
	CHECK_ERR(syscall(SYS_timer_getoverrun, 12345), EINVAL);
	CHECK_ERR(syscall(SYS_timer_delete, 12345), EINVAL);
	/* Settings. */
	CHECK_OK(tcreate(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, &id));
	CHECK_ERR(syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL);
	its.it_value.tv_nsec = 1000000000;
	CHECK_ERR(syscall(SYS_timer_settime, id, 0, &its, NULL), EINVAL);
	its.it_value = (struct timespec){ -1, 0 };
	CHECK_ERR(syscall(SYS_timer_settime, id, 0, &its, NULL), EINVAL);
	its.it_value = (struct timespec){ 1, 0 };
	its.it_interval.tv_nsec = -1;
	CHECK_ERR(syscall(SYS_timer_settime, id, 0, &its, NULL), EINVAL);
	its.it_interval.tv_nsec = 0;
	FOR_EACH_BAD_PTR(bp) {
		if (bp)
			CHECK_ERR(syscall(SYS_timer_settime, id, 0, bp, NULL), EFAULT);
		if (bp)
			CHECK_ERR(syscall(SYS_timer_settime, id, 0, &its, bp), EFAULT);
		CHECK_ERR(syscall(SYS_timer_gettime, id, bp), EFAULT);
	}
	ut_note(NULL);
	/* fork does not pass timers on. */
	IN_CHILD {
		CHECK_ERR(syscall(SYS_timer_gettime, id, &cur), EINVAL);
	}
	CHECK_OK(syscall(SYS_timer_gettime, id, &cur));
	CHECK_OK(syscall(SYS_timer_delete, id));
	CHECK_ERR(syscall(SYS_timer_delete, id), EINVAL);
}
