/* Mutexes (see mutex.h). Everything is done under the scheduler lock, so
 * checking the owner and going to sleep are atomic against an unlock. */
#include <kernel/sync/mutex.h>
#include <cosmos/errno.h>
#include <kernel/sync/lockdep.h>
#include <kernel/sync/spinlock.h>
#include <kernel/sched/thread.h>

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = 0;
	m->name = name;
	m->contended = 0;
#ifdef CONFIG_LOCKDEP
	m->ld_below = 0;
	m->ld_tracked = false;
#endif
	waitq_init(&m->wq);
}

int mutex_lock(struct mutex *m)
{
	struct thread *me = thread_current();
	uint64_t f;
	int err = 0;

	if (!sched_might_sleep())
		return -EDEADLK;
	lockdep_mutex_check(m, (uint64_t)__builtin_return_address(0));
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
	if (err == 0) {
		m->owner = me;
		lockdep_mutex_acquired(m, (uint64_t)__builtin_return_address(0));
	}
	sched_unlock_irqrestore(f);
	return err;
}

int mutex_release_locked(struct mutex *m)
{
	if (m->owner != thread_current())
		return -EPERM;
	m->owner = 0;
	lockdep_mutex_released(m);
	waitq_wake_one_locked(&m->wq);
	return 0;
}

int mutex_unlock(struct mutex *m)
{
	uint64_t f = sched_lock_irqsave();
	int err = mutex_release_locked(m);

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
