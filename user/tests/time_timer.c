/* Timers: alarm, setitimer and getitimer (ITIMER_REAL, ITIMER_VIRTUAL,
 * ITIMER_PROF), one-shot and periodic, not inherited by fork, and the
 * errors. */
#include "tests.h"

#include <sys/time.h>

static volatile int fired;
static void on_signal(int sig)
{
	(void)sig;
	fired++;
}

static void install(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };
	CHECK_OK(sigaction(sig, &sa, NULL));
}

/* Waits for `sig` with a limit, blocking it first so none is missed. */
static void wait_for(int sig, int seconds)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	struct timespec ts = { seconds, 0 };
	CHECK_EQ(CHECK_OK(sigtimedwait(&set, NULL, &ts)), sig);
}

static void block(int sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
}

TEST(time_alarm)
{
	block(SIGALRM);
	CHECK_EQ(alarm(1), 0);
	/* A new alarm replaces the old and returns what was left of it. */
	CHECK_EQ(alarm(1), 1);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wait_for(SIGALRM, 5);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 900 && ms < 3000);
	/* alarm(0) cancels and reports what was left. */
	CHECK_EQ(alarm(100), 0);
	unsigned left = alarm(0);
	CHECK(left >= 99 && left <= 100);
	CHECK_EQ(alarm(0), 0);
}

TEST(time_alarm_default_kills)
{
	pid_t pid = xfork();
	if (pid == 0) {
		struct itimerval it = { { 0, 0 }, { 0, 10000 } };
		setitimer(ITIMER_REAL, &it, NULL);
		for (;;)
			pause();
	}
	wait_signal(pid, SIGALRM);
}

TEST(time_setitimer_real_oneshot)
{
	block(SIGALRM);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } }, cur, old;
	CHECK_OK(setitimer(ITIMER_REAL, &it, &old));
	CHECK_EQ(old.it_value.tv_sec + old.it_value.tv_usec, 0);
	CHECK_OK(getitimer(ITIMER_REAL, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 50000);
	CHECK_EQ(cur.it_interval.tv_usec, 0);
	wait_for(SIGALRM, 5);
	/* Done: the timer is disarmed. */
	CHECK_OK(getitimer(ITIMER_REAL, &cur));
	CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_usec, 0);
}

TEST(time_setitimer_real_periodic)
{
	install(SIGALRM);
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, old;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (fired < 5)
		pause();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Replacing returns the old setting. */
	it = (struct itimerval){ 0 };
	CHECK_OK(setitimer(ITIMER_REAL, &it, &old));
	CHECK_EQ(old.it_interval.tv_usec, 10000);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 45);
}

static void burn_until_fired(int n)
{
	while (fired < n)
		__asm__ volatile("" ::: "memory");
}

TEST(time_setitimer_virtual_and_prof)
{
	install(SIGVTALRM);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	CHECK_OK(setitimer(ITIMER_VIRTUAL, &it, NULL));
	burn_until_fired(1);
	install(SIGPROF);
	CHECK_OK(setitimer(ITIMER_PROF, &it, NULL));
	burn_until_fired(2);
	/* Virtual time does not pass while asleep. */
	fired = 0;
	it.it_value.tv_usec = 50000;
	CHECK_OK(setitimer(ITIMER_VIRTUAL, &it, NULL));
	struct timespec req = { 0, 100000000 };
	CHECK_OK(nanosleep(&req, NULL));
	CHECK_EQ(fired, 0);
	struct itimerval cur;
	CHECK_OK(getitimer(ITIMER_VIRTUAL, &cur));
	CHECK(cur.it_value.tv_usec > 30000);
}

TEST(time_itimer_errors)
{
	struct itimerval it = { { 0, 0 }, { 0, 1000 } };
	CHECK_ERR(setitimer(5, &it, NULL), EINVAL);
	CHECK_ERR(getitimer(5, &it), EINVAL);
	it.it_value.tv_usec = 1000000;
	CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	it.it_value.tv_usec = -1;
	CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		if (!p)
			continue;
		CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, p), EFAULT);
		CHECK_ERR(syscall(SYS_setitimer, ITIMER_REAL, p, NULL), EFAULT);
	}
}

/* A child starts with no timers; exec keeps them (the alarm ends the new
 * program). */
TEST(time_itimer_fork_and_exec)
{
	struct itimerval it = { { 0, 0 }, { 100, 0 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	IN_CHILD {
		struct itimerval cur;
		CHECK_OK(getitimer(ITIMER_REAL, &cur));
		CHECK_EQ(cur.it_value.tv_sec + cur.it_value.tv_usec, 0);
		CHECK_EQ(alarm(0), 0);
	}
	it = (struct itimerval){ 0 };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	pid_t pid = xfork();
	if (pid == 0) {
		it.it_value.tv_usec = 50000;
		setitimer(ITIMER_REAL, &it, NULL);
		char *argv[] = { "usertests", "-H", "wait_stdin_eof", NULL };
		int p[2];
		pipe(p);
		dup2(p[0], 0);
		execve(self_exe(), argv, NULL);
		_exit(127);
	}
	wait_signal(pid, SIGALRM);
}
