/* A process's interval timers: ITIMER_REAL (which alarm also sets),
 * SIGALRM at a point in time, then every interval; ITIMER_VIRTUAL and
 * ITIMER_PROF, SIGVTALRM and SIGPROF after an amount of CPU time. CosmOS
 * does not split user from system time, so both count all of it; they are
 * checked on the way back to ring 3 (the scheduler's tick brings a busy
 * thread there every slice). */
#ifndef KERNEL_PROC_ITIMER_H
#define KERNEL_PROC_ITIMER_H

#include <stdint.h>

struct process;

/* Arms (value_ns > 0) or disarms (0) p's timer; *old_value and
 * *old_interval (may be NULL) get what was left of the previous setting. */
void itimer_real_set(struct process *p, uint64_t value_ns, uint64_t interval_ns,
		     uint64_t *old_value, uint64_t *old_interval);
void itimer_real_get(struct process *p, uint64_t *value_ns, uint64_t *interval_ns);
/* Disarms p's ITIMER_REAL for good (the process releases its resources). */
void itimer_release(struct process *p);

/* which: 0 ITIMER_VIRTUAL, 1 ITIMER_PROF. */
void itimer_cpu_set(struct process *p, int which, uint64_t value_ns, uint64_t interval_ns,
		    uint64_t *old_value, uint64_t *old_interval);
void itimer_cpu_get(struct process *p, int which, uint64_t *value_ns, uint64_t *interval_ns);
/* On the way to ring 3: sends what the CPU-time timers owe. */
void itimer_cpu_check(struct process *p);

#endif
