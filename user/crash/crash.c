/* crash: faults on purpose, one per argument, so the tests can see the
 * kernel end the program with the right signal and carry on.
 *
 *     crash kernel-write | null-jump | exec-stack | div0 | ud2 | int3 |
 *           privileged | noncanonical | forged-sigreturn | eat-memory
 *
 * Each prints what it is about to do; reaching the end is a failure
 * (exit status 3). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A signal frame as Linux lays it out on x86-64 (pretcode, then the
 * ucontext: flags, link, stack_t, then sigcontext's registers), forged:
 * the kernel's code segment and IOPL 3. rt_sigreturn must end the
 * program, not return to ring 0 or give it the I/O ports. */
static void forged_sigreturn(void)
{
	static uint64_t frame[64] __attribute__((aligned(16)));
	uint64_t *mc = &frame[1 + 5];   /* pretcode, uc_flags, uc_link, stack_t (3 words) */

	mc[16] = (uint64_t)(uintptr_t)forged_sigreturn;   /* rip */
	mc[15] = (uint64_t)(uintptr_t)&frame[63];         /* rsp */
	mc[17] = 0x3202;                                  /* rflags: IF, IOPL 3 */
	mc[18] = 0x08 | (0x23ull << 48);                  /* cs: the kernel's; ss: user */
	/* rt_sigreturn reads the frame 8 bytes below its stack pointer */
	__asm__ volatile("mov %0, %%rsp\n mov $15, %%eax\n syscall\n ud2"
			 : : "r"(&frame[1]) : "memory");
}

static void say(const char *what)
{
	char line[96];
	int n = snprintf(line, sizeof line, "crash: %s\n", what);

	write(1, line, (size_t)n);
}

/* Maps and touches memory a MiB at a time until the kernel ends it. */
static void eat_memory(void)
{
	for (;;) {
		volatile char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			say("mmap failed before the memory ran out");
			return;
		}
		for (size_t i = 0; i < 1 << 20; i += 4096)
			p[i] = 1;
	}
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";
	volatile int zero = 0;

	say(kind);
	if (strcmp(kind, "kernel-write") == 0) {
		*(volatile uint64_t *)0xffffffff80000000ull = 1;
	} else if (strcmp(kind, "null-jump") == 0) {
		void (*volatile f)(void) = 0;
		f();
	} else if (strcmp(kind, "exec-stack") == 0) {
		/* ret */
		volatile uint8_t code[16] = { 0xc3 };
		((void (*)(void))(uintptr_t)code)();
	} else if (strcmp(kind, "div0") == 0) {
		volatile int x = 7 / zero;
		(void)x;
	} else if (strcmp(kind, "ud2") == 0) {
		__asm__ volatile("ud2");
	} else if (strcmp(kind, "int3") == 0) {
		__asm__ volatile("int3");
	} else if (strcmp(kind, "privileged") == 0) {
		__asm__ volatile("hlt");
	} else if (strcmp(kind, "forged-sigreturn") == 0) {
		forged_sigreturn();
	} else if (strcmp(kind, "eat-memory") == 0) {
		eat_memory();
	} else if (strcmp(kind, "noncanonical") == 0) {
		*(volatile uint64_t *)0x0000800000000000ull = 1;
	} else {
		say("unknown kind");
		return 2;
	}
	say("still running: the fault did not end the program");
	return 3;
}
