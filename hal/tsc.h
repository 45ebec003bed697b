/* The time-stamp counter as the kernel's clock until better timers exist. */
#ifndef HAL_TSC_H
#define HAL_TSC_H

#include <stdint.h>
#include <cosmos/compiler.h>

/* Records the TSC at kernel entry; call first thing. */
void tsc_early_init(void);
/* Measures the TSC rate (CPUID 0x15 if it reports one, the PIT otherwise). */
void tsc_calibrate(void);
/* Re-measures against the HPET and rebases the clock; 0 or -1. */
int tsc_calibrate_hpet(void) __must_check;
/* What the current rate was measured against: "HPET", "PIT", "CPUID". */
const char *tsc_source(void);
uint64_t tsc_hz(void);
uint64_t tsc_at_entry(void);
uint64_t tsc_to_ns(uint64_t ticks);
/* The clock's parameters: now = base_ns + ((rdtsc() - base_tsc) * mult >>
 * CLOCK_SCALE_SHIFT) (hal/vdso/clock_scale.h; mult 0 until calibrated); for
 * the vDSO's data page, which computes the same in ring 3. */
void tsc_clock_params(uint64_t *base_tsc, uint64_t *base_ns, uint64_t *mult);
/* Nanoseconds since kernel entry; 0 until calibrated; never goes back. */
uint64_t tsc_time_ns(void);

#endif
