/* Timer events: run a callback at a point in time (ns since boot). One
 * hardware one-shot is kept armed for the earliest pending event. */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct timer_event {
	uint64_t deadline;               /* time_ns() at which to run */
	void (*fn)(struct timer_event *ev, void *ctx);
	void *ctx;
	struct timer_event *next;        /* pending list, sorted by deadline */
	bool pending;
};

/* Calibrates and takes over the LAPIC timer; 0 or a negative errno. */
int timer_init(void);
/* Arms ev (which must stay valid until it runs or is cancelled). Callbacks
 * run in interrupt context and may re-arm their own event. */
void timer_event_add(struct timer_event *ev, uint64_t deadline,
		     void (*fn)(struct timer_event *ev, void *ctx), void *ctx);
/* Returns true if ev was pending and will no longer run. */
bool timer_event_cancel(struct timer_event *ev);
/* Waits until time_ns() >= deadline: the calling thread blocks once the
 * scheduler runs (before that, the CPU halts between interrupts). */
void timer_wait_until(uint64_t deadline);

#endif
