/* Hardware entropy for the kernel's random-number generator: RDSEED words
 * straight from the CPU's entropy source, and the raw cycle counter whose
 * jitter it samples. (RDRAND, a DRBG fed by the same source, is cpu_random
 * in hal/cpu.h.) */
#ifndef HAL_ENTROPY_H
#define HAL_ENTROPY_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/cpu.h>

/* A 64-bit seed if the CPU has RDSEED and it delivers. RDSEED fails when
 * the source is drained (more often than RDRAND), so it is retried with a
 * pause between tries. */
static inline bool entropy_seed(uint64_t *out)
{
	uint32_t r[4];
	unsigned char ok = 0;

	cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	cpuid(7, 0, r);
	if (!(r[1] & (1u << 18)))
		return false;
	for (int i = 0; i < 32 && !ok; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (!ok)
			cpu_pause();
	}
	return ok;
}

/* The cycle counter, unscaled: its low bits are what timing jitter moves. */
static inline uint64_t entropy_cycles(void)
{
	return rdtsc();
}

#endif
