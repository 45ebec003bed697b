/* Translates the firmware's memory map into the kernel's own types, sorted by
 * address with neighbours of one type merged. Runs after ExitBootServices,
 * so it only writes into memory allocated beforehand. */
#include "loader.h"

static uint32_t type_of(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:      return BOOT_MEM_USABLE;
	case EfiLoaderCode:
	case EfiLoaderData:              return BOOT_MEM_LOADER;
	case EfiBootServicesCode:
	case EfiBootServicesData:        return BOOT_MEM_BOOT_SERVICES;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:     return BOOT_MEM_RUNTIME;
	case EfiACPIReclaimMemory:       return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:           return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace: return BOOT_MEM_MMIO;
	case EfiUnusableMemory:          return BOOT_MEM_UNUSABLE;
	case 14 /* EfiPersistentMemory */: return BOOT_MEM_PERSISTENT;
	case (UINT32)LOADER_MEM_KERNEL:    return BOOT_MEM_KERNEL;
	case (UINT32)LOADER_MEM_BOOT_DATA: return BOOT_MEM_BOOT_DATA;
	default:                         return BOOT_MEM_RESERVED;
	}
}

#define DESC(map, i, sz) ((const EFI_MEMORY_DESCRIPTOR *)((const UINT8 *)(map) + (i) * (sz)))

/* Highest physical address of any RAM-like range (MMIO excluded). */
uint64_t memmap_top(const void *map, UINTN map_size, UINTN desc_size)
{
	uint64_t top = 0;

	for (UINTN i = 0; i < map_size / desc_size; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = DESC(map, i, desc_size);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * LOADER_PAGE;
		uint32_t t = type_of(d->Type);

		if (t != BOOT_MEM_MMIO && t != BOOT_MEM_RESERVED && end > top)
			top = end;
	}
	return top;
}

uint32_t memmap_translate(const void *map, UINTN map_size, UINTN desc_size,
			  struct boot_mmap_entry *out, uint32_t cap)
{
	uint32_t n = 0;

	for (UINTN i = 0; i < map_size / desc_size && n < cap; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = DESC(map, i, desc_size);
		struct boot_mmap_entry e = {
			.phys = d->PhysicalStart,
			.pages = d->NumberOfPages,
			.type = type_of(d->Type),
		};
		uint32_t j = n;

		if (e.pages == 0)
			continue;
		/* insertion sort: maps are a few hundred entries at most */
		while (j > 0 && out[j - 1].phys > e.phys) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = e;
		n++;
	}
	/* merge neighbours of one type */
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (m > 0 && out[m - 1].type == out[i].type &&
		    out[m - 1].phys + out[m - 1].pages * LOADER_PAGE == out[i].phys)
			out[m - 1].pages += out[i].pages;
		else
			out[m++] = out[i];
	}
	return m;
}
