/* Kernel thread context switch: what the SysV ABI says a call preserves
 * (rbx, rbp, r12-r15, the stack pointer) is saved on the old thread's stack
 * and its stack pointer stored; FPU/SSE state is hal/fpu's business. */
#ifndef HAL_CONTEXT_H
#define HAL_CONTEXT_H

#include <stdint.h>
#include <cosmos/compiler.h>

/* Builds the first frame on a new stack so that switching to it calls
 * entry(arg) with an aligned stack; entry must never return. Returns the
 * stack pointer to give context_switch. */
void *context_init(void *stack_top, void (*entry)(void *), void *arg) __must_check;

/* Saves the current context, stores its stack pointer in *save and resumes
 * the context whose stack pointer is next. Returns when someone switches
 * back. Call with interrupts off. */
void context_switch(void **save, void *next);

/* Test helper: fills rbx, rbp, r12-r15 with seed-derived values, calls
 * fn(arg), and stores what those registers hold afterwards in out[0..5];
 * expected[0..5] receives the values it loaded. */
void context_test_call(uint64_t seed, void (*fn)(void *), void *arg,
		       uint64_t out[6], uint64_t expected[6]);

#endif
