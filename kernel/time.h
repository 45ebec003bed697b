/* Kernel time: nanoseconds since the kernel started, monotonic. Backed by
 * the TSC (hal/tsc.c), calibrated against the PIT and then the HPET. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>
#include <hal/tsc.h>

static inline uint64_t time_ns(void)
{
	return tsc_time_ns();
}

#endif
