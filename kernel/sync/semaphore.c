/* Counting semaphores (see semaphore.h). */
#include <kernel/sync/semaphore.h>
#include <cosmos/errno.h>

void sem_init(struct semaphore *s, int64_t count)
{
	s->count = count;
	waitq_init(&s->wq);
}

int sem_down(struct semaphore *s, uint64_t deadline)
{
	uint64_t f;
	int err = 0;

	if (!sched_might_sleep())
		return -EDEADLK;
	f = sched_lock_irqsave();
	while (s->count <= 0 && err == 0)
		err = waitq_sleep_locked(&s->wq, deadline, 0);
	if (s->count > 0) {
		s->count--;
		err = 0;
	}
	sched_unlock_irqrestore(f);
	return err;
}

void sem_up(struct semaphore *s)
{
	uint64_t f = sched_lock_irqsave();

	s->count++;
	waitq_wake_one_locked(&s->wq);
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}
