/* Frame-pointer stack walking (the kernel keeps frame pointers). */
#ifndef HAL_STACKTRACE_H
#define HAL_STACKTRACE_H

#include <stdint.h>

/* Fills pcs with up to max return addresses, starting from frame rbp;
 * stops at a NULL or implausible frame. Returns the count. */
int stacktrace_walk(uint64_t rbp, uint64_t *pcs, int max);
uint64_t stacktrace_current_fp(void);

#endif
