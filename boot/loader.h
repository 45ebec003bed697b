/* Internal interfaces of the UEFI loader (boot/): one small header for the
 * handful of pieces main.c strings together. */
#ifndef BOOT_LOADER_H
#define BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdint.h>
#include <cosmos/boot_info.h>

/* OS-defined UEFI memory types (UEFI reserves 0x80000000+ for OS loaders), so
 * the final memory map tells the kernel exactly what we allocated for it. */
#define LOADER_MEM_KERNEL    ((EFI_MEMORY_TYPE)0x80000001)
#define LOADER_MEM_BOOT_DATA ((EFI_MEMORY_TYPE)0x80000002)

#define LOADER_PAGE          4096ULL
#define LOADER_MAX_KERNEL    (64ULL << 20)   /* refuse larger kernel files */

/* console.c: messages go to the firmware console and to COM1 */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void serial_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_init(void);

/* files.c: whole files from the loader's own volume */
EFI_STATUS file_read(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
		     void **data, UINT64 *size);

/* paging.c: the kernel's initial page tables */
struct pt_builder {
	uint64_t pml4;        /* physical = loader-visible address */
	int nx;               /* EFER.NXE on: NX bits may be used */
	int huge_1g;          /* CPU has 1 GiB pages */
};
EFI_STATUS pt_init(struct pt_builder *pt);
EFI_STATUS pt_map_4k(struct pt_builder *pt, uint64_t virt, uint64_t phys,
		     int writable, int executable);
EFI_STATUS pt_map_direct(struct pt_builder *pt, uint64_t base, uint64_t bytes);

/* memmap.c: the UEFI memory map in our own terms */
uint64_t memmap_top(const void *map, UINTN map_size, UINTN desc_size);
uint32_t memmap_translate(const void *map, UINTN map_size, UINTN desc_size,
			  struct boot_mmap_entry *out, uint32_t cap);

#endif
