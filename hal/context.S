/* Context switch and the first-run trampoline of a kernel thread. The saved
 * frame on a switched-out stack, lowest address first: r15 r14 r13 r12 rbx
 * rbp, return address (hal/context.c builds the same shape for new threads). */
	.text

/* void context_switch(void **save, void *next) */
	.globl	context_switch
	.type	context_switch, @function
context_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	context_switch, . - context_switch

/* A new thread's first return lands here with entry in r12, arg in r13. */
	.globl	context_start
	.type	context_start, @function
context_start:
	xorl	%ebp, %ebp		/* ends backtraces */
	movq	%r13, %rdi
	call	*%r12
	ud2				/* entry must not return */
	.size	context_start, . - context_start

/* void context_test_call(uint64_t seed, void (*fn)(void *), void *arg,
 *                        uint64_t out[6], uint64_t expected[6]) */
	.globl	context_test_call
	.type	context_test_call, @function
context_test_call:
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rcx			/* out, at -48(%rbp) */
	/* Derive six distinct values from the seed into expected[]. */
	movabsq	$0x9e3779b97f4a7c15, %rax
	movq	%rdi, %r10
	xorl	%r11d, %r11d
1:	imulq	%rax, %r10
	addq	%r11, %r10
	movq	%r10, (%r8,%r11,8)
	incq	%r11
	cmpq	$6, %r11
	jne	1b
	movq	%rsi, %rax		/* fn */
	movq	%rdx, %rdi		/* arg */
	pushq	%r8			/* expected */
	subq	$8, %rsp		/* 16-byte alignment at the call */
	movq	0(%r8), %rbx
	movq	16(%r8), %r12
	movq	24(%r8), %r13
	movq	32(%r8), %r14
	movq	40(%r8), %r15
	movq	8(%r8), %rbp		/* rbp last: the frame is gone until restored */
	call	*%rax
	movq	%rbp, %rax		/* the callee's view of our rbp */
	movq	16(%rsp), %rcx		/* out (pushed before expected) */
	movq	%rbx, 0(%rcx)
	movq	%rax, 8(%rcx)
	movq	%r12, 16(%rcx)
	movq	%r13, 24(%rcx)
	movq	%r14, 32(%rcx)
	movq	%r15, 40(%rcx)
	addq	$24, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	context_test_call, . - context_test_call

	.section .note.GNU-stack, "", @progbits
