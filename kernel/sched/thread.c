/* Thread life: creation, exit, join, reaping and the thread table (see
 * thread.h). */
#include <kernel/sched/thread.h>
#include <cosmos/errno.h>
#include <hal/context.h>
#include <hal/fpu.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vmm.h>
#include <kernel/panic.h>
#include <kernel/sched/internal.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lib/string.h>

/* Under the scheduler lock: */
static struct list_node all_threads = LIST_INIT(all_threads);
static struct list_node reap_list = LIST_INIT(reap_list);
static unsigned nthreads;
static unsigned reaping;        /* threads off reap_list, being freed */
static unsigned exiting;        /* threads in thread_exit, not yet dead */
static int next_tid = 2;        /* 1 is the first program's (THREAD_TID_ONE) */
static bool tid_one_taken;

static struct thread boot_thread;

/* Where every new thread starts: it inherits the locked scheduler. */
static void thread_start(void *arg)
{
	struct thread *t = arg;

	sched_thread_begin();
	t->fn(t->arg);
	thread_exit(0);
}

static void *fpu_area_alloc(void **raw)
{
	size_t size = fpu_state_size() + FPU_STATE_ALIGN;
	uint8_t *p = kzalloc(size);

	*raw = p;
	if (!p)
		return 0;
	p = (uint8_t *)(((uintptr_t)p + FPU_STATE_ALIGN - 1) & ~(uintptr_t)(FPU_STATE_ALIGN - 1));
	fpu_state_init(p);
	return p;
}

/* Frees all t holds but its stack, which it returns for the caller to
 * free (NULL: nothing to free). */
static void *thread_free_but_stack(struct thread *t)
{
	void *stack = t->stack;

	if (t->boot)
		return 0;
	/* a wait's timeout callback may still be running on another CPU */
	timer_event_cancel(&t->timeout);
	kfree(t->fpu_raw);
	kfree(t);
	return stack;
}

static void thread_free(struct thread *t)
{
	void *stack = thread_free_but_stack(t);

	if (stack)
		vmm_stack_free(stack);
}

static void thread_fields_init(struct thread *t, const char *name, int prio)
{
	t->prio = sched_clamp_prio(prio);
	t->affinity = SCHED_ALL_CPUS;
	strlcpy(t->name, name, sizeof(t->name));
	waitq_init(&t->join_wq);
	list_init(&t->run_node);
	list_init(&t->proc_node);
	list_init(&t->reap_node);
}

static struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg, int prio,
				   unsigned flags)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return 0;
	t->fpu = fpu_area_alloc(&t->fpu_raw);
	t->stack = vmm_stack_alloc(THREAD_STACK_SIZE);
	if (!t->fpu || !t->stack) {
		thread_free(t);
		return 0;
	}
	t->kstack_top = (uint8_t *)t->stack + THREAD_STACK_SIZE;
	t->user = flags & THREAD_USER;
	t->sp = context_init((uint8_t *)t->kstack_top - (t->user ? USERMODE_FRAME_SIZE : 0),
			     thread_start, t);
	t->fn = fn;
	t->arg = arg;
	thread_fields_init(t, name, prio);
	return t;
}

/* Into the table with tid; lock held. */
static void table_add(struct thread *t, int tid)
{
	t->tid = tid;
	list_add_tail(&all_threads, &t->all_node);
	nthreads++;
}

struct thread *thread_init_boot(void)
{
	struct thread *t = &boot_thread;
	uint64_t f;

	t->boot = true;
	t->state = THREAD_RUNNING;
	t->on_cpu = true;
	t->fpu = fpu_area_alloc(&t->fpu_raw);
	if (!t->fpu)
		return 0;
	thread_fields_init(t, "kmain", SCHED_PRIO_DEFAULT);
	f = sched_lock_irqsave();
	table_add(t, 0);
	sched_unlock_irqrestore(f);
	return t;
}

struct thread *thread_create_idle(void (*fn)(void *), void *arg)
{
	struct thread *t = thread_alloc("idle", fn, arg, 0, 0);
	uint64_t f;

	if (!t)
		return 0;
	t->state = THREAD_READY;
	f = sched_lock_irqsave();
	table_add(t, -1);
	sched_unlock_irqrestore(f);
	return t;
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int prio, unsigned flags)
{
	struct thread *t;
	uint64_t f;

	thread_reap_some();
	t = thread_alloc(name, fn, arg, prio, flags);
	if (!t)
		return 0;
	t->detached = flags & THREAD_DETACHED;
	/* a program's new thread (fork, clone) keeps its creator's CPUs, as
	 * Linux does; kernel threads may run anywhere */
	if ((flags & THREAD_USER) && thread_current() && thread_current()->user)
		t->affinity = thread_current()->affinity;
	t->suspended = flags & THREAD_SUSPENDED;
	t->state = THREAD_BLOCKED;
	f = sched_lock_irqsave();
	if (flags & THREAD_TID_ONE) {
		if (tid_one_taken) {
			sched_unlock_irqrestore(f);
			thread_free(t);
			return 0;
		}
		tid_one_taken = true;
		table_add(t, 1);
	} else {
		table_add(t, next_tid++);
	}
	if (!t->suspended)
		sched_make_ready(t);
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return t;
}

int thread_tid_alloc(void)
{
	uint64_t f = sched_lock_irqsave();
	int tid = next_tid++;

	sched_unlock_irqrestore(f);
	return tid;
}

void thread_discard(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();

	if (!t->suspended)
		panic("sched: discarding thread %d, which runs", t->tid);
	list_del(&t->all_node);
	nthreads--;
	sched_unlock_irqrestore(f);
	thread_free(t);
}

void thread_resume(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();

	if (t->suspended) {
		t->suspended = false;
		sched_make_ready(t);
	}
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}

void thread_exit(int code)
{
	struct thread *t = thread_current();
	uint64_t f;

	if (t->tid <= 0)
		panic("sched: %s tried to exit", t->name);
	/* The hook may tell a parent the process ended (its wait returns)
	 * while this thread still holds its stack: thread_reap waits. */
	f = sched_lock_irqsave();
	exiting++;
	sched_unlock_irqrestore(f);
	if (t->exit_hook)
		t->exit_hook(t, code);
	f = sched_lock_irqsave();
	(void)f;                     /* this thread never runs again */
	exiting--;
	t->exit_code = code;
	t->state = THREAD_DEAD;
	list_del(&t->all_node);
	nthreads--;
	if (t->detached)
		list_add_tail(&reap_list, &t->reap_node);
	waitq_wake_all_locked(&t->join_wq);
	sched_switch_locked();
	panic("sched: a dead thread ran again");
}

int thread_join(struct thread *t, int *code)
{
	uint64_t f;

	if (!t || t == thread_current() || t->detached || t->joining)
		return -EINVAL;
	f = sched_lock_irqsave();
	t->joining = true;
	/* Dead but still on its CPU: its stack is in use until the switch
	 * away from it finishes. */
	while (t->state != THREAD_DEAD || t->on_cpu) {
		int err = waitq_sleep_locked(&t->join_wq, 0, 0);

		if (err) {
			t->joining = false;
			sched_unlock_irqrestore(f);
			return err;
		}
	}
	sched_unlock_irqrestore(f);
	if (code)
		*code = t->exit_code;
	thread_free(t);
	return 0;
}

/* Threads taken off reap_list under one lock round. */
#define REAP_BATCH 8

void thread_reap_some(void)
{
	for (;;) {
		struct thread *t[REAP_BATCH];
		void *stacks[REAP_BATCH];
		unsigned n = 0;
		uint64_t f = sched_lock_irqsave();
		struct list_node *node = reap_list.next;

		while (node != &reap_list && n < REAP_BATCH) {
			struct thread *d = list_entry(node, struct thread, reap_node);

			node = node->next;
			if (!d->on_cpu) {
				list_del(&d->reap_node);
				t[n++] = d;
			}
		}
		reaping += n;
		sched_unlock_irqrestore(f);
		if (!n)
			return;
		for (unsigned i = 0; i < n; i++)
			stacks[i] = thread_free_but_stack(t[i]);
		vmm_stacks_free(stacks, n);
		f = sched_lock_irqsave();
		reaping -= n;
		sched_unlock_irqrestore(f);
	}
}

/* Bounds thread_reap's wait for threads other CPUs are still finishing. */
#define REAP_WAIT_NS (1000ull * 1000000ull)

void thread_reap(void)
{
	uint64_t deadline = time_ns() + REAP_WAIT_NS;

	for (;;) {
		uint64_t f;
		bool busy;

		thread_reap_some();
		/* A reaper that was preempted halfway (the idle thread, most
		 * often) still holds a thread it took off the list, a thread
		 * that has just died on another CPU is still switching away
		 * from its stack, and one in its exit hook may already have
		 * let its parent's wait return: wait for all three, so that
		 * "everything that ended is freed" holds when this returns. */
		f = sched_lock_irqsave();
		busy = reaping || exiting || !list_empty(&reap_list);
		sched_unlock_irqrestore(f);
		if (!busy || time_ns() >= deadline)
			break;
		thread_sleep_ns(100000);
	}
	vmm_stacks_flush();
}

static const char *state_name(enum thread_state s)
{
	static const char *const names[] = { "ready", "running", "blocked", "dead" };

	return (unsigned)s < 4 ? names[s] : "?";
}

void thread_list(void)
{
	struct row {
		int tid, prio;
		enum thread_state state;
		uint64_t cpu_ns;
		char name[THREAD_NAME_MAX];
	} *rows;
	unsigned cap = nthreads + 8, n = 0;
	uint64_t f;

	/* Copied out under the lock and logged after it: a log sink may one
	 * day wake a reader, which takes the scheduler lock. */
	rows = kmalloc(cap * sizeof(*rows));
	if (!rows)
		return;
	f = sched_lock_irqsave();
	list_for_each(node, &all_threads) {
		struct thread *t = list_entry(node, struct thread, all_node);

		if (n == cap)
			break;
		rows[n].tid = t->tid;
		rows[n].prio = t->prio;
		rows[n].state = t->state;
		rows[n].cpu_ns = t->cpu_ns;
		memcpy(rows[n].name, t->name, sizeof(rows[n].name));
		n++;
	}
	sched_unlock_irqrestore(f);
	log_info("sched: %-5s %-8s %4s %10s %s", "tid", "state", "prio", "cpu_ms", "name");
	for (unsigned i = 0; i < n; i++)
		log_info("sched: %-5d %-8s %4d %10llu %s", rows[i].tid, state_name(rows[i].state),
			 rows[i].prio, (unsigned long long)(rows[i].cpu_ns / 1000000), rows[i].name);
	kfree(rows);
}

unsigned thread_count(void) { return nthreads; }
