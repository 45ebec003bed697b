/* The scheduler: run queues per priority, the switch, time slices and the
 * idle thread (see sched.h). Threads are made and ended in thread.c, put
 * to sleep and woken in wait.c. */
#include <kernel/sched/sched.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/fpu.h>
#include <hal/ipi.h>
#include <hal/paging.h>
#include <hal/percpu.h>
#include <hal/tlb.h>
#include <hal/usermode.h>
#include <cosmos/errno.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/sched/internal.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <kernel/timer.h>

/* A CPU's scheduling state, reached through its struct percpu. Protected
 * by sched_lock (the slice event by the timer code's own rules). */
struct sched_cpu {
	struct list_node ready[SCHED_PRIO_LEVELS];
	unsigned nready;
	struct thread *idle;
	struct thread *curr;         /* running on this CPU */
	unsigned id;                 /* the CPU's id (hal/percpu.h) */
	struct thread *last;         /* switched away from: clear its on_cpu */
	struct thread *handoff;      /* sched_hand_off: runs next if still ready */
	struct thread *direct;       /* sched_switch_direct: runs next, never queued */
	bool need_resched;
	uint64_t switch_ns;          /* when the current thread was switched in */
	struct timer_event slice;    /* pending while a thread's slice runs */
	uint64_t slice_end;          /* the running thread's slice ends here */
	uint64_t tick_start;         /* slice end seen, switch not finished */
	struct sched_stats stats;
};

struct spinlock sched_lock = SPINLOCK_INIT("sched");
/* Set once, by sched_init; read by thread_current (sched.h) on every call. */
bool sched_started;
static struct sched_cpu boot_cpu;
/* CPUs running their idle thread or something else: 0..online-1 (ids are
 * dense). Grows only, at boot, under sched_lock. */
static unsigned online = 1;

static struct sched_cpu *this_cpu(void) { return percpu_self()->sched; }
static struct sched_cpu *cpu_sched(unsigned cpu) { return percpu_get(cpu)->sched; }
bool sched_active(void) { return sched_started; }

static void enqueue(struct sched_cpu *c, struct thread *t)
{
	t->state = THREAD_READY;
	t->queued++;
	list_add_tail(&c->ready[t->prio], &t->run_node);
	c->nready++;
}

static struct thread *dequeue_best(struct sched_cpu *c)
{
	for (int p = SCHED_PRIO_LEVELS - 1; p >= 0; p--) {
		struct list_node *n = list_pop(&c->ready[p]);

		if (n) {
			c->nready--;
			return list_entry(n, struct thread, run_node);
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

/* The thread sched_hand_off named, taken out of its run queue, if it is
 * still ready and nobody of a higher priority is; the hint is used up
 * either way, so it never outlives the switch it was meant for (which is
 * also why the pointer stays valid: t cannot run, and so cannot end,
 * before this CPU switches). */
static struct thread *take_handoff(struct sched_cpu *c)
{
	struct thread *t = c->handoff;

	c->handoff = 0;
	if (!t || t->state != THREAD_READY || t->cpu != c->id || best_ready_prio(c) > t->prio)
		return 0;
	list_del(&t->run_node);
	c->nready--;
	return t;
}

/* The thread sched_switch_direct gives this CPU, or else take_handoff's:
 * either hint is used up at this switch. */
static struct thread *take_direct(struct sched_cpu *c)
{
	struct thread *t = c->direct;

	if (!t)
		return take_handoff(c);
	c->direct = 0;
	c->handoff = 0;
	return t;
}

/* t joined c's queue: c should switch if t comes before what it runs;
 * another CPU is told by IPI. */
static void kick(struct sched_cpu *c, struct thread *t)
{
	if (c->curr != c->idle && t->prio <= c->curr->prio)
		return;
	c->need_resched = true;
	if (c != this_cpu())
		ipi_resched(c->id);
}

uint64_t sched_online_mask(void)
{
	unsigned n = sched_cpus_online();

	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* What a CPU has to do: the thread it runs (not the idle one) and those
 * waiting in its queues. */
static unsigned load(struct sched_cpu *c)
{
	return c->nready + (c->curr != c->idle);
}

/* The online CPUs t may use (thread_set_affinity keeps at least one). */
static uint64_t usable(struct thread *t)
{
	uint64_t m = t->affinity & sched_online_mask();

	return m ? m : 1;
}

/* The least-loaded CPU t may use; prefer wins a tie. */
static struct sched_cpu *least_loaded(struct thread *t, unsigned prefer)
{
	uint64_t m = usable(t);
	struct sched_cpu *best = 0;

	for (unsigned i = 0; i < online; i++) {
		struct sched_cpu *c = cpu_sched(i);

		if (!(m & (1ull << i)))
			continue;
		if (!best || load(c) < load(best) || (load(c) == load(best) && i == prefer))
			best = c;
	}
	return best;
}

/* Where a thread made ready goes. A new one: the least-loaded CPU it may
 * use. A woken one: back to the CPU it last ran on (whose caches may still
 * hold its data), unless that CPU is busy and another it may use is idle. */
static struct sched_cpu *place(struct thread *t)
{
	uint64_t m = usable(t);
	struct sched_cpu *last;

	if (!t->switches || !(m & (1ull << t->ran_on)))
		return least_loaded(t, t->ran_on);
	last = cpu_sched(t->ran_on);
	if (load(last) == 0)
		return last;
	for (unsigned i = 0; i < online; i++)
		if ((m & (1ull << i)) && load(cpu_sched(i)) == 0)
			return cpu_sched(i);
	return last;
}

/* Takes the ready thread t out of its CPU's queue into to's. */
static void move_ready(struct thread *t, struct sched_cpu *to)
{
	struct sched_cpu *from = cpu_sched(t->cpu);

	list_del(&t->run_node);
	from->nready--;
	if (from->handoff == t)
		from->handoff = 0;
	t->cpu = to->id;
	enqueue(to, t);
	kick(to, t);
}

/* A thread waiting in from's queues that may run on to: the first of the
 * highest priority; NULL if none may. */
static struct thread *movable(struct sched_cpu *from, struct sched_cpu *to)
{
	for (int p = SCHED_PRIO_LEVELS - 1; p >= 0; p--)
		list_for_each(n, &from->ready[p]) {
			struct thread *t = list_entry(n, struct thread, run_node);

			if ((t->affinity & (1ull << to->id)) && !t->on_cpu)
				return t;
		}
	return 0;
}

/* c has nothing to run: it takes a waiting thread it may run from the CPU
 * with the longest queue that has one. That may be a CPU's only ready
 * thread while the CPU still runs its idle thread: it was queued there
 * and the CPU told by IPI, but c is free now, while that CPU may still be
 * halted (under TCG it waits for the host to run its vCPU: milliseconds on
 * a loaded host). A thread that makes another and waits for it, or wakes
 * a thread and sleeps, then has it run at once where it was. True if c's
 * queue got a thread. */
static bool steal(struct sched_cpu *c)
{
	struct sched_cpu *from = 0;
	struct thread *t = 0;

	for (unsigned i = 0; i < online; i++) {
		struct sched_cpu *b = cpu_sched(i);
		struct thread *m;

		if (b == c || !b->nready || (from && b->nready <= from->nready))
			continue;
		m = movable(b, c);
		if (m) {
			from = b;
			t = m;
		}
	}
	if (!t)
		return false;
	move_ready(t, c);
	c->stats.steals++;
	return true;
}

/* Periodic balancing, at each slice end of c: when c has at least two
 * more to do than the least-loaded CPU, one of its waiting threads moves
 * there. */
static void balance(struct sched_cpu *c)
{
	struct sched_cpu *to = 0;
	struct thread *t;

	for (unsigned i = 0; i < online; i++) {
		struct sched_cpu *b = cpu_sched(i);

		if (b != c && (!to || load(b) < load(to)))
			to = b;
	}
	if (!to || load(c) < load(to) + 2 || !(t = movable(c, to)))
		return;
	move_ready(t, to);
	c->stats.pushes++;
}

/* The running thread t gives up this CPU, ready: into its own CPU's
 * queue, which is another one's if its affinity moved it. */
static void requeue(struct thread *t)
{
	struct sched_cpu *c = cpu_sched(t->cpu);

	enqueue(c, t);
	if (c != this_cpu())
		kick(c, t);
}

static void ready_on(struct thread *t, struct sched_cpu *c)
{
	t->cpu = c->id;
	enqueue(c, t);
	kick(c, t);
}

void sched_make_ready(struct thread *t)
{
	if (t->state == THREAD_BLOCKED)
		ready_on(t, place(t));
}

/* Linux's WF_SYNC wake-up: the waker (a thread, not an interrupt handler)
 * is about to sleep, so the woken thread, put on this CPU, runs as soon as
 * it does. Ping-pong over a pipe, socket or channel then stays on one CPU
 * instead of waking the peer's idle CPU each message (under TCG each such
 * wake-up waits for the host to run that vCPU). Only when nothing else
 * waits here: with a queue, place() spreads the work as usual, and a waker
 * that keeps running hands the thread to an idle CPU at its slice end
 * (balance). */
void sched_make_ready_sync(struct thread *t)
{
	struct sched_cpu *c = this_cpu();

	if (t->state != THREAD_BLOCKED)
		return;
	if (percpu_in_interrupt() || c->curr == c->idle || c->nready ||
	    !(usable(t) & (1ull << c->id)))
		c = place(t);
	ready_on(t, c);
}

void sched_kick_running(struct thread *t)
{
	struct sched_cpu *c;

	if (t->state != THREAD_RUNNING)
		return;
	c = cpu_sched(t->ran_on);
	if (c != this_cpu() && c->curr == t) {
		c->need_resched = true;
		ipi_resched(c->id);
	}
}

/* The timer list is shared: this may run on any CPU for c's slice. */
static void on_slice_end(struct timer_event *ev, void *ctx)
{
	struct sched_cpu *c = ctx;
	uint64_t f = sched_lock_irqsave();
	struct thread *cur = c->curr;
	uint64_t now = time_ns();

	(void)ev;
	if (cur == c->idle) {
		sched_unlock_irqrestore(f);
		return;              /* idle has no slice; the next switch arms one */
	}
	/* Switches move slice_end without touching the timer (reprogramming
	 * the one-shot timer on every switch is costly): catch up lazily here. */
	if (now < c->slice_end) {
		if (!c->slice.pending)
			timer_event_add(&c->slice, c->slice_end, on_slice_end, c);
		sched_unlock_irqrestore(f);
		return;
	}
	c->stats.ticks++;
	balance(c);
	/* Only someone of at least the same priority can take the CPU; with
	 * nobody waiting the slice simply starts again. */
	if (c->nready && best_ready_prio(c) >= cur->prio) {
		c->need_resched = true;
		c->tick_start = now;
		if (c != this_cpu())
			ipi_resched(c->id);
	} else {
		c->slice_end = now + SCHED_SLICE_NS;
		if (!c->slice.pending)
			timer_event_add(&c->slice, c->slice_end, on_slice_end, c);
		/* The event ran on another CPU: c's thread took no interrupt,
		 * yet what is checked on the way back to ring 3 (CPU-time
		 * timers, signals) must see it once a slice, as on one CPU.
		 * With nobody ready the switch picks it again. */
		if (c != this_cpu())
			ipi_resched(c->id);
	}
	sched_unlock_irqrestore(f);
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

void sched_switch_locked(void)
{
	struct sched_cpu *c = this_cpu();
	struct thread *prev = percpu_current(), *next;
	uint64_t now;

	next = take_direct(c);
	if (!next && !c->nready)
		steal(c);
	c->need_resched = false;
	if (!next)
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
	if (prev->state == THREAD_READY || prev->state == THREAD_RUNNING)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	if (prev == c->idle)
		c->stats.idle_ns += now - c->switch_ns;
	c->switch_ns = now;
	c->stats.switches++;
	next->state = THREAD_RUNNING;
	next->on_cpu = true;
	next->switches++;
	next->ran_on = c->id;
	if (next != c->idle)
		slice_start(c, now);
	c->last = prev;
	fpu_save(prev->fpu);
	fpu_restore(next->fpu);
	/* Kernel threads run on whatever tables are loaded (every space
	 * shares the kernel half), which saves a TLB flush per switch; the
	 * CPU is lazy meanwhile (hal/tlb.h: shootdowns in those tables' user
	 * half skip it) and catches up when their thread is back. */
	if (!next->aspace)
		tlb_lazy_enter();
	else if (next->aspace != paging_active())
		paging_activate(next->aspace);
	else
		tlb_lazy_leave();
	if (next->user)
		usermode_switch(next->kstack_top, &next->tls);
	percpu_set_current(next);
	c->curr = next;
	context_switch(&prev->sp, next->sp);
	finish_switch(this_cpu());
}

void sched_thread_begin(void)
{
	finish_switch(this_cpu());
	sched_unlock_irqrestore(CPU_FLAGS_IRQ_ON);
}

void thread_yield(void)
{
	uint64_t f = sched_lock_irqsave();
	struct thread *t = percpu_current();

	requeue(t);
	sched_switch_locked();
	sched_unlock_irqrestore(f);
}

int thread_set_affinity(struct thread *t, uint64_t mask)
{
	uint64_t f;
	unsigned where;

	if (!(mask & sched_online_mask()) || t->tid < 0)
		return -EINVAL;
	f = sched_lock_irqsave();
	t->affinity = mask;
	where = t->state == THREAD_RUNNING ? t->ran_on : t->cpu;
	if (!(usable(t) & (1ull << where))) {
		struct sched_cpu *to = least_loaded(t, where);

		if (t->state == THREAD_READY) {
			move_ready(t, to);
		} else if (t->state == THREAD_RUNNING) {
			/* it joins to's queue when it switches out, which its
			 * CPU is asked to do now */
			struct sched_cpu *on = cpu_sched(t->ran_on);

			t->cpu = to->id;
			on->need_resched = true;
			if (on != this_cpu())
				ipi_resched(on->id);
		} else {
			t->cpu = to->id;      /* placed again when woken */
		}
	}
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
	return 0;
}

uint64_t thread_get_affinity(struct thread *t)
{
	uint64_t f = sched_lock_irqsave(), m = t->affinity;

	sched_unlock_irqrestore(f);
	return m;
}

int thread_set_cpu(struct thread *t, unsigned cpu)
{
	if (cpu >= sched_cpus_online())
		return -EINVAL;
	return thread_set_affinity(t, 1ull << cpu);
}

unsigned thread_cpu_now(void)
{
	return percpu_self()->cpu_id;
}

/* The current thread is about to block and t, asleep, was woken by it
 * (IPC's call): t may take this CPU straight away if it is off every CPU
 * and run queue (blocked: its switch out finished under this lock), may
 * run here, and no thread of its priority or higher waits here (a direct
 * switch starts a new slice, so a pair calling each other would otherwise
 * keep a waiting equal from the CPU). Where it last ran does not matter. */
bool sched_can_switch_to(struct thread *t)
{
	struct sched_cpu *c = this_cpu();
	struct thread *cur = percpu_current();

	return !percpu_in_interrupt() && cur != c->idle && t != cur &&
	       t->state == THREAD_BLOCKED && !t->on_cpu &&
	       (usable(t) & (1ull << c->id)) && best_ready_prio(c) < t->prio;
}

void sched_switch_direct(struct thread *t)
{
	struct sched_cpu *c = this_cpu();

	t->cpu = c->id;
	c->direct = t;
	c->stats.direct++;
	sched_switch_locked();
}

void sched_hand_off_locked(struct thread *t)
{
	if (t->state == THREAD_READY)
		this_cpu()->handoff = t;
}

void sched_hand_off(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();

	sched_hand_off_locked(t);
	sched_unlock_irqrestore(f);
}

void thread_set_priority(struct thread *t, int prio)
{
	uint64_t f = sched_lock_irqsave();
	struct sched_cpu *c = this_cpu();

	prio = sched_clamp_prio(prio);
	if (t->state == THREAD_READY && t != c->idle) {
		list_del(&t->run_node);
		t->prio = prio;
		list_add_tail(&cpu_sched(t->cpu)->ready[prio], &t->run_node);
	} else {
		t->prio = prio;
	}
	if (best_ready_prio(c) > ((struct thread *)percpu_current())->prio)
		c->need_resched = true;
	sched_unlock_irqrestore(f);
	sched_resched_if_needed(f);
}

/* Blocking is a bug in an interrupt handler or under a spinlock (the
 * scheduler's own lock, when the caller holds it, aside). */
bool sched_may_block(int locks_allowed)
{
	if (percpu_in_interrupt()) {
		sync_violation("blocking in an interrupt handler", 0);
		return false;
	}
	if (percpu_locks_held() > locks_allowed) {
		sync_violation("sleeping while holding a spinlock", 0);
		return false;
	}
	return true;
}

bool sched_might_sleep(void)
{
	return !sched_started || sched_may_block(0);
}

void sched_resched_if_needed(uint64_t flags)
{
	uint64_t f;
	bool want;

	if (!sched_started || !cpu_flags_irq_enabled(flags) || percpu_in_interrupt())
		return;
	/* A look first, interrupts off so the thread stays on this CPU while
	 * it reads this CPU's flag: most calls (every wake-up's) find nothing
	 * to do and skip the lock. A flag set by another CPU after the look
	 * comes with a reschedule IPI. */
	f = cpu_irq_save();
	want = this_cpu()->need_resched;
	cpu_irq_restore(f);
	if (!want)
		return;
	f = sched_lock_irqsave();
	if (this_cpu()->need_resched) {
		struct thread *t = percpu_current();

		if (t != this_cpu()->idle)
			requeue(t);
		else
			t->state = THREAD_READY;
		sched_switch_locked();
	}
	sched_unlock_irqrestore(f);
}

/* An interrupt can only arrive with interrupts on, and a CPU holding a
 * spinlock keeps them off: a count of locks held here means someone turned
 * them back on too early (an irqrestore out of order), and the thread
 * holding the lock could now be preempted with it. */
void sched_interrupt_enter(void)
{
	struct percpu *pc;

	if (!sched_started)
		return;
	pc = percpu_self();
	if (pc->in_interrupt++ == 0 && pc->locks_held)
		sync_violation("interrupted while holding a spinlock", 0);
}

void sched_interrupt_exit(void)
{
	struct sched_cpu *c;
	struct thread *t;
	uint64_t f;

	if (!sched_started)
		return;
	percpu_self()->in_interrupt--;
	c = this_cpu();
	if (!c->need_resched)
		return;
	f = sched_lock_irqsave();
	t = percpu_current();
	c->stats.preemptions++;
	if (t != c->idle)
		requeue(t);
	else
		t->state = THREAD_READY;
	sched_switch_locked();
	sched_unlock_irqrestore(f);
}

static void idle_main(void *arg)
{
	struct sched_cpu *c = arg;

	for (;;) {
		uint64_t f;

		/* Freeing a thread unmaps its stack; only the boot CPU, the
		 * one whose TLB saw those stacks, does it. */
		if (c == &boot_cpu)
			thread_reap_some();
		f = sched_lock_irqsave();
		if (c->nready || steal(c)) {
			c->idle->state = THREAD_READY;
			sched_switch_locked();
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

struct sched_cpu *sched_cpu_alloc(void)
{
	struct sched_cpu *c = kzalloc(sizeof(*c));

	if (!c)
		return 0;
	for (int p = 0; p < SCHED_PRIO_LEVELS; p++)
		list_init(&c->ready[p]);
	c->idle = thread_create_idle(idle_main, c);
	if (!c->idle) {
		kfree(c);
		return 0;
	}
	return c;
}

void *sched_cpu_stack_top(struct sched_cpu *c)
{
	return c->idle->kstack_top;
}

void sched_cpu_start(void *arg)
{
	struct sched_cpu *c = arg;
	uint64_t f;

	percpu_self()->sched = c;
	/* its own timer's rate; on failure (logged) the boot CPU's is used */
	(void)!timer_init_cpu();
	f = sched_lock_irqsave();
	c->id = percpu_self()->cpu_id;
	c->curr = c->idle;
	percpu_set_current(c->idle);
	c->idle->state = THREAD_RUNNING;
	c->idle->on_cpu = true;
	c->switch_ns = time_ns();
	__atomic_store_n(&online, online + 1, __ATOMIC_RELEASE);
	sched_unlock_irqrestore(f);
	idle_main(c);
}

void sched_ipi_resched(void)
{
	uint64_t f = sched_lock_irqsave();

	this_cpu()->need_resched = true;
	sched_unlock_irqrestore(f);
}

unsigned sched_cpus_online(void)
{
	return __atomic_load_n(&online, __ATOMIC_ACQUIRE);
}

void sched_init(void)
{
	struct sched_cpu *c = &boot_cpu;
	struct thread *boot;
	uint64_t f;

	percpu_init_boot(percpu_hw_id());
	fpu_init();
	for (int p = 0; p < SCHED_PRIO_LEVELS; p++)
		list_init(&c->ready[p]);
	percpu_self()->sched = c;
	boot = thread_init_boot();
	c->idle = thread_create_idle(idle_main, c);
	if (!boot || !c->idle)
		panic("sched: no memory for the first threads");

	f = sched_lock_irqsave();
	percpu_set_current(boot);
	c->curr = boot;
	c->switch_ns = time_ns();
	sched_started = true;
	slice_start(c, time_ns());
	sched_unlock_irqrestore(f);
	log_info("sched: preemptive, %u priorities, %llu ms slices; FPU state %s, %zu bytes (XCR0 %#llx)",
		 SCHED_PRIO_LEVELS, (unsigned long long)(SCHED_SLICE_NS / 1000000),
		 fpu_uses_xsave() ? "XSAVE" : "FXSAVE", fpu_state_size(),
		 (unsigned long long)fpu_xcr0());
}

void sched_get_stats(struct sched_stats *s)
{
	uint64_t f = sched_lock_irqsave();

	*s = this_cpu()->stats;
	sched_unlock_irqrestore(f);
}

uint64_t sched_thread_cpu_ns(struct thread *t)
{
	uint64_t f = sched_lock_irqsave();
	uint64_t ns = t->cpu_ns;

	/* the running thread's slice so far counts too, on whichever CPU it
	 * runs (t->cpu may already name the next one): a thread alone on a
	 * CPU is never switched and would never see its time grow */
	for (unsigned i = 0; sched_started && i < sched_cpus_online(); i++) {
		struct sched_cpu *c = cpu_sched(i);

		if (c->curr == t) {
			ns += time_ns() - c->switch_ns;
			break;
		}
	}
	sched_unlock_irqrestore(f);
	return ns;
}
