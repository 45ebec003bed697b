/* CPU affinity and placement: sched_setaffinity/sched_getaffinity (their
 * errors and size rules, as Linux has them), getcpu inside the mask, a
 * forked child keeping its parent's mask, and two busy processes running
 * at the same time when two CPUs are online. */
#include "tests.h"

#include <sched.h>
#include <sys/time.h>

static int cpus_in(const cpu_set_t *s)
{
	return CPU_COUNT(s);
}

static int first_cpu(const cpu_set_t *s)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, s))
			return c;
	return -1;
}

static unsigned this_cpu(void)
{
	unsigned cpu = ~0u, node = ~0u;

	CHECK_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
	CHECK_EQ(node, 0u);
	return cpu;
}

TEST(proc_sched_setaffinity_errors)
{
	cpu_set_t set, old;
	void *p;

	CHECK_OK(sched_getaffinity(0, sizeof old, &old));
	/* empty, or only CPUs that are not there: EINVAL */
	CPU_ZERO(&set);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof set, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 0, &set), EINVAL);
	CPU_SET(CPU_SETSIZE - 1, &set);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof set, &set), EINVAL);
	/* no such thread */
	CHECK_ERR(syscall(SYS_sched_setaffinity, 999999, sizeof old, &old), ESRCH);
	CHECK_ERR(syscall(SYS_sched_setaffinity, -1, sizeof old, &old), ESRCH);
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof set, p), EFAULT);
	/* a mask shorter than the kernel's means zeros above it */
	CPU_ZERO(&set);
	CPU_SET(first_cpu(&old), &set);
	CHECK_OK(syscall(SYS_sched_setaffinity, 0, 8, &set));
	CHECK_OK(sched_getaffinity(0, sizeof set, &set));
	CHECK_EQ(cpus_in(&set), 1);
	CHECK_OK(sched_setaffinity(0, sizeof old, &old));
	/* another user's process: EPERM */
	IN_CHILD {
		become_user();
		CHECK_ERR(syscall(SYS_sched_setaffinity, 1, sizeof old, &old), EPERM);
	}
}

TEST(proc_sched_getaffinity_sizes)
{
	cpu_set_t set;
	long n;
	void *p;

	/* whole longs only, and room for every CPU */
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 12, &set), EINVAL);
	FOR_EACH_BAD_PTR(p)
		CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof set, p), EFAULT);
	/* it returns the size it copied: the kernel's mask, not the buffer */
	memset(&set, 0xff, sizeof set);
	n = CHECK_OK(syscall(SYS_sched_getaffinity, 0, sizeof set, &set));
	CHECK(n >= 8 && n % 8 == 0 && (size_t)n <= sizeof set);
	if ((size_t)n < sizeof set)
		CHECK_EQ(((unsigned char *)&set)[n], 0xff);     /* nothing past it */
	CHECK_EQ(syscall(SYS_sched_getaffinity, 0, (unsigned)n, &set), n);
	CHECK_EQ(syscall(SYS_sched_getaffinity, getpid(), sizeof set, &set), n);
}

TEST(proc_sched_affinity_moves_and_is_inherited)
{
	cpu_set_t old, one, got;
	int last;

	CHECK_OK(sched_getaffinity(0, sizeof old, &old));
	CHECK(CPU_ISSET((int)this_cpu(), &old));
	/* pinned to the last CPU of the mask: it runs there from the call on */
	for (last = CPU_SETSIZE - 1; !CPU_ISSET(last, &old); last--)
		;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	CHECK_OK(sched_setaffinity(0, sizeof one, &one));
	for (int i = 0; i < 100; i++)
		CHECK_EQ(this_cpu(), (unsigned)last);
	CHECK_OK(sched_getaffinity(0, sizeof got, &got));
	CHECK(CPU_EQUAL(&got, &one));
	/* a child keeps the mask */
	IN_CHILD {
		CHECK_OK(sched_getaffinity(0, sizeof got, &got));
		CHECK(CPU_EQUAL(&got, &one));
		CHECK_EQ(this_cpu(), (unsigned)last);
	}
	CHECK_OK(sched_setaffinity(0, sizeof old, &old));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rusage_s(const struct rusage *r)
{
	return (double)r->ru_utime.tv_sec + r->ru_utime.tv_usec / 1e6 +
	       (double)r->ru_stime.tv_sec + r->ru_stime.tv_usec / 1e6;
}

/* Two CPU-bound children at once: with two CPUs their CPU time adds up to
 * nearly twice the wall time, and they say different CPUs (checked on
 * CosmOS only: see below). */
TEST(proc_two_busy_processes_run_at_once)
{
	enum { SPIN_MS = 400 };
	cpu_set_t set;
	pid_t pid[2];
	int status, cpu[2];
	double t0, wall, cpu_s;
	struct rusage before, ru;

	CHECK_OK(sched_getaffinity(0, sizeof set, &set));
	if (cpus_in(&set) < 2)
		return;          /* one CPU: nothing runs at once */
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &before));
	t0 = now_s();
	for (int i = 0; i < 2; i++) {
		pid[i] = xfork();
		if (pid[i] == 0) {
			double end = now_s() + SPIN_MS / 1000.0;
			volatile unsigned long x = 0;

			while (now_s() < end)
				for (int k = 0; k < 1000; k++)
					x++;
			_exit((int)this_cpu());
		}
	}
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(waitpid(pid[i], &status, 0), pid[i]);
		CHECK(WIFEXITED(status));
		cpu[i] = WEXITSTATUS(status);
	}
	wall = now_s() - t0;
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &ru));
	cpu_s = rusage_s(&ru) - rusage_s(&before);
	printf("# two busy processes: %.0f ms CPU in %.0f ms wall, last on CPUs %d and %d\n",
	       cpu_s * 1000, wall * 1000, cpu[0], cpu[1]);
	/* a shared Linux host gives its CPUs to others; a guest's vCPU,
	 * preempted by its host, keeps its CPU time running */
	if (!on_cosmos())
		return;
	CHECK(cpu[0] != cpu[1]);
	CHECK(cpu_s >= 1.5 * (SPIN_MS / 1000.0));
	CHECK(wall < 1.5 * (SPIN_MS / 1000.0));
}
