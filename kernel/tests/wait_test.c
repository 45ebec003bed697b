/* Wait ktests: interruptible and non-interruptible waits against
 * thread_interrupt, one thread waiting on several queues, wake-one with
 * pollers and sleepers on one queue, and wakes that come before the sleep.
 * The waiting threads run one level above the test, on its CPU (CPU 0),
 * so each runs as soon as it is created or woken, up to its next wait:
 * no polling needed.
 * Every wait has a deadline, so a broken wake fails a check instead of
 * hanging the run. */
#include <cosmos/errno.h>
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>

#define LONG_NS 2000000000ull     /* the deadline a working wake beats */

static struct {
	struct waitq q[3];
	volatile bool flag[3];
	int err[3];
	int saw;                  /* the queue whose flag ended the wait */
	uint64_t took_ns;
} w;

static void reset(void)
{
	for (int i = 0; i < 3; i++) {
		waitq_init(&w.q[i]);
		w.flag[i] = false;
		w.err[i] = 1;
	}
	w.saw = -1;
	w.took_ns = 0;
}

/* The test and its waiters share CPU 0: with several CPUs a waiter would
 * run on another at once, in parallel, not before the test goes on. */
static struct thread *start_above(struct ktest_ctx *t, void (*fn)(void *), void *arg)
{
	struct thread *th;

	ktest_pin_boot_cpu(t);
	th = thread_create("waiter", fn, arg, thread_current()->prio + 1, THREAD_SUSPENDED);
	if (th) {
		KT_EXPECT_EQ(t, thread_set_cpu(th, 0), 0);
		thread_resume(th);
	}
	return th;
}

/* Is t asleep in a wait right now? */
static bool asleep(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();
	bool r = t->waiting;

	sched_unlock_irqrestore(f);
	return r;
}

static void intr_waiter(void *arg)
{
	uint64_t t0 = time_ns();

	(void)arg;
	w.err[0] = waitq_wait_event_intr(&w.q[0], w.flag[0], t0 + LONG_NS);
	w.took_ns = time_ns() - t0;
	/* still interrupted: the next interruptible wait ends at once */
	w.err[1] = waitq_wait_event_intr(&w.q[0], w.flag[0], time_ns() + LONG_NS);
	/* cleared: waits run to their deadline again */
	thread_clear_interrupt(thread_current());
	w.err[2] = waitq_wait_event_intr(&w.q[0], w.flag[0], time_ns() + 2000000);
}

KTEST(wait_intr_ended_by_thread_interrupt)
{
	struct thread *th;

	reset();
	th = start_above(t, intr_waiter, 0);
	KT_ASSERT(t, th);
	KT_EXPECT(t, asleep(th));
	KT_EXPECT_EQ(t, w.err[0], 1);
	thread_interrupt(th);
	KT_EXPECT_EQ(t, thread_join(th, 0), 0);
	KT_EXPECT_EQ(t, w.err[0], -EINTR);
	KT_EXPECT(t, w.took_ns < LONG_NS / 2);   /* at the interrupt, not the deadline */
	KT_EXPECT_EQ(t, w.err[1], -EINTR);
	KT_EXPECT_EQ(t, w.err[2], -ETIMEDOUT);
	KT_EXPECT(t, !w.flag[0]);
}

static void plain_waiter(void *arg)
{
	uint64_t t0 = time_ns();

	(void)arg;
	w.err[0] = waitq_wait_event(&w.q[0], w.flag[0], t0 + 20000000);
	w.took_ns = time_ns() - t0;
	/* the interrupt is still there for the interruptible kind */
	w.err[1] = waitq_wait_event_intr(&w.q[0], w.flag[0], time_ns() + LONG_NS);
}

KTEST(wait_plain_not_ended_by_thread_interrupt)
{
	struct thread *th;

	reset();
	th = start_above(t, plain_waiter, 0);
	KT_ASSERT(t, th);
	thread_interrupt(th);
	/* it did not run: still asleep in the plain wait */
	KT_EXPECT(t, asleep(th));
	KT_EXPECT_EQ(t, w.err[0], 1);
	KT_EXPECT_EQ(t, thread_join(th, 0), 0);
	KT_EXPECT_EQ(t, w.err[0], -ETIMEDOUT);
	KT_EXPECT(t, w.took_ns >= 20000000);
	KT_EXPECT_EQ(t, w.err[1], -EINTR);
}

static void three_queue_waiter(void *arg)
{
	struct wait_entry e[3];
	uint64_t t0 = time_ns();
	int err = 0;

	(void)arg;
	for (int i = 0; i < 3; i++)
		wait_entry_add(&e[i], &w.q[i]);
	while (!w.flag[0] && !w.flag[1] && !w.flag[2] && err == 0)
		err = wait_entries_sleep(e, 3, t0 + LONG_NS, WAIT_INTERRUPTIBLE);
	for (int i = 0; i < 3; i++) {
		if (w.flag[i])
			w.saw = i;
		wait_entry_remove(&e[i]);
	}
	w.err[0] = err;
	w.took_ns = time_ns() - t0;
}

KTEST(wait_entries_three_queues)
{
	struct thread *th;

	reset();
	th = start_above(t, three_queue_waiter, 0);
	KT_ASSERT(t, th);
	KT_EXPECT(t, asleep(th));
	for (int i = 0; i < 3; i++)
		KT_EXPECT(t, !list_empty(&w.q[i].entries));
	w.flag[1] = true;
	KT_EXPECT_EQ(t, waitq_wake_one(&w.q[1]), 1);
	KT_EXPECT_EQ(t, thread_join(th, 0), 0);
	KT_EXPECT_EQ(t, w.err[0], 0);
	KT_EXPECT_EQ(t, w.saw, 1);
	KT_EXPECT(t, w.took_ns < LONG_NS / 2);   /* woken, not at the deadline */
	/* off all three queues */
	for (int i = 0; i < 3; i++) {
		KT_EXPECT(t, list_empty(&w.q[i].entries));
		KT_EXPECT_EQ(t, waitq_wake_all(&w.q[i]), 0);
	}
}

KTEST(wait_entries_wake_before_sleep_not_lost)
{
	struct wait_entry e[2];
	uint64_t t0;

	reset();
	wait_entry_add(&e[0], &w.q[0]);
	wait_entry_add(&e[1], &w.q[1]);
	/* the wake comes after the (here implied) check and before the
	 * sleep: the sleep returns at once */
	KT_EXPECT_EQ(t, waitq_wake_all(&w.q[1]), 1);
	KT_EXPECT_EQ(t, waitq_wake_all(&w.q[1]), 0);   /* still pending */
	t0 = time_ns();
	KT_EXPECT_EQ(t, wait_entries_sleep(e, 2, t0 + LONG_NS, 0), 0);
	KT_EXPECT(t, time_ns() - t0 < LONG_NS / 2);
	/* the sleep consumed the wake: the next one runs to its deadline */
	t0 = time_ns();
	KT_EXPECT_EQ(t, wait_entries_sleep(e, 2, t0 + 2000000, 0), -ETIMEDOUT);
	KT_EXPECT(t, time_ns() - t0 >= 2000000);
	wait_entry_remove(&e[0]);
	wait_entry_remove(&e[1]);
	KT_EXPECT(t, list_empty(&w.q[0].entries));
	KT_EXPECT(t, list_empty(&w.q[1].entries));
}

static void single_sleeper(void *arg)
{
	int i = (int)(uintptr_t)arg;

	w.err[i] = waitq_wait_event(&w.q[0], w.flag[i], time_ns() + LONG_NS);
}

static void poller(void *arg)
{
	struct wait_entry e;

	(void)arg;
	wait_entry_add(&e, &w.q[0]);
	w.err[0] = wait_entries_sleep(&e, 1, time_ns() + LONG_NS, 0);
	wait_entry_remove(&e);
}

/* A wake-one reaches every multi-queue waiter (they re-check everything
 * and might not take the event) and exactly one single sleeper. */
KTEST(wait_wake_one_reaches_pollers_and_one_sleeper)
{
	struct thread *s1, *s2, *p;

	reset();
	s1 = start_above(t, single_sleeper, (void *)1);
	s2 = start_above(t, single_sleeper, (void *)2);
	p = start_above(t, poller, 0);
	KT_ASSERT(t, s1 && s2 && p);
	w.flag[1] = w.flag[2] = true;
	KT_EXPECT_EQ(t, waitq_wake_one(&w.q[0]), 2);
	KT_EXPECT_EQ(t, thread_join(p, 0), 0);
	KT_EXPECT_EQ(t, thread_join(s1, 0), 0);
	KT_EXPECT_EQ(t, w.err[0], 0);
	KT_EXPECT_EQ(t, w.err[1], 0);
	KT_EXPECT(t, asleep(s2));           /* the second sleeper still waits */
	KT_EXPECT_EQ(t, waitq_wake_one(&w.q[0]), 1);
	KT_EXPECT_EQ(t, thread_join(s2, 0), 0);
	KT_EXPECT_EQ(t, w.err[2], 0);
}

static void intr_sleeper(void *arg)
{
	uint64_t t0 = time_ns();

	(void)arg;
	w.err[0] = wait_entries_sleep(0, 0, t0 + LONG_NS, WAIT_INTERRUPTIBLE);
	w.took_ns = time_ns() - t0;
}

/* nanosleep's kind: no queue, a deadline, ended early by an interrupt */
KTEST(wait_sleep_ended_by_thread_interrupt)
{
	struct thread *th;

	reset();
	th = start_above(t, intr_sleeper, 0);
	KT_ASSERT(t, th);
	KT_EXPECT(t, asleep(th));
	thread_interrupt(th);
	KT_EXPECT_EQ(t, thread_join(th, 0), 0);
	KT_EXPECT_EQ(t, w.err[0], -EINTR);
	KT_EXPECT(t, w.took_ns < LONG_NS / 2);
}
