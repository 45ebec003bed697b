/* The vDSO: clock_gettime, gettimeofday and time for programs, computed in
 * ring 3 from the TSC and the kernel's data page (vdso_data.h), so they
 * cost no system call. Built as a small position-independent shared object
 * (vdso.lds) that exec maps into every program (kernel/exec/vdso.c); C
 * libraries find it through AT_SYSINFO_EHDR. Clocks it cannot compute
 * (CPU time, unknown ids) go to the system call, which also answers the
 * errors. */
#include <stddef.h>
#include <stdint.h>
#include "clock_scale.h"
#include "vdso_data.h"

#define NS 1000000000ull

#define SYS_gettimeofday  96
#define SYS_time          201
#define SYS_clock_gettime 228

#define CLOCK_REALTIME         0
#define CLOCK_MONOTONIC        1
#define CLOCK_MONOTONIC_RAW    4
#define CLOCK_REALTIME_COARSE  5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME         7

struct timespec64 { int64_t tv_sec, tv_nsec; };
struct timeval64 { int64_t tv_sec, tv_usec; };

/* Placed by vdso.lds one page below the image: the data page. */
extern const volatile struct vdso_data vdso_data __attribute__((visibility("hidden")));

static long syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	/* lfence keeps the read from moving above the seq load */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Nanoseconds since boot, plus the real-time offset when asked; false when
 * the kernel's clock is not usable from here. No division: the callers'
 * splits into seconds divide by a constant, which the compiler turns into
 * a multiply. */
static inline int read_clock(int real, int64_t *ns)
{
	uint32_t seq, shift;
	uint64_t ticks, mult, base;

	do {
		while ((seq = __atomic_load_n(&vdso_data.seq, __ATOMIC_ACQUIRE)) & 1)
			__asm__ volatile("pause");
		mult = vdso_data.mult;
		shift = vdso_data.shift;
		/* one register for both bases: fewer to save and restore */
		base = vdso_data.base_ns + (real ? (uint64_t)vdso_data.realtime_base_ns : 0);
		ticks = rdtsc_ordered() - vdso_data.base_tsc;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&vdso_data.seq, __ATOMIC_RELAXED) != seq);
	if (!mult)
		return 0;
	/* the same arithmetic as hal/tsc.c, so both give the same nanosecond */
	*ns = (int64_t)(base + clock_scale(ticks, mult, shift));
	return 1;
}

int __vdso_clock_gettime(int clock, struct timespec64 *ts)
{
	int64_t ns;
	int real;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		real = 1;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		real = 0;
		break;
	default:
		return (int)syscall2(SYS_clock_gettime, clock, (long)ts);
	}
	if (!read_clock(real, &ns))
		return (int)syscall2(SYS_clock_gettime, clock, (long)ts);
	/* the caller's pointer is the caller's to get right: a bad one faults
	 * here as it would in the caller's own code */
	ts->tv_sec = ns / (int64_t)NS;
	ts->tv_nsec = ns % (int64_t)NS;
	return 0;
}

int __vdso_gettimeofday(struct timeval64 *tv, void *tz)
{
	int64_t ns;

	if (tz || !read_clock(1, &ns))
		return (int)syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = ns / (int64_t)NS;
		tv->tv_usec = ns % (int64_t)NS / 1000;
	}
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	int64_t ns, s;

	if (!read_clock(1, &ns))
		return syscall2(SYS_time, (long)t, 0);
	s = ns / (int64_t)NS;
	if (t)
		*t = s;
	return s;
}

/* The names without the prefix, as Linux's vDSO exports them too. */
int clock_gettime(int, struct timespec64 *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval64 *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
