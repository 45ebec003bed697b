/* Mutexes: sleeping locks with an owner, built on the scheduler's wait
 * queues. Misuse (a recursive lock, an unlock by a non-owner, blocking
 * under a spinlock or in an interrupt handler) is reported through
 * sync_violation (kernel/sync/spinlock.h). */
#ifndef KERNEL_SYNC_MUTEX_H
#define KERNEL_SYNC_MUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <kernel/sched/wait.h>

#define MUTEX_WAITERS ((uintptr_t)1)   /* threads are 8-byte aligned */

/* owner is the owning thread's address, with MUTEX_WAITERS or'd in while
 * a thread sleeps (or is about to) in wq; it changes only by atomic
 * compare-and-swap, so an uncontended lock and unlock touch nothing else.
 * wq and contended: the scheduler lock. */
struct mutex {
	uintptr_t owner;
	struct waitq wq;
	const char *name;
	uint64_t contended;       /* lock calls that had to wait */
#ifdef CONFIG_LOCKDEP
	/* kernel/sync/lockdep.c's, written by the owner: the next mutex it
	 * holds, taken before this one; where and as which class it was taken. */
	struct mutex *ld_below;
	uint64_t ld_ip;
	uint16_t ld_class;
	bool ld_tracked;
#endif
};

void mutex_init(struct mutex *m, const char *name);
/* 0, or -EDEADLK (reported) when the caller already owns it or may not
 * block; then the caller does not hold it. */
int mutex_lock(struct mutex *m) __must_check;
/* Takes m if it is free, never waiting: true when the caller now holds
 * it (false also when the caller already does). Shrinkers use it. */
bool mutex_trylock(struct mutex *m);
/* 0, or -EPERM when the caller is not the owner (reported). */
int mutex_unlock(struct mutex *m);
bool mutex_held(const struct mutex *m);   /* by the calling thread */

/* For cond_wait, with the scheduler lock held: releases m if the caller
 * owns it (0, and wakes a waiter) or returns -EPERM. */
int mutex_release_locked(struct mutex *m);

#endif
