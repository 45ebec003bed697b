/* Linux's x86-64 signal frame (rt_sigframe): the layout musl's and glibc's
 * handlers, sigreturn trampolines and siglongjmp expect, built from and
 * restored into a user register frame. hal does not touch user memory:
 * the kernel copies the frame and the FPU state out and back in. */
#ifndef HAL_SIGFRAME_H
#define HAL_SIGFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/signal.h>
#include <hal/trap.h>

/* struct sigcontext (uc_mcontext): musl's gregs[] are its first 23 words. */
struct sigframe_context {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;                 /* user address of the FPU state, 0: none */
	uint64_t reserved1[8];
};

struct sigframe_ucontext {
	uint64_t uc_flags, uc_link;
	uint64_t ss_sp;                   /* uc_stack (stack_t) */
	int32_t ss_flags, pad;
	uint64_t ss_size;
	struct sigframe_context mc;
	uint64_t sigmask;                 /* the mask sigreturn puts back */
};

/* At the handler's stack pointer: the return address (sa_restorer), then
 * the ucontext and siginfo the handler's second and third arguments point to. */
struct sigframe {
	uint64_t pretcode;
	struct sigframe_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct sigframe_context) == 256, "Linux's sigcontext is 256 bytes");
_Static_assert(sizeof(struct sigframe_ucontext) == 304, "Linux's ucontext is 304 bytes");
_Static_assert(__builtin_offsetof(struct sigframe, info) == 312, "siginfo follows the ucontext");

/* The FPU state in the frame: the thread's save area, marked as Linux
 * marks it (fpx_sw_bytes in the XSAVE legacy area's reserved bytes, a
 * second magic word after it). Bytes the frame holds for it: */
size_t sigframe_fpstate_size(void);
/* Marks a copy of the save area (sigframe_fpstate_size() bytes). */
void sigframe_fpstate_mark(void *area);
/* Makes a save area taken from a program safe to load: reserved MXCSR
 * bits cleared with the CPU's mask (mxcsr_mask, from the thread's own
 * area), the XSAVE header limited to the enabled components in the
 * standard form. */
void sigframe_fpstate_sanitize(void *area, uint32_t mxcsr_mask);
uint32_t sigframe_mxcsr_mask(const void *area);

/* Where a frame goes below the stack pointer sp (the red zone already
 * skipped, or the top of an alternate stack): the frame's address, and
 * the FPU state's in *fpstate (64-byte aligned). */
uint64_t sigframe_place(uint64_t sp, uint64_t *fpstate);
/* Fills the registers of uc from f. */
void sigframe_save_regs(struct sigframe_ucontext *uc, const struct trap_frame *f);
/* Points f at the handler: rip handler, rsp the frame, rdi sig, rsi the
 * siginfo, rdx the ucontext, and the flags a handler starts with. */
void sigframe_enter(struct trap_frame *f, uint64_t handler, int sig, uint64_t frame);
/* sigreturn: loads f from uc. RFLAGS keeps only the bits a program may
 * change (IOPL, IF, NT never come from the frame); false, with f
 * unchanged, when the frame asks for another code or stack segment than
 * the user's, or a non-canonical rip or rsp. */
bool sigframe_restore_regs(struct trap_frame *f, const struct sigframe_ucontext *uc);

#endif
