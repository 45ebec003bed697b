/* Benchmarks of interrupt and time handling: interrupt entry-to-handler
 * latency (a self-IPI), timer deadline accuracy, and the clock read cost. */
#include <kernel/kbench.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <hal/cpu.h>
#include <hal/irq.h>

static volatile uint64_t handler_ns;

static void note_arrival(void *ctx)
{
	(void)ctx;
	handler_ns = time_ns();
}

KBENCH(irq_latency)
{
	enum { ROUNDS = 1000 };
	int v = irq_request_vector(note_arrival, 0);
	uint64_t total = 0, best = ~0ULL, flags;

	if (v < 0)
		return;
	flags = cpu_irq_save();
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t sent;

		handler_ns = 0;
		sent = time_ns();
		if (irq_raise_self(v) != 0)
			break;
		while (!handler_ns)
			cpu_wait_for_interrupt();
		total += handler_ns - sent;
		if (handler_ns - sent < best)
			best = handler_ns - sent;
	}
	cpu_irq_restore(flags);
	irq_free(v);
	kbench_report("irq_entry_to_handler", total / ROUNDS, 0, "ns");
	kbench_report("irq_entry_to_handler_min", best, 0, "ns");
}

struct deadline_run {
	uint64_t worst, sum;
	int done;
};

static void record_error(struct timer_event *ev, void *ctx)
{
	struct deadline_run *r = ctx;
	uint64_t late = time_ns() - ev->deadline;   /* never early: checked by ktest */

	r->sum += late;
	if (late > r->worst)
		r->worst = late;
	r->done++;
}

KBENCH(timer_deadline)
{
	enum { ROUNDS = 200 };
	struct deadline_run r = { 0, 0, 0 };
	struct timer_event ev = { 0 };

	for (int i = 0; i < ROUNDS; i++) {
		/* deadlines 50..1050 us ahead, spread so they don't alias the tick */
		uint64_t ahead = 50000 + (uint64_t)(i * 7919 % 1000) * 1000;
		int before = r.done;
		uint64_t flags = cpu_irq_save();

		timer_event_add(&ev, time_ns() + ahead, record_error, &r);
		while (r.done == before)
			cpu_wait_for_interrupt();
		cpu_irq_restore(flags);
	}
	kbench_report("timer_deadline_error_mean", r.sum / ROUNDS, 0, "ns");
	kbench_report("timer_deadline_error_worst", r.worst, 0, "ns");
}

uint64_t clock_sink;   /* global: keeps the reads from being optimised out */

KBENCH(clock_read)
{
	enum { ROUNDS = 100000 };
	uint64_t t0 = time_ns();

	for (int i = 0; i < ROUNDS; i++)
		clock_sink = time_ns();
	kbench_report("clock_read", (time_ns() - t0) * 100 / ROUNDS, 2, "ns");
}
