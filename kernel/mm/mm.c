/* Brings memory management up in order: the frame allocator over the boot
 * map, the kernel's own page tables (then the loader's memory is reclaimed),
 * and the heap; then the program address-space options (aslr=). */
#include <kernel/mm/mm.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/mm/vm.h>
#include <kernel/panic.h>
#include <kernel/boot.h>
#include <hal/dma.h>

/* DMA memory for drivers (hal/dma.h): whole buddy blocks, reached through
 * the direct map, so they are contiguous and their bus address is known. */
static unsigned dma_order(size_t bytes)
{
	unsigned order = 0;

	while ((PMM_PAGE << order) < bytes)
		order++;
	return order;
}

static void *mm_dma_alloc(size_t bytes, uint64_t *phys)
{
	unsigned order = dma_order(bytes);
	uint64_t pa;

	if (order > PMM_MAX_ORDER || !(pa = pmm_alloc_zeroed(order)))
		return 0;
	*phys = pa;
	return PHYS_TO_VIRT(pa);
}

static void mm_dma_free(void *va, size_t bytes)
{
	pmm_free(VIRT_TO_PHYS(va), dma_order(bytes));
}

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
	dma_set_allocator(mm_dma_alloc, mm_dma_free);
	vm_init();
	pmm_report();
}
