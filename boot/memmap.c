/* Translates the firmware's memory map into the kernel's own types. Runs
 * after ExitBootServices, so it only writes into memory allocated
 * beforehand. Host-tested with crafted maps (test/host/test_memmap.c). */
#include "memmap.h"
#include <lib/memmap.h>
#include <lib/string.h>

#ifdef COSMOS_LOADER
#include <efi.h>
_Static_assert(sizeof(struct uefi_mem_desc) == sizeof(EFI_MEMORY_DESCRIPTOR) &&
	       offsetof(struct uefi_mem_desc, phys) == offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) &&
	       offsetof(struct uefi_mem_desc, pages) == offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages),
	       "struct uefi_mem_desc differs from gnu-efi's EFI_MEMORY_DESCRIPTOR");
_Static_assert(UEFI_MEM_CONVENTIONAL == (int)EfiConventionalMemory &&
	       UEFI_MEM_PAL_CODE == (int)EfiPalCode &&
	       UEFI_MEM_MMIO_PORT == (int)EfiMemoryMappedIOPortSpace,
	       "UEFI memory types differ from gnu-efi's");
#endif

static uint32_t type_of(uint32_t efi_type)
{
	switch (efi_type) {
	case UEFI_MEM_CONVENTIONAL: return BOOT_MEM_USABLE;
	case UEFI_MEM_LOADER_CODE:
	case UEFI_MEM_LOADER_DATA:  return BOOT_MEM_LOADER;
	case UEFI_MEM_BS_CODE:
	case UEFI_MEM_BS_DATA:      return BOOT_MEM_BOOT_SERVICES;
	case UEFI_MEM_RT_CODE:
	case UEFI_MEM_RT_DATA:      return BOOT_MEM_RUNTIME;
	case UEFI_MEM_ACPI_RECLAIM: return BOOT_MEM_ACPI_RECLAIM;
	case UEFI_MEM_ACPI_NVS:     return BOOT_MEM_ACPI_NVS;
	case UEFI_MEM_MMIO:
	case UEFI_MEM_MMIO_PORT:    return BOOT_MEM_MMIO;
	case UEFI_MEM_UNUSABLE:     return BOOT_MEM_UNUSABLE;
	case UEFI_MEM_PERSISTENT:   return BOOT_MEM_PERSISTENT;
	case LOADER_TYPE_KERNEL:    return BOOT_MEM_KERNEL;
	case LOADER_TYPE_BOOT_DATA: return BOOT_MEM_BOOT_DATA;
	case LOADER_TYPE_INITRD:    return BOOT_MEM_INITRD;
	case LOADER_TYPE_TRAMPOLINE: return BOOT_MEM_TRAMPOLINE;
	default:                    return BOOT_MEM_RESERVED;
	}
}

/* Descriptor i in our terms; copied out because the firmware's descriptor
 * size need not keep them 8-byte aligned. */
static struct boot_mmap_entry entry(const void *map, size_t i, size_t desc_size)
{
	struct uefi_mem_desc d;

	memcpy(&d, (const uint8_t *)map + i * desc_size, sizeof(d));
	return (struct boot_mmap_entry){ .phys = d.phys, .pages = d.pages, .type = type_of(d.type) };
}

uint64_t memmap_top(const void *map, size_t map_size, size_t desc_size)
{
	uint64_t top = 0;

	if (desc_size < sizeof(struct uefi_mem_desc))
		return 0;
	for (size_t i = 0; i < map_size / desc_size; i++) {
		struct boot_mmap_entry e = entry(map, i, desc_size);

		if (memmap_entry_valid(&e) && e.type != BOOT_MEM_MMIO &&
		    e.type != BOOT_MEM_RESERVED && memmap_end(&e) > top)
			top = memmap_end(&e);
	}
	return top < BOOT_HHDM_MAX ? top : BOOT_HHDM_MAX;
}

uint32_t memmap_translate(const void *map, size_t map_size, size_t desc_size,
			  struct boot_mmap_entry *out, uint32_t cap)
{
	uint32_t n = 0;

	if (desc_size < sizeof(struct uefi_mem_desc))
		return 0;
	for (size_t i = 0; i < map_size / desc_size && n < cap; i++)
		out[n++] = entry(map, i, desc_size);
	return memmap_sanitize(out, n, NULL);
}
