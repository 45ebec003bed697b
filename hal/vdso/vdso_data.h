/* The vDSO's data page: what the kernel keeps current for the clock
 * functions of the vDSO (hal/vdso/vdso.c), mapped read-only into every
 * program just below the vDSO's image. Shared by the kernel (which writes
 * it) and the vDSO (which reads it), so plain fixed-width fields only. */
#ifndef HAL_VDSO_VDSO_DATA_H
#define HAL_VDSO_VDSO_DATA_H

#include <stdint.h>

/* The clock in nanoseconds since boot is base_ns + clock_scale(rdtsc() -
 * base_tsc, mult, shift) (clock_scale.h), as hal/tsc.c computes it; the
 * real time adds realtime_base_ns. seq is odd while the kernel rewrites
 * the rest (a reader that sees it odd, or changed across its reads, reads
 * again). mult 0 means "no usable clock: make the system call". */
struct vdso_data {
	uint32_t seq;
	uint32_t shift;
	uint64_t base_tsc;
	uint64_t base_ns;
	uint64_t mult;
	int64_t realtime_base_ns;
};

#endif
