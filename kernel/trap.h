/* Trap policy: what the kernel does with each CPU exception or stray
 * interrupt. A kernel fault panics with the hal register dump and a
 * symbolized backtrace; #BP logs and continues; layers above may claim
 * page faults through a hook. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/trap.h>

/* Loads the CPU tables and installs the kernel's handler. */
void trap_init(void);

/* Called first for every page fault; returns nonzero when it handled the
 * fault (the access is then retried). NULL removes it. Returns the hook it
 * replaced, so a temporary one (a test) can put it back. */
typedef int (*trap_page_fault_hook_fn)(struct trap_frame *f, uint64_t cr2);
trap_page_fault_hook_fn trap_set_page_fault_hook(trap_page_fault_hook_fn fn);

/* Handler for one vector from 32 to 255 (device interrupts, IPIs); NULL
 * removes it. Returns 0, -EINVAL for an exception vector, -EBUSY if the
 * vector already has a different handler. */
typedef void (*trap_vector_fn)(struct trap_frame *f);
int trap_set_vector_handler(unsigned vector, trap_vector_fn fn);

/* Called for an interrupt vector that has no handler of its own (device
 * interrupts routed by hal/irq); returns true if it was expected. */
void trap_set_interrupt_fallback(bool (*fn)(unsigned vector));

/* Lets mm name its own guard pages (vmalloc'd kernel stacks) so that a
 * fault there is reported as a kernel stack overflow. */
void trap_set_stack_guard_hook(bool (*fn)(uint64_t va));

/* Counters for tests: breakpoints continued, stray vectors reported. */
uint64_t trap_breakpoint_count(void);
uint64_t trap_unexpected_count(void);

#endif
