/* The firmware's memory map in the kernel's terms. Written against the UEFI
 * specification's descriptor layout rather than gnu-efi's headers, so the
 * host tests build it; memmap.c checks the two agree in the loader build. */
#ifndef BOOT_MEMMAP_H
#define BOOT_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/boot_info.h>

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.x, GetMemoryMap). The firmware's descriptor
 * size may be larger: entries are desc_size bytes apart. */
struct uefi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys;
	uint64_t virt;
	uint64_t pages;
	uint64_t attribute;
};

/* EFI_MEMORY_TYPE values */
enum {
	UEFI_MEM_RESERVED, UEFI_MEM_LOADER_CODE, UEFI_MEM_LOADER_DATA,
	UEFI_MEM_BS_CODE, UEFI_MEM_BS_DATA, UEFI_MEM_RT_CODE, UEFI_MEM_RT_DATA,
	UEFI_MEM_CONVENTIONAL, UEFI_MEM_UNUSABLE, UEFI_MEM_ACPI_RECLAIM,
	UEFI_MEM_ACPI_NVS, UEFI_MEM_MMIO, UEFI_MEM_MMIO_PORT, UEFI_MEM_PAL_CODE,
	UEFI_MEM_PERSISTENT,
};

/* OS-defined types (UEFI leaves 0x80000000 and up to OS loaders), so the
 * final map tells the kernel exactly what the loader allocated for it. */
#define LOADER_TYPE_KERNEL    0x80000001u
#define LOADER_TYPE_BOOT_DATA 0x80000002u
#define LOADER_TYPE_INITRD    0x80000003u
#define LOADER_TYPE_TRAMPOLINE 0x80000004u

/* The end of the highest RAM range (MMIO and reserved space excluded),
 * at most BOOT_HHDM_MAX: how much the direct map must cover. Descriptors
 * whose address or size is malformed are ignored. */
uint64_t memmap_top(const void *map, size_t map_size, size_t desc_size);

/* Translates the map into at most cap entries in out, cleaned by
 * memmap_sanitize (sorted, disjoint, merged). Returns the count; 0 if
 * desc_size is smaller than a descriptor. */
uint32_t memmap_translate(const void *map, size_t map_size, size_t desc_size,
			  struct boot_mmap_entry *out, uint32_t cap);

#endif
