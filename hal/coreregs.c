/* user_regs_struct for core files (see coreregs.h): r15 r14 r13 r12 rbp
 * rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss
 * fs_base gs_base ds es fs gs. */
#include <hal/coreregs.h>

void coreregs_from_frame(uint64_t out[COREREGS_COUNT], const struct trap_frame *f,
			 const struct usermode_tls *tls)
{
	const uint64_t r[COREREGS_COUNT] = {
		f->r15, f->r14, f->r13, f->r12, f->rbp, f->rbx, f->r11, f->r10, f->r9, f->r8,
		f->rax, f->rcx, f->rdx, f->rsi, f->rdi,
		/* orig_rax: the call number in a system call, else -1 as Linux */
		f->vector == TRAP_SYSCALL ? f->error_code : (uint64_t)-1,
		f->rip, f->cs, f->rflags, f->rsp, f->ss,
		tls ? tls->fs_base : 0, tls ? tls->gs_base : 0,
		0, 0, 0, 0,    /* ds es fs gs: 64-bit programs run with null selectors */
	};

	for (int i = 0; i < COREREGS_COUNT; i++)
		out[i] = r[i];
}
