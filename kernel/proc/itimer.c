/* ITIMER_REAL (see itimer.h). The timer event lives in struct process;
 * it is changed with interrupts off (its callback runs in an interrupt
 * handler on the one CPU) and cancelled when the process releases its
 * resources, before the struct can go. */
#include <kernel/proc/itimer.h>
#include <hal/cpu.h>
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
