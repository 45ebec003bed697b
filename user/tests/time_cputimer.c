/* Timers and sleeps on CPU-time clocks: timer_create on
 * CLOCK_PROCESS_CPUTIME_ID and on a thread's clock (pthread_getcpuclockid)
 * expires after that much CPU time, not wall time; clock_nanosleep on the
 * process's clock waits for CPU time other threads spend, and refuses the
 * caller's own thread clock; clock_gettime reads another process's clock
 * by its clock_getcpuclockid id. */
#include "tests.h"

#include <pthread.h>

static long long clock_now(clockid_t c)
{
	struct timespec ts;
	CHECK_OK(clock_gettime(c, &ts));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int timer_on(clockid_t clock, int sig, long long ns)
{
	struct sigevent ev = { 0 };
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	timer_t id;
	CHECK_OK(timer_create(clock, &ev, &id));
	struct itimerspec its = { { 0, 0 }, { ns / 1000000000, ns % 1000000000 } };
	CHECK_OK(timer_settime(id, 0, &its, NULL));
	return (int)(intptr_t)id;
}

static volatile sig_atomic_t fired;
static void on_sig(int sig) { (void)sig; fired = 1; }

/* 100 ms of process CPU time: 200 ms of sleep do not fire it; spinning
 * (no system calls between the checks of the flag) does, after 100 ms of
 * CPU time and not much more. A host that holds this vCPU up between
 * arming and sleeping charges that as CPU time, and the timer rightly
 * fires in the nap: that round is tried again, up to three (a clock that
 * counted sleep fires in every one). */
TEST(time_cpu_timer_process_clock)
{
	signal(SIGUSR2, on_sig);
	long long c0 = 0;
	for (int round = 0; round < 3; round++) {
		fired = 0;
		c0 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
		int id = timer_on(CLOCK_PROCESS_CPUTIME_ID, SIGUSR2, 100000000);
		struct timespec nap = { 0, 200000000 };
		CHECK_OK(nanosleep(&nap, NULL));
		if (!fired)
			break;
		ut_diag("fired in the nap, after %lld ms of CPU time",
			(clock_now(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1000000);
		CHECK_OK(timer_delete((timer_t)(intptr_t)id));
	}
	CHECK_EQ(fired, 0);
	long long used = 0;
	while (!fired && used < 3000000000LL) {
		for (volatile int i = 0; i < 100000 && !fired; i++)
			;
		used = clock_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	}
	used = clock_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	ut_diag("fired after %lld ms of CPU time", used / 1000000);
	CHECK_EQ(fired, 1);
	CHECK(used >= 100000000);
	CHECK(used < 400000000);
}

static volatile int spin_stop;
static void *spinner(void *arg)
{
	(void)arg;
	while (!spin_stop)
		;
	return NULL;
}

/* A timer on a spinning thread's clock fires after 50 ms of that thread's
 * CPU time, while the creating thread sleeps in sigtimedwait: it blocks
 * (one voluntary switch, two at most) rather than running or polling.
 * Its own CPU time is no measure of that: a host that preempts its vCPU
 * for a while charges it as running. Such a host can also hold it up
 * until the signal is pending before it waits (no switch then): that
 * round is tried again, up to three. */
TEST(time_cpu_timer_thread_clock)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));   /* both threads */
	spin_stop = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, spinner, NULL), 0);
	clockid_t tc;
	CHECK_EQ(pthread_getcpuclockid(t, &tc), 0);
	long blocked = 0;
	for (int round = 0; round < 3 && !blocked; round++) {
		long long t0 = clock_now(tc);
		int id = timer_on(tc, SIGUSR2, 50000000);
		struct itimerspec cur;
		CHECK_OK(timer_gettime((timer_t)(intptr_t)id, &cur));
		CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 50000000);
		struct timespec ts = { 10, 0 };
		struct rusage r0, r1;
		CHECK_OK(getrusage(RUSAGE_THREAD, &r0));
		CHECK_EQ(sigtimedwait(&s, NULL, &ts), SIGUSR2);
		CHECK_OK(getrusage(RUSAGE_THREAD, &r1));
		long long spent = clock_now(tc) - t0;
		CHECK_OK(timer_delete((timer_t)(intptr_t)id));
		blocked = r1.ru_nvcsw - r0.ru_nvcsw;
		ut_diag("the thread spent %lld ms; the waiter blocked %ld times", spent / 1000000,
			blocked);
		CHECK(spent >= 50000000);
		CHECK(blocked <= 2);
	}
	spin_stop = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(blocked >= 1);
}

/* clock_nanosleep on the process clock returns once the other thread has
 * spent the time; on the caller's own thread clock it is EINVAL. */
TEST(time_cpu_clock_nanosleep)
{
	struct timespec d = { 0, 50000000 };
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL), EINVAL);
	spin_stop = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, spinner, NULL), 0);
	long long p0 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
	CHECK_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &d, NULL), 0);
	long long spent = clock_now(CLOCK_PROCESS_CPUTIME_ID) - p0;
	spin_stop = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(spent >= 50000000);
	/* absolute: a time already passed returns at once */
	struct timespec past = { 0, 1 };
	CHECK_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &past, NULL), 0);
}

/* Another process's clock by its id; a gone one's is EINVAL. */
TEST(time_cpu_clock_of_other_process)
{
	pid_t pid = xfork();
	if (pid == 0) {
		long long c0 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
		while (clock_now(CLOCK_PROCESS_CPUTIME_ID) - c0 < 30000000)
			;
		pause();
		_exit(0);
	}
	clockid_t c;
	CHECK_EQ(clock_getcpuclockid(pid, &c), 0);
	long long seen = 0;
	for (int i = 0; i < 2000 && seen < 30000000; i++) {
		seen = clock_now(c);
		struct timespec nap = { 0, 5000000 };
		nanosleep(&nap, NULL);
	}
	CHECK(seen >= 30000000);
	kill(pid, SIGKILL);
	wait_signal(pid, SIGKILL);
	struct timespec ts;
	CHECK_ERR(clock_gettime(c, &ts), EINVAL);
}
