/* Scheduler benchmarks: a switch through a wait queue, thread
 * create+exit+join, and the scheduler's cost per time-slice tick. */
#include <kernel/kbench.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>

#define PINGS 20000

static struct {
	struct completion ping, pong;
	volatile bool failed;
} pp;

static void ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < PINGS; i++) {
		if (completion_wait(&pp.ping, 0))
			pp.failed = true;     /* the pinger stops at the next pong */
		complete(&pp.pong);
		if (pp.failed)
			return;
	}
}

KBENCH(sched_switch_waitq)
{
	struct thread *th;
	uint64_t t0, elapsed;
	bool ok = true;

	completion_init(&pp.ping);
	completion_init(&pp.pong);
	pp.failed = false;
	th = thread_create("ponger", ponger, 0, SCHED_PRIO_DEFAULT, 0);
	if (!th)
		return;
	t0 = time_ns();
	for (int i = 0; i < PINGS && ok; i++) {
		complete(&pp.ping);
		/* no deadline: arming a timer per wait would be measured too */
		ok = completion_wait(&pp.pong, 0) == 0 && !pp.failed;
	}
	elapsed = time_ns() - t0;
	/* two switches per round trip */
	if (thread_join(th, 0) == 0 && ok)
		kbench_report("sched_switch_waitq", elapsed / (2 * PINGS), 0, "ns");
}

static void nothing(void *arg) { (void)arg; }

KBENCH(sched_thread_create_join)
{
	uint64_t t0 = time_ns();
	int n = 0;

	for (int i = 0; i < 1000; i++) {
		struct thread *th = thread_create("bench", nothing, 0, SCHED_PRIO_DEFAULT, 0);

		if (th && thread_join(th, 0) == 0)
			n++;
	}
	if (n)
		kbench_report("sched_thread_create_join", (time_ns() - t0) / n / 10, 2, "us");
}

static volatile bool stop;

static void spin(void *arg)
{
	(void)arg;
	while (!stop)
		;
}

KBENCH(sched_tick_overhead)
{
	struct sched_stats a, b;
	struct thread *th[4];
	struct thread *me = thread_current();
	int prio = me->prio;
	bool joined = true;

	stop = false;
	thread_set_priority(me, SCHED_PRIO_DEFAULT + 2);
	for (int i = 0; i < 4; i++)
		th[i] = thread_create("spin", spin, 0, SCHED_PRIO_DEFAULT, 0);
	sched_get_stats(&a);
	thread_sleep_ns(1000000000ull);
	sched_get_stats(&b);
	stop = true;
	for (int i = 0; i < 4; i++)
		if (th[i] && thread_join(th[i], 0) != 0)
			joined = false;
	thread_set_priority(me, prio);
	/* from the slice-end interrupt's handler to the next thread running */
	if (joined && b.preemptions > a.preemptions)
		kbench_report("sched_tick_overhead",
			      (b.tick_overhead_ns - a.tick_overhead_ns) / (b.preemptions - a.preemptions),
			      0, "ns");
}

/* How late a 1 ms sleep wakes while a lower-priority thread spins. */
KBENCH(sched_sleep_late)
{
	struct thread *bg;
	uint64_t sum = 0;
	int n = 0;

	stop = false;
	bg = thread_create("spin", spin, 0, SCHED_PRIO_DEFAULT - 1, 0);
	for (int i = 0; i < 50; i++) {
		uint64_t t0 = time_ns();

		thread_sleep_ns(1000000);
		sum += time_ns() - t0 - 1000000;
		n++;
	}
	stop = true;
	if (bg && thread_join(bg, 0) == 0)
		kbench_report("sched_sleep_late", sum / n, 0, "ns");
}
