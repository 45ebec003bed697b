/* ktests of scheduling across CPUs: a new thread goes to an idle CPU,
 * threads queued on one CPU are taken up by idle ones, a thread runs only
 * on the CPUs its affinity allows and moves when the mask changes, and a
 * timer cancel waits for the callback running on another CPU, and a
 * creator waiting for its new thread runs it itself. They need
 * two CPUs and pass trivially on one (saying so); test/system/smp_cases.py
 * runs them under -smp 2 and 4. */
#include <kernel/ktest.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <kernel/log.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lib/string.h>

#define CPUS 8          /* the CPUs these tests look at (more are counted as the last) */
#define MS 1000000ull

/* A spinner counts, per phase, how often it saw itself on each CPU (row 2
 * is a change under way, not checked). Written by the spinner, read by the
 * test after the join (or as it waits for a change to take effect). */
struct spinner {
	unsigned placed;                /* the queue it joined when created */
	unsigned first;                 /* the CPU it first ran on */
	volatile uint64_t on[3][CPUS];
};

static volatile bool stop;
static volatile int phase;          /* 0, 1 or 2: which row the spinners count in */

static void spin(void *arg)
{
	struct spinner *s = arg;

	s->first = thread_cpu_now();
	while (!stop) {
		unsigned c = thread_cpu_now();

		s->on[phase][c < CPUS ? c : CPUS - 1]++;
	}
}

static unsigned count_bits(unsigned m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

static bool one_cpu(void)
{
	if (sched_cpus_online() >= 2)
		return false;
	log_info("ktest: one CPU online, nothing to place");
	return true;
}

/* Starts n spinners, each with its own affinity mask (0: all CPUs). The
 * caller runs above them, so it gets back its CPU when it wakes. */
static bool start(struct spinner *s, struct thread **th, unsigned n, const uint64_t *mask)
{
	stop = false;
	phase = 0;
	memset(s, 0, n * sizeof(*s));
	for (unsigned i = 0; i < n; i++) {
		th[i] = thread_create("spinner", spin, &s[i], SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
		if (!th[i])
			return false;
		if (mask && mask[i] && thread_set_affinity(th[i], mask[i]) != 0)
			return false;
		thread_resume(th[i]);
		s[i].placed = th[i]->cpu;
	}
	return true;
}

static void finish(struct ktest_ctx *t, struct thread **th, unsigned n)
{
	stop = true;
	for (unsigned i = 0; i < n; i++)
		KT_EXPECT_EQ(t, thread_join(th[i], 0), 0);
}

/* The CPU row r of s counted most, and that count's share in permille. */
static unsigned top(const struct spinner *s, int r, unsigned *permille)
{
	uint64_t total = 0, best = 0;
	unsigned cpu = 0;

	for (unsigned c = 0; c < CPUS; c++) {
		total += s->on[r][c];
		if (s->on[r][c] > best) {
			best = s->on[r][c];
			cpu = c;
		}
	}
	*permille = total ? (unsigned)(best * 1000 / total) : 0;
	return cpu;
}

KTEST(sched_spinners_one_per_cpu)
{
	struct spinner s[CPUS];
	struct thread *th[CPUS], *me = thread_current();
	unsigned n = sched_cpus_online(), seen = 0, firsts = 0, placed = 0;
	int prio = me->prio;

	if (one_cpu())
		return;
	n = n > CPUS ? CPUS : n;
	/* from CPU 0: the first n-1 go to the other CPUs, which idle, and
	 * the last, with every CPU busy with one, to CPU 0 */
	KT_ASSERT(t, thread_set_cpu(me, 0) == 0);
	thread_yield();
	thread_set_priority(me, SCHED_PRIO_DEFAULT + 2);
	KT_ASSERT(t, start(s, th, n, 0));
	KT_EXPECT_EQ(t, thread_sleep_ns(300 * MS), 0);
	finish(t, th, n);
	thread_set_priority(me, prio);
	KT_EXPECT_EQ(t, thread_set_affinity(me, SCHED_ALL_CPUS), 0);
	for (unsigned i = 0; i < n; i++) {
		unsigned share, c = top(&s[i], 0, &share);

		/* each on a CPU of its own from the start, and staying there */
		KT_EXPECT(t, share >= 900);
		KT_EXPECT(t, !(seen & (1u << c)));
		KT_EXPECT(t, !(firsts & (1u << s[i].first)));
		/* placed there at creation, not moved there later */
		KT_EXPECT(t, !(placed & (1u << s[i].placed)));
		placed |= 1u << s[i].placed;
		seen |= 1u << c;
		firsts |= 1u << s[i].first;
		log_info("ktest: spinner %u placed on CPU %u, started on CPU %u, %u.%u%% of its time on CPU %u",
			 i, s[i].placed, s[i].first, share / 10, share % 10, c);
	}
}

KTEST(sched_idle_cpus_take_queued_threads)
{
	enum { N = 3 };
	struct spinner s[N];
	struct thread *th[N], *me = thread_current();
	uint64_t mask[N] = { 1, 1, 1 }, off0 = 0;
	unsigned n = sched_cpus_online(), cpus = 0, want;
	int prio = me->prio;

	if (one_cpu())
		return;
	thread_set_priority(me, SCHED_PRIO_DEFAULT + 2);
	KT_ASSERT(t, start(s, th, N, mask));
	KT_EXPECT_EQ(t, thread_sleep_ns(100 * MS), 0);
	/* all three queue on CPU 0 while the others idle; then any CPU will do */
	phase = 1;
	for (unsigned i = 0; i < N; i++)
		KT_EXPECT_EQ(t, thread_set_affinity(th[i], SCHED_ALL_CPUS), 0);
	KT_EXPECT_EQ(t, thread_sleep_ns(300 * MS), 0);
	finish(t, th, N);
	thread_set_priority(me, prio);
	for (unsigned i = 0; i < N; i++) {
		for (unsigned c = 1; c < CPUS; c++)
			off0 += s[i].on[0][c];
		for (unsigned c = 0; c < CPUS; c++)
			if (s[i].on[1][c] && !(cpus & (1u << c)))
				cpus |= 1u << c;
	}
	KT_EXPECT_EQ(t, off0, 0);
	/* N threads over min(N, online) CPUs: each such CPU took one */
	want = n < N ? n : N;
	KT_EXPECT(t, count_bits(cpus) >= want);
	log_info("ktest: %u threads queued on CPU 0 then ran on %u CPUs (mask %#x)", N,
		 count_bits(cpus), cpus);
}

KTEST(sched_affinity_pins_and_moves)
{
	struct spinner s[CPUS];
	struct thread *th[CPUS], *me = thread_current();
	uint64_t mask[CPUS] = { 1ull << 1 };
	unsigned n = sched_cpus_online(), share0, share1, top0, top1;
	int prio = me->prio;

	if (one_cpu())
		return;
	/* a mask without an online CPU, or empty, is refused */
	KT_EXPECT_EQ(t, thread_set_affinity(me, 0), -EINVAL);
	KT_EXPECT_EQ(t, thread_set_affinity(me, ~sched_online_mask()), n >= 64 ? 0 : -EINVAL);
	n = n > CPUS ? CPUS : n;
	/* spinner 0 pinned to CPU 1, one more spinner than CPUs to push it */
	thread_set_priority(me, SCHED_PRIO_DEFAULT + 2);
	KT_ASSERT(t, start(s, th, n + 1 > CPUS ? CPUS : n + 1, mask));
	KT_EXPECT_EQ(t, thread_sleep_ns(200 * MS), 0);
	/* the change takes effect when CPU 1 switches, which a busy host may
	 * hold up: row 1 starts once spinner 0 has been seen on CPU 0 */
	phase = 2;
	KT_EXPECT_EQ(t, thread_set_affinity(th[0], 1ull << 0), 0);
	KT_EXPECT_EQ(t, thread_get_affinity(th[0]), 1ull << 0);
	for (uint64_t end = time_ns() + 5000 * MS; !s[0].on[2][0] && time_ns() < end;)
		(void)thread_sleep_ns(MS);
	phase = 1;
	KT_EXPECT_EQ(t, thread_sleep_ns(200 * MS), 0);
	finish(t, th, n + 1 > CPUS ? CPUS : n + 1);
	thread_set_priority(me, prio);
	top1 = top(&s[0], 0, &share1);
	top0 = top(&s[0], 1, &share0);
	KT_EXPECT_EQ(t, top1, 1);
	KT_EXPECT_EQ(t, share1, 1000);
	/* once moved: CPU 0 only */
	KT_EXPECT_EQ(t, top0, 0);
	KT_EXPECT_EQ(t, share0, 1000);
	log_info("ktest: pinned to CPU 1: %u.%u%% on CPU %u; moved to CPU 0: %u.%u%% on CPU %u",
		 share1 / 10, share1 % 10, top1, share0 / 10, share0 % 10, top0);
}

/* ---- timer_event_cancel waits for a callback running elsewhere ---- */

static volatile int cb_state;        /* -1 not armed, 0 armed, 1 running, 2 returned */
static volatile unsigned cb_cpu;

static void slow_callback(struct timer_event *ev, void *ctx)
{
	/* long enough for the test's CPU to see it running even when the
	 * host leaves that vCPU unscheduled for a while (4 vCPUs on 2 cores) */
	uint64_t end = time_ns() + 100 * MS;

	(void)ev;
	(void)ctx;
	cb_cpu = thread_cpu_now();
	cb_state = 1;
	while (time_ns() < end)
		cpu_pause();
	cb_state = 2;
}

/* Arms the event from its own CPU, where the timer then fires, and stays
 * until the callback returned. */
static void arm_here(void *arg)
{
	cb_state = 0;
	timer_event_add(arg, time_ns() + 2 * MS, slow_callback, 0);
	while (cb_state != 2)
		cpu_pause();
}

KTEST(timer_cancel_waits_for_running_callback)
{
	struct timer_event ev = { 0 };
	unsigned me;
	int tries = 0;

	if (one_cpu())
		return;
	KT_ASSERT(t, thread_set_cpu(thread_current(), 0) == 0);
	thread_yield();
	me = thread_cpu_now();
	/* the timer fires on the CPU that armed it last, which is most often
	 * the helper's (CPU 1), but not always: try again then */
	for (;;) {
		struct thread *h;
		uint64_t end = time_ns() + 1000 * MS;

		cb_state = -1;
		h = thread_create("armer", arm_here, &ev, SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
		KT_ASSERT(t, h);
		KT_ASSERT(t, thread_set_cpu(h, 1) == 0);
		thread_resume(h);
		while ((cb_state == -1 || cb_state == 0) && time_ns() < end)
			cpu_pause();
		KT_ASSERT(t, cb_state > 0);
		if (cb_state == 1 && cb_cpu != me) {
			(void)timer_event_cancel(&ev);
			KT_EXPECT_EQ(t, cb_state, 2);
			KT_EXPECT_EQ(t, thread_join(h, 0), 0);
			break;
		}
		KT_EXPECT_EQ(t, thread_join(h, 0), 0);
		KT_ASSERT(t, ++tries < 20);
	}
	KT_EXPECT_EQ(t, thread_set_affinity(thread_current(), SCHED_ALL_CPUS), 0);
	log_info("ktest: a cancel waited for the callback running on CPU %u (%d retries)", cb_cpu,
		 tries);
}

static void note_cpu(void *arg)
{
	*(unsigned *)arg = thread_cpu_now();
}

/* A thread made and at once waited for (pthread_create then join) is
 * queued on an idle CPU, which is told by IPI; the creator's CPU, idle as
 * soon as the join sleeps, takes it from there instead of waiting for
 * the other CPU to wake (steal takes an idle CPU's only queued thread):
 * under TCG most of them run where their creator ran. Without that, none
 * ever would: the creator's CPU is the busiest when the thread is placed. */
KTEST(sched_waiting_creator_runs_its_new_thread)
{
	enum { N = 200 };
	unsigned here = 0, cpu = ~0u;
	uint64_t t0;

	if (one_cpu())
		return;
	ktest_pin_boot_cpu(t);
	t0 = time_ns();
	for (int i = 0; i < N; i++) {
		struct thread *th = thread_create("made-and-joined", note_cpu, &cpu, SCHED_PRIO_DEFAULT,
						  0);

		KT_ASSERT(t, th);
		KT_ASSERT(t, thread_join(th, 0) == 0);
		here += cpu == thread_cpu_now();
	}
	t0 = time_ns() - t0;
	log_info("ktest: %u of %u threads made and joined ran on their creator's CPU, %llu us each",
		 here, N, (unsigned long long)(t0 / N / 1000));
	KT_EXPECT(t, here >= N / 2);
}
