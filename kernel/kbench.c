/* Runs the registered in-kernel benchmarks. */
#include <kernel/kbench.h>
#include <kernel/log.h>
#include <lib/cmdline.h>
#include <lib/string.h>

extern const struct kbench __kbench_start[], __kbench_end[];

void kbench_report(const char *name, uint64_t value, int decimals, const char *unit)
{
	uint64_t scale = 1;

	for (int i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals > 0)
		kprintf("BENCH %s %llu.%0*llu %s\n", name, (unsigned long long)(value / scale),
			decimals, (unsigned long long)(value % scale), unit);
	else
		kprintf("BENCH %s %llu %s\n", name, (unsigned long long)value, unit);
}

void kbench_run(const char *selection)
{
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++)
		if (strcmp(selection, "all") == 0 || cmdline_list_has(selection, b->name))
			b->fn();
	kprintf("# kbench: done\n");
}
