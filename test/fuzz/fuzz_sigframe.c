/* Fuzz target for hal/sigframe.c, the checks rt_sigreturn makes of the
 * frame a program hands back (kernel/proc/signal_deliver.c copies it in
 * and calls them). The input picks the CPU (FXSAVE or XSAVE, XCR0, the
 * save area's size), the user register frame the program was interrupted
 * in, a stack pointer, the ucontext and the FPU save area. A refused frame
 * leaves the registers alone; an accepted one gives ring-3 segments, a
 * canonical user rip and rsp and no IOPL, NT or VM bits, with IF set; a
 * sanitized save area has no reserved MXCSR bit and an XSAVE header xrstor
 * takes (components within XCR0, standard form, zero reserved bytes), and
 * nothing else in it changed; a frame placed below the stack fits there
 * with the alignment a handler expects, and the handler is entered with
 * ring-3 segments and its arguments inside the frame. */
#include "fuzz.h"
#include "test/host/fpu_stub.h"

#include <hal/gdt.h>
#include <hal/rflags.h>
#include <hal/sigframe.h>
#include <hal/usermode.h>

#define USER_CS (GDT_USER_CS | 3)
#define USER_DS (GDT_USER_DS | 3)
#define RFLAGS_IOPL (3ull << 12)
#define RFLAGS_VM   (1ull << 17)
#define RFLAGS_VIF_VIP (3ull << 19)

static void check_restore(struct fuzz_in *in)
{
	struct trap_frame f, before;
	struct sigframe_ucontext uc;
	const struct sigframe_context *c = &uc.mc;
	size_t got;
	const uint8_t *b;
	bool ok, want;

	memset(&f, 0, sizeof(f));
	b = fuzz_bytes(in, sizeof(f), &got);
	memcpy(&f, b, got);
	/* the frame of a program in ring 3, as the entry code saved it */
	f.cs = USER_CS;
	f.ss = USER_DS;
	f.rip %= USERMODE_TOP;
	f.rsp %= USERMODE_TOP;
	f.rflags = (f.rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_RSV1;
	before = f;
	memset(&uc, 0, sizeof(uc));
	b = fuzz_bytes(in, sizeof(uc), &got);
	memcpy(&uc, b, got);

	ok = sigframe_restore_regs(&f, &uc);
	want = c->cs == USER_CS && (c->ss == USER_DS || c->ss == 0) &&
	       c->rip < USERMODE_TOP && c->rsp < USERMODE_TOP;
	FUZZ_CHECK(ok == want, "cs %#x ss %#x rip %#llx rsp %#llx: %s", c->cs, c->ss,
		   (unsigned long long)c->rip, (unsigned long long)c->rsp, ok ? "taken" : "refused");
	if (!ok) {
		FUZZ_CHECK(memcmp(&f, &before, sizeof(f)) == 0, "a refused frame changed registers");
		return;
	}
	FUZZ_CHECK(f.cs == USER_CS && f.ss == USER_DS, "segments %#llx %#llx",
		   (unsigned long long)f.cs, (unsigned long long)f.ss);
	FUZZ_CHECK(f.rip < USERMODE_TOP && f.rsp < USERMODE_TOP, "rip %#llx rsp %#llx",
		   (unsigned long long)f.rip, (unsigned long long)f.rsp);
	FUZZ_CHECK(!(f.rflags & (RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM | RFLAGS_VIF_VIP)) &&
		   (f.rflags & (RFLAGS_IF | RFLAGS_RSV1)) == (RFLAGS_IF | RFLAGS_RSV1),
		   "rflags %#llx", (unsigned long long)f.rflags);
	FUZZ_CHECK((f.rflags & RFLAGS_USER) == (c->eflags & RFLAGS_USER), "program's flags lost");
	FUZZ_CHECK(f.rip == c->rip && f.rsp == c->rsp && f.rax == c->rax && f.rdi == c->rdi &&
		   f.r15 == c->r15 && f.rcx == c->rcx, "registers not taken from the frame");
	FUZZ_CHECK(f.vector == before.vector && f.error_code == before.error_code &&
		   f.cr2 == before.cr2, "entry bookkeeping changed");

	/* and a frame saved from the result restores to the same registers */
	memset(&uc, 0, sizeof(uc));
	sigframe_save_regs(&uc, &f);
	before = f;
	FUZZ_CHECK(sigframe_restore_regs(&f, &uc), "a saved frame refused");
	FUZZ_CHECK(memcmp(&f, &before, sizeof(f)) == 0, "save then restore changed registers");
}

static void check_sanitize(struct fuzz_in *in)
{
	size_t n = fpu_state_size(), got;
	uint8_t *area = calloc(1, n), *orig = malloc(n);
	const uint8_t *b = fuzz_bytes(in, n, &got);
	uint32_t mask, mxcsr, stored;

	if (!area || !orig)
		abort();
	memcpy(area, b, got);
	memcpy(orig, area, n);
	/* the mask comes from the thread's own area, which the CPU wrote */
	mask = sigframe_mxcsr_mask(area) & 0xffff;
	sigframe_fpstate_sanitize(area, mask);
	memcpy(&mxcsr, area + 24, 4);
	memcpy(&stored, area + 28, 4);
	FUZZ_CHECK(!(mxcsr & ~mask) && stored == mask, "mxcsr %#x with mask %#x", mxcsr, mask);
	if (fpu_uses_xsave()) {
		uint64_t bv;

		memcpy(&bv, area + 512, 8);
		FUZZ_CHECK(!(bv & ~fpu_xcr0()), "xstate_bv %#llx beyond xcr0 %#llx",
			   (unsigned long long)bv, (unsigned long long)fpu_xcr0());
		for (int i = 8; i < 64; i++)
			FUZZ_CHECK(area[512 + i] == 0, "header byte %d is %#x", i, area[512 + i]);
	}
	for (size_t i = 0; i < n; i++) {
		if ((i >= 24 && i < 32) || (fpu_uses_xsave() && i >= 512 && i < 576))
			continue;
		FUZZ_CHECK(area[i] == orig[i], "byte %zu of the save area changed", i);
	}
	free(orig);
	free(area);
}

static void check_place(struct fuzz_in *in)
{
	uint64_t sp = fuzz_u64(in) % USERMODE_TOP, fp, frame;

	if (sp < 65536)
		return;   /* no room: the copy to the stack fails in the kernel */
	frame = sigframe_place(sp, &fp);
	FUZZ_CHECK(fp % 64 == 0 && fp + sigframe_fpstate_size() <= sp, "fpstate %#llx below %#llx",
		   (unsigned long long)fp, (unsigned long long)sp);
	FUZZ_CHECK(frame + sizeof(struct sigframe) <= fp && (frame + 8) % 16 == 0,
		   "frame %#llx", (unsigned long long)frame);
}

/* The handler's entry: ring-3 segments, the frame's parts in its argument
 * registers, no direction, trap or resume flag; the save area marked as
 * Linux marks it, inside the bytes the frame holds for it. */
static void check_enter(struct fuzz_in *in)
{
	struct trap_frame f;
	uint64_t handler = fuzz_u64(in) % USERMODE_TOP, frame = fuzz_u64(in) % USERMODE_TOP;
	size_t n = sigframe_fpstate_size();
	uint8_t *area = calloc(1, n);
	uint32_t magic;

	if (!area)
		abort();
	memset(&f, 0, sizeof(f));
	f.rflags = fuzz_u64(in);
	sigframe_enter(&f, handler, (int)(fuzz_u8(in) % 64) + 1, frame);
	FUZZ_CHECK(f.cs == USER_CS && f.ss == USER_DS && f.rip == handler && f.rsp == frame,
		   "handler entry");
	FUZZ_CHECK(!(f.rflags & (RFLAGS_DF | RFLAGS_TF | RFLAGS_RF)), "rflags %#llx",
		   (unsigned long long)f.rflags);
	FUZZ_CHECK(f.rsi > frame && f.rdx > frame && f.rsi < frame + sizeof(struct sigframe) &&
		   f.rdx < frame + sizeof(struct sigframe), "arguments outside the frame");
	sigframe_fpstate_mark(area);
	memcpy(&magic, area + 464, 4);
	FUZZ_CHECK(magic == (fpu_uses_xsave() ? 0x46505853u : 0), "fpx_sw_bytes magic %#x", magic);
	free(area);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t cpu = fuzz_u8(&in);

	stub_fpu_xsave = cpu & 1;
	/* x87 and SSE always; AVX, MPX, AVX-512, PKRU as the input says */
	stub_fpu_xcr0 = 3 | (fuzz_u64(&in) & 0x2fc);
	stub_fpu_size = stub_fpu_xsave ? 576 + 64 * (size_t)(fuzz_u8(&in) % 64) : 512;
	check_restore(&in);
	check_place(&in);
	check_sanitize(&in);
	check_enter(&in);
	return 0;
}
