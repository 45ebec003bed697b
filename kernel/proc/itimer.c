/* Interval timers (see itimer.h). ITIMER_REAL: The timer event lives in struct process;
 * it is changed with interrupts off and cancelled with timer_event_cancel,
 * which waits for a callback running on another CPU, when the process
 * releases its resources, before the struct can go. */
#include <kernel/proc/itimer.h>
#include <hal/cpu.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/time.h>
#include <kernel/timer.h>

static void fire(struct timer_event *ev, void *ctx)
{
	struct process *p = ctx;

	signal_send_irq(p, SIGALRM);
	if (p->itimer_interval)
		timer_event_add(ev, ev->deadline + p->itimer_interval, fire, p);
}

/* Interrupts off. */
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
	uint64_t f = cpu_irq_save();

	get_locked(p, old_value, old_interval);
	(void)timer_event_cancel(&p->itimer);
	p->itimer_interval = value_ns ? interval_ns : 0;
	if (value_ns)
		timer_event_add(&p->itimer, time_ns() + value_ns, fire, p);
	cpu_irq_restore(f);
}

void itimer_real_get(struct process *p, uint64_t *value_ns, uint64_t *interval_ns)
{
	uint64_t f = cpu_irq_save();

	get_locked(p, value_ns, interval_ns);
	cpu_irq_restore(f);
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
	uint64_t now = cpu_now(p), f = cpu_irq_save();
	uint64_t d = p->itimer_cpu_deadline[which];

	if (value_ns)
		*value_ns = !d ? 0 : d > now ? d - now : 1;
	if (interval_ns)
		*interval_ns = p->itimer_cpu_interval[which];
	cpu_irq_restore(f);
}

void itimer_cpu_set(struct process *p, int which, uint64_t value_ns, uint64_t interval_ns,
		    uint64_t *old_value, uint64_t *old_interval)
{
	uint64_t now = cpu_now(p), f;

	itimer_cpu_get(p, which, old_value, old_interval);
	f = cpu_irq_save();
	p->itimer_cpu_deadline[which] = value_ns ? now + value_ns : 0;
	p->itimer_cpu_interval[which] = value_ns ? interval_ns : 0;
	cpu_irq_restore(f);
}

void itimer_cpu_check(struct process *p)
{
	uint64_t now, f;

	if (!p->itimer_cpu_deadline[0] && !p->itimer_cpu_deadline[1])
		return;
	now = cpu_now(p);
	for (int i = 0; i < 2; i++) {
		bool fire = false;

		f = cpu_irq_save();
		if (p->itimer_cpu_deadline[i] && p->itimer_cpu_deadline[i] <= now) {
			fire = true;
			p->itimer_cpu_deadline[i] = p->itimer_cpu_interval[i]
							    ? now + p->itimer_cpu_interval[i] : 0;
		}
		cpu_irq_restore(f);
		if (fire)
			signal_send_irq(p, cpu_sig[i]);
	}
}
