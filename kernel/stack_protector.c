/* Stack-smashing protector support for kernel code built with
 * -fstack-protector-strong -mstack-protector-guard=global. */
#include <stdint.h>

void __stack_chk_fail(void) __attribute__((noreturn));
extern void panic(const char *fmt, ...) __attribute__((noreturn));

/* Not random yet: kernel/main.c reseeds it from RDRAND/TSC at boot. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ULL;

void __stack_chk_fail(void)
{
	panic("stack smashing detected");
}
