/* Device-register mapping for drivers and hal: the kernel's vmm installs the
 * mapper at boot, so code below the kernel never calls up into mm. */
#ifndef HAL_MMIO_H
#define HAL_MMIO_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

typedef void *(*mmio_map_fn)(uint64_t phys, size_t len);
typedef void (*mmio_unmap_fn)(void *va);

void mmio_set_mapper(mmio_map_fn map, mmio_unmap_fn unmap);
/* Uncached, read-write, never executable; NULL before mm is up or when the
 * kernel virtual area is exhausted. */
volatile void *mmio_map(uint64_t phys, size_t len) __must_check;
void mmio_unmap(volatile void *va);

#endif
