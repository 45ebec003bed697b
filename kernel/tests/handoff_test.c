/* sched_hand_off ktests: the named thread runs before threads queued
 * ahead of it at its level, and a ready thread of a higher priority
 * still comes first. Each
 * thread records its turn, and the test joins them all (no waiting on
 * time). Everything runs on CPU 0: with several CPUs a started thread
 * would run on another at once, before any hand-off. */
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>

static int order[3], norder;

static void record(void *arg)
{
	order[norder++] = (int)(long)arg;
}

/* Starts n threads at the given priorities on CPU 0 with the test,
 * suspended, then lets them all be ready in index order (each behind the
 * ones before it at its level). */
static void start(struct ktest_ctx *t, struct thread **th, const int *prio, int n)
{
	norder = 0;
	ktest_pin_boot_cpu(t);
	for (int i = 0; i < n; i++) {
		th[i] = thread_create("handoff", record, (void *)(long)i, prio[i], THREAD_SUSPENDED);
		if (th[i])
			KT_EXPECT_EQ(t, thread_set_cpu(th[i], 0), 0);
	}
	for (int i = 0; i < n; i++)
		if (th[i])
			thread_resume(th[i]);
}

static void join_all(struct ktest_ctx *t, struct thread **th, int n)
{
	for (int i = 0; i < n; i++)
		KT_EXPECT_EQ(t, thread_join(th[i], 0), 0);
}

KTEST(sched_hand_off_jumps_the_queue)
{
	int me = thread_current()->prio;
	int prio[3] = { me, me, me };
	struct thread *th[3];

	start(t, th, prio, 3);
	KT_ASSERT(t, th[0] && th[1] && th[2]);
	KT_EXPECT_EQ(t, norder, 0);          /* same level: nobody ran yet */
	sched_hand_off(th[2]);
	join_all(t, th, 3);                  /* the test blocks: th[2] runs first */
	KT_EXPECT_EQ(t, norder, 3);
	KT_EXPECT_EQ(t, order[0], 2);
	KT_EXPECT_EQ(t, order[1], 0);
	KT_EXPECT_EQ(t, order[2], 1);
}

KTEST(sched_hand_off_respects_priority)
{
	int me = thread_current()->prio;
	int prio[2] = { me - 1, me - 2 };
	struct thread *th[2];

	KT_ASSERT(t, me >= 2);
	start(t, th, prio, 2);
	KT_ASSERT(t, th[0] && th[1]);
	/* th[1] is named, but th[0] is ready one level above it */
	sched_hand_off(th[1]);
	join_all(t, th, 2);
	KT_EXPECT_EQ(t, norder, 2);
	KT_EXPECT_EQ(t, order[0], 0);
	KT_EXPECT_EQ(t, order[1], 1);
}
