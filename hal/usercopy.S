/* The user-memory primitives: the only kernel code that touches user
 * pages. Each opens the SMAP window (stac) for its own loop and closes it
 * (clac); an instruction that faults inside a loop is listed in
 * usercopy_extable, and the kernel's fault handler resumes at that loop's
 * fixup (usercopy_fixup in hal/usercopy.c), which closes the window and
 * reports how far the copy got. The callers (sys/usercopy.c) have already
 * checked that the user range lies in the user half.
 *
 * TCG runs rep-string instructions an element at a time, so the loops
 * move 8 bytes at a time and the odd bytes one by one. */

	.macro	stac_if_smap
	testb	$1, usercopy_smap(%rip)
	jz	.Lno_stac\@
	stac
.Lno_stac\@:
	.endm

	.macro	clac_if_smap
	testb	$1, usercopy_smap(%rip)
	jz	.Lno_clac\@
	clac
.Lno_clac\@:
	.endm

	.text

/* size_t usercopy_copy(void *dst, const void *src, size_t n)
 * Returns the bytes not copied: 0, or what was left at the fault (exact:
 * a fault in the 8-byte loop retries the rest byte by byte). */
	.globl	usercopy_copy
	.type	usercopy_copy, @function
usercopy_copy:
	stac_if_smap
	movq	%rdx, %rcx
	shrq	$3, %rcx
	jz	.Lcopy_bytes
.Lcopy_q:
	movq	(%rsi), %rax
	movq	%rax, (%rdi)
	addq	$8, %rsi
	addq	$8, %rdi
	subq	$8, %rdx
	decq	%rcx
	jnz	.Lcopy_q
.Lcopy_q_end:
.Lcopy_bytes:
	testq	%rdx, %rdx
	jz	.Lcopy_done
.Lcopy_b:
	movb	(%rsi), %al
	movb	%al, (%rdi)
	incq	%rsi
	incq	%rdi
	decq	%rdx
	jnz	.Lcopy_b
.Lcopy_b_end:
.Lcopy_done:
	clac_if_smap
	movq	%rdx, %rax
	ret
	.size	usercopy_copy, . - usercopy_copy

/* size_t usercopy_clear(void *dst, size_t n): the same for zeroing. */
	.globl	usercopy_clear
	.type	usercopy_clear, @function
usercopy_clear:
	stac_if_smap
	xorl	%eax, %eax
	movq	%rsi, %rcx
	shrq	$3, %rcx
	jz	.Lclear_bytes
.Lclear_q:
	movq	%rax, (%rdi)
	addq	$8, %rdi
	subq	$8, %rsi
	decq	%rcx
	jnz	.Lclear_q
.Lclear_q_end:
.Lclear_bytes:
	testq	%rsi, %rsi
	jz	.Lclear_done
.Lclear_b:
	movb	%al, (%rdi)
	incq	%rdi
	decq	%rsi
	jnz	.Lclear_b
.Lclear_b_end:
.Lclear_done:
	clac_if_smap
	movq	%rsi, %rax
	ret
	.size	usercopy_clear, . - usercopy_clear

/* long usercopy_strncpy(char *dst, const char *src, size_t n)
 * Copies bytes up to and including a NUL, at most n. Returns the string's
 * length when the NUL came within n bytes, n when it did not, -1 on a
 * fault. */
	.globl	usercopy_strncpy
	.type	usercopy_strncpy, @function
usercopy_strncpy:
	stac_if_smap
	xorl	%eax, %eax
	testq	%rdx, %rdx
	jz	.Lstr_done
.Lstr_b:
	movb	(%rsi,%rax), %cl
	movb	%cl, (%rdi,%rax)
	testb	%cl, %cl
	jz	.Lstr_done
	incq	%rax
	cmpq	%rdx, %rax
	jb	.Lstr_b
.Lstr_b_end:
.Lstr_done:
	clac_if_smap
	ret
	.size	usercopy_strncpy, . - usercopy_strncpy

/* int usercopy_cmpxchg32(uint32_t *uaddr, uint32_t *old, uint32_t new)
 * One atomic compare-and-exchange of a user word (the robust-futex walk,
 * which must not lose a bit another CPU sets meanwhile). 0 with *old set
 * to the value the word held (the exchange happened if it equals the old
 * *old), -1 on a fault. */
	.globl	usercopy_cmpxchg32
	.type	usercopy_cmpxchg32, @function
usercopy_cmpxchg32:
	movl	(%rsi), %eax
	stac_if_smap
.Lcx:
	lock cmpxchgl %edx, (%rdi)
.Lcx_end:
	clac_if_smap
	movl	%eax, (%rsi)
	xorl	%eax, %eax
	ret
	.size	usercopy_cmpxchg32, . - usercopy_cmpxchg32

/* Fixups: entered from the fault handler with the loop's registers as
 * they were at the faulting instruction. */
	.type	usercopy_fixups, @function
usercopy_fixups:
.Lcopy_q_fix:
	jmp	.Lcopy_b		/* rdx > 0: redo the rest bytewise */
.Lcopy_b_fix:
	clac_if_smap
	movq	%rdx, %rax
	ret
.Lclear_q_fix:
	xorl	%eax, %eax
	jmp	.Lclear_b
.Lclear_b_fix:
	clac_if_smap
	movq	%rsi, %rax
	ret
.Lstr_fix:
	clac_if_smap
	movq	$-1, %rax
	ret
.Lcx_fix:
	clac_if_smap
	movl	$-1, %eax
	ret
	.size	usercopy_fixups, . - usercopy_fixups

/* A fault at an instruction in [start, end) resumes at fixup. */
	.section .rodata
	.balign 8
	.globl	usercopy_extable
usercopy_extable:
	.quad	.Lcopy_q, .Lcopy_q_end, .Lcopy_q_fix
	.quad	.Lcopy_b, .Lcopy_b_end, .Lcopy_b_fix
	.quad	.Lclear_q, .Lclear_q_end, .Lclear_q_fix
	.quad	.Lclear_b, .Lclear_b_end, .Lclear_b_fix
	.quad	.Lstr_b, .Lstr_b_end, .Lstr_fix
	.quad	.Lcx, .Lcx_end, .Lcx_fix
	.globl	usercopy_extable_end
usercopy_extable_end:

	.section .note.GNU-stack, "", @progbits
