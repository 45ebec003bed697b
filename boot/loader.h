/* Internal interfaces of the UEFI loader (boot/): one small header for the
 * handful of pieces main.c strings together. */
#ifndef BOOT_LOADER_H
#define BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdint.h>
#include <cosmos/boot_info.h>
#include "memmap.h"

/* Our own UEFI memory types (memmap.h) for what the kernel must find. */
#define LOADER_MEM_KERNEL    ((EFI_MEMORY_TYPE)LOADER_TYPE_KERNEL)
#define LOADER_MEM_BOOT_DATA ((EFI_MEMORY_TYPE)LOADER_TYPE_BOOT_DATA)
#define LOADER_MEM_INITRD    ((EFI_MEMORY_TYPE)LOADER_TYPE_INITRD)

#define LOADER_PAGE          4096ULL
#define LOADER_MAX_KERNEL    (64ULL << 20)   /* refuse larger kernel files */
#define LOADER_MAX_INITRD    (512ULL << 20)  /* and larger initramfs files */

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* console.c: messages go to the firmware console and to COM1 */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void serial_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_init(void);

/* files.c: whole files from the loader's own volume. *size is the file's
 * size once it could be opened; a file larger than max gives
 * EFI_BAD_BUFFER_SIZE. */
EFI_STATUS file_read(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
		     void **data, UINT64 *size);
/* The same into whole pages of the given memory type (*phys, *size); an
 * empty file allocates nothing (*phys = 0). */
EFI_STATUS file_read_pages(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
			   EFI_MEMORY_TYPE type, EFI_PHYSICAL_ADDRESS *phys, UINT64 *size);

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

/* kaslr.c: 64 random bits for the kernel's place, from the best source
 * there is, starting the search at `first` (an enum boot_kaslr source;
 * the tests start lower down to try the fallbacks). *source says which. */
uint64_t kaslr_random(uint32_t first, uint32_t *source);

#endif
