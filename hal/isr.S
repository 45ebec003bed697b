/* Entry stubs for all 256 vectors and the common path that saves the
 * interrupted state as a struct trap_frame (hal/trap.h) and calls
 * trap_dispatch; trap_exit, the one way back (to ring 0 or ring 3). Also
 * trap_catch_run, the save half of trap_catch.
 *
 * GS: in ring 3 the GS base is the program's and KERNEL_GS_BASE holds the
 * kernel's per-CPU pointer; swapgs exchanges them. An entry from ring 3
 * swaps first thing and trap_exit swaps back last thing. NMI, #DF and #MC
 * can also arrive in the few kernel instructions around the syscall
 * entry's and exit's swapgs, so for them the saved CS proves nothing: they
 * read the GS base itself (trap_paranoid). */

	.altmacro

	/* Vectors for which the CPU pushes an error code (SDM vol. 3A 6.13). */
	.macro isr_stub n
	.balign 16
isr_stub_\n:
	.if (\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || (\n == 13) || (\n == 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0			/* same frame shape for every vector */
	.endif
	pushq	$\n
	.if (\n == 2) || (\n == 8) || (\n == 18)
	jmp	trap_paranoid
	.else
	jmp	trap_common
	.endif
	.endm

	.macro isr_stub_addr n
	.quad	isr_stub_\n
	.endm

	.text
	.balign 16
	.set	vec, 0
	.rept	256
	isr_stub %vec
	.set	vec, vec + 1
	.endr

/* SMAP: the kernel runs with RFLAGS.AC clear, whatever the interrupted
 * code had (a program sets AC at will; a user copy has it set); iretq puts
 * the old value back. clac exists only on CPUs with SMAP. */
	.macro	clac_if_smap
	testb	$1, usercopy_smap(%rip)
	jz	.Lno_clac\@
	clac
.Lno_clac\@:
	.endm

	.macro	push_regs
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
	/* CR2 now, before a nested fault can overwrite it; only exceptions. */
	xorl	%eax, %eax
	cmpq	$32, 15*8(%rsp)		/* the vector */
	jae	.Lno_cr2\@
	movq	%cr2, %rax
.Lno_cr2\@:
	pushq	%rax
	.endm

	.macro	pop_regs
	addq	$8, %rsp		/* cr2 */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	.endm

/* The CPU left ss, rsp, rflags, cs, rip (64-bit mode aligns the frame to
 * 16 bytes first); the stub added error code and vector. From ring 3 the
 * CPU switched to the TSS's rsp0, so the frame fills the top of the
 * thread's kernel stack (hal/usermode.h). */
	.balign 16
trap_common:
	testb	$3, 24(%rsp)		/* the saved CS: from ring 3? */
	jz	1f
	swapgs
1:	cld
	clac_if_smap
	push_regs
	movq	%rsp, %rdi		/* struct trap_frame * */
	movq	%rsp, %rbx		/* callee-saved: survives the call */
	andq	$-16, %rsp		/* the ABI wants 16-byte alignment at call */
	call	trap_dispatch
	movq	%rbx, %rsp
	/* fall through */

/* Restores the frame at %rsp and returns to where it says, with the
 * program's GS when that is ring 3. Interrupts are off here. */
	.globl	trap_exit
	.type	trap_exit, @function
trap_exit:
	pop_regs
	testb	$3, 8(%rsp)		/* CS in the iret frame */
	jz	1f
	swapgs
1:	iretq
	.size	trap_exit, . - trap_exit

/* NMI, #DF and #MC (on IST stacks): swap GS when the GS base is not the
 * kernel's (a kernel address has its top bit set), and swap back on the
 * way out exactly when this entry swapped. */
	.balign 16
trap_paranoid:
	cld
	clac_if_smap
	push_regs
	movl	$0xc0000101, %ecx	/* MSR_GS_BASE */
	rdmsr
	xorl	%r12d, %r12d		/* callee-saved: did we swap? */
	testl	%edx, %edx
	js	1f
	swapgs
	movl	$1, %r12d
1:	movq	%rsp, %rdi
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	trap_dispatch
	movq	%rbx, %rsp
	testl	%r12d, %r12d
	jz	2f
	swapgs
2:	pop_regs
	iretq

/* int trap_catch_run(struct trap_catch_ctx *ctx, void (*fn)(void *), void *arg)
 * Saves what the ABI says survives a call, plus the resume point, into ctx
 * (layout in hal/trap.c), then calls fn(arg) and returns 0. When fn faults,
 * the dispatcher rewrites the trap frame from ctx so that iretq lands at 2:
 * with this function's frame intact, and it returns 1. */
	.globl	trap_catch_run
	.type	trap_catch_run, @function
trap_catch_run:
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	movq	%rsp, 48(%rdi)
	leaq	2f(%rip), %rax
	movq	%rax, 56(%rdi)
	pushfq
	popq	64(%rdi)
	movq	%rsi, %rax
	movq	%rdx, %rdi
	call	*%rax
	xorl	%eax, %eax
	popq	%rbp
	ret
2:	movl	$1, %eax
	popq	%rbp
	ret
	.size	trap_catch_run, . - trap_catch_run

	.section .rodata
	.balign 8
	.globl	isr_stub_table
isr_stub_table:
	.set	vec, 0
	.rept	256
	isr_stub_addr %vec
	.set	vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
