/* Clocks and sleeping: clock_gettime for each clock, clock_getres,
 * gettimeofday, time, nanosleep, clock_nanosleep (relative and
 * TIMER_ABSTIME), and the errors. */
#include "tests.h"

#include <pthread.h>
#include <sys/time.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now_ns(clockid_t c)
{
	struct timespec t;
	CHECK_OK(clock_gettime(c, &t));
	CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
	return ns(&t);
}

/* The raw system call, bypassing a vDSO the C library may use. */
static long long sys_now_ns(clockid_t c)
{
	struct timespec t;
	CHECK_OK(syscall(SYS_clock_gettime, c, &t));
	return ns(&t);
}

static void burn_ms(long ms)
{
	long long start = now_ns(CLOCK_THREAD_CPUTIME_ID);
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) - start < ms * 1000000LL)
		;
}

TEST(time_clocks_all_work)
{
	static const clockid_t clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
	};
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		ut_note("clock %d", clocks[i]);
		CHECK(now_ns(clocks[i]) > 0);
		CHECK(sys_now_ns(clocks[i]) > 0);
	}
}

TEST(time_monotonic)
{
	long long prev = now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < 10000; i++) {
		long long t = i % 2 ? now_ns(CLOCK_MONOTONIC) : sys_now_ns(CLOCK_MONOTONIC);
		CHECK(t >= prev);
		prev = t;
	}
	/* Boot time counts at least what monotonic does: read after it, it
	 * is never behind (read before it, a preemption in between could put
	 * monotonic any distance ahead) */
	long long mono = now_ns(CLOCK_MONOTONIC);
	CHECK(now_ns(CLOCK_BOOTTIME) >= mono);
}

TEST(time_realtime_agrees)
{
	long long rt = now_ns(CLOCK_REALTIME);
	time_t t = time(NULL);
	CHECK(t >= rt / 1000000000LL && t <= rt / 1000000000LL + 1);
	/* After 2020: the clock was set from the RTC. */
	CHECK(t > 1577836800);
	struct timeval tv;
	CHECK_OK(gettimeofday(&tv, NULL));
	long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
	CHECK(us >= rt / 1000 && us - rt / 1000 < 1000000);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	time_t out = 0;
	CHECK_EQ(syscall(SYS_time, &out), out);
	CHECK(out >= t);
	CHECK(syscall(SYS_time, NULL) >= t);
}

TEST(time_cpu_clocks)
{
	/* The thread's interval lies inside the process's, and that one
	 * inside the monotonic one, so each delta bounds the next. */
	long long m0 = now_ns(CLOCK_MONOTONIC);
	long long p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	burn_ms(50);
	long long dt = now_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	long long dp = now_ns(CLOCK_PROCESS_CPUTIME_ID) - p0;
	long long dm = now_ns(CLOCK_MONOTONIC) - m0;
	CHECK(dt >= 50000000);
	CHECK(dp >= dt);
	CHECK(dp <= dm + 10000000);
	/* Sleeping costs (almost) no CPU time. */
	p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec req = { 0, 50000000 };
	CHECK_OK(nanosleep(&req, NULL));
	CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 < 20000000);
}

static void *burn_in_thread(void *arg)
{
	(void)arg;
	burn_ms(50);
	return NULL;
}

/* A thread's CPU time counts for the process, not for other threads. */
TEST(time_thread_cputime)
{
	long long p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, burn_in_thread, NULL), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 50000000);
	CHECK(now_ns(CLOCK_THREAD_CPUTIME_ID) - t0 < 40000000);
}

TEST(time_clock_errors)
{
	struct timespec t;
	CHECK_ERR(syscall(SYS_clock_gettime, 12345, &t), EINVAL);
	CHECK_ERR(syscall(SYS_clock_getres, 12345, &t), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p), EFAULT);
		if (p)
			CHECK_ERR(syscall(SYS_gettimeofday, p, NULL), EFAULT);
		if (p)
			CHECK_ERR(syscall(SYS_time, p), EFAULT);
	}
	ut_note(NULL);
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, edge_ptr(8)), EFAULT);
}

TEST(time_clock_getres)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
					    CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec r = { -1, -1 };
		ut_note("clock %d", clocks[i]);
		CHECK_OK(clock_getres(clocks[i], &r));
		CHECK_EQ(r.tv_sec, 0);
		CHECK(r.tv_nsec > 0 && r.tv_nsec <= 10000000);
		CHECK_OK(syscall(SYS_clock_getres, clocks[i], NULL));
	}
}

TEST(time_nanosleep)
{
	struct timespec req = { 0, 30000000 }, rem = { 9, 9 };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_OK(nanosleep(&req, &rem));
	long long slept = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(slept >= 30000000);
	CHECK(slept < 2000000000);
	/* Zero sleeps not at all. */
	req = (struct timespec){ 0, 0 };
	CHECK_OK(nanosleep(&req, NULL));
}

TEST(time_nanosleep_errors)
{
	struct timespec req = { 0, 1000000000 };
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ -1, 0 };
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ 0, -1 };
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_nanosleep, p, NULL), EFAULT);
}

TEST(time_clock_nanosleep)
{
	long long t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec req = { 0, 20000000 };
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
	/* Absolute: until a given time on that clock. */
	struct timespec until;
	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &until));
	until.tv_nsec += 30000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) >= ns(&until));
	/* A time already past returns at once. */
	struct timespec past = { 1, 0 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 100000000);
	CHECK_OK(clock_gettime(CLOCK_REALTIME, &until));
	until.tv_nsec = 0;
	CHECK_EQ(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL), 0);
	req = (struct timespec){ 0, 1000000 };
	CHECK_EQ(clock_nanosleep(CLOCK_BOOTTIME, 0, &req, NULL), 0);
}

TEST(time_clock_nanosleep_errors)
{
	/* clock_nanosleep returns the error instead of setting errno. */
	struct timespec req = { 0, 1000 };
	CHECK_EQ(clock_nanosleep(12345, 0, &req, NULL), EINVAL);
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL);
	req.tv_nsec = 1000000000;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL), EFAULT);
}

static volatile int alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* The interrupted sleep reports the time left. */
TEST(time_clock_nanosleep_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 30000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	struct timespec req = { 3, 0 }, rem = { 0, 0 };
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
	CHECK_EQ(alarms, 1);
	CHECK(rem.tv_sec >= 1 && rem.tv_sec <= 3);
}
