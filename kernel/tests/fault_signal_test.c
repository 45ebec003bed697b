/* The ring-3 exception to signal table (kernel/proc/fault.c) and hal's
 * decoding of the FPU and debug status behind it, fed the states QEMU's
 * TCG never produces (#XM, #MF, #AC) as well as the rest. */
#include <kernel/ktest.h>
#include <cosmos/abi/signal.h>
#include <hal/fpu.h>
#include <hal/trap.h>
#include <kernel/proc/fault.h>

#define IP 0x401234

/* MXCSR: flags in bits 0-5, masks in bits 7-12 (0x1f80 masks all). */
static int simd_code(uint32_t mxcsr)
{
	struct user_fault u = { .vector = TRAP_XM, .ip = IP,
				.fpu = fpu_exception_decode(true, 0, 0, mxcsr) };
	struct fault_signal s = fault_signal_of(&u);

	return s.sig == SIGFPE && s.addr == IP ? s.code : s.sig ? -1 : 0;
}

/* x87: control word masks in bits 0-5 (0x37f masks all), status flags in
 * bits 0-5. */
static int x87_code(uint16_t fcw, uint16_t fsw)
{
	struct user_fault u = { .vector = TRAP_MF, .ip = IP,
				.fpu = fpu_exception_decode(false, fcw, fsw, 0x1f80) };
	struct fault_signal s = fault_signal_of(&u);

	return s.sig == SIGFPE && s.addr == IP ? s.code : s.sig ? -1 : 0;
}

KTEST(fault_signal_simd_exceptions)
{
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x0200) | 0x04), FPE_FLTDIV);   /* ZE unmasked */
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x0080) | 0x01), FPE_FLTINV);   /* IE */
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x0400) | 0x08), FPE_FLTOVF);   /* OE */
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x0800) | 0x10), FPE_FLTUND);   /* UE */
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x0100) | 0x02), FPE_FLTUND);   /* DE: Linux counts it as underflow */
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x1000) | 0x20), FPE_FLTRES);   /* PE */
	/* a flag whose exception is masked does not count: overflow
	 * unmasked and raised beats the masked precision flag */
	KT_EXPECT_EQ(t, simd_code((0x1f80 & ~0x0400) | 0x08 | 0x20), FPE_FLTOVF);
	/* several unmasked: Linux's order, invalid first */
	KT_EXPECT_EQ(t, simd_code(0x0000 | 0x3f), FPE_FLTINV);
	KT_EXPECT_EQ(t, simd_code(0x0000 | 0x2c), FPE_FLTDIV);
	/* flags raised but all masked: spurious, no signal */
	KT_EXPECT_EQ(t, simd_code(0x1f80 | 0x3f), 0);
	KT_EXPECT_EQ(t, simd_code(0x0000), 0);
}

KTEST(fault_signal_x87_exceptions)
{
	KT_EXPECT_EQ(t, x87_code(0x37f & ~0x04, 0x04), FPE_FLTDIV);
	KT_EXPECT_EQ(t, x87_code(0x37f & ~0x01, 0x41), FPE_FLTINV);   /* stack fault: IE with SF */
	KT_EXPECT_EQ(t, x87_code(0x37f & ~0x08, 0x08), FPE_FLTOVF);
	KT_EXPECT_EQ(t, x87_code(0x37f & ~0x10, 0x10), FPE_FLTUND);
	KT_EXPECT_EQ(t, x87_code(0x37f & ~0x20, 0x20), FPE_FLTRES);
	KT_EXPECT_EQ(t, x87_code(0x37f & ~0x20, 0x24), FPE_FLTRES);   /* ZE flagged but masked */
	KT_EXPECT_EQ(t, x87_code(0x37f, 0x3f), 0);
}

static struct fault_signal of(uint64_t vector, enum trap_debug_cause debug)
{
	struct user_fault u = { .vector = vector, .ip = IP, .debug = debug };

	return fault_signal_of(&u);
}

KTEST(fault_signal_debug_and_others)
{
	struct fault_signal s;

	KT_EXPECT_EQ(t, trap_debug_decode(0xffff0ff0 | (1u << 14)), TRAP_DEBUG_STEP);
	KT_EXPECT_EQ(t, trap_debug_decode(0xffff0ff0 | 0x2), TRAP_DEBUG_HWBKPT);
	KT_EXPECT_EQ(t, trap_debug_decode(0xffff0ff0), TRAP_DEBUG_OTHER);
	s = of(TRAP_DB, TRAP_DEBUG_STEP);
	KT_EXPECT(t, s.sig == SIGTRAP && s.code == TRAP_TRACE && s.addr == IP);
	s = of(TRAP_DB, TRAP_DEBUG_HWBKPT);
	KT_EXPECT(t, s.sig == SIGTRAP && s.code == TRAP_HWBKPT && s.addr == IP);
	s = of(TRAP_DB, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGTRAP && s.code == TRAP_BRKPT);
	s = of(TRAP_BP, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGTRAP && s.code == SI_KERNEL && s.addr == 0);
	s = of(TRAP_AC, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGBUS && s.code == BUS_ADRALN && s.addr == 0);
	s = of(TRAP_DE, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGFPE && s.code == FPE_INTDIV && s.addr == IP);
	s = of(TRAP_UD, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGILL && s.code == ILL_ILLOPN && s.addr == IP);
	s = of(TRAP_GP, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGSEGV && s.code == SI_KERNEL && s.addr == 0);
	s = of(TRAP_NP, TRAP_DEBUG_OTHER);
	KT_EXPECT(t, s.sig == SIGBUS && s.code == BUS_ADRERR);
}
