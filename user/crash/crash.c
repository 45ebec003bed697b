/* crash: faults on purpose, one per argument, so the tests can see the
 * kernel end the program with the right signal and carry on.
 *
 *     crash kernel-write | null-jump | exec-stack | div0 | ud2 | int3 |
 *           privileged | noncanonical
 *
 * Each prints what it is about to do; reaching the end is a failure
 * (exit status 3). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void say(const char *what)
{
	char line[96];
	int n = snprintf(line, sizeof line, "crash: %s\n", what);

	write(1, line, (size_t)n);
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
	} else if (strcmp(kind, "noncanonical") == 0) {
		*(volatile uint64_t *)0x0000800000000000ull = 1;
	} else {
		say("unknown kind");
		return 2;
	}
	say("still running: the fault did not end the program");
	return 3;
}
