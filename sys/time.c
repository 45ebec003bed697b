/* Clocks: clock_gettime and clock_getres for the real-time, monotonic and
 * boot-time clocks (one TSC-based clock underneath, kernel/time.h) and the
 * CPU time of the calling process and thread. */
#include <cosmos/abi/misc.h>
#include <cosmos/errno.h>
#include <hal/platform.h>
#include <kernel/proc/process.h>
#include <kernel/time.h>
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
		return (int64_t)thread_current()->cpu_ns;
	}
	return -EINVAL;
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
