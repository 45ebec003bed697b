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
void fpu_save(void *area);
void fpu_restore(const void *area);

/* Test helpers (hal/fpu.S): load xmm0-15, MXCSR and the x87 control word
 * with values derived from seed; check them (returns the number of
 * registers that differ, 0 when all match). */
void fpu_test_load(uint64_t seed);
int fpu_test_check(uint64_t seed);

#endif
