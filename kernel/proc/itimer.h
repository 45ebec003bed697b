/* A process's real-time interval timer (ITIMER_REAL, which alarm also
 * sets): SIGALRM at a point in time, then every interval. */
#ifndef KERNEL_PROC_ITIMER_H
#define KERNEL_PROC_ITIMER_H

#include <stdint.h>

struct process;

/* Arms (value_ns > 0) or disarms (0) p's timer; *old_value and
 * *old_interval (may be NULL) get what was left of the previous setting. */
void itimer_real_set(struct process *p, uint64_t value_ns, uint64_t interval_ns,
		     uint64_t *old_value, uint64_t *old_interval);
void itimer_real_get(struct process *p, uint64_t *value_ns, uint64_t *interval_ns);

#endif
