/* Condition variables over mutexes: cond_wait releases the mutex and
 * queues the caller under one lock, so no signal is lost between them. */
#ifndef KERNEL_SYNC_CONDVAR_H
#define KERNEL_SYNC_CONDVAR_H

#include <stdint.h>
#include <cosmos/compiler.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>

struct condvar {
	struct waitq wq;
};

void cond_init(struct condvar *c);
/* Releases m (which the caller must own), waits for a signal or the
 * deadline (0: none), takes m again. 0, -ETIMEDOUT, -EPERM (m not owned;
 * reported) or -EDEADLK (may not block here: m was never released). The
 * caller holds m on return unless it did not own it (-EPERM). Wake-ups
 * may be spurious: re-check the condition in a loop. */
int cond_wait(struct condvar *c, struct mutex *m, uint64_t deadline) __must_check;
/* The same, and -EINTR once thread_interrupt was called on the caller
 * (m is held again then too). */
int cond_wait_intr(struct condvar *c, struct mutex *m, uint64_t deadline) __must_check;
void cond_signal(struct condvar *c);
void cond_broadcast(struct condvar *c);

#endif
