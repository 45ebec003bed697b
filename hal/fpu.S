/* FPU test helpers: the kernel's C is compiled without SSE, so the values
 * that prove each thread keeps its own FPU state are set and read here. */
	.text

/* Register i gets seed * (i + 1) in its low quadword, ~that in its high one. */
	.macro	load_xmm n
	movq	%rdi, %rax
	imulq	$(\n + 1), %rax
	movq	%rax, %xmm\n
	notq	%rax
	movq	%rax, %xmm15
	.if \n < 15
	punpcklqdq %xmm15, %xmm\n
	.endif
	.endm

/* void fpu_test_load(uint64_t seed) */
	.globl	fpu_test_load
	.type	fpu_test_load, @function
fpu_test_load:
	load_xmm 0
	load_xmm 1
	load_xmm 2
	load_xmm 3
	load_xmm 4
	load_xmm 5
	load_xmm 6
	load_xmm 7
	load_xmm 8
	load_xmm 9
	load_xmm 10
	load_xmm 11
	load_xmm 12
	load_xmm 13
	load_xmm 14
	/* xmm15 keeps ~(seed*15) in its low half: check knows */
	/* MXCSR: masks on, rounding mode from seed bits 0-1 */
	movl	%edi, %eax
	andl	$3, %eax
	shll	$13, %eax
	orl	$0x1f80, %eax
	pushq	%rax
	ldmxcsr	(%rsp)
	/* x87 control word: precision control from seed bits 2-3 */
	movl	%edi, %eax
	andl	$0xc, %eax
	shll	$6, %eax
	orl	$0x7f, %eax
	movw	%ax, (%rsp)
	fldcw	(%rsp)
	popq	%rax
	ret
	.size	fpu_test_load, . - fpu_test_load

	.macro	check_xmm n
	movq	%rdi, %rax
	imulq	$(\n + 1), %rax
	movq	%xmm\n, %rdx
	cmpq	%rax, %rdx
	je	1f
	incl	%ecx
	jmp	2f
1:	notq	%rax
	pextrq	$1, %xmm\n, %rdx
	cmpq	%rax, %rdx
	je	2f
	incl	%ecx
2:
	.endm

/* int fpu_test_check(uint64_t seed) */
	.globl	fpu_test_check
	.type	fpu_test_check, @function
fpu_test_check:
	xorl	%ecx, %ecx
	check_xmm 0
	check_xmm 1
	check_xmm 2
	check_xmm 3
	check_xmm 4
	check_xmm 5
	check_xmm 6
	check_xmm 7
	check_xmm 8
	check_xmm 9
	check_xmm 10
	check_xmm 11
	check_xmm 12
	check_xmm 13
	check_xmm 14
	movq	%rdi, %rax
	imulq	$15, %rax
	notq	%rax
	movq	%xmm15, %rdx
	cmpq	%rax, %rdx
	je	3f
	incl	%ecx
3:	subq	$8, %rsp
	stmxcsr	(%rsp)
	movl	(%rsp), %edx
	andl	$0xffc0, %edx		/* ignore the sticky exception flags */
	movl	%edi, %eax
	andl	$3, %eax
	shll	$13, %eax
	orl	$0x1f80, %eax
	cmpl	%eax, %edx
	je	4f
	incl	%ecx
4:	fnstcw	(%rsp)
	movzwl	(%rsp), %edx
	andl	$0x1f3f, %edx
	movl	%edi, %eax
	andl	$0xc, %eax
	shll	$6, %eax
	orl	$0x3f, %eax
	cmpl	%eax, %edx
	je	5f
	incl	%ecx
5:	addq	$8, %rsp
	movl	%ecx, %eax
	ret
	.size	fpu_test_check, . - fpu_test_check

	.section .note.GNU-stack, "", @progbits
