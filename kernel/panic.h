/* panic(): the end of the line for a broken kernel invariant (never for bad
 * input). Prints the message, registers if a trap frame is given, and a
 * symbolized backtrace, then stops the machine (or exits QEMU in tests). */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Sets what follows a panic report: "halt" (default), "exit" (QEMU's
 * debug-exit with status 7, for tests) or "reboot". */
void panic_configure(const char *mode);

#define KASSERT(cond) \
	do { if (!(cond)) panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); } while (0)



/* Pieces for reports that print more than a message (the trap handler):
 * panic_begin(); print; panic_backtrace(rip, rbp); panic_end(); */
#include <stdint.h>
void panic_begin(void);
void panic_backtrace(uint64_t rip, uint64_t rbp);
void panic_end(void) __attribute__((noreturn));
#endif
