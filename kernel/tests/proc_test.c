/* Process ktests: process_wait against interrupts, process_exit
 * interrupting the other threads, orphans. */
#include <cosmos/errno.h>
#include <cosmos/abi/sched.h>
#include <kernel/ktest.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sched.h>
#include <kernel/time.h>
#include <kernel/timer.h>

static void proc_nothing(void *arg) { (void)arg; }

/* cond, which holds at once on one CPU (the thread that makes it true runs
 * one level above the test, so as soon as it is started or woken); with
 * several it runs on another CPU in parallel, and cond is waited for, up
 * to LONG_NS. */
#define SETTLED(cond) ({                                                        \
	uint64_t _end = time_ns() + LONG_NS;                                    \
	while (!(cond) && sched_cpus_online() > 1 && time_ns() < _end)          \
		thread_sleep_ns(1000000);                                       \
	(cond); })

/* ---- waiting for children: interrupts, process_exit, orphans ---- */

#define LONG_NS 2000000000ull     /* the deadline a working wake beats */

static struct {
	struct waitq wq;
	volatile bool go;
	int err;
	uint64_t took_ns;
	struct process *child;
} pw;

static void pw_reset(void)
{
	waitq_init(&pw.wq);
	pw.go = false;
	pw.err = 1;
	pw.took_ns = 0;
	pw.child = 0;
}

/* The threads below run one level above the test, so each runs as soon
 * as it is started or woken, up to its next wait. */
static struct process *create_above(const char *name)
{
	return process_create(name, thread_current()->prio + 1);
}

static void wait_for_go(void *arg)
{
	(void)arg;
	pw.err = waitq_wait_event(&pw.wq, pw.go, time_ns() + LONG_NS);
}

static void interrupt_thread(struct timer_event *ev, void *ctx)
{
	(void)ev;
	thread_interrupt(ctx);
}

KTEST(proc_wait_ended_by_thread_interrupt)
{
	struct process *p;
	struct timer_event ev = { 0 };
	uint64_t t0;
	int pid, err;

	pw_reset();
	p = create_above("waited");
	KT_ASSERT(t, p);
	pid = p->pid;
	KT_ASSERT(t, process_spawn_thread(p, "main", wait_for_go, 0) == 0);
	KT_EXPECT(t, ktest_await_sleeper(&pw.wq, LONG_NS));
	/* from an interrupt handler, as the signal code may */
	t0 = time_ns();
	timer_event_add(&ev, t0 + 2000000, interrupt_thread, thread_current());
	err = process_wait(pid, 0, t0 + LONG_NS);
	thread_clear_interrupt(thread_current());
	KT_EXPECT_EQ(t, err, -EINTR);
	KT_EXPECT(t, time_ns() - t0 < LONG_NS / 2);
	/* the child is still there and still waited for */
	pw.go = true;
	KT_EXPECT_EQ(t, waitq_wake_all(&pw.wq), 1);
	KT_EXPECT_EQ(t, process_wait(pid, 0, time_ns() + LONG_NS), pid);
	KT_EXPECT_EQ(t, pw.err, 0);
}

static void intr_helper(void *arg)
{
	uint64_t t0 = time_ns();

	(void)arg;
	pw.err = waitq_wait_event_intr(&pw.wq, pw.go, t0 + LONG_NS);
	pw.took_ns = time_ns() - t0;
}

static void exit_five(void *arg)
{
	(void)arg;
	process_exit_code(5);
}

KTEST(proc_exit_interrupts_other_threads)
{
	struct process *p;
	int pid, status = 0;

	pw_reset();
	p = create_above("exiting");
	KT_ASSERT(t, p);
	pid = p->pid;
	KT_ASSERT(t, process_spawn_thread(p, "helper", intr_helper, 0) == 0);
	KT_EXPECT_EQ(t, pw.err, 1);            /* the helper waits */
	KT_ASSERT(t, process_spawn_thread(p, "main", exit_five, 0) == 0);
	KT_EXPECT_EQ(t, process_wait(pid, &status, time_ns() + LONG_NS), pid);
	KT_EXPECT_EQ(t, status, W_EXITCODE(5, 0));
	KT_EXPECT_EQ(t, pw.err, -EINTR);
	KT_EXPECT(t, pw.took_ns < LONG_NS / 2);
}

/* Starts a child process whose thread waits for pw.go, then returns:
 * the child outlives its parent. */
static void make_orphan(void *arg)
{
	struct process *c = create_above("orphan");

	(void)arg;
	if (c && process_spawn_thread(c, "main", wait_for_go, 0) == 0)
		pw.child = c;
}

KTEST(proc_orphan_freed_when_it_ends)
{
	unsigned procs0 = process_count();
	struct process *p;
	int pid, orphan_pid, woke;

	pw_reset();
	p = create_above("parent");
	KT_ASSERT(t, p);
	pid = p->pid;
	KT_ASSERT(t, process_spawn_thread(p, "main", make_orphan, 0) == 0);
	KT_EXPECT_EQ(t, process_wait(pid, 0, time_ns() + LONG_NS), pid);
	KT_ASSERT(t, pw.child);
	orphan_pid = pw.child->pid;
	/* the orphan lives on, now a child of the kernel */
	KT_EXPECT_EQ(t, process_count(), procs0 + 1);
	KT_EXPECT_EQ(t, pw.child->parent->pid, 0);
	/* nobody waits for an orphan: no waiting for one either */
	KT_EXPECT_EQ(t, process_wait(orphan_pid, 0, time_ns() + 1000000), -ECHILD);
	pw.go = true;
	/* with several CPUs the orphan may not be asleep yet (it then sees
	 * go before it sleeps) */
	woke = waitq_wake_all(&pw.wq);
	KT_EXPECT(t, woke == 1 || (woke == 0 && sched_cpus_online() > 1));
	/* it ended and nobody has to reap it */
	KT_EXPECT(t, SETTLED(process_count() == procs0));
	KT_EXPECT_EQ(t, pw.err, 0);
	KT_EXPECT_EQ(t, process_wait(orphan_pid, 0, time_ns() + 1000000), -ECHILD);
}

KTEST(proc_no_thread_after_end)
{
	struct process *p = create_above("ended");
	int pid;

	KT_ASSERT(t, p);
	pid = p->pid;
	KT_ASSERT(t, process_spawn_thread(p, "main", proc_nothing, 0) == 0);
	/* it ran and ended at once: a zombie that holds nothing */
	KT_EXPECT(t, SETTLED(__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PROC_ZOMBIE));
	KT_EXPECT(t, !p->files && !p->sighand && !p->vm);
	KT_EXPECT_EQ(t, process_spawn_thread(p, "again", proc_nothing, 0), -ESRCH);
	KT_EXPECT_EQ(t, process_wait(pid, 0, time_ns() + LONG_NS), pid);
}
