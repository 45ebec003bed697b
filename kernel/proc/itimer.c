/* Interval timers (see itimer.h). ITIMER_REAL: the timer event lives in
 * struct process and is cancelled when the process releases its resources
 * with timer_event_cancel, which waits for a callback running on another
 * CPU, before the struct can go. Locking: itimer_lock (a spinlock,
 * interrupts off, taken before the timer's own lock) covers every
 * process's itimer_armed and itimer_interval, the arming and cancelling of
 * its itimer event, and its itimer_cpu_deadline/interval pairs: the
 * callback runs in an interrupt handler on any CPU while setitimer runs on
 * another. Under the lock only timer_event_cancel_nowait is used (the
 * callback takes the lock); the callback then checks that it is wanted. */
#include <kernel/proc/itimer.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <kernel/timer.h>

static struct spinlock itimer_lock = SPINLOCK_INIT("itimer");

/* Nothing is sent when a setitimer on another CPU disarmed the timer or
 * armed it again while this callback waited for the lock. */
static void fire(struct timer_event *ev, void *ctx)
{
	struct process *p = ctx;
	uint64_t f = spin_lock_irqsave(&itimer_lock);
	bool wanted = p->itimer_armed && !__atomic_load_n(&ev->pending, __ATOMIC_RELAXED);

	if (wanted && p->itimer_interval)
		timer_event_add(ev, ev->deadline + p->itimer_interval, fire, p);
	else if (wanted)
		p->itimer_armed = false;
	spin_unlock_irqrestore(&itimer_lock, f);
	if (wanted)
		signal_send_irq(p, SIGALRM);
}

/* itimer_lock held. */
static void get_locked(struct process *p, uint64_t *value, uint64_t *interval)
{
	uint64_t now = time_ns();

	if (value)
		*value = !p->itimer.pending ? 0 : p->itimer.deadline > now ? p->itimer.deadline - now : 1;
	if (interval)
		*interval = p->itimer_interval;
}

void itimer_real_set(struct process *p, uint64_t value_ns, uint64_t interval_ns,
		     uint64_t *old_value, uint64_t *old_interval)
{
	uint64_t f = spin_lock_irqsave(&itimer_lock);

	get_locked(p, old_value, old_interval);
	(void)timer_event_cancel_nowait(&p->itimer);
	p->itimer_interval = value_ns ? interval_ns : 0;
	p->itimer_armed = value_ns != 0;
	if (value_ns)
		timer_event_add(&p->itimer, time_ns() + value_ns, fire, p);
	spin_unlock_irqrestore(&itimer_lock, f);
}

void itimer_real_get(struct process *p, uint64_t *value_ns, uint64_t *interval_ns)
{
	uint64_t f = spin_lock_irqsave(&itimer_lock);

	get_locked(p, value_ns, interval_ns);
	spin_unlock_irqrestore(&itimer_lock, f);
}

void itimer_release(struct process *p)
{
	uint64_t f = spin_lock_irqsave(&itimer_lock);

	p->itimer_armed = false;
	p->itimer_interval = 0;
	(void)timer_event_cancel_nowait(&p->itimer);
	spin_unlock_irqrestore(&itimer_lock, f);
	/* a callback already running finishes before p can go */
	(void)timer_event_cancel(&p->itimer);
}

static const int cpu_sig[2] = { SIGVTALRM, SIGPROF };

/* process_cpu_ns without the table mutex, which the way back to ring 3
 * from an interrupt may not take: the thread list is stable under the
 * signal lock too. */
static uint64_t cpu_now(struct process *p)
{
	uint64_t f = signal_lock(), ns = p->cpu_ns;

	list_for_each(n, &p->threads)
		ns += sched_thread_cpu_ns(list_entry(n, struct thread, proc_node));
	signal_unlock(f);
	return ns;
}

void itimer_cpu_get(struct process *p, int which, uint64_t *value_ns, uint64_t *interval_ns)
{
	uint64_t now = cpu_now(p), f = spin_lock_irqsave(&itimer_lock);
	uint64_t d = p->itimer_cpu_deadline[which];

	if (value_ns)
		*value_ns = !d ? 0 : d > now ? d - now : 1;
	if (interval_ns)
		*interval_ns = p->itimer_cpu_interval[which];
	spin_unlock_irqrestore(&itimer_lock, f);
}

void itimer_cpu_set(struct process *p, int which, uint64_t value_ns, uint64_t interval_ns,
		    uint64_t *old_value, uint64_t *old_interval)
{
	uint64_t now = cpu_now(p), f;

	itimer_cpu_get(p, which, old_value, old_interval);
	f = spin_lock_irqsave(&itimer_lock);
	p->itimer_cpu_deadline[which] = value_ns ? now + value_ns : 0;
	p->itimer_cpu_interval[which] = value_ns ? interval_ns : 0;
	spin_unlock_irqrestore(&itimer_lock, f);
	if (value_ns) {
		/* armed: every return to ring 3 checks it, from the next on */
		f = signal_lock();
		signal_ret_work_all_locked(p);
		signal_unlock(f);
	}
}

void itimer_cpu_check(struct process *p)
{
	uint64_t now, f;

	if (!p->itimer_cpu_deadline[0] && !p->itimer_cpu_deadline[1])
		return;
	now = cpu_now(p);
	for (int i = 0; i < 2; i++) {
		bool fire = false;

		f = spin_lock_irqsave(&itimer_lock);
		if (p->itimer_cpu_deadline[i] && p->itimer_cpu_deadline[i] <= now) {
			fire = true;
			p->itimer_cpu_deadline[i] = p->itimer_cpu_interval[i]
							    ? now + p->itimer_cpu_interval[i] : 0;
		}
		spin_unlock_irqrestore(&itimer_lock, f);
		if (fire)
			signal_send_irq(p, cpu_sig[i]);
	}
}
