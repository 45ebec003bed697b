/* Linux's x86-64 signal frame (see sigframe.h). Offsets and magic numbers
 * are Linux's (arch/x86/include/uapi/asm/sigcontext.h). */
#include <hal/sigframe.h>
#include <hal/fpu.h>
#include <hal/gdt.h>
#include <hal/rflags.h>
#include <hal/usermode.h>
#include <lib/string.h>

#define USER_CS (GDT_USER_CS | 3)
#define USER_DS (GDT_USER_DS | 3)

#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define FP_SW_BYTES      464          /* in the 512-byte legacy area */
#define FP_MXCSR         24
#define FP_MXCSR_MASK    28
#define XSAVE_HEADER     512          /* xstate_bv, xcomp_bv, 48 reserved bytes */
#define MXCSR_MASK_DEFAULT 0x0000ffbfu

struct fpx_sw_bytes {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size, padding[7];
};
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "fpx_sw_bytes fills the reserved bytes");

size_t sigframe_fpstate_size(void)
{
	return fpu_state_size() + (fpu_uses_xsave() ? 4 : 0);
}

void sigframe_fpstate_mark(void *area)
{
	struct fpx_sw_bytes sw = { 0 };
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	size_t n = fpu_state_size();

	if (fpu_uses_xsave()) {
		sw.magic1 = FP_XSTATE_MAGIC1;
		sw.extended_size = (uint32_t)n + 4;
		sw.xfeatures = fpu_xcr0();
		sw.xstate_size = (uint32_t)n;
		memcpy((uint8_t *)area + n, &magic2, 4);
	}
	memcpy((uint8_t *)area + FP_SW_BYTES, &sw, sizeof(sw));
}

uint32_t sigframe_mxcsr_mask(const void *area)
{
	uint32_t m;

	memcpy(&m, (const uint8_t *)area + FP_MXCSR_MASK, 4);
	return m ? m : MXCSR_MASK_DEFAULT;
}

void sigframe_fpstate_sanitize(void *area, uint32_t mxcsr_mask)
{
	uint8_t *a = area;
	uint32_t mxcsr;

	memcpy(&mxcsr, a + FP_MXCSR, 4);
	mxcsr &= mxcsr_mask;
	memcpy(a + FP_MXCSR, &mxcsr, 4);
	memcpy(a + FP_MXCSR_MASK, &mxcsr_mask, 4);
	if (fpu_uses_xsave()) {
		uint64_t bv;

		/* xrstor faults on a header with unknown components, the
		 * compacted form or nonzero reserved bytes */
		memcpy(&bv, a + XSAVE_HEADER, 8);
		bv &= fpu_xcr0();
		memset(a + XSAVE_HEADER, 0, 64);
		memcpy(a + XSAVE_HEADER, &bv, 8);
	}
}

uint64_t sigframe_place(uint64_t sp, uint64_t *fpstate)
{
	uint64_t fp = (sp - sigframe_fpstate_size()) & ~63ull;

	*fpstate = fp;
	/* as after a call: rsp + 8 is 16-byte aligned at the handler's entry */
	return ((fp - sizeof(struct sigframe)) & ~15ull) - 8;
}

void sigframe_save_regs(struct sigframe_ucontext *uc, const struct trap_frame *f)
{
	struct sigframe_context *c = &uc->mc;

	c->r8 = f->r8;
	c->r9 = f->r9;
	c->r10 = f->r10;
	c->r11 = f->r11;
	c->r12 = f->r12;
	c->r13 = f->r13;
	c->r14 = f->r14;
	c->r15 = f->r15;
	c->rdi = f->rdi;
	c->rsi = f->rsi;
	c->rbp = f->rbp;
	c->rbx = f->rbx;
	c->rdx = f->rdx;
	c->rax = f->rax;
	c->rcx = f->rcx;
	c->rsp = f->rsp;
	c->rip = f->rip;
	c->eflags = f->rflags;
	c->cs = (uint16_t)f->cs;
	c->ss = (uint16_t)f->ss;
	c->err = f->vector < TRAP_EXCEPTIONS ? f->error_code : 0;
	c->trapno = f->vector < TRAP_EXCEPTIONS ? f->vector : 0;
	c->cr2 = f->vector == TRAP_PF ? f->cr2 : 0;
}

void sigframe_enter(struct trap_frame *f, uint64_t handler, int sig, uint64_t frame)
{
	f->rip = handler;
	f->rsp = frame;
	f->rdi = (uint64_t)sig;
	f->rsi = frame + __builtin_offsetof(struct sigframe, info);
	f->rdx = frame + __builtin_offsetof(struct sigframe, uc);
	f->rax = 0;
	f->cs = USER_CS;
	f->ss = USER_DS;
	f->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
}

bool sigframe_restore_regs(struct trap_frame *f, const struct sigframe_ucontext *uc)
{
	const struct sigframe_context *c = &uc->mc;

	if (c->cs != USER_CS || (c->ss != USER_DS && c->ss != 0) || c->rip >= USERMODE_TOP ||
	    c->rsp >= USERMODE_TOP)
		return false;
	f->r8 = c->r8;
	f->r9 = c->r9;
	f->r10 = c->r10;
	f->r11 = c->r11;
	f->r12 = c->r12;
	f->r13 = c->r13;
	f->r14 = c->r14;
	f->r15 = c->r15;
	f->rdi = c->rdi;
	f->rsi = c->rsi;
	f->rbp = c->rbp;
	f->rbx = c->rbx;
	f->rdx = c->rdx;
	f->rax = c->rax;
	f->rcx = c->rcx;
	f->rsp = c->rsp;
	f->rip = c->rip;
	f->rflags = (f->rflags & ~RFLAGS_USER) | (c->eflags & RFLAGS_USER);
	f->rflags |= RFLAGS_IF | RFLAGS_RSV1;
	f->cs = USER_CS;
	f->ss = USER_DS;
	return true;
}
