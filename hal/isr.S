/* Entry stubs for all 256 vectors and the common path that saves the
 * interrupted state as a struct trap_frame (hal/trap.h) and calls
 * trap_dispatch. Also trap_catch_run, the save half of trap_catch. */

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
	jmp	trap_common
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

/* The CPU left ss, rsp, rflags, cs, rip (64-bit mode aligns the frame to
 * 16 bytes first); the stub added error code and vector. */
	.balign 16
trap_common:
	/* swapgs goes here once user mode exists: if the saved CS (now at
	 * 24(%rsp)) has RPL 3, swapgs before anything touches per-CPU data,
	 * and swapgs again just before the iretq back to user mode. */
	cld
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
	jae	1f
	movq	%cr2, %rax
1:	pushq	%rax
	movq	%rsp, %rdi		/* struct trap_frame * */
	movq	%rsp, %rbx		/* callee-saved: survives the call */
	andq	$-16, %rsp		/* the ABI wants 16-byte alignment at call */
	call	trap_dispatch
	movq	%rbx, %rsp
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
