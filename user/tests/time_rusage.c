/* getrusage's context switches: ru_nvcsw counts a thread's switches out
 * to wait, ru_nivcsw those while it could have run on (preempted), per
 * thread (RUSAGE_THREAD), for the process with its ended threads
 * (RUSAGE_SELF) and for reaped children (RUSAGE_CHILDREN, wait4). Only
 * lower bounds are checked: the figures are Linux's, so they pass there
 * too. */
#include "tests.h"

#include <pthread.h>

static struct rusage usage(int who)
{
	struct rusage r;
	CHECK_OK(getrusage(who, &r));
	return r;
}

/* Five sleeps: five switches out to wait. */
static void sleep_five(void)
{
	for (int i = 0; i < 5; i++) {
		struct timespec nap = { 0, 1000000 };
		CHECK_OK(nanosleep(&nap, NULL));
	}
}

static void *sleeper(void *arg)
{
	long *nvcsw = arg;
	sleep_five();
	*nvcsw = usage(RUSAGE_THREAD).ru_nvcsw;
	return NULL;
}

TEST(time_rusage_voluntary_switches)
{
	/* the thread's own: each sleep is one */
	struct rusage t0 = usage(RUSAGE_THREAD), s0 = usage(RUSAGE_SELF);
	sleep_five();
	struct rusage t1 = usage(RUSAGE_THREAD);
	ut_diag("5 sleeps: %ld voluntary switches", t1.ru_nvcsw - t0.ru_nvcsw);
	CHECK(t1.ru_nvcsw - t0.ru_nvcsw >= 5);

	/* the process's keeps an ended thread's */
	long theirs = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, sleeper, &theirs), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	struct rusage t2 = usage(RUSAGE_THREAD), s2 = usage(RUSAGE_SELF);
	CHECK(theirs >= 5);
	CHECK(s2.ru_nvcsw - s0.ru_nvcsw >= (t2.ru_nvcsw - t0.ru_nvcsw) + theirs);
	CHECK(s2.ru_nvcsw >= t2.ru_nvcsw && s2.ru_nivcsw >= t2.ru_nivcsw);

	/* a reaped child's, both from wait4 and as RUSAGE_CHILDREN */
	struct rusage c0 = usage(RUSAGE_CHILDREN), w;
	pid_t pid = xfork();
	if (pid == 0) {
		sleep_five();
		_exit(0);
	}
	int status;
	CHECK_EQ(wait4(pid, &status, 0, &w), pid);
	CHECK(WIFEXITED(status));
	struct rusage c1 = usage(RUSAGE_CHILDREN);
	CHECK(w.ru_nvcsw >= 5);
	CHECK_EQ(c1.ru_nvcsw - c0.ru_nvcsw, w.ru_nvcsw);
	CHECK_EQ(c1.ru_nivcsw - c0.ru_nivcsw, w.ru_nivcsw);

	CHECK_ERR(syscall(SYS_getrusage, 99, &w), EINVAL);
	CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, NULL), EFAULT);
}

static volatile int spin_stop;
static void *spinner(void *arg)
{
	(void)arg;
	while (!spin_stop)
		;
	return NULL;
}

/* Two threads on one CPU, both spinning: the scheduler takes the CPU from
 * this one when its slice ends, which is an involuntary switch and not a
 * voluntary one. */
TEST(time_rusage_involuntary_switches)
{
	cpu_set_t one, old;
	CHECK_OK(sched_getaffinity(0, sizeof old, &old));
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_OK(sched_setaffinity(0, sizeof one, &one));   /* inherited by the spinner */
	spin_stop = 0;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, spinner, NULL), 0);
	struct rusage r0 = usage(RUSAGE_THREAD), r1 = r0;
	struct timespec start, now;
	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &start));
	do {
		for (volatile int i = 0; i < 100000; i++)
			;
		r1 = usage(RUSAGE_THREAD);
		CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
	} while (r1.ru_nivcsw == r0.ru_nivcsw && now.tv_sec - start.tv_sec < 5);
	spin_stop = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_OK(sched_setaffinity(0, sizeof old, &old));
	ut_diag("preempted %ld times, blocked %ld", r1.ru_nivcsw - r0.ru_nivcsw,
		r1.ru_nvcsw - r0.ru_nvcsw);
	CHECK(r1.ru_nivcsw > r0.ru_nivcsw);
	CHECK_EQ(r1.ru_nvcsw, r0.ru_nvcsw);
}
