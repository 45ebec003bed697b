/* Counting semaphores on the scheduler's wait queues; sem_up is safe from
 * interrupt handlers. */
#ifndef KERNEL_SYNC_SEMAPHORE_H
#define KERNEL_SYNC_SEMAPHORE_H

#include <stdint.h>
#include <cosmos/compiler.h>
#include <kernel/sched/wait.h>

/* Both fields: scheduler lock. */
struct semaphore {
	int64_t count;
	struct waitq wq;
};

void sem_init(struct semaphore *s, int64_t count);
/* Takes one unit, waiting until time_ns() >= deadline (0: forever);
 * 0, -ETIMEDOUT or -EDEADLK (then no unit was taken). */
int sem_down(struct semaphore *s, uint64_t deadline) __must_check;
void sem_up(struct semaphore *s);

#endif
