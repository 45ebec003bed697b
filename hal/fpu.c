/* FPU state setup and save/restore (see hal/fpu.h). CR0.EM off and MP on,
 * CR4.OSFXSR/OSXMMEXCPT on, CR4.OSXSAVE and XCR0 when XSAVE exists. */
#include <hal/fpu.h>
#include <hal/cpu.h>
#include <lib/string.h>

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)

/* x87, SSE, AVX, AVX-512 opmask/upper ZMM/high ZMM: the user-visible state.
 * MPX (bits 3-4) is deprecated; PKRU (bit 9) stays off, as nothing uses
 * protection keys. */
#define XCR0_WANTED 0xe7ull

/* Set once by the boot CPU's fpu_init; read-only afterwards. */
bool fpu_xsave;
static uint64_t xcr0;
static size_t state_size = 512;

static inline void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

size_t fpu_init(void)
{
	uint32_t r[4];

	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid(1, 0, r);
	if (r[2] & (1u << 26)) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		cpuid(0xd, 0, r);
		xcr0 = (((uint64_t)r[3] << 32) | r[0]) & XCR0_WANTED;
		/* AVX-512 needs all three of its components or none */
		if ((xcr0 & 0xe0) != 0xe0)
			xcr0 &= ~0xe0ull;
		xsetbv(0, xcr0);
		cpuid(0xd, 0, r);
		state_size = r[1];   /* EBX: size for the components now in XCR0 */
		fpu_xsave = true;
	}
	__asm__ volatile("fninit");
	return state_size;
}

void fpu_init_cpu(void)
{
	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (fpu_xsave) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		xsetbv(0, xcr0);
	}
	__asm__ volatile("fninit");
}

size_t fpu_state_size(void) { return state_size; }
bool fpu_uses_xsave(void) { return fpu_xsave; }
uint64_t fpu_xcr0(void) { return xcr0; }

void fpu_state_init(void *area)
{
	uint8_t *a = area;

	/* A zero XSAVE header means every component is in its initial state;
	 * the legacy area still supplies MXCSR, and FXRSTOR wants FCW too. */
	memset(a, 0, state_size);
	*(uint16_t *)(a + 0) = 0x37f;        /* FCW: all exceptions masked */
	*(uint32_t *)(a + 24) = 0x1f80;      /* MXCSR: all masked, round nearest */
}

enum fpu_exception fpu_exception_decode(bool simd, uint16_t fcw, uint16_t fsw, uint32_t mxcsr)
{
	/* the six flag bits (IE DE ZE OE UE PE) line up with the six mask
	 * bits: FCW's 0-5, MXCSR's 7-12 */
	unsigned err = simd ? (mxcsr & ~(mxcsr >> 7)) & 0x3f : (fsw & ~fcw) & 0x3f;

	if (err & 0x01)
		return FPU_EXC_INVALID;
	if (err & 0x04)
		return FPU_EXC_DIVZERO;
	if (err & 0x08)
		return FPU_EXC_OVERFLOW;
	if (err & 0x12)
		return FPU_EXC_UNDERFLOW;
	if (err & 0x20)
		return FPU_EXC_INEXACT;
	return FPU_EXC_NONE;
}

enum fpu_exception fpu_exception_pending(bool simd, void *area)
{
	const uint8_t *a = area;

	fpu_save(area);
	return fpu_exception_decode(simd, *(const uint16_t *)(a + 0), *(const uint16_t *)(a + 2),
				    *(const uint32_t *)(a + 24));
}
