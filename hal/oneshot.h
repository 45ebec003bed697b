/* The running CPU's one-shot event timer, named for the job (as lk's
 * platform timer): arm it for a delay in nanoseconds and it interrupts once.
 * On a PC it is the local APIC timer, measured against the TSC. */
#ifndef HAL_ONESHOT_H
#define HAL_ONESHOT_H

#include <stdint.h>
#include <cosmos/compiler.h>

/* Measures the timer's rate and installs fn(ctx) as its interrupt handler
 * (run in interrupt context, EOI sent by hal). 0, or -ENODEV when the
 * timer does not count. Needs interrupt routing (irq_init) and a
 * calibrated clock. */
int oneshot_init(void (*fn)(void *ctx), void *ctx) __must_check;
/* Another CPU's part, run on it as it starts: measures its own timer's
 * rate (the handler is shared). 0, or -ENODEV when that failed and the
 * boot CPU's rate is used instead. */
int oneshot_init_cpu(void) __must_check;
/* Fires the handler once, ns nanoseconds from now (at least 1 ns; clamped
 * to the hardware's longest count, after which the caller re-arms). */
void oneshot_arm(uint64_t ns);
/* Stops a pending countdown. */
void oneshot_cancel(void);

#endif
