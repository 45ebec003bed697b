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

/* What each clock id below 8 reads: its base's index in base_ns (bit 0,
 * 1 for the real time) or CLOCK_SYSCALL. A table read rather than a
 * switch: under TCG every branch ends a translation block and a variable
 * shift (a bit mask's test) costs flag bookkeeping, while a load is cheap. */
#define CLOCK_SYSCALL 2
static const uint8_t clock_kind[8] = {
	[CLOCK_REALTIME] = 1,
	[2] = CLOCK_SYSCALL,            /* CLOCK_PROCESS_CPUTIME_ID */
	[3] = CLOCK_SYSCALL,            /* CLOCK_THREAD_CPUTIME_ID */
	[CLOCK_MONOTONIC] = 0,
	[CLOCK_MONOTONIC_RAW] = 0,
	[CLOCK_REALTIME_COARSE] = 1,
	[CLOCK_MONOTONIC_COARSE] = 0,
	[CLOCK_BOOTTIME] = 0,
};

/* One pass over the data page: the clock in *ns (nanoseconds since boot
 * for kind 0, the real time for kind 1) and 0, or nonzero when the caller
 * must take read_clock_slow instead: kind CLOCK_SYSCALL, a rewrite under
 * way (seq odd or changed), or no clock (mult 0). Those conditions are
 * or-ed into one word so the usual path has a single branch. No division:
 * the callers' splits into seconds divide by a constant, which the
 * compiler turns into a multiply. */
static inline uint32_t read_clock_fast(unsigned kind, uint64_t *ns)
{
	uint32_t seq, seq2;
	uint64_t ticks, mult, base;

	seq = __atomic_load_n(&vdso_data.seq, __ATOMIC_ACQUIRE);
	mult = vdso_data.mult;
	base = vdso_data.base_ns[kind & 1];
	ticks = rdtsc_ordered() - vdso_data.base_tsc;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	seq2 = __atomic_load_n(&vdso_data.seq, __ATOMIC_RELAXED);
	/* the same arithmetic as hal/tsc.c, so both give the same nanosecond */
	*ns = base + clock_scale(ticks, mult, CLOCK_SCALE_SHIFT);
	return (kind & CLOCK_SYSCALL) | (seq & 1) | (seq ^ seq2) | (mult == 0);
}

/* What read_clock_fast could not answer: waits out the kernel's rewrite
 * and reads again; false when the caller must make the system call. */
static int read_clock_slow(unsigned kind, uint64_t *ns)
{
	uint32_t seq;
	uint64_t ticks, mult, base;

	if (kind & CLOCK_SYSCALL)
		return 0;
	do {
		while ((seq = __atomic_load_n(&vdso_data.seq, __ATOMIC_ACQUIRE)) & 1)
			__asm__ volatile("pause");
		mult = vdso_data.mult;
		base = vdso_data.base_ns[kind & 1];
		ticks = rdtsc_ordered() - vdso_data.base_tsc;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&vdso_data.seq, __ATOMIC_RELAXED) != seq);
	if (!mult)
		return 0;
	*ns = base + clock_scale(ticks, mult, CLOCK_SCALE_SHIFT);
	return 1;
}

/* The clock of kind (clock_kind) in *ns; false: make the system call. */
static inline int read_clock(unsigned kind, uint64_t *ns)
{
	return __builtin_expect(!read_clock_fast(kind, ns), 1) || read_clock_slow(kind, ns);
}

static inline unsigned clock_kind_of(int clock)
{
	unsigned c = (unsigned)clock;

	/* ids of 8 and up (CPU-time clocks of other threads, bad ids) go to
	 * the system call, which also answers the errors */
	return clock_kind[c & 7] | (c > 7 ? CLOCK_SYSCALL : 0);
}

/* The caller's pointer is the caller's to get right: a bad one faults
 * here as it would in the caller's own code. */
static inline void split_timespec(struct timespec64 *ts, uint64_t ns)
{
	ts->tv_sec = (int64_t)(ns / NS);
	ts->tv_nsec = (int64_t)(ns % NS);
}

/* __vdso_clock_gettime's way when read_clock_fast says no: out of line,
 * so the fast path keeps nothing in registers across a call and needs no
 * stack frame. */
static __attribute__((noinline)) int clock_gettime_slow(int clock, struct timespec64 *ts)
{
	uint64_t ns;

	if (!read_clock_slow(clock_kind_of(clock), &ns))
		return (int)syscall2(SYS_clock_gettime, clock, (long)ts);
	split_timespec(ts, ns);
	return 0;
}

int __vdso_clock_gettime(int clock, struct timespec64 *ts)
{
	uint64_t ns;

	if (__builtin_expect(read_clock_fast(clock_kind_of(clock), &ns), 0))
		return clock_gettime_slow(clock, ts);
	split_timespec(ts, ns);
	return 0;
}

int __vdso_gettimeofday(struct timeval64 *tv, void *tz)
{
	uint64_t ns;

	if (tz || !read_clock(1, &ns))
		return (int)syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (int64_t)(ns / NS);
		tv->tv_usec = (int64_t)(ns % NS / 1000);
	}
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	uint64_t ns;
	int64_t s;

	if (!read_clock(1, &ns))
		return syscall2(SYS_time, (long)t, 0);
	s = (int64_t)(ns / NS);
	if (t)
		*t = s;
	return s;
}

/* The names without the prefix, as Linux's vDSO exports them too. */
int clock_gettime(int, struct timespec64 *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval64 *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
