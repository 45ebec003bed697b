/* Interrupt bring-up and the kernel's side of interrupt vectors: routing
 * on, the timer, then interrupts enabled; kernel handlers for vectors that
 * hal/irq does not own. */
#ifndef KERNEL_INTERRUPTS_H
#define KERNEL_INTERRUPTS_H

#include <stdint.h>
#include <hal/trap.h>

/* Needs platform discovery and mm (MMIO mappings). Panics when the machine
 * has no interrupt controller or event timer: every sleep would hang. */
void interrupts_init(void);

/* Handler for one vector from 32 to 255 (IPIs, tests); NULL removes it.
 * Returns 0, -EINVAL for an exception vector, -EBUSY if the vector already
 * has a different handler. */
typedef void (*interrupts_vector_fn)(struct trap_frame *f);
int interrupts_set_vector_handler(unsigned vector, interrupts_vector_fn fn);

/* For kernel/exception.c: runs the handler of an interrupt vector. */
void interrupts_dispatch(struct trap_frame *f);
/* The frame of the interrupt this CPU is handling, NULL outside one (the
 * profiler's view of what was interrupted). */
const struct trap_frame *interrupts_current_frame(void);
/* Vectors that arrived with nothing to handle them (tests). */
uint64_t interrupts_unexpected_count(void);

#endif
