/* The DMA memory hook, written once at boot by mm_init, and the
 * virtual-to-physical lookup drivers need to hand buffers to devices. */
#include <hal/dma.h>
#include <hal/paging.h>

static dma_alloc_fn allocator;
static dma_free_fn freer;

void dma_set_allocator(dma_alloc_fn alloc, dma_free_fn free)
{
	allocator = alloc;
	freer = free;
}

void *dma_alloc(size_t bytes, uint64_t *phys)
{
	if (!allocator || bytes == 0)
		return 0;
	return allocator(bytes, phys);
}

void dma_free(void *va, size_t bytes)
{
	if (freer && va)
		freer(va, bytes);
}

uint64_t dma_virt_to_phys(const void *va)
{
	uint64_t pa, size;
	unsigned rights;

	if (paging_translate(paging_active(), (uint64_t)va, &pa, &rights, &size) != 0)
		return 0;
	return pa;
}
