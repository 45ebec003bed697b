/* Waiting (see wait.h): entries in wait queues, the sleep that ends when
 * one of its entries is woken, at a deadline or at an interrupt, and
 * completions and plain sleeping on top of it. */
#include <kernel/sched/wait.h>
#include <cosmos/errno.h>
#include <kernel/sched/internal.h>
#include <kernel/time.h>
#include <kernel/timer.h>

void waitq_init(struct waitq *wq)
{
	list_init(&wq->entries);
	wq->wakes = 0;
}

uint64_t waitq_wakes(const struct waitq *wq) { return __atomic_load_n(&wq->wakes, __ATOMIC_ACQUIRE); }

/* Lock held for everything below unless a function takes it itself. */

/* Ends t's wait, if it is in one: t runs again (sync: see
 * waitq_wake_all_sync). */
static void end_wait(struct thread *t, bool sync)
{
	if (!t->waiting)
		return;
	t->waiting = false;
	if (sync)
		sched_make_ready_sync(t);
	else
		sched_make_ready(t);
}

/* Marks e woken and ends its thread's sleep if the thread sleeps on it.
 * False if e was already woken (its thread has not looked yet). */
static bool entry_wake(struct wait_entry *e, bool sync)
{
	if (e->woken)
		return false;
	e->woken = true;
	if (e->armed)
		end_wait(e->thread, sync);
	return true;
}

/* Entries of multi-queue waits go first, single sleepers after them in
 * arrival order, so a wake-one walks the former and stops at the first
 * of the latter it wakes. */
static void entry_add(struct wait_entry *e, struct waitq *wq, bool exclusive)
{
	e->wq = wq;
	e->thread = thread_current();
	e->woken = false;
	e->armed = false;
	e->exclusive = exclusive;
	if (exclusive)
		list_add_tail(&wq->entries, &e->node);
	else
		list_add(&wq->entries, &e->node);
}

static void entry_remove(struct wait_entry *e)
{
	if (!e->wq)
		return;
	list_del(&e->node);
	e->wq = 0;
}

int waitq_wake_one_locked(struct waitq *wq)
{
	int n = 0;

	__atomic_store_n(&wq->wakes, wq->wakes + 1, __ATOMIC_RELEASE);
	list_for_each(node, &wq->entries) {
		struct wait_entry *e = list_entry(node, struct wait_entry, node);

		if (entry_wake(e, false)) {
			n++;
			if (e->exclusive)
				break;
		}
	}
	return n;
}

static int wake_all_locked(struct waitq *wq, bool sync)
{
	int n = 0;

	__atomic_store_n(&wq->wakes, wq->wakes + 1, __ATOMIC_RELEASE);
	list_for_each(node, &wq->entries)
		n += entry_wake(list_entry(node, struct wait_entry, node), sync);
	return n;
}

int waitq_wake_all_locked(struct waitq *wq) { return wake_all_locked(wq, false); }
int waitq_wake_all_sync_locked(struct waitq *wq) { return wake_all_locked(wq, true); }

int waitq_wake_one(struct waitq *wq)
{
	uint64_t f = sched_lock_irqsave();
	int n = waitq_wake_one_locked(wq);

	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return n;
}

static int wake_all(struct waitq *wq, bool sync)
{
	uint64_t f = sched_lock_irqsave();
	int n = wake_all_locked(wq, sync);

	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return n;
}

int waitq_wake_all(struct waitq *wq) { return wake_all(wq, false); }
int waitq_wake_all_sync(struct waitq *wq) { return wake_all(wq, true); }

static int wake_hand_off_locked(struct waitq *wq, struct thread *t)
{
	int n = waitq_wake_all_sync_locked(wq);

	if (t)
		sched_hand_off_locked(t);
	return n;
}

int waitq_wake_all_hand_off(struct waitq *wq, struct thread *t)
{
	uint64_t f = sched_lock_irqsave();
	int n = wake_hand_off_locked(wq, t);

	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return n;
}

static void timeout_fired(struct timer_event *ev, void *ctx)
{
	uint64_t f = sched_lock_irqsave();

	(void)ev;
	end_wait(ctx, false);
	sched_unlock_irqrestore(f);
}

static bool any_woken(const struct wait_entry *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (e[i].woken)
			return true;
	return false;
}

static void arm(struct wait_entry *e, unsigned n, bool on)
{
	for (unsigned i = 0; i < n; i++)
		e[i].armed = on;
}

/* The directed switch's half of a wake: ends the wait of to, asleep on
 * wq, without making it ready, so that the caller, about to block,
 * switches straight to it. The other entries of wq are left alone (what
 * the caller did concerns to alone). False, nothing changed, when to is
 * not asleep on wq or may not take this CPU now (sched_can_switch_to). */
static bool take_sleeper(struct waitq *wq, struct thread *to)
{
	if (!to->waiting || !sched_can_switch_to(to))
		return false;
	list_for_each(node, &wq->entries) {
		struct wait_entry *e = list_entry(node, struct wait_entry, node);

		if (e->thread == to && e->armed) {
			e->woken = true;
			to->waiting = false;
			return true;
		}
	}
	return false;
}

/* The one sleep everything else is built on (see wait_entries_sleep).
 * With to (waitq_sleep_switch_locked): the caller's wake of to_wq, made
 * here, as a directed switch to to when this sleep blocks and to can take
 * the CPU, as waitq_wake_all_hand_off otherwise. Inlined into its two
 * callers below, so that the plain sleep's copy has no trace of to. */
static inline __attribute__((always_inline)) int
sleep_to(struct wait_entry *e, unsigned n, uint64_t deadline, unsigned flags,
	 struct waitq *to_wq, struct thread *to)
{
	struct thread *t = thread_current();
	bool intr = flags & WAIT_INTERRUPTIBLE;
	bool block;
	int err = 0;

	if (!sched_may_block(1)) {
		if (to)
			wake_hand_off_locked(to_wq, to);
		return -EDEADLK;
	}
	block = !any_woken(e, n) && !(intr && t->interrupted) &&
		!(deadline && deadline <= time_ns());
	if (to && !(block && take_sleeper(to_wq, to))) {
		wake_hand_off_locked(to_wq, to);
		to = 0;
	}
	if (block) {
		arm(e, n, true);
		t->waiting = true;
		t->wait_intr = intr;
		if (deadline)
			timer_event_add(&t->timeout, deadline, timeout_fired, t);
		t->state = THREAD_BLOCKED;
		if (to)
			sched_switch_direct(to);
		else
			sched_switch_locked();
		/* the scheduler lock is held, which the callback takes: no
		 * waiting for it here (a late one finds the wait over;
		 * thread_free waits for it) */
		if (deadline)
			timer_event_cancel_nowait(&t->timeout);
		arm(e, n, false);
	}
	/* None of the three when an interrupt was cleared before this thread
	 * ran again: 0, and the caller looks again. */
	if (any_woken(e, n))
		err = 0;
	else if (intr && t->interrupted)
		err = -EINTR;
	else if (deadline && deadline <= time_ns())
		err = -ETIMEDOUT;
	for (unsigned i = 0; i < n; i++)
		e[i].woken = false;
	return err;
}

static int sleep_locked(struct wait_entry *e, unsigned n, uint64_t deadline, unsigned flags)
{
	return sleep_to(e, n, deadline, flags, 0, 0);
}

int waitq_sleep_locked(struct waitq *wq, uint64_t deadline, unsigned flags)
{
	struct wait_entry e;
	int err;

	entry_add(&e, wq, true);
	err = sleep_locked(&e, 1, deadline, flags);
	entry_remove(&e);
	return err;
}

int waitq_sleep_switch_locked(struct waitq *wq, uint64_t deadline, unsigned flags,
			      struct waitq *to_wq, struct thread *to)
{
	struct wait_entry e;
	int err;

	entry_add(&e, wq, true);
	err = sleep_to(&e, 1, deadline, flags, to_wq, to);
	entry_remove(&e);
	return err;
}

void wait_entry_add(struct wait_entry *e, struct waitq *wq)
{
	uint64_t f = sched_lock_irqsave();

	entry_add(e, wq, false);
	sched_unlock_irqrestore(f);
}

void wait_entry_remove(struct wait_entry *e)
{
	uint64_t f = sched_lock_irqsave();

	entry_remove(e);
	sched_unlock_irqrestore(f);
}

int wait_entries_sleep(struct wait_entry *e, unsigned n, uint64_t deadline, unsigned flags)
{
	uint64_t f = sched_lock_irqsave();
	int err = sleep_locked(e, n, deadline, flags);

	sched_unlock_irqrestore(f);
	return err;
}

void thread_interrupt(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();

	t->interrupted = true;
	thread_ret_work_set(t);   /* before the kick below */
	if (t->wait_intr)
		end_wait(t, false);
	sched_kick_running(t);
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}

void thread_clear_interrupt(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();

	t->interrupted = false;
	sched_unlock_irqrestore(f);
}

int thread_sleep_until(uint64_t deadline)
{
	uint64_t f;
	int err = 0;

	if (!sched_may_block(0))
		return -EDEADLK;
	f = sched_lock_irqsave();
	while (err == 0 && time_ns() < deadline)
		err = sleep_locked(0, 0, deadline, 0);
	sched_unlock_irqrestore(f);
	return err == -ETIMEDOUT ? 0 : err;
}

int thread_sleep_ns(uint64_t ns) { return thread_sleep_until(time_ns() + ns); }

void completion_init(struct completion *c)
{
	waitq_init(&c->wq);
	c->done = 0;
}

void complete(struct completion *c)
{
	uint64_t f = sched_lock_irqsave();

	c->done++;
	waitq_wake_one_locked(&c->wq);
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}

int completion_wait(struct completion *c, uint64_t deadline)
{
	uint64_t f;
	int err = 0;

	if (!sched_might_sleep())
		return -EDEADLK;
	f = sched_lock_irqsave();
	while (!c->done && err == 0)
		err = waitq_sleep_locked(&c->wq, deadline, 0);
	if (c->done) {
		c->done--;
		err = 0;
	}
	sched_unlock_irqrestore(f);
	return err;
}
