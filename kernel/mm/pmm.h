/* The physical frame allocator: buddy zones built from the checked boot
 * memory map, per-frame metadata reached through the direct map. */
#ifndef KERNEL_MM_PMM_H
#define KERNEL_MM_PMM_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/mm/buddy.h>

#define PMM_PAGE      4096ull
#define PMM_MAX_ORDER BUDDY_MAX_ORDER

/* Builds the zones; only conventional memory is free afterwards. 0 or a
 * negative errno (the kernel cannot go on without it). */
int pmm_init(void);
/* Frees loader, boot-data and boot-services memory; call once nothing
 * reads it any more (after the switch to the kernel's own page tables).
 * It counts as free at once but is handed out last: it joins the zones
 * only when they run low (QEMU's TCG is slow to write frames holding the
 * firmware's translated code). */
void pmm_reclaim_boot_memory(void);
/* Frees the initramfs's memory (BOOT_MEM_INITRD runs, which stay reserved
 * until then); boot_initrd_release() calls it once. */
void pmm_release_initrd(void);
/* Hands the initrd's frames [phys, phys + pages * PMM_PAGE) to the caller
 * as allocated single frames holding one reference each, data untouched
 * (pmm_unref frees them), so that the unpack can keep file data where the
 * loader put it; pmm_release_initrd then frees only the rest. 0, or
 * -EINVAL with nothing taken unless all of them lie in one run of initrd
 * memory and are still held for it. */
int pmm_take_initrd(uint64_t phys, uint64_t pages);

/* A block of 1 << order frames aligned to its size: its physical address,
 * or 0 when none is free (frame 0 is never handed out). Where the caller
 * allows it, caches are shrunk first (kernel/mm/shrink.h). */
uint64_t pmm_alloc(unsigned order);
uint64_t pmm_alloc_zeroed(unsigned order);
/* Fault injection: fn is asked before every allocation and makes it
 * fail (0) by returning true. */
void pmm_set_fail_hook(bool (*fn)(uintptr_t caller));
/* Frees a block from pmm_alloc; a wrong free (or one of a block that
 * still has other references) is a kernel bug and panics. */
void pmm_free(uint64_t phys, unsigned order);

/* Reference counts of allocated blocks, for frames several owners share
 * (mappings in address spaces, a file's page cache): pmm_alloc returns a
 * block with one reference, pmm_unref frees it when the last one goes. */
void pmm_ref(uint64_t phys);
void pmm_unref(uint64_t phys);
uint32_t pmm_refcount(uint64_t phys);

/* The owner's 32-bit tag on allocated frames (0 for free or foreign ones). */
uint32_t pmm_tag(uint64_t phys);
void pmm_set_tag(uint64_t phys, uint64_t pages, uint32_t tag);

struct pmm_stats {
	uint64_t total_pages;     /* RAM in the map (every type but MMIO and reserved) */
	uint64_t usable_pages;    /* memory the kernel owns: conventional, loader,
				     boot services, kernel image, boot data, initrd */
	uint64_t reserved_pages;  /* total - usable: ACPI, runtime, unusable RAM,
				     never handed out */
	uint64_t free_pages;
	uint64_t used_pages;      /* usable - free: kernel, metadata, tables, heap... */
	uint64_t meta_pages;      /* per-frame metadata */
	uint64_t held_pages;      /* reclaimed boot memory not yet in the zones
				     (counted in free_pages) */
	uint64_t low_pages;       /* the zones' low mark */
	bool held_released;       /* the held memory has joined the zones: */
	bool released_for_block;  /* they had no free block of an order asked for */
	uint64_t released_free;   /* (or) they had this many free frames */
	unsigned zones;
};
void pmm_get_stats(struct pmm_stats *s);
uint64_t pmm_free_pages(void);   /* counting the frames CPUs keep cached */
/* Gives this CPU's cached single frames back to the zones (so they can
 * merge into larger blocks); other CPUs keep theirs. */
void pmm_drain_cache(void);
/* How many times the frame allocator's global lock has been taken: the
 * common single-frame path takes it only to refill or drain a batch. */
uint64_t pmm_lock_takes(void);
/* Logs the per-type table and the totals. */
void pmm_report(void);

#endif
