/* Brings memory management up in order: the frame allocator over the boot
 * map, the kernel's own page tables (then the loader's memory is reclaimed),
 * and the heap. */
#include <kernel/mm/mm.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/panic.h>

void mm_init(void)
{
	int r;

	if ((r = pmm_init()))
		panic("mm: frame allocator setup failed (%d)", r);
	if ((r = vmm_init()))
		panic("mm: kernel page tables failed (%d)", r);
	/* nothing reads the loader's tables, stack or data any more */
	pmm_reclaim_boot_memory();
	heap_init();
	pmm_report();
}
