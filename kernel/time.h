/* Kernel time: nanoseconds since the kernel started, monotonic. Backed by
 * hal's cycle clock (hal/tsc.c), whose rate platform discovery measures
 * against the best reference the machine has. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>
#include <hal/tsc.h>

static inline uint64_t time_ns(void)
{
	return tsc_time_ns();
}

#endif
