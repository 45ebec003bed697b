/* Where another CPU starts: STARTUP (SIPI) points it at a copy of this code
 * on a page below 1 MiB, in real mode with CS = page >> 4 and IP = 0. It
 * goes straight to long mode (PAE, LME and NXE, then PE and PG together) on
 * page tables that map this page where it is and the kernel's half as the
 * kernel has it, then jumps to smp_ap_entry in the kernel, which loads the
 * kernel's own tables. hal/smp.c copies the code and fills the parameters
 * (struct smp_tramp_params at smp_trampoline_params) before each start.
 * Everything below refers to this page only by offsets from its start. */

#define P(field) (smp_trampoline_params - smp_trampoline_start + (field))
#define PAR_GDTR        0    /* u16 limit, u32 physical base */
#define PAR_JUMP        8    /* u32 physical address of smp_trampoline_long64, u16 selector */
#define PAR_CR3         16   /* u32: the trampoline's PML4 */
#define PAR_EFER        20   /* u32 */
#define PAR_STACK       24   /* u64: the new CPU's first stack */
#define PAR_KERNEL_CR3  32   /* u64 */
#define PAR_ARG         40   /* u64: given to smp_ap_main */
#define PAR_ENTRY       48   /* u64: smp_ap_entry's address */

#define CR4_PAE 0x20
#define CR0_PG_PE 0x80000011   /* paging, protection; ET is fixed at 1 */
#define MSR_EFER 0xc0000080

	.section .rodata
	.balign 16
	.globl	smp_trampoline_start, smp_trampoline_end, smp_trampoline_params
	.code16
smp_trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	P(PAR_GDTR)
	movl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	P(PAR_CR3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	P(PAR_EFER), %eax
	xorl	%edx, %edx
	wrmsr
	movl	$CR0_PG_PE, %eax
	movl	%eax, %cr0
	ljmpl	*P(PAR_JUMP)

	.code64
	.globl	smp_trampoline_long64
smp_trampoline_long64:
	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	smp_trampoline_params+PAR_STACK(%rip), %rsp
	movq	smp_trampoline_params+PAR_KERNEL_CR3(%rip), %rsi
	movq	smp_trampoline_params+PAR_ARG(%rip), %rdi
	movq	smp_trampoline_params+PAR_ENTRY(%rip), %rax
	jmp	*%rax

	/* null, 64-bit code (0x08), data (0x10) */
	.balign 8
	.globl	smp_trampoline_gdt
smp_trampoline_gdt:
	.quad	0
	.quad	0x00af9a000000ffff
	.quad	0x00cf92000000ffff
	.balign 8
smp_trampoline_params:
	.fill	64, 1, 0
smp_trampoline_end:

/* Now on the kernel's half of the trampoline tables: rdi = the argument,
 * rsi = the kernel's page tables, rsp = the CPU's first stack. */
	.text
	.globl	smp_ap_entry
	.type	smp_ap_entry, @function
smp_ap_entry:
	movq	%rsi, %cr3
	andq	$-16, %rsp
	xorl	%ebp, %ebp
	call	smp_ap_main
1:	cli
	hlt
	jmp	1b
	.size	smp_ap_entry, . - smp_ap_entry
