/* Timer events: run a callback at a point in time (ns since boot). One
 * hardware one-shot is kept armed for the earliest pending event. */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

struct timer_event {
	uint64_t deadline;               /* time_ns() at which to run */
	void (*fn)(struct timer_event *ev, void *ctx);
	void *ctx;
	struct timer_event *next;        /* pending list, sorted by deadline */
	bool pending;
};

/* Takes over hal's one-shot event timer (hal/oneshot.h); 0 or a negative
 * errno. Waiting for a deadline is the scheduler's thread_sleep_until. */
int timer_init(void) __must_check;
/* Arms ev (which must stay valid until it runs or is cancelled). Callbacks
 * run in interrupt context and may re-arm their own event. */
void timer_event_add(struct timer_event *ev, uint64_t deadline,
		     void (*fn)(struct timer_event *ev, void *ctx), void *ctx);
/* Takes ev off the list and, if its callback is running on another CPU,
 * waits until it has returned (and takes the event off again if the
 * callback re-armed it), so the caller may free what the callback uses.
 * The caller must not hold a lock the callback takes (use the _nowait
 * form there). True if ev was pending. */
bool timer_event_cancel(struct timer_event *ev);
/* Takes ev off the list without waiting for a callback that may be
 * running: for callers holding a lock the callback takes, whose callback
 * checks under that lock that it is still wanted. True if ev was pending
 * and will no longer run. */
bool timer_event_cancel_nowait(struct timer_event *ev);

#endif
