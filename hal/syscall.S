/* The system-call gate: the `syscall` instruction lands in syscall_entry
 * (LSTAR), which saves the program's registers as a struct trap_frame at
 * the top of the thread's kernel stack (the same frame an interrupt from
 * ring 3 leaves, hal/usermode.h), calls the kernel's handler, and returns
 * with sysretq when the frame allows it, else through trap_exit's iretq.
 * Also usermode_enter, the first entry of a program into ring 3. */

#include <hal/gdt.h>
#include <hal/percpu.h>

#define USER_CS (GDT_USER_CS | 3)
#define USER_DS (GDT_USER_DS | 3)
#define TRAP_SYSCALL 0x100
#define RFLAGS_TF (1 << 8)
#define RFLAGS_RF (1 << 16)

/* Frame offsets (struct trap_frame, hal/trap.h). */
#define F_R11    40
#define F_RCX    104
#define F_RIP    144
#define F_CS     152
#define F_RFLAGS 160
#define F_SS     176

	.text

/* On entry: rcx = the program's rip, r11 = its rflags, rax = the call
 * number, rdi rsi rdx r10 r8 r9 = arguments, rsp = the program's stack.
 * SFMASK has cleared IF, TF, DF, AC and NT; nothing can interrupt us
 * before the sti but NMI and #MC, which do not trust CS (hal/isr.S). */
	.balign 16
	.globl	syscall_entry
	.type	syscall_entry, @function
syscall_entry:
	swapgs
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_KSTACK_TOP, %rsp
	pushq	$USER_DS		/* ss */
	pushq	%gs:PERCPU_USER_RSP	/* rsp */
	pushq	%r11			/* rflags */
	pushq	$USER_CS		/* cs */
	pushq	%rcx			/* rip */
	pushq	%rax			/* error_code: the call number */
	pushq	$TRAP_SYSCALL		/* vector */
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	$0			/* cr2 */
	movq	%rsp, %rdi
	sti
	call	*usermode_syscall_handler(%rip)
	cli				/* the handler returns with them off */

	/* sysret restores rip from rcx and rflags from r11 and cannot load
	 * other segments; it is only safe for a frame that is plain: rcx and
	 * r11 equal rip and rflags, user segments, no TF or RF, and a
	 * canonical user rip (a non-canonical rcx makes sysret fault in ring
	 * 0 with the program's GS and stack: the SYSRET hazard). Anything
	 * else (a new program, a signal frame) goes back by iretq. */
	movq	F_RIP(%rsp), %rcx
	cmpq	F_RCX(%rsp), %rcx
	jne	.Liret
	movq	F_RFLAGS(%rsp), %r11
	cmpq	F_R11(%rsp), %r11
	jne	.Liret
	testq	$(RFLAGS_TF | RFLAGS_RF), %r11
	jnz	.Liret
	cmpq	$USER_CS, F_CS(%rsp)
	jne	.Liret
	cmpq	$USER_DS, F_SS(%rsp)
	jne	.Liret
	shrq	$47, %rcx
	jnz	.Liret

	addq	$8, %rsp		/* cr2 */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11			/* = rflags */
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx			/* = rip */
	popq	%rbx
	popq	%rax
	movq	40(%rsp), %rsp		/* past vector, error, rip, cs, rflags */
	swapgs
	sysretq

.Liret:
	jmp	trap_exit
	.size	syscall_entry, . - syscall_entry

/* void usermode_enter(struct trap_frame *f) */
	.globl	usermode_enter
	.type	usermode_enter, @function
usermode_enter:
	cli
	movq	%rdi, %rsp
	jmp	trap_exit
	.size	usermode_enter, . - usermode_enter

	.section .note.GNU-stack, "", @progbits
