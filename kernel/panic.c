/* panic(): report and stop. Nested panics (a fault while panicking) go
 * straight to the stop, so a broken panic path cannot recurse. */
#include <kernel/panic.h>
#include <kernel/boot.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <hal/cpu.h>
#include <hal/power.h>
#include <hal/stacktrace.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define PANIC_EXIT_CODE 3   /* QEMU exit status 7 */

static int panicking;

void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	uint64_t pcs[32], off;
	int n = stacktrace_walk(rbp, pcs, 32);
	const char *name;

	kprintf("backtrace:\n");
	if (rip) {
		name = ksym_lookup(rip, &off);
		kprintf("  [<%016llx>] %s+0x%llx\n", (unsigned long long)rip, name ? name : "?",
			(unsigned long long)(name ? off : 0));
	}
	for (int i = 0; i < n; i++) {
		/* a return address points after the call: look up the call itself */
		name = ksym_lookup(pcs[i] - 1, &off);
		kprintf("  [<%016llx>] %s+0x%llx\n", (unsigned long long)pcs[i], name ? name : "?",
			(unsigned long long)(name ? off + 1 : 0));
	}
}

void panic_begin(void)
{
	cpu_cli();
	if (panicking++)
		panic_end();
	kprintf("\nKERNEL PANIC: ");
}

void panic_end(void)
{
	const char *how = boot_cmdline_peek("panic");

	kprintf("--- end of kernel panic ---\n");
	if (how && strcmp(how, "exit") == 0)
		power_qemu_exit(PANIC_EXIT_CODE);
	else if (how && strcmp(how, "reboot") == 0)
		power_reset();
	power_halt();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	panic_begin();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("%s\n", msg);
	panic_backtrace(0, stacktrace_current_fp());
	panic_end();
}
