/* The scheduler: run queues per priority, the switch, time slices, the idle
 * thread, sleep, wait queues, exit/join and reaping (see sched.h). */
#include <kernel/sched/sched.h>
#include <cosmos/errno.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/fpu.h>
#include <hal/percpu.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vmm.h>
#include <kernel/panic.h>
#include <kernel/proc/process.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <lib/string.h>

/* A CPU's scheduling state, reached through its struct percpu. Protected
 * by sched_lock (the slice event by the timer code's own rules). */
struct sched_cpu {
	struct list_node ready[SCHED_PRIO_LEVELS];
	unsigned nready;
	struct thread *idle;
	struct thread *last;         /* switched away from: clear its on_cpu */
	bool need_resched;
	uint64_t switch_ns;          /* when the current thread was switched in */
	struct timer_event slice;     /* pending while a thread's slice runs */
	uint64_t slice_end;          /* the running thread's slice ends here */
	uint64_t tick_start;         /* slice end seen, switch not finished */
	struct sched_stats stats;
};

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
/* Under sched_lock: */
static struct list_node all_threads = LIST_INIT(all_threads);
static struct list_node reap_list = LIST_INIT(reap_list);
static unsigned nthreads;
static unsigned reaping;        /* threads off reap_list, being freed */
static int next_tid = 1;
static bool active;

static struct sched_cpu boot_cpu;
static struct thread boot_thread;

static void reap_some(void);

static struct sched_cpu *this_cpu(void) { return percpu_self()->sched; }
struct thread *thread_current(void) { return active ? percpu_current() : 0; }
bool sched_active(void) { return active; }

uint64_t sched_lock_irqsave(void) { return spin_lock_irqsave(&sched_lock); }
void sched_unlock_irqrestore(uint64_t f) { spin_unlock_irqrestore(&sched_lock, f); }

static void enqueue(struct sched_cpu *c, struct thread *t)
{
	t->state = THREAD_READY;
	list_add_tail(&c->ready[t->prio], &t->queue_node);
	c->nready++;
}

static struct thread *dequeue_best(struct sched_cpu *c)
{
	for (int p = SCHED_PRIO_LEVELS - 1; p >= 0; p--) {
		struct list_node *n = list_pop(&c->ready[p]);

		if (n) {
			c->nready--;
			return list_entry(n, struct thread, queue_node);
		}
	}
	return c->idle;
}

static int best_ready_prio(struct sched_cpu *c)
{
	for (int p = SCHED_PRIO_LEVELS - 1; p >= 0; p--)
		if (!list_empty(&c->ready[p]))
			return p;
	return -1;
}

/* Makes a blocked thread runnable; asks for a switch if it should run
 * before the current one. */
static void make_ready(struct thread *t)
{
	struct sched_cpu *c = this_cpu();
	struct thread *cur = percpu_current();

	if (t->state != THREAD_BLOCKED)
		return;
	enqueue(c, t);
	if (cur == c->idle || t->prio > cur->prio)
		c->need_resched = true;
}

static void on_slice_end(struct timer_event *ev, void *ctx)
{
	struct sched_cpu *c = ctx;
	struct thread *cur = percpu_current();
	uint64_t now = time_ns();

	(void)ev;
	if (cur == c->idle)
		return;              /* idle has no slice; the next switch arms one */
	/* Switches move slice_end without touching the timer (reprogramming
	 * the LAPIC on every switch is costly): catch up lazily here. */
	if (now < c->slice_end) {
		timer_event_add(&c->slice, c->slice_end, on_slice_end, c);
		return;
	}
	c->stats.ticks++;
	/* Only someone of at least the same priority can take the CPU; with
	 * nobody waiting the slice simply starts again. */
	if (c->nready && best_ready_prio(c) >= cur->prio) {
		c->need_resched = true;
		c->tick_start = now;
	} else {
		c->slice_end = now + SCHED_SLICE_NS;
		timer_event_add(&c->slice, c->slice_end, on_slice_end, c);
	}
}

/* A fresh slice for the thread being switched in (not the idle thread). */
static void slice_start(struct sched_cpu *c, uint64_t now)
{
	c->slice_end = now + SCHED_SLICE_NS;
	if (!c->slice.pending)
		timer_event_add(&c->slice, c->slice_end, on_slice_end, c);
}

/* After a switch, on the new thread's stack, lock still held. */
static void finish_switch(struct sched_cpu *c)
{
	if (c->last) {
		c->last->on_cpu = false;
		c->last = 0;
	}
	if (c->tick_start) {
		c->stats.tick_overhead_ns += time_ns() - c->tick_start;
		c->tick_start = 0;
	}
}

/* The current thread's state is already set (READY and queued, BLOCKED or
 * DEAD). Picks the next thread and switches to it. Lock held, interrupts
 * off; returns (lock held) once this thread runs again. */
static void schedule_locked(void)
{
	struct sched_cpu *c = this_cpu();
	struct thread *prev = percpu_current(), *next;
	uint64_t now;

	c->need_resched = false;
	next = dequeue_best(c);
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		c->tick_start = 0;
		if (prev != c->idle)
			slice_start(c, time_ns());
		return;
	}
	now = time_ns();
	prev->cpu_ns += now - c->switch_ns;
	if (prev == c->idle)
		c->stats.idle_ns += now - c->switch_ns;
	c->switch_ns = now;
	c->stats.switches++;
	next->state = THREAD_RUNNING;
	next->on_cpu = true;
	next->switches++;
	if (next != c->idle)
		slice_start(c, now);
	c->last = prev;
	fpu_save(prev->fpu);
	fpu_restore(next->fpu);
	percpu_set_current(next);
	context_switch(&prev->sp, next->sp);
	finish_switch(this_cpu());
}

/* Where every new thread starts: it inherits the locked scheduler. */
static void thread_start(void *arg)
{
	struct thread *t = arg;

	finish_switch(this_cpu());
	sched_unlock_irqrestore(CPU_FLAGS_IRQ_ON);
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

static void thread_free(struct thread *t)
{
	if (t->boot)
		return;
	if (t->stack)
		vmm_stack_free(t->stack);
	kfree(t->fpu_raw);
	kfree(t);
}

static int clamp_prio(int prio)
{
	return prio < 0 ? 0 : prio >= SCHED_PRIO_LEVELS ? SCHED_PRIO_LEVELS - 1 : prio;
}

static struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg, int prio)
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
	t->sp = context_init((uint8_t *)t->stack + THREAD_STACK_SIZE, thread_start, t);
	t->fn = fn;
	t->arg = arg;
	t->prio = clamp_prio(prio);
	strlcpy(t->name, name, sizeof(t->name));
	waitq_init(&t->join_wq);
	list_init(&t->queue_node);
	list_init(&t->proc_node);
	list_init(&t->reap_node);
	return t;
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int prio, unsigned flags)
{
	return thread_create_in(0, name, fn, arg, prio, flags);
}

struct thread *thread_create_in(struct process *p, const char *name, void (*fn)(void *),
				void *arg, int prio, unsigned flags)
{
	struct thread *t;
	uint64_t f;

	reap_some();
	t = thread_alloc(name, fn, arg, prio);
	if (!t)
		return 0;
	t->detached = flags & THREAD_DETACHED;
	t->proc = p;
	f = sched_lock_irqsave();
	t->tid = next_tid++;
	list_add_tail(&all_threads, &t->all_node);
	nthreads++;
	t->state = THREAD_BLOCKED;
	make_ready(t);
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return t;
}

void thread_exit(int code)
{
	struct thread *t = percpu_current();
	uint64_t f;

	if (t == &boot_thread || t == this_cpu()->idle)
		panic("sched: %s tried to exit", t->name);
	if (t->proc)
		process_thread_exiting(t, code);
	f = sched_lock_irqsave();
	(void)f;
	t->exit_code = code;
	t->state = THREAD_DEAD;
	list_del(&t->all_node);
	nthreads--;
	if (t->detached)
		list_add_tail(&reap_list, &t->reap_node);
	waitq_wake_all_locked(&t->join_wq);
	schedule_locked();
	panic("sched: a dead thread ran again");
}

int thread_join(struct thread *t, int *code)
{
	uint64_t f;

	if (!t || t == percpu_current() || t->detached || t->joining)
		return -EINVAL;
	f = sched_lock_irqsave();
	t->joining = true;
	while (t->state != THREAD_DEAD || t->on_cpu) {
		if (waitq_sleep_locked(&t->join_wq, 0) == -EDEADLK) {
			t->joining = false;
			sched_unlock_irqrestore(f);
			return -EDEADLK;
		}
	}
	sched_unlock_irqrestore(f);
	if (code)
		*code = t->exit_code;
	thread_free(t);
	return 0;
}

static void reap_some(void)
{
	for (;;) {
		struct thread *t = 0;
		uint64_t f = sched_lock_irqsave();

		list_for_each(n, &reap_list) {
			struct thread *d = list_entry(n, struct thread, reap_node);

			if (!d->on_cpu) {
				t = d;
				list_del(&d->reap_node);
				reaping++;
				break;
			}
		}
		sched_unlock_irqrestore(f);
		if (!t)
			return;
		thread_free(t);
		f = sched_lock_irqsave();
		reaping--;
		sched_unlock_irqrestore(f);
	}
}

void sched_reap(void)
{
	reap_some();
	/* A reaper that was preempted halfway (the idle thread, most often)
	 * still holds a thread it took off the list: let it finish, so that
	 * "everything dead is freed" holds when this returns. */
	while (reaping && percpu_current() != this_cpu()->idle)
		thread_sleep_ns(100000);
}

void thread_yield(void)
{
	uint64_t f = sched_lock_irqsave();
	struct thread *t = percpu_current();

	enqueue(this_cpu(), t);
	schedule_locked();
	sched_unlock_irqrestore(f);
}

void thread_set_priority(struct thread *t, int prio)
{
	uint64_t f = sched_lock_irqsave();
	struct sched_cpu *c = this_cpu();

	prio = clamp_prio(prio);
	if (t->state == THREAD_READY) {
		list_del(&t->queue_node);
		t->prio = prio;
		list_add_tail(&c->ready[prio], &t->queue_node);
	} else {
		t->prio = prio;
	}
	if (best_ready_prio(c) > ((struct thread *)percpu_current())->prio)
		c->need_resched = true;
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}

/* Blocking is a bug in an interrupt handler or under a spinlock (the
 * scheduler's own lock, held by the caller here, aside). */
static bool may_block(int locks_allowed)
{
	struct percpu *pc = percpu_self();

	if (pc->in_interrupt) {
		sync_violation("blocking in an interrupt handler", 0);
		return false;
	}
	if (pc->locks_held > locks_allowed) {
		sync_violation("sleeping while holding a spinlock", 0);
		return false;
	}
	return true;
}

bool sched_might_sleep(void)
{
	return !active || may_block(0);
}

static void timeout_fired(struct timer_event *ev, void *ctx)
{
	struct thread *t = ctx;
	uint64_t f = sched_lock_irqsave();

	(void)ev;
	if (t->state == THREAD_BLOCKED) {
		if (t->waiting_on) {
			list_del(&t->queue_node);
			t->waiting_on = 0;
		}
		t->timed_out = true;
		make_ready(t);
	}
	sched_unlock_irqrestore(f);
}

int thread_sleep_until(uint64_t deadline)
{
	struct thread *t = percpu_current();
	uint64_t f;

	if (!may_block(0))
		return -EDEADLK;
	if (deadline <= time_ns())
		return 0;
	f = sched_lock_irqsave();
	t->state = THREAD_BLOCKED;
	t->timed_out = false;
	timer_event_add(&t->timeout, deadline, timeout_fired, t);
	schedule_locked();
	sched_unlock_irqrestore(f);
	return 0;
}

int thread_sleep_ns(uint64_t ns) { return thread_sleep_until(time_ns() + ns); }

void waitq_init(struct waitq *wq) { list_init(&wq->waiters); }

int waitq_sleep_locked(struct waitq *wq, uint64_t deadline)
{
	struct thread *t = percpu_current();

	if (!may_block(1))
		return -EDEADLK;
	if (deadline && deadline <= time_ns())
		return -ETIMEDOUT;
	t->state = THREAD_BLOCKED;
	t->waiting_on = wq;
	t->timed_out = false;
	list_add_tail(&wq->waiters, &t->queue_node);
	if (deadline)
		timer_event_add(&t->timeout, deadline, timeout_fired, t);
	schedule_locked();
	if (deadline && !t->timed_out)
		timer_event_cancel(&t->timeout);
	return t->timed_out ? -ETIMEDOUT : 0;
}

bool waitq_wake_one_locked(struct waitq *wq)
{
	struct list_node *n = list_pop(&wq->waiters);
	struct thread *t;

	if (!n)
		return false;
	t = list_entry(n, struct thread, queue_node);
	t->waiting_on = 0;
	make_ready(t);
	return true;
}

int waitq_wake_all_locked(struct waitq *wq)
{
	int n = 0;

	while (waitq_wake_one_locked(wq))
		n++;
	return n;
}

int waitq_wake_one(struct waitq *wq)
{
	uint64_t f = sched_lock_irqsave();
	int n = waitq_wake_one_locked(wq);

	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return n;
}

int waitq_wake_all(struct waitq *wq)
{
	uint64_t f = sched_lock_irqsave();
	int n = waitq_wake_all_locked(wq);

	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return n;
}

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

void complete_all(struct completion *c)
{
	uint64_t f = sched_lock_irqsave();

	c->done = ~0u / 2;
	waitq_wake_all_locked(&c->wq);
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
		err = waitq_sleep_locked(&c->wq, deadline);
	if (c->done) {
		c->done--;
		err = 0;
	}
	sched_unlock_irqrestore(f);
	return err;
}

void sched_resched_if_needed(uint64_t flags)
{
	uint64_t f;

	if (!active || !cpu_flags_irq_enabled(flags) || percpu_self()->in_interrupt)
		return;
	f = sched_lock_irqsave();
	if (this_cpu()->need_resched) {
		struct thread *t = percpu_current();

		if (t != this_cpu()->idle)
			enqueue(this_cpu(), t);
		else
			t->state = THREAD_READY;
		schedule_locked();
	}
	sched_unlock_irqrestore(f);
}

void sched_interrupt_enter(void)
{
	if (active)
		percpu_self()->in_interrupt++;
}

void sched_interrupt_exit(void)
{
	struct sched_cpu *c;
	struct thread *t;
	uint64_t f;

	if (!active)
		return;
	percpu_self()->in_interrupt--;
	c = this_cpu();
	if (!c->need_resched)
		return;
	f = sched_lock_irqsave();
	t = percpu_current();
	c->stats.preemptions++;
	if (t != c->idle)
		enqueue(c, t);
	else
		t->state = THREAD_READY;
	schedule_locked();
	sched_unlock_irqrestore(f);
}

static void idle_main(void *arg)
{
	struct sched_cpu *c = arg;

	for (;;) {
		uint64_t f;

		reap_some();
		f = sched_lock_irqsave();
		if (c->nready) {
			c->idle->state = THREAD_READY;
			schedule_locked();
			sched_unlock_irqrestore(f);
			continue;
		}
		/* Sleep with interrupts still off, so a wake-up between the
		 * check and the halt cannot be missed (sti; hlt is atomic).
		 * The interrupt's exit path switches away if it woke someone. */
		spin_unlock_irqrestore(&sched_lock, 0);
		cpu_wait_for_interrupt();
		cpu_irq_restore(f);
	}
}

void sched_init(void)
{
	struct sched_cpu *c = &boot_cpu;
	struct thread *t = &boot_thread;
	uint64_t f;

	percpu_init_boot(percpu_hw_id());
	fpu_init();
	for (int p = 0; p < SCHED_PRIO_LEVELS; p++)
		list_init(&c->ready[p]);
	percpu_self()->sched = c;

	/* kmain, running on the boot stack, becomes thread 0 */
	t->boot = true;
	t->tid = 0;
	t->prio = SCHED_PRIO_DEFAULT;
	t->state = THREAD_RUNNING;
	t->on_cpu = true;
	t->fpu = fpu_area_alloc(&t->fpu_raw);
	strlcpy(t->name, "kmain", sizeof(t->name));
	waitq_init(&t->join_wq);
	list_init(&t->queue_node);
	list_init(&t->reap_node);
	list_init(&t->proc_node);
	c->idle = thread_alloc("idle", idle_main, c, 0);
	if (!t->fpu || !c->idle)
		panic("sched: no memory for the first threads");
	c->idle->tid = -1;
	c->idle->state = THREAD_READY;

	f = sched_lock_irqsave();
	list_add_tail(&all_threads, &t->all_node);
	list_add_tail(&all_threads, &c->idle->all_node);
	nthreads = 2;
	percpu_set_current(t);
	c->switch_ns = time_ns();
	active = true;
	slice_start(c, time_ns());
	sched_unlock_irqrestore(f);
	log_info("sched: preemptive, %u priorities, %llu ms slices; FPU state %s, %zu bytes (XCR0 %#llx)",
		 SCHED_PRIO_LEVELS, (unsigned long long)(SCHED_SLICE_NS / 1000000),
		 fpu_uses_xsave() ? "XSAVE" : "FXSAVE", fpu_state_size(),
		 (unsigned long long)fpu_xcr0());
}

static const char *state_name(enum thread_state s)
{
	static const char *const names[] = { "ready", "running", "blocked", "dead" };

	return (unsigned)s < 4 ? names[s] : "?";
}

void sched_list_threads(void)
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

unsigned sched_thread_count(void) { return nthreads; }

void sched_get_stats(struct sched_stats *s)
{
	uint64_t f = sched_lock_irqsave();

	*s = this_cpu()->stats;
	sched_unlock_irqrestore(f);
}
