/* Mutexes, semaphores and condition variables (see mutex.h). Everything
 * is done under the scheduler lock, so checking and sleeping are atomic
 * against wake-ups from other threads and interrupt handlers. */
#include <kernel/sync/mutex.h>
#include <cosmos/errno.h>
#include <kernel/sync/spinlock.h>

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = 0;
	m->name = name;
	m->contended = 0;
	waitq_init(&m->wq);
}

int mutex_lock(struct mutex *m)
{
	struct thread *me = thread_current();
	uint64_t f;
	int err = 0;

	if (!sched_might_sleep())
		return -EDEADLK;
	f = sched_lock_irqsave();
	if (m->owner == me) {
		sched_unlock_irqrestore(f);
		sync_violation("recursive mutex lock", m);
		return -EDEADLK;
	}
	if (m->owner)
		m->contended++;
	while (m->owner && err == 0)
		err = waitq_sleep_locked(&m->wq, 0, 0);
	if (err == 0)
		m->owner = me;
	sched_unlock_irqrestore(f);
	return err;
}

bool mutex_trylock(struct mutex *m)
{
	uint64_t f = sched_lock_irqsave();
	bool ok = !m->owner;

	if (ok)
		m->owner = thread_current();
	sched_unlock_irqrestore(f);
	return ok;
}

/* Scheduler lock held. */
static int unlock_locked(struct mutex *m)
{
	if (m->owner != thread_current())
		return -EPERM;
	m->owner = 0;
	waitq_wake_one_locked(&m->wq);
	return 0;
}

int mutex_unlock(struct mutex *m)
{
	uint64_t f = sched_lock_irqsave();
	int err = unlock_locked(m);

	sched_unlock_irqrestore(f);
	if (err) {
		sync_violation("mutex unlocked by a thread that does not own it", m);
		return err;
	}
	sched_resched_if_needed(f);
	return 0;
}

bool mutex_held(const struct mutex *m)
{
	return m->owner && m->owner == thread_current();
}

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

bool sem_trydown(struct semaphore *s)
{
	uint64_t f = sched_lock_irqsave();
	bool ok = s->count > 0;

	if (ok)
		s->count--;
	sched_unlock_irqrestore(f);
	return ok;
}

void sem_up(struct semaphore *s)
{
	uint64_t f = sched_lock_irqsave();

	s->count++;
	waitq_wake_one_locked(&s->wq);
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}

void cond_init(struct condvar *c) { waitq_init(&c->wq); }

int cond_wait(struct condvar *c, struct mutex *m, uint64_t deadline)
{
	uint64_t f;
	int err;

	if (!sched_might_sleep())
		return -EDEADLK;
	f = sched_lock_irqsave();

	/* Releasing the mutex and joining the queue under one lock: a signal
	 * sent after the release finds this thread waiting. */
	if (unlock_locked(m)) {
		sched_unlock_irqrestore(f);
		sync_violation("condition wait without owning the mutex", m);
		return -EPERM;
	}
	err = waitq_sleep_locked(&c->wq, deadline, 0);
	sched_unlock_irqrestore(f);
	mutex_lock(m);
	return err;
}

void cond_signal(struct condvar *c) { waitq_wake_one(&c->wq); }
void cond_broadcast(struct condvar *c) { waitq_wake_all(&c->wq); }
