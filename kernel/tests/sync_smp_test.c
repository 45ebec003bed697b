/* The mutex across CPUs: one thread pinned to each CPU, all incrementing
 * one counter under one mutex with a plain read-modify-write, so a lock
 * that let two owners in at once would lose updates, and one that lost a
 * wake-up would hang the test. test/system/smp_cases.py runs it at -smp 4. */
#include <kernel/ktest.h>
#include <hal/percpu.h>
#include <kernel/log.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/mutex.h>

#define ROUNDS 20000

static struct mutex lock;
static volatile uint64_t total;
static volatile unsigned failures;   /* lock calls failed, or not on the pinned CPU */

static void bump(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;

	if (thread_set_cpu(thread_current(), cpu))
		failures++;
	thread_yield();
	for (int i = 0; i < ROUNDS; i++) {
		if (mutex_lock(&lock)) {
			failures++;
			return;
		}
		uint64_t v = total;

		/* widen the window a lost exclusion would need */
		for (volatile int d = 0; d < 8; d++)
			;
		total = v + 1;
		mutex_unlock(&lock);
	}
	if (thread_cpu_now() != cpu)
		failures++;
}

KTEST(sync_mutex_exact_across_cpus)
{
	static struct thread *th[PERCPU_MAX];
	unsigned n = sched_cpus_online(), made = 0;

	if (n > PERCPU_MAX)
		n = PERCPU_MAX;
	mutex_init(&lock, "smp counter");
	total = 0;
	failures = 0;
	for (unsigned c = 0; c < n; c++) {
		th[c] = thread_create("bump", bump, (void *)(uintptr_t)c, SCHED_PRIO_DEFAULT, 0);
		made += th[c] != 0;
	}
	KT_EXPECT_EQ(t, made, n);
	for (unsigned c = 0; c < n; c++)
		if (th[c])
			KT_EXPECT_EQ(t, thread_join(th[c], 0), 0);
	KT_EXPECT_EQ(t, total, (uint64_t)made * ROUNDS);
	KT_EXPECT_EQ(t, failures, 0u);
	kprintf("ktest: %u CPUs made %llu locked increments, %llu waits\n", made,
		(unsigned long long)total, (unsigned long long)lock.contended);
}
