/* The deliberately faulting instructions behind hal/trap_selftest.h. */
#include <hal/trap_selftest.h>

void trap_selftest_divide_error(void *arg)
{
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, (%0)\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "movl $1, %%eax\n\t"
			 "xorl %%edx, %%edx\n"
			 "1:\tdivl %%ecx"
			 : : "r"(arg) : "rax", "rcx", "rdx", "memory");
}

void trap_selftest_invalid_opcode(void *arg)
{
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, (%0)\n"
			 "1:\tud2" : : "r"(arg) : "rax", "memory");
}

void trap_selftest_breakpoint(void *arg)
{
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, (%0)\n"
			 "1:\tint3" : : "r"(arg) : "rax", "memory");
}

void trap_selftest_noncanonical(void *arg)
{
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, (%0)\n"
			 "1:\tmovq (%1), %%rax"
			 : : "r"(arg), "r"(0x8000000000000000ULL) : "rax", "memory");
}

/* A selector past the GDT's limit: #GP with the selector as error code. */
void trap_selftest_bad_selector(void *arg)
{
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, (%0)\n\t"
			 "movl %1, %%eax\n"
			 "1:\tmovw %%ax, %%fs"
			 : : "r"(arg), "i"(TRAP_SELFTEST_BAD_SELECTOR) : "rax", "memory");
}

void trap_selftest_load(void *arg)
{
	__asm__ volatile("movq %0, %%rax\n\t"
			 ".byte 0x48, 0x8b, 0x00" /* movq (%rax), %rax: 3 bytes */
			 : : "r"(arg) : "rax", "memory");
}

int trap_selftest_soft_int(unsigned vector)
{
	switch (vector) {
	case 200: __asm__ volatile("int $200" ::: "memory"); return 0;
	case 201: __asm__ volatile("int $201" ::: "memory"); return 0;
	default:  return -1;
	}
}
