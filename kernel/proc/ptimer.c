/* POSIX per-process timers (see ptimer.h).
 *
 * Locking: a process's timer table (struct process.ptimers) and every
 * field of its timers are under sig_lock (signal_lock), which the expiry
 * callback takes in interrupt context; the timer event itself is armed and
 * cancelled under it too (sig_lock before the timer code's own lock).
 * A callback that was already running when settime re-armed or disarmed
 * the timer checks, under sig_lock, that the timer is still armed and its
 * time has come, so it cannot fire early. Under sig_lock the event is
 * cancelled without waiting (the callback takes sig_lock); a deleted timer
 * is freed only after timer_event_cancel, outside the lock, has waited for
 * a callback running on another CPU.
 *
 * A timer on a CPU-time clock (the process's or one of its threads',
 * kernel/proc/cpuclock.h) has no timer event: its expiry is a CPU time,
 * checked by ptimer_cpu_check on each of the process's returns to ring 3
 * (the scheduler's tick reaches one every slice while a thread spins),
 * while p->ptimers_cpu_armed says one is armed. */
#include <kernel/proc/ptimer.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <hal/platform.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/cpuclock.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/time.h>
#include <kernel/timer.h>

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define NS_PER_S 1000000000ull

struct ptimer {
	struct timer_event ev;
	struct sigqueued q;           /* its signal; q.info.timer points back here */
	struct process *p;
	int id, clock, notify, tid;
	bool cpu;                     /* on cpuclock, not a wall clock */
	struct cpuclock cpuclock;
	bool armed;                   /* ev pending, or about to run */
	uint64_t expires;             /* time_ns() (or CPU ns) of the next expiry */
	uint64_t interval;            /* ns; 0: one shot */
	struct sigpending *queued_on; /* where q waits, NULL when not queued */
	int overrun;                  /* expiries while q was pending */
	int overrun_last;             /* of the last one taken (timer_getoverrun) */
};

/* Adds n to an overrun count, stopping at INT_MAX (as Linux's DELAYTIMER_MAX). */
static int overrun_add(int have, uint64_t n)
{
	uint64_t sum = (uint64_t)have + n;

	return sum > 0x7fffffff ? 0x7fffffff : (int)sum;
}

/* The thread a SIGEV_THREAD_ID timer names, if it still runs (else the
 * signal goes to the process). sig_lock held. */
static struct thread *target_locked(struct ptimer *t)
{
	if (t->notify != SIGEV_THREAD_ID)
		return 0;
	list_for_each(n, &t->p->threads) {
		struct thread *th = list_entry(n, struct thread, proc_node);

		if (th->tid == t->tid)
			return th;
	}
	return 0;
}

static void fire(struct timer_event *ev, void *ctx);

static void set_armed_locked(struct ptimer *t, bool armed)
{
	if (t->cpu && t->armed != armed)
		t->p->ptimers_cpu_armed += armed ? 1 : -1;
	t->armed = armed;
	/* a CPU-time timer armed: every return to ring 3 checks it */
	if (t->cpu && armed)
		signal_ret_work_all_locked(t->p);
}

/* The timer's time (now) has come: the next expiry, and its signal.
 * sig_lock held. */
static void expire_locked(struct ptimer *t, uint64_t now)
{
	uint64_t missed = 0;

	if (t->interval) {
		/* expiries the interrupt came too late for count as overruns */
		missed = (now - t->expires) / t->interval;
		t->expires += (missed + 1) * t->interval;
		if (!t->cpu)
			timer_event_add(&t->ev, t->expires, fire, t);
	} else {
		set_armed_locked(t, false);
	}
	if (t->notify != SIGEV_NONE) {
		if (t->queued_on) {
			t->overrun = overrun_add(t->overrun, missed + 1);
		} else {
			t->overrun = overrun_add(0, missed);
			t->queued_on = signal_queue_timer_locked(t->p, target_locked(t), &t->q);
		}
	}
}

static void fire(struct timer_event *ev, void *ctx)
{
	struct ptimer *t = ctx;
	uint64_t f = signal_lock(), now = time_ns();

	(void)ev;
	if (t->armed && now >= t->expires)
		expire_locked(t, now);
	/* else disarmed or re-armed since: not this expiry */
	signal_unlock(f);
}

void ptimer_cpu_check(struct process *p)
{
	uint64_t f = signal_lock();

	for (int i = 0; i < PTIMER_MAX; i++) {
		struct ptimer *t = p->ptimers[i];

		if (t && t->cpu && t->armed) {
			uint64_t now = cpuclock_read_sig_locked(p, &t->cpuclock);

			if (now >= t->expires)
				expire_locked(t, now);
		}
	}
	signal_unlock(f);
}

void ptimer_signal_taken_locked(struct ksiginfo *info)
{
	struct ptimer *t = info->timer;

	info->uid = (uint32_t)t->overrun;   /* si_overrun shares si_uid's place */
	t->overrun_last = t->overrun;
	t->overrun = 0;
	t->queued_on = 0;
}

void ptimer_signal_dropped_locked(const struct ksiginfo *info)
{
	struct ptimer *t = info->timer;

	t->overrun = 0;
	t->queued_on = 0;
}

static bool event_ok(const struct ptimer_event *ev, struct process *p)
{
	uint64_t f;
	bool found = false;

	if (ev->notify != SIGEV_SIGNAL && ev->notify != SIGEV_NONE && ev->notify != SIGEV_THREAD_ID)
		return false;
	if (ev->notify == SIGEV_NONE)
		return true;
	/* SIGKILL, SIGSTOP and SIGCONT act when sent, which an interrupt
	 * handler cannot do; CosmOS refuses them here */
	if (ev->signo < 1 || ev->signo > NSIG || ev->signo == SIGKILL || ev->signo == SIGSTOP ||
	    ev->signo == SIGCONT)
		return false;
	if (ev->notify != SIGEV_THREAD_ID)
		return true;
	f = signal_lock();
	list_for_each(n, &p->threads)
		if (list_entry(n, struct thread, proc_node)->tid == ev->tid)
			found = true;
	signal_unlock(f);
	return found;
}

int ptimer_create(struct process *p, int clock, const struct ptimer_event *ev)
{
	struct ptimer *t;
	uint64_t f;
	int id = -1;

	struct cpuclock cc = { 0 };
	bool cpu = cpuclock_decode(clock, &cc);

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && !cpu)
		return -EINVAL;
	/* CosmOS times only the caller's own process and threads */
	if (cpu && !cpuclock_is_own(p, &cc))
		return -EINVAL;
	if (cpu) {
		if (!cc.thread)
			cc.id = p->pid;
		else if (cc.id == 0)
			cc.id = thread_current()->tid;
	}
	if (ev && !event_ok(ev, p))
		return -EINVAL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	f = signal_lock();
	for (int i = 0; i < PTIMER_MAX && id < 0; i++)
		if (!p->ptimers[i])
			id = i;
	if (id < 0) {
		signal_unlock(f);
		kfree(t);
		return -EAGAIN;
	}
	t->p = p;
	t->id = id;
	t->clock = clock;
	t->cpu = cpu;
	t->cpuclock = cc;
	t->notify = ev ? ev->notify : SIGEV_SIGNAL;
	t->tid = ev ? ev->tid : 0;
	t->q.info = (struct ksiginfo){
		.signo = ev ? ev->signo : SIGALRM, .code = SI_TIMER,
		.pid = id,   /* si_timerid shares si_pid's place */
		.addr = ev ? ev->value : (uint64_t)id, .timer = t,
	};
	p->ptimers[id] = t;
	signal_unlock(f);
	return id;
}

/* sig_lock held. */
static struct ptimer *find_locked(struct process *p, int id)
{
	return id >= 0 && id < PTIMER_MAX ? p->ptimers[id] : 0;
}

/* The timer's clock now. sig_lock held. */
static uint64_t now_locked(struct ptimer *t)
{
	return t->cpu ? cpuclock_read_sig_locked(t->p, &t->cpuclock) : time_ns();
}

static void get_locked(struct ptimer *t, uint64_t *value, uint64_t *interval)
{
	uint64_t now = now_locked(t);

	/* an expiry not yet handled shows as 1 ns, except for SIGEV_NONE,
	 * whose expiry nobody waits for (Linux's rule) */
	if (value)
		*value = !t->armed ? 0 : t->expires > now ? t->expires - now :
			 t->notify == SIGEV_NONE ? 0 : 1;
	if (interval)
		*interval = t->interval;
}

int ptimer_settime(struct process *p, int id, bool abs, uint64_t value, uint64_t interval,
		   uint64_t *old_value, uint64_t *old_interval)
{
	uint64_t f = signal_lock(), now, boot;
	struct ptimer *t = find_locked(p, id);

	if (!t) {
		signal_unlock(f);
		return -EINVAL;
	}
	now = now_locked(t);
	get_locked(t, old_value, old_interval);
	(void)timer_event_cancel_nowait(&t->ev);
	set_armed_locked(t, false);
	t->interval = value ? interval : 0;
	if (value) {
		if (!abs) {
			t->expires = now + value;
		} else {
			/* CLOCK_REALTIME runs at boot's wall time plus the
			 * monotonic clock (nothing sets it) */
			boot = t->clock == CLOCK_REALTIME ? (uint64_t)platform_boot_unix_time() * NS_PER_S : 0;
			/* a CPU clock reads from 0 like the value */
			t->expires = value > boot ? value - boot : 0;
			if (t->expires < now)
				t->expires = now;   /* already past: expires at once */
		}
		set_armed_locked(t, true);
		if (!t->cpu)
			timer_event_add(&t->ev, t->expires, fire, t);
	}
	signal_unlock(f);
	return 0;
}

int ptimer_gettime(struct process *p, int id, uint64_t *value, uint64_t *interval)
{
	uint64_t f = signal_lock();
	struct ptimer *t = find_locked(p, id);

	if (t)
		get_locked(t, value, interval);
	signal_unlock(f);
	return t ? 0 : -EINVAL;
}

int ptimer_getoverrun(struct process *p, int id)
{
	uint64_t f = signal_lock();
	struct ptimer *t = find_locked(p, id);
	int n = t ? t->overrun_last : -EINVAL;

	signal_unlock(f);
	return n;
}

int ptimer_delete(struct process *p, int id)
{
	uint64_t f = signal_lock();
	struct ptimer *t = find_locked(p, id);

	if (!t) {
		signal_unlock(f);
		return -EINVAL;
	}
	p->ptimers[id] = 0;
	set_armed_locked(t, false);
	(void)timer_event_cancel_nowait(&t->ev);
	if (t->queued_on)
		signal_unqueue_timer_locked(t->queued_on, &t->q);
	signal_unlock(f);
	(void)timer_event_cancel(&t->ev);   /* a running callback finishes first */
	kfree(t);
	return 0;
}

void ptimer_delete_all(struct process *p)
{
	for (int i = 0; i < PTIMER_MAX; i++)
		(void)ptimer_delete(p, i);
}
