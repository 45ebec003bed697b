/* The vDSO's data page: what the kernel keeps current for the clock
 * functions of the vDSO (hal/vdso/vdso.c), mapped read-only into every
 * program just below the vDSO's image. Shared by the kernel (which writes
 * it) and the vDSO (which reads it), so plain fixed-width fields only. */
#ifndef HAL_VDSO_VDSO_DATA_H
#define HAL_VDSO_VDSO_DATA_H

#include <stdint.h>

/* The clock in nanoseconds since boot is base_ns[0] + clock_scale(rdtsc()
 * - base_tsc, mult, CLOCK_SCALE_SHIFT) (clock_scale.h), as hal/tsc.c
 * computes it; base_ns[1] is the same base plus the real-time offset, so
 * a reader picks its clock's base by index instead of adding under a
 * branch. seq is odd while the kernel rewrites the rest (a reader that
 * sees it odd, or changed across its reads, reads again). mult 0 means
 * "no usable clock: make the system call". */
struct vdso_data {
	uint32_t seq;
	uint32_t pad;
	uint64_t base_tsc;
	uint64_t mult;
	uint64_t base_ns[2];   /* [0] monotonic, [1] real time */
};

#endif
