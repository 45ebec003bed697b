/* Condition variables (see condvar.h). */
#include <kernel/sync/condvar.h>
#include <cosmos/errno.h>
#include <kernel/panic.h>
#include <kernel/sync/spinlock.h>

void cond_init(struct condvar *c) { waitq_init(&c->wq); }

static int wait(struct condvar *c, struct mutex *m, uint64_t deadline, unsigned flags)
{
	uint64_t f;
	int err, relock;

	if (!sched_might_sleep())
		return -EDEADLK;
	f = sched_lock_irqsave();
	/* Releasing the mutex and joining the queue under one lock: a signal
	 * sent after the release finds this thread waiting. */
	if (mutex_release_locked(m)) {
		sched_unlock_irqrestore(f);
		sync_violation("condition wait without owning the mutex", m);
		return -EPERM;
	}
	err = waitq_sleep_locked(&c->wq, deadline, flags);
	sched_unlock_irqrestore(f);
	/* This thread may block (checked above) and does not own m (released
	 * above): a failure here is the lock code's own bug. */
	relock = mutex_lock(m);
	if (relock)
		panic("cond_wait: cannot take %s again (%d)", m->name, relock);
	return err;
}

int cond_wait(struct condvar *c, struct mutex *m, uint64_t deadline)
{
	return wait(c, m, deadline, 0);
}

int cond_wait_intr(struct condvar *c, struct mutex *m, uint64_t deadline)
{
	return wait(c, m, deadline, WAIT_INTERRUPTIBLE);
}

void cond_signal(struct condvar *c) { waitq_wake_one(&c->wq); }
void cond_broadcast(struct condvar *c) { waitq_wake_all(&c->wq); }
