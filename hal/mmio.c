/* The MMIO mapping hook. Written once at boot by vmm_init. */
#include <hal/mmio.h>

static mmio_map_fn mapper;
static mmio_unmap_fn unmapper;

void mmio_set_mapper(mmio_map_fn map, mmio_unmap_fn unmap)
{
	mapper = map;
	unmapper = unmap;
}

volatile void *mmio_map(uint64_t phys, size_t len)
{
	return mapper ? mapper(phys, len) : 0;
}

void mmio_unmap(volatile void *va)
{
	if (unmapper && va)
		unmapper((void *)va);
}
