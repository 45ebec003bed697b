/* Clocks and time calls: clock_gettime and clock_getres for the real-time,
 * monotonic and boot-time clocks (one TSC-based clock underneath,
 * kernel/time.h) and the CPU time of the calling process and thread;
 * gettimeofday and time; nanosleep and clock_nanosleep (interrupted by
 * signals, with the time left); alarm, setitimer and getitimer for
 * the three interval timers (kernel/proc/itimer.h). */
#include <cosmos/abi/misc.h>
#include <cosmos/errno.h>
#include <hal/platform.h>
#include <cosmos/abi/resource.h>
#include <kernel/proc/cpuclock.h>
#include <kernel/proc/itimer.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/time.h>
#include <sys/sys.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7

#define NS 1000000000ull

/* Another process's or thread's CPU-time clock (clock_getcpuclockid,
 * pthread_getcpuclockid): its time, or -EINVAL. */
static int64_t cpu_clock_ns(int clock)
{
	struct cpuclock c;
	uint64_t ns;

	if (!cpuclock_decode(clock, &c) || cpuclock_read(&c, &ns))
		return -EINVAL;
	return (int64_t)ns;
}

/* The clock's time in ns, or -EINVAL for a clock CosmOS does not have. */
static int64_t clock_ns(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		return platform_boot_unix_time() * (int64_t)NS + (int64_t)time_ns();
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return (int64_t)time_ns();
	case CLOCK_PROCESS_CPUTIME_ID:
		return (int64_t)process_cpu_ns(process_current());
	case CLOCK_THREAD_CPUTIME_ID:
		return (int64_t)sched_thread_cpu_ns(thread_current());
	}
	return cpu_clock_ns(clock);
}

long sys_clock_gettime(int clock, uptr_t ts)
{
	int64_t ns = clock_ns(clock);
	struct abi_timespec t;

	if (ns == -EINVAL)
		return -EINVAL;
	t.tv_sec = ns / (int64_t)NS;
	t.tv_nsec = ns % (int64_t)NS;
	return copy_to_user(ts, &t, sizeof(t));
}

long sys_clock_getres(int clock, uptr_t ts)
{
	struct abi_timespec t = { 0, 1 };

	if (clock_ns(clock) == -EINVAL)
		return -EINVAL;
	if (!uptr_is_null(ts) && copy_to_user(ts, &t, sizeof(t)))
		return -EFAULT;
	return 0;
}

/* Up to about 292 years; later is "never" for a sleep. */
uint64_t sys_timespec_ns(const struct abi_timespec *t)
{
	if ((uint64_t)t->tv_sec >= UINT64_MAX / NS - 1)
		return UINT64_MAX / 2;
	return (uint64_t)t->tv_sec * NS + (uint64_t)t->tv_nsec;
}

static bool timespec_valid(const struct abi_timespec *t)
{
	return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < (int64_t)NS;
}

static struct abi_timespec ns_timespec(uint64_t ns)
{
	return (struct abi_timespec){ (int64_t)(ns / NS), (int64_t)(ns % NS) };
}

/* Sleeps until the monotonic deadline; on a signal, stores the time left
 * in rem (if not NULL) and returns -EINTR. */
static long sleep_until(uint64_t deadline, uptr_t rem)
{
	int err = signal_sleep(deadline);
	uint64_t now;
	struct abi_timespec left;

	if (err == -ETIMEDOUT || err == 0)
		return 0;
	if (err != -EINTR)
		return err;
	now = time_ns();
	left = ns_timespec(deadline > now ? deadline - now : 0);
	if (!uptr_is_null(rem) && copy_to_user(rem, &left, sizeof(left)))
		return -EFAULT;
	return -EINTR;
}

long sys_nanosleep(uptr_t req, uptr_t rem)
{
	struct abi_timespec t;

	if (copy_from_user(&t, req, sizeof(t)))
		return -EFAULT;
	if (!timespec_valid(&t))
		return -EINVAL;
	return sleep_until(time_ns() + sys_timespec_ns(&t), rem);
}

#define TIMER_ABSTIME 1
/* How long a sleep on a CPU-time clock waits before it looks again: the
 * clock may run faster than the wall clock with threads on several CPUs. */
#define CPU_SLEEP_STEP (10ull * 1000 * 1000)

/* clock_nanosleep on a CPU-time clock: until its reading reaches the
 * deadline (Linux: EINVAL for the calling thread's own clock, which
 * cannot advance while it sleeps). */
static long cpu_sleep(const struct cpuclock *c, unsigned flags, uint64_t ns, uptr_t rem)
{
	uint64_t now, deadline;
	int err;

	if (c->thread && (c->id == 0 || c->id == thread_current()->tid))
		return -EINVAL;
	if (cpuclock_read(c, &now))
		return -EINVAL;
	deadline = (flags & TIMER_ABSTIME) ? ns : now + ns;
	while (now < deadline) {
		uint64_t step = deadline - now < CPU_SLEEP_STEP ? deadline - now : CPU_SLEEP_STEP;

		err = signal_sleep(time_ns() + step);
		if (err == -EINTR) {
			struct abi_timespec left = ns_timespec(deadline - now);

			if (!(flags & TIMER_ABSTIME) && !uptr_is_null(rem) &&
			    copy_to_user(rem, &left, sizeof(left)))
				return -EFAULT;
			return -EINTR;
		}
		if (err && err != -ETIMEDOUT)
			return err;
		if (cpuclock_read(c, &now))
			return 0;          /* it ended: its clock stops */
	}
	return 0;
}

long sys_clock_nanosleep(int clock, unsigned int flags, uptr_t req, uptr_t rem)
{
	struct abi_timespec t;
	uint64_t now = time_ns(), deadline, ns;
	int64_t offset;   /* the clock's reading minus the monotonic one */
	struct cpuclock cc;
	bool cpu = false;

	switch (clock) {
	case CLOCK_REALTIME:
		offset = clock_ns(CLOCK_REALTIME) - (int64_t)now;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		offset = 0;
		break;
	default:
		if (!cpuclock_decode(clock, &cc))
			return -EINVAL;
		offset = 0;
		cpu = true;
		break;
	}
	if (flags & ~(unsigned)TIMER_ABSTIME)
		return -EINVAL;
	if (copy_from_user(&t, req, sizeof(t)))
		return -EFAULT;
	if (!timespec_valid(&t))
		return -EINVAL;
	ns = sys_timespec_ns(&t);
	if (cpu)
		return cpu_sleep(&cc, flags, ns, rem);
	if (!(flags & TIMER_ABSTIME))
		return sleep_until(now + ns, rem);
	/* an absolute time: rem is not written (POSIX) */
	if ((int64_t)ns - offset <= (int64_t)now)
		return 0;
	deadline = (uint64_t)((int64_t)ns - offset);
	return sleep_until(deadline, uptr(0));
}

long sys_gettimeofday(uptr_t tv, uptr_t tz)
{
	int64_t ns = clock_ns(CLOCK_REALTIME);
	struct abi_timeval t = { ns / (int64_t)NS, (ns % (int64_t)NS) / 1000 };
	int32_t zone[2] = { 0, 0 };   /* struct timezone: UTC, no DST */

	if (!uptr_is_null(tv) && copy_to_user(tv, &t, sizeof(t)))
		return -EFAULT;
	if (!uptr_is_null(tz) && copy_to_user(tz, zone, sizeof(zone)))
		return -EFAULT;
	return 0;
}

long sys_time(uptr_t tloc)
{
	int64_t s = clock_ns(CLOCK_REALTIME) / (int64_t)NS;

	if (!uptr_is_null(tloc) && copy_to_user(tloc, &s, sizeof(s)))
		return -EFAULT;
	return s;
}

long sys_alarm(unsigned int seconds)
{
	uint64_t old;

	itimer_real_set(process_current(), (uint64_t)seconds * NS, 0, &old, 0);
	/* Linux rounds to the nearest second, and never says 0 for an armed one */
	if (!old)
		return 0;
	return (long)((old + NS / 2) / NS) ?: 1;
}

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

struct itimerval {
	struct abi_timeval it_interval, it_value;
};

static struct abi_timeval ns_timeval(uint64_t ns)
{
	return (struct abi_timeval){ (int64_t)(ns / NS), (int64_t)(ns % NS) / 1000 };
}

static bool timeval_ns(const struct abi_timeval *t, uint64_t *ns)
{
	if (t->tv_sec < 0 || t->tv_usec < 0 || t->tv_usec >= 1000000 ||
	    (uint64_t)t->tv_sec >= UINT64_MAX / NS - 1)
		return false;
	*ns = (uint64_t)t->tv_sec * NS + (uint64_t)t->tv_usec * 1000;
	return true;
}

long sys_getitimer(int which, uptr_t value)
{
	struct itimerval v;
	uint64_t left, interval;

	if (which == ITIMER_REAL)
		itimer_real_get(process_current(), &left, &interval);
	else if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
		itimer_cpu_get(process_current(), which - 1, &left, &interval);
	else
		return -EINVAL;
	v.it_value = ns_timeval(left);
	v.it_interval = ns_timeval(interval);
	return copy_to_user(value, &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_setitimer(int which, uptr_t value, uptr_t ovalue)
{
	struct itimerval v = { 0 }, o;
	uint64_t ns, interval, left, old_interval;

	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	if (!uptr_is_null(value) && copy_from_user(&v, value, sizeof(v)))
		return -EFAULT;
	if (!timeval_ns(&v.it_value, &ns) || !timeval_ns(&v.it_interval, &interval))
		return -EINVAL;
	if (which == ITIMER_REAL)
		itimer_real_set(process_current(), ns, interval, &left, &old_interval);
	else
		itimer_cpu_set(process_current(), which - 1, ns, interval, &left, &old_interval);
	o.it_value = ns_timeval(left);
	o.it_interval = ns_timeval(old_interval);
	if (!uptr_is_null(ovalue) && copy_to_user(ovalue, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}
