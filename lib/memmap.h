/* Cleaning a physical memory map in the boot protocol's terms: one
 * implementation for the loader (on the firmware's map) and the kernel (on
 * the loader's, trusting nothing), host-tested. */
#ifndef LIB_MEMMAP_H
#define LIB_MEMMAP_H

#include <stdbool.h>
#include <cosmos/boot_info.h>

#define MEMMAP_PAGE      4096ULL
#define MEMMAP_PHYS_END  (1ULL << 52)   /* x86-64 physical addresses end here */

/* Is e well formed: page aligned, not empty, a known type, and ending at
 * or below MEMMAP_PHYS_END (so phys + pages * 4096 cannot wrap)? */
bool memmap_entry_valid(const struct boot_mmap_entry *e);

/* Rewrites e[0..n) in place and returns the new count: malformed entries
 * dropped, the rest sorted by address, overlaps resolved so that the more
 * protected type keeps the shared part (what the other entry had beyond it
 * is dropped: memory is lost, never handed out twice), neighbours of one
 * type merged. *dropped (if not NULL) counts entries dropped or cut. */
unsigned memmap_sanitize(struct boot_mmap_entry *e, unsigned n, unsigned *dropped);

static inline uint64_t memmap_end(const struct boot_mmap_entry *e)
{
	return e->phys + e->pages * MEMMAP_PAGE;
}

#endif
