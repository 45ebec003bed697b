/* In-kernel benchmarks: KBENCH(name) { ... kbench_report(...); } registers a
 * benchmark in .kbench; `kbench=all` or `kbench=a,b` runs them. Each result
 * is one line "BENCH name value unit", the format `make bench` collects. */
#ifndef KERNEL_KBENCH_H
#define KERNEL_KBENCH_H

#include <stdint.h>

struct kbench {
	const char *name;
	void (*fn)(void);
};

#define KBENCH(bname)                                                       \
	static void kbench_fn_##bname(void);                                \
	static const struct kbench kbench_desc_##bname                      \
		__attribute__((used, section(".kbench"), aligned(8))) =     \
		{ #bname, kbench_fn_##bname };                              \
	static void kbench_fn_##bname(void)

/* value is printed with `decimals` digits after the point (value is scaled:
 * kbench_report("x", 12345, 2, "ns") prints "123.45"). */
void kbench_report(const char *name, uint64_t value, int decimals, const char *unit);
void kbench_run(const char *selection);

#endif
