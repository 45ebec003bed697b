/* Binary search over the sorted function offsets emitted into .ksyms
 * (scripts/gen-ksyms.py). They count from __kernel_start, so the table is
 * right wherever the loader placed the kernel (KASLR). */
#include <kernel/ksyms.h>
#include <lib/string.h>

extern const uint64_t __ksym_count;
extern const uint64_t __ksym_offsets[];
extern const char *const __ksym_names[];
extern const char __kernel_start[], __text_start[], __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = __ksym_count, off = addr - (uint64_t)__kernel_start;

	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || hi == 0)
		return 0;
	/* find the last symbol whose offset is <= off */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (__ksym_offsets[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (__ksym_offsets[lo] > off)
		return 0;
	*offset = off - __ksym_offsets[lo];
	return __ksym_names[lo];
}
