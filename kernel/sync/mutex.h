/* Sleeping locks: mutexes with owner tracking, counting semaphores and
 * condition variables, built on the scheduler's wait queues. Misuse (a
 * recursive lock, an unlock by a non-owner, blocking under a spinlock or
 * in an interrupt handler) is reported through sync_violation. */
#ifndef KERNEL_SYNC_MUTEX_H
#define KERNEL_SYNC_MUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/sched/wait.h>

/* All fields are protected by the scheduler lock. */
struct mutex {
	struct thread *owner;
	struct waitq wq;
	const char *name;
	uint64_t contended;       /* lock calls that had to wait */
};

void mutex_init(struct mutex *m, const char *name);
/* 0, or -EDEADLK when the caller already owns it or may not block. */
int mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
/* 0, or -EPERM when the caller is not the owner (reported). */
int mutex_unlock(struct mutex *m);
bool mutex_held(const struct mutex *m);   /* by the calling thread */

struct semaphore {
	int64_t count;
	struct waitq wq;
};

void sem_init(struct semaphore *s, int64_t count);
/* Takes one unit, waiting until time_ns() >= deadline (0: forever);
 * 0, -ETIMEDOUT or -EDEADLK. */
int sem_down(struct semaphore *s, uint64_t deadline);
bool sem_trydown(struct semaphore *s);
void sem_up(struct semaphore *s);          /* interrupt handlers may */

struct condvar {
	struct waitq wq;
};

void cond_init(struct condvar *c);
/* Releases m (which the caller must own), waits for a signal or the
 * deadline (0: none), takes m again. 0, -ETIMEDOUT, -EPERM or -EDEADLK.
 * Wake-ups may be spurious: re-check the condition in a loop. */
int cond_wait(struct condvar *c, struct mutex *m, uint64_t deadline);
void cond_signal(struct condvar *c);
void cond_broadcast(struct condvar *c);

#endif
