/* Kernel entry from the loader: %rdi = boot_info (direct-map address).
 * Switch to the kernel's own boot stack, which has an unmapped guard page
 * below it once mm runs, and enter C. */
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp		/* ends every backtrace */
	push	%rbp			/* keep %rsp 16-byte aligned at the call */
	call	kmain
1:	cli
	hlt
	jmp	1b

	/* The boot stack: a guard page, then 32 KiB. */
	.section .bss.pagealigned, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip	4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip	32768
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
