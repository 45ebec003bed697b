/* Mutexes (see mutex.h). Taking a free mutex and releasing one nobody
 * waits for are one compare-and-swap each, with no other lock. A thread
 * that must wait sets MUTEX_WAITERS and sleeps under the scheduler lock;
 * an unlock that finds the bit set takes that lock to wake it, so the
 * bit's setting and the sleep are atomic against that unlock and no
 * wake-up is lost. */
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

static bool cas(uintptr_t *w, uintptr_t old, uintptr_t new)
{
	return __atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* The waiting path, under the scheduler lock: 0 once the caller owns m. */
static int lock_slow(struct mutex *m, uintptr_t me)
{
	int err = 0;

	for (;;) {
		uintptr_t v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);

		if (v == 0) {
			/* others still asleep keep the bit set for our unlock */
			uintptr_t mine = me | (list_empty(&m->wq.entries) ? 0 : MUTEX_WAITERS);

			if (cas(&m->owner, 0, mine))
				return 0;
			continue;
		}
		if ((v & ~MUTEX_WAITERS) == me) {
			sync_violation("recursive mutex lock", m);
			return -EDEADLK;
		}
		if (!(v & MUTEX_WAITERS) && !cas(&m->owner, v, v | MUTEX_WAITERS))
			continue;
		m->contended++;
		err = waitq_sleep_locked(&m->wq, 0, 0);
		if (err)
			return err;
	}
}

int mutex_lock(struct mutex *m)
{
	uintptr_t me = (uintptr_t)thread_current();
	uint64_t f;
	int err;

	if (!sched_might_sleep())
		return -EDEADLK;
	lockdep_mutex_check(m, (uint64_t)__builtin_return_address(0));
	if (!cas(&m->owner, 0, me)) {
		f = sched_lock_irqsave();
		err = lock_slow(m, me);
		sched_unlock_irqrestore(f);
		if (err)
			return err;
	}
	lockdep_mutex_acquired(m, (uint64_t)__builtin_return_address(0));
	return 0;
}

bool mutex_trylock(struct mutex *m)
{
	if (!cas(&m->owner, 0, (uintptr_t)thread_current()))
		return false;
	lockdep_mutex_acquired(m, (uint64_t)__builtin_return_address(0));
	return true;
}

int mutex_release_locked(struct mutex *m)
{
	uintptr_t v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);

	if ((v & ~MUTEX_WAITERS) != (uintptr_t)thread_current())
		return -EPERM;
	lockdep_mutex_released(m);
	__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
	if (v & MUTEX_WAITERS)
		waitq_wake_one_locked(&m->wq);
	return 0;
}

int mutex_unlock(struct mutex *m)
{
	uintptr_t me = (uintptr_t)thread_current();
	uint64_t f;
	int err;

	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == me) {
		lockdep_mutex_released(m);
		if (cas(&m->owner, me, 0))
			return 0;
		/* a waiter set its bit between our load and the swap */
		f = sched_lock_irqsave();
		__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
		waitq_wake_one_locked(&m->wq);
		sched_unlock_irqrestore(f);
		sched_resched_if_needed(f);
		return 0;
	}
	f = sched_lock_irqsave();
	err = mutex_release_locked(m);
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
	uintptr_t v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);

	return v && (v & ~MUTEX_WAITERS) == (uintptr_t)thread_current();
}
