/* CPU-time clocks (kernel/proc/cpuclock.c): CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID and the ids clock_getcpuclockid and
 * pthread_getcpuclockid make, in Linux's encoding: (~pid << 3) | 2 for a
 * process, with 4 added for a thread (tid). The low two bits (PROF, VIRT,
 * SCHED) all read the total CPU time: CosmOS does not split user from
 * system time. */
#ifndef KERNEL_PROC_CPUCLOCK_H
#define KERNEL_PROC_CPUCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct process;

struct cpuclock {
	bool thread;       /* one thread's time, else its whole process's */
	int id;            /* pid or tid; 0: the caller's */
};

/* Is clock a CPU-time clock id (the fixed two, or a well-formed encoded
 * one)? Fills *c if so. */
bool cpuclock_decode(int clock, struct cpuclock *c);
/* Its reading in ns: 0, or -EINVAL when no such process or thread lives
 * (as Linux). Takes the process table lock. */
int cpuclock_read(const struct cpuclock *c, uint64_t *ns);
/* Is c a clock of p itself (its own process or one of its threads)? And
 * its reading, with sig_lock held (the thread list is stable under it);
 * 0 for a thread that has ended. For timers, which p's threads check on
 * their way back to ring 3. */
bool cpuclock_is_own(struct process *p, const struct cpuclock *c);
uint64_t cpuclock_read_sig_locked(struct process *p, const struct cpuclock *c);

#endif
