/* Per-thread FPU/SSE/AVX state: XSAVE/XRSTOR with every user-visible
 * component the CPU supports enabled in XCR0, FXSAVE/FXRSTOR otherwise. The
 * kernel is built without SSE, so only threads that run user code (and the
 * tests) really need it; the scheduler switches it for every thread. */
#ifndef HAL_FPU_H
#define HAL_FPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FPU_STATE_ALIGN 64

/* Sets CR0/CR4 (and XCR0) for this CPU; returns the save-area size. */
size_t fpu_init(void);
/* The same on another CPU, with what the boot CPU's fpu_init chose. */
void fpu_init_cpu(void);
size_t fpu_state_size(void);
bool fpu_uses_xsave(void);
uint64_t fpu_xcr0(void);
/* area: fpu_state_size() bytes, FPU_STATE_ALIGN-aligned. */
void fpu_state_init(void *area);    /* the clean state a new thread starts in */

/* Whether fpu_init chose XSAVE (set once, at boot); fpu_save and
 * fpu_restore are inline because every switch calls both. */
extern bool fpu_xsave;

static inline void fpu_save(void *area)
{
	if (fpu_xsave)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(0xffffffffu), "d"(0xffffffffu) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void fpu_restore(const void *area)
{
	if (fpu_xsave)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(0xffffffffu), "d"(0xffffffffu) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

/* The exception a #MF (x87) or #XM (SSE) reports: the first of the
 * flagged and unmasked ones in Linux's order (invalid, divide by zero,
 * overflow, underflow or denormal, precision); FPU_EXC_NONE for a
 * spurious trap. From the x87 control and status words for #MF, from
 * MXCSR for #XM. */
enum fpu_exception {
	FPU_EXC_NONE, FPU_EXC_INVALID, FPU_EXC_DIVZERO, FPU_EXC_OVERFLOW,
	FPU_EXC_UNDERFLOW, FPU_EXC_INEXACT,
};
enum fpu_exception fpu_exception_decode(bool simd, uint16_t fcw, uint16_t fsw, uint32_t mxcsr);
/* The same for the calling thread's state in its registers, saved to
 * area (its fpu_state_size() save area) first. */
enum fpu_exception fpu_exception_pending(bool simd, void *area);

/* Test helpers (hal/fpu.S): load xmm0-15, MXCSR and the x87 control word
 * with values derived from seed; check them (returns the number of
 * registers that differ, 0 when all match). */
void fpu_test_load(uint64_t seed);
int fpu_test_check(uint64_t seed);

#endif
