/* Exception policy: what the kernel does with each CPU exception. A kernel
 * fault panics with hal's register dump and a symbolized backtrace; a
 * breakpoint logs and continues; mm claims page faults through a hook.
 * Interrupt vectors are passed on to kernel/interrupts.c. */
#ifndef KERNEL_EXCEPTION_H
#define KERNEL_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/trap.h>

/* Loads the CPU tables and installs the kernel's handler for every vector. */
void exception_init(void);

/* Called first for every page fault; returns nonzero when it handled the
 * fault (the access is then retried). NULL removes it. Returns the hook it
 * replaced, so a temporary one (a test) can put it back. */
typedef int (*exception_page_fault_fn)(struct trap_frame *f, const struct trap_page_fault *pf);
exception_page_fault_fn exception_set_page_fault_hook(exception_page_fault_fn fn);

/* Lets mm name its own guard pages (vmalloc'd kernel stacks) so that a
 * fault there is reported as a kernel stack overflow. */
void exception_set_stack_guard_hook(bool (*fn)(uint64_t va));

/* Breakpoints continued so far (tests). */
uint64_t exception_breakpoint_count(void);

#endif
