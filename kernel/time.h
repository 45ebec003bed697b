/* Kernel time: nanoseconds since the kernel started. Backed by the TSC
 * through hal/tsc.c; the timers issue moves calibration to the HPET. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

uint64_t time_ns(void);

#endif
