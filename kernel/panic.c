/* panic(): stop the other CPUs, report and stop. Nested panics (a fault
 * while panicking) go straight to the stop, so a broken panic path cannot
 * recurse; a CPU that panics while another already does just halts, so
 * the report is printed once. */
#include <kernel/panic.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <hal/cpu.h>
#include <hal/ipi.h>
#include <hal/percpu.h>
#include <hal/power.h>
#include <hal/stacktrace.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define PANIC_EXIT_CODE 3   /* QEMU exit status 7 */

/* 0, or the panicking CPU's id + 1; set once (atomically). */
static uint32_t panicking;
/* Written by the panicking CPU only: how many other CPUs were online and
 * how many said they stopped. */
static unsigned others, others_stopped;

/* What to do after the report; set once at boot from panic=. */
static enum { PANIC_HALT, PANIC_EXIT, PANIC_REBOOT } after_panic = PANIC_HALT;

void panic_configure(const char *mode)
{
	if (!mode)
		return;
	if (strcmp(mode, "exit") == 0)
		after_panic = PANIC_EXIT;
	else if (strcmp(mode, "reboot") == 0)
		after_panic = PANIC_REBOOT;
	else if (strcmp(mode, "halt") == 0)
		after_panic = PANIC_HALT;
	else
		log_warn("panic: unknown panic=%s; a panic will halt", mode);
}

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
	uint32_t me = percpu_cpu_count() ? percpu_self()->cpu_id + 1 : 1, was = 0;

	cpu_cli();
	if (!__atomic_compare_exchange_n(&panicking, &was, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (was == me)
			panic_end();
		ipi_stop_here();
	}
	if (percpu_cpu_count()) {
		uint64_t m = ipi_online_mask() & ~(1ull << (me - 1));

		for (; m; m &= m - 1)
			others++;
		others_stopped = ipi_stop_others();
	}
	log_panic_mode();
	kprintf("\nKERNEL PANIC: ");
}

void panic_end(void)
{
	if (others)
		kprintf("other CPUs stopped: %u of %u\n", others_stopped, others);
	kprintf("--- end of kernel panic ---\n");
	if (after_panic == PANIC_EXIT)
		power_qemu_exit(PANIC_EXIT_CODE);
	else if (after_panic == PANIC_REBOOT)
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
