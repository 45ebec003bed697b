/* Fuzz target for the loader's translation of the firmware's memory map
 * (boot/memmap.c) and the cleaning both sides share (lib/memmap.c).
 * Input: the descriptor size (one byte: 48 on real firmware, anything
 * here), the output's capacity (two bytes, 1..BOOT_MMAP_MAX), then the
 * firmware's map. Checked: memmap_top stays within the direct map's limit;
 * the translation fits its capacity and is clean: every entry well formed,
 * sorted, disjoint, neighbours of one type merged. */
#include "fuzz.h"

#include <boot/memmap.h>
#include <lib/memmap.h>

static void check_clean(const struct boot_mmap_entry *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		FUZZ_CHECK(memmap_entry_valid(&e[i]), "entry %u malformed: %#llx+%llu pages type %u", i,
			   (unsigned long long)e[i].phys, (unsigned long long)e[i].pages, e[i].type);
		if (i == 0)
			continue;
		FUZZ_CHECK(memmap_end(&e[i - 1]) <= e[i].phys, "entries %u and %u overlap or are unsorted",
			   i - 1, i);
		FUZZ_CHECK(memmap_end(&e[i - 1]) != e[i].phys || e[i - 1].type != e[i].type,
			   "entries %u and %u touch with one type: not merged", i - 1, i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	size_t desc_size = fuzz_u8(&in);
	uint32_t cap = 1 + fuzz_u16(&in) % BOOT_MMAP_MAX, n;
	uint8_t *map = fuzz_dup(in.p, in.left);
	struct boot_mmap_entry *out = malloc(cap * sizeof(*out));
	uint64_t top;

	if (!out)
		abort();
	top = memmap_top(map, in.left, desc_size);
	FUZZ_CHECK(top <= BOOT_HHDM_MAX, "top %#llx beyond the direct map's limit", (unsigned long long)top);
	n = memmap_translate(map, in.left, desc_size, out, cap);
	FUZZ_CHECK(n <= cap, "%u entries for a capacity of %u", n, cap);
	FUZZ_CHECK(desc_size >= sizeof(struct uefi_mem_desc) || n == 0, "entries from %zu-byte descriptors",
		   desc_size);
	check_clean(out, n);
	free(out);
	free(map);
	return 0;
}
