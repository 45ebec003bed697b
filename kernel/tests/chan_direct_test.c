/* The channel call's directed switch (docs/ipc.md "The fast path"): a call
 * into a waiting receiver switches this CPU straight to it, never through
 * a run queue, and a ready thread of a higher priority than the receiver
 * still runs first. Two kernel threads call each other with one-word
 * messages (the register path's kernel buffers), all on CPU 0. */
#include <kernel/ipc/channel.h>
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <fs/file.h>
#include <lib/string.h>

#define CALLS 200

/* Set by the bystander thread of the priority test; the server adds 1000
 * to its answer when it sees it set. */
static volatile bool bystander_ran;

static int take_word(struct ipc_msg *m, void *ctx)
{
	memcpy(ctx, m->data, m->size < 8 ? m->size : 8);
	return 0;
}

/* Sends in and receives the answer into *out on f: as one step when a
 * receiver waits (*direct true), through the queue otherwise. */
static int kcall(struct file *f, uint64_t in, uint64_t *out, bool *direct)
{
	struct ipc_rx rx = { .kbuf = out, .cap = sizeof(*out) };
	struct ipc_msg *m;
	bool sent;
	int r = channel_call_direct(f, NULL, 0, &in, sizeof(in), take_word, out, &rx, 0, &sent);

	if (direct)
		*direct = sent;
	if (sent)
		return r;
	m = ipc_msg_alloc(sizeof(in), 0);
	if (!m)
		return -1;
	memcpy(m->data, &in, sizeof(in));
	if (channel_send(f, m, false, 0)) {
		ipc_msg_free(m);
		return -1;
	}
	return channel_recv_posted(f, take_word, out, &rx, false, 0);
}

/* Answers each word w with w + 1 (+ 1000 once the bystander ran) until
 * the client closes its end. */
static void server(void *arg)
{
	struct file *f = arg;
	uint64_t w = 0;
	struct ipc_rx rx = { .kbuf = &w, .cap = sizeof(w) };
	int r = channel_recv_posted(f, take_word, &w, &rx, false, 0);

	while (r == 1)
		r = kcall(f, w + 1 + (bystander_ran ? 1000 : 0), &w, 0);
}

static void bystander(void *arg)
{
	(void)arg;
	bystander_ran = true;
}

static struct thread *start_on_cpu0(const char *name, void (*fn)(void *), void *arg, int prio)
{
	struct thread *th = thread_create(name, fn, arg, prio, THREAD_SUSPENDED);

	if (th) {
		(void)thread_set_cpu(th, 0);
		thread_resume(th);
	}
	return th;
}

/* A channel (*a, *b) and the server answering on *b at prio on CPU 0;
 * NULL (and nothing kept) when either cannot be made. */
static struct thread *channel_and_server(struct file **a, struct file **b, int prio)
{
	struct thread *srv;

	if (channel_create(0, a, b))
		return NULL;
	srv = start_on_cpu0("chan-direct", server, *b, prio);
	if (!srv) {
		file_put(*a);
		file_put(*b);
	}
	return srv;
}

KTEST(channel_call_switches_directly)
{
	struct thread *me = thread_current(), *srv;
	int old = me->prio, top = SCHED_PRIO_LEVELS - 1;
	uint64_t w = 0, q_srv, q_me, nv_me, nv_srv;
	struct sched_stats s0, s1;
	struct file *a, *b;
	unsigned direct = 0;

	bystander_ran = false;
	ktest_pin_boot_cpu(t);
	/* both at the top level: nothing else takes CPU 0 meanwhile */
	thread_set_priority(me, top);
	srv = channel_and_server(&a, &b, top);
	if (!srv) {
		thread_set_priority(me, old);
		KT_ASSERT(t, srv);
	}
	/* the first call may find the server not waiting yet */
	KT_EXPECT_EQ(t, kcall(a, 1, &w, 0), 1);
	KT_EXPECT_EQ(t, w, 2);
	sched_get_stats(&s0);
	q_srv = srv->queued;
	q_me = me->queued;
	nv_me = me->nvcsw;
	nv_srv = srv->nvcsw;
	for (uint64_t i = 0; i < CALLS; i++) {
		bool sent;

		w = 0;
		KT_EXPECT_EQ(t, kcall(a, i, &w, &sent), 1);
		KT_EXPECT_EQ(t, w, i + 1);
		direct += sent;
	}
	sched_get_stats(&s1);
	/* every request and every reply switched straight to the other */
	KT_EXPECT_EQ(t, direct, CALLS);
	KT_EXPECT_EQ(t, s1.direct - s0.direct, 2 * CALLS);
	KT_EXPECT_EQ(t, srv->queued - q_srv, 0);
	KT_EXPECT_EQ(t, me->queued - q_me, 0);
	/* each side gave the CPU up once a round trip, waiting: voluntary */
	KT_EXPECT_EQ(t, me->nvcsw - nv_me, CALLS);
	KT_EXPECT_EQ(t, srv->nvcsw - nv_srv, CALLS);
	file_put(a);                    /* the server sees the end and returns */
	KT_EXPECT_EQ(t, thread_join(srv, 0), 0);
	file_put(b);
	thread_set_priority(me, old);
}

KTEST(channel_call_direct_respects_priority)
{
	struct thread *me = thread_current(), *srv, *by;
	int old = me->prio, top = SCHED_PRIO_LEVELS - 1;
	struct sched_stats s0, s1;
	struct file *a, *b;
	uint64_t w = 0;
	bool sent = false;

	bystander_ran = false;
	ktest_pin_boot_cpu(t);
	/* the client above the bystander above the server */
	thread_set_priority(me, top);
	srv = channel_and_server(&a, &b, top - 2);
	if (!srv) {
		thread_set_priority(me, old);
		KT_ASSERT(t, srv);
	}
	/* through the queue (the server has not run); its reply leaves it
	 * waiting with its buffer posted */
	KT_EXPECT_EQ(t, kcall(a, 1, &w, 0), 1);
	KT_EXPECT_EQ(t, w, 2);
	by = start_on_cpu0("chan-bystander", bystander, 0, top - 1);
	KT_EXPECT(t, by);
	KT_EXPECT(t, !bystander_ran);       /* ready, below the client */
	sched_get_stats(&s0);
	KT_EXPECT_EQ(t, kcall(a, 10, &w, &sent), 1);
	sched_get_stats(&s1);
	KT_EXPECT(t, sent);                 /* copied into the server's post */
	/* the bystander ran before the server answered, and only the reply
	 * (to the client, the highest) was a directed switch */
	KT_EXPECT_EQ(t, w, by ? 1011 : 11);
	KT_EXPECT_EQ(t, s1.direct - s0.direct, 1);
	file_put(a);
	KT_EXPECT_EQ(t, thread_join(srv, 0), 0);
	if (by)
		KT_EXPECT_EQ(t, thread_join(by, 0), 0);
	file_put(b);
	thread_set_priority(me, old);
}

/* With two CPUs or more (smp_ktest_all_4 runs it; on one CPU there is
 * nothing to check): a receiver whose affinity excludes the caller's CPU
 * is woken on its own, never switched to here. */
KTEST(channel_call_direct_respects_affinity)
{
	struct thread *me = thread_current(), *srv;
	int old = me->prio, top = SCHED_PRIO_LEVELS - 1;
	struct sched_stats s0, s1;
	struct file *a, *b;
	uint64_t w = 0;
	bool on_cpu1 = true, on_cpu0 = true;

	if (sched_cpus_online() < 2)
		return;
	bystander_ran = false;
	ktest_pin_boot_cpu(t);
	thread_set_priority(me, top);
	KT_ASSERT(t, channel_create(0, &a, &b) == 0);
	srv = thread_create("chan-direct", server, b, top, THREAD_SUSPENDED);
	if (srv) {
		KT_EXPECT_EQ(t, thread_set_cpu(srv, 1), 0);
		thread_resume(srv);
	}
	KT_EXPECT(t, srv);
	sched_get_stats(&s0);
	for (uint64_t i = 0; srv && i < 50; i++) {
		w = 0;
		KT_EXPECT_EQ(t, kcall(a, i, &w, 0), 1);
		KT_EXPECT_EQ(t, w, i + 1);
		on_cpu1 = on_cpu1 && srv->ran_on == 1;
		on_cpu0 = on_cpu0 && thread_cpu_now() == 0;
	}
	sched_get_stats(&s1);
	/* neither side may run on the other's CPU: each stayed on its own,
	 * and no directed switch happened on this one */
	KT_EXPECT(t, on_cpu0);
	KT_EXPECT(t, on_cpu1);
	KT_EXPECT_EQ(t, s1.direct - s0.direct, 0);
	file_put(a);
	if (srv)
		KT_EXPECT_EQ(t, thread_join(srv, 0), 0);
	file_put(b);
	thread_set_priority(me, old);
}
