/* Timer events over hal's one-shot event timer. The pending list is
 * sorted; the hardware is always armed for its head, so an interrupt means
 * "the earliest deadline may have passed": run everything due, then re-arm.
 * Locking: timer_lock (a spinlock, so the interrupt handler may take it)
 * covers the list, `running`, every event's pending/next fields and the
 * arming. It is dropped around each callback, which may add and cancel
 * events (the scheduler's slice and sleep deadlines do). The event whose
 * callback runs is recorded, so that timer_event_cancel can wait for it
 * to finish before the caller frees what the callback uses. */
#include <kernel/timer.h>
#include <kernel/time.h>
#include <kernel/sync/spinlock.h>
#include <hal/cpu.h>
#include <hal/ipi.h>
#include <hal/oneshot.h>
#include <hal/percpu.h>

static struct spinlock timer_lock = SPINLOCK_INIT("timer");
static struct timer_event *pending;
/* A CPU is running callbacks (timer_lock). The list is shared and any CPU
 * whose timer fires may come here; only one runs callbacks at a time, so
 * they run one after another in deadline order, as on one CPU. The runner
 * looks at the list again after each callback, so what falls due while it
 * runs is not left behind. */
static bool running;
/* The event whose callback runs now, and on which CPU (timer_lock). */
static struct timer_event *running_ev;
static unsigned running_cpu;

static unsigned my_cpu(void)
{
	return percpu_cpu_count() ? percpu_self()->cpu_id : 0;
}

/* Call with timer_lock held. */
static void program(void)
{
	uint64_t now;

	if (!pending) {
		oneshot_cancel();
		return;
	}
	now = time_ns();
	oneshot_arm(pending->deadline > now ? pending->deadline - now : 1);
}

static void on_timer_irq(void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);

	(void)ctx;
	if (running) {
		spin_unlock_irqrestore(&timer_lock, flags);
		return;
	}
	running = true;
	while (pending && pending->deadline <= time_ns()) {
		struct timer_event *ev = pending;

		pending = ev->next;
		ev->pending = false;
		running_ev = ev;
		running_cpu = my_cpu();
		spin_unlock_irqrestore(&timer_lock, flags);
		ev->fn(ev, ev->ctx);   /* may re-add itself */
		flags = spin_lock_irqsave(&timer_lock);
		running_ev = 0;
	}
	running = false;
	program();
	spin_unlock_irqrestore(&timer_lock, flags);
}

int timer_init(void)
{
	return oneshot_init(on_timer_irq, 0);
}

/* Call with timer_lock held. */
static bool cancel_locked(struct timer_event *ev)
{
	for (struct timer_event **p = &pending; *p; p = &(*p)->next) {
		if (*p == ev) {
			*p = ev->next;
			ev->pending = false;
			return true;
		}
	}
	return false;
}

void timer_event_add(struct timer_event *ev, uint64_t deadline,
		     void (*fn)(struct timer_event *ev, void *ctx), void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	struct timer_event **p = &pending;
	bool was_head = pending == ev;

	if (ev->pending)
		cancel_locked(ev);
	ev->deadline = deadline;
	ev->fn = fn;
	ev->ctx = ctx;
	while (*p && (*p)->deadline <= deadline)
		p = &(*p)->next;
	ev->next = *p;
	*p = ev;
	ev->pending = true;
	if (pending == ev || was_head)
		program();
	spin_unlock_irqrestore(&timer_lock, flags);
}

bool timer_event_cancel_nowait(struct timer_event *ev)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	bool was = cancel_locked(ev);

	if (was)
		program();
	spin_unlock_irqrestore(&timer_lock, flags);
	return was;
}

bool timer_event_cancel(struct timer_event *ev)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	bool was = cancel_locked(ev);

	/* Its callback runs on another CPU: wait, then take the event off
	 * again, since the callback may have re-armed it. (The callback
	 * cancelling its own event, on this CPU, must not wait for itself.) */
	while (running_ev == ev && running_cpu != my_cpu()) {
		spin_unlock_irqrestore(&timer_lock, flags);
		ipi_poll();
		cpu_pause();
		flags = spin_lock_irqsave(&timer_lock);
		was |= cancel_locked(ev);
	}
	if (was)
		program();
	spin_unlock_irqrestore(&timer_lock, flags);
	return was;
}
