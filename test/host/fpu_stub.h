/* The three facts hal/sigframe.c asks hal/fpu.c about the CPU, for host
 * builds of it (test_sigframe and fuzz_sigframe): set by the test. */
#ifndef TEST_HOST_FPU_STUB_H
#define TEST_HOST_FPU_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hal/fpu.h>

static size_t stub_fpu_size = 512;
static bool stub_fpu_xsave;
static uint64_t stub_fpu_xcr0 = 3;

size_t fpu_state_size(void) { return stub_fpu_size; }
bool fpu_uses_xsave(void) { return stub_fpu_xsave; }
uint64_t fpu_xcr0(void) { return stub_fpu_xcr0; }

#endif
