/* DMA-able memory for drivers: the kernel's mm installs the allocator at
 * boot (like hal/mmio.h), so drivers never call into kernel/mm. */
#ifndef HAL_DMA_H
#define HAL_DMA_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

typedef void *(*dma_alloc_fn)(size_t bytes, uint64_t *phys);
typedef void (*dma_free_fn)(void *va, size_t bytes);

void dma_set_allocator(dma_alloc_fn alloc, dma_free_fn free);
/* Physically contiguous, zeroed, page-aligned memory of at least `bytes`;
 * its kernel virtual address (NULL when none) and *phys its bus address. */
void *dma_alloc(size_t bytes, uint64_t *phys) __must_check;
/* bytes must be the size given to dma_alloc. */
void dma_free(void *va, size_t bytes);
/* The physical address behind a kernel virtual address in the current
 * address space, or 0 when nothing is mapped there. */
uint64_t dma_virt_to_phys(const void *va);

#endif
