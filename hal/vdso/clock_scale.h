/* TSC ticks to nanoseconds by a multiply and a shift: the one arithmetic
 * of both the kernel's clock (hal/tsc.c) and the vDSO's (hal/vdso/vdso.c),
 * so the system call and the vDSO never disagree by a nanosecond. Plain
 * inline C with no kernel headers, as the vDSO and host tests build it. */
#ifndef HAL_VDSO_CLOCK_SCALE_H
#define HAL_VDSO_CLOCK_SCALE_H

#include <stdint.h>

/* ns = ticks * mult >> CLOCK_SCALE_SHIFT. A shift of 32 keeps the
 * rounding error of mult below one part in 2^32 / (1e9 / hz), about 0.35
 * ns a second at 3 GHz: far inside the calibration's 0.1%. 1e9 << 32 still
 * fits 64 bits, so mult needs no wider division. */
#define CLOCK_SCALE_SHIFT 32

/* The multiplier for hz ticks a second, rounded to nearest; 0 (no usable
 * clock) for hz 0 or a rate too fast for a nonzero multiplier. */
static inline uint64_t clock_scale_mult(uint64_t hz)
{
	const uint64_t ns_shifted = 1000000000ull << CLOCK_SCALE_SHIFT;

	if (!hz || hz > ns_shifted)
		return 0;
	return (ns_shifted + hz / 2) / hz;
}

/* The product is taken in 128 bits (one mul instruction), so ticks since
 * the base never overflow it: the base needs no periodic refresh, and the
 * 64-bit result lasts 584 years of uptime. No division anywhere. */
static inline uint64_t clock_scale(uint64_t ticks, uint64_t mult, uint32_t shift)
{
	return (uint64_t)(((unsigned __int128)ticks * mult) >> shift);
}

#endif
