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

/* Ring 3 is the process layer's: it installs these at boot.
 *   fault    a CPU exception from ring 3, called with interrupts off (so
 *            per-CPU status such as DR6 is still the trap's); turns them
 *            on, and returns when the program may go on (a page fault
 *            resolved), else ends it
 *   ret      before any return to ring 3 from an interrupt or exception:
 *            the work due then (uthread_return); returns with interrupts off
 *   resolve  a page fault on a user address inside the user-copy
 *            primitives, with interrupts on: 0 when the address space
 *            resolved it (the access is retried); else the copy ends short */
struct exception_user_ops {
	void (*fault)(struct trap_frame *f);
	void (*ret)(struct trap_frame *f);
	int (*resolve)(const struct trap_page_fault *pf);
};
void exception_set_user_ops(const struct exception_user_ops *ops);

/* Breakpoints continued so far (tests). */
uint64_t exception_breakpoint_count(void);

#endif
