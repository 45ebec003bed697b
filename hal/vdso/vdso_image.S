/* The linked vDSO (hal/vdso/vdso.c, built by kernel/build.mk) carried in the
 * kernel's read-only data, page aligned, for kernel/exec/vdso.c to copy. */
	.section .rodata
	.balign 4096
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin VDSO_SO
vdso_image_end:
	.section .note.GNU-stack, "", @progbits
