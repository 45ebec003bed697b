/* Timer events over the LAPIC one-shot. The pending list is sorted; the
 * hardware is always programmed for its head, so an interrupt means "the
 * earliest deadline may have passed": run everything due, then re-arm.
 * Locking: the list is touched with interrupts off (one CPU for now; SMP
 * needs a lock here, dropped around the callbacks). Callbacks run with the
 * list consistent, so they may add and cancel events (the scheduler's
 * slice and sleep deadlines do). */
#include <kernel/timer.h>
#include <kernel/log.h>
#include <kernel/time.h>
#include <kernel/sched/sched.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/lapic.h>
#include <cosmos/errno.h>

static struct timer_event *pending;

static void program(void)
{
	uint64_t now;

	if (!pending) {
		lapic_timer_oneshot(0);
		return;
	}
	now = time_ns();
	lapic_timer_oneshot(pending->deadline > now ? pending->deadline - now : 1);
}

static void on_timer_irq(void *ctx)
{
	(void)ctx;
	while (pending && pending->deadline <= time_ns()) {
		struct timer_event *ev = pending;

		pending = ev->next;
		ev->pending = false;
		ev->fn(ev, ev->ctx);   /* may re-add itself */
	}
	program();
}

int timer_init(void)
{
	if (lapic_timer_calibrate() != 0) {
		log_err("timer: the LAPIC timer does not count");
		return -ENODEV;
	}
	irq_set_system_handler(LAPIC_TIMER_VECTOR, on_timer_irq, 0);
	log_info("timer: LAPIC timer %llu kHz, one-shot deadlines",
		 (unsigned long long)(lapic_timer_hz() / 1000));
	return 0;
}

void timer_event_add(struct timer_event *ev, uint64_t deadline,
		     void (*fn)(struct timer_event *ev, void *ctx), void *ctx)
{
	uint64_t f = cpu_irq_save();
	struct timer_event **p = &pending;

	if (ev->pending)
		timer_event_cancel(ev);
	ev->deadline = deadline;
	ev->fn = fn;
	ev->ctx = ctx;
	while (*p && (*p)->deadline <= deadline)
		p = &(*p)->next;
	ev->next = *p;
	*p = ev;
	ev->pending = true;
	if (pending == ev)
		program();
	cpu_irq_restore(f);
}

bool timer_event_cancel(struct timer_event *ev)
{
	uint64_t f = cpu_irq_save();
	bool was = false;

	for (struct timer_event **p = &pending; *p; p = &(*p)->next) {
		if (*p == ev) {
			*p = ev->next;
			ev->pending = false;
			was = true;
			break;
		}
	}
	if (was)
		program();
	cpu_irq_restore(f);
	return was;
}

static void wake(struct timer_event *ev, void *ctx)
{
	(void)ev;
	*(volatile bool *)ctx = true;
}

void timer_wait_until(uint64_t deadline)
{
	struct timer_event ev = { 0 };
	volatile bool done = false;
	uint64_t f;

	/* Once there are threads, waiting is the scheduler's business: the
	 * CPU goes to someone else (or to the idle thread's halt). */
	if (sched_active() && thread_sleep_until(deadline) == 0)
		return;
	f = cpu_irq_save();

	timer_event_add(&ev, deadline, wake, (void *)&done);
	while (!done)
		cpu_wait_for_interrupt();
	cpu_irq_restore(f);
}
