/* Binary search over the sorted function addresses emitted into .ksyms. */
#include <kernel/ksyms.h>
#include <lib/string.h>

extern const uint64_t __ksym_count;
extern const uint64_t __ksym_addrs[];
extern const char *const __ksym_names[];
extern const char __text_start[], __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = __ksym_count;

	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || hi == 0)
		return 0;
	/* find the last symbol whose address is <= addr */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (__ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (__ksym_addrs[lo] > addr)
		return 0;
	*offset = addr - __ksym_addrs[lo];
	return __ksym_names[lo];
}
