/* The boot protocol: the one structure the UEFI loader hands to the kernel.
 * Shared by boot/ and the kernel; nothing else crosses that boundary. */
#ifndef COSMOS_BOOT_INFO_H
#define COSMOS_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC   0x4f464e49534f4d43ULL /* "CMOSINFO" little-endian */
/* Any change to these structures bumps the version: the kernel refuses a
 * boot_info of another version (the loader and kernel are one build). */
#define BOOT_INFO_VERSION 4

/* Virtual layout the loader sets up (design.md §3). */
#define BOOT_HHDM_BASE    0xffff800000000000ULL /* phys 0 is mapped here */
#define BOOT_KERNEL_BASE  0xffffffff80000000ULL /* kernel link address */
/* KASLR: the loader moves the kernel up by a multiple of BOOT_KASLR_ALIGN,
 * keeping its end at or below BOOT_KASLR_TOP: inside the top 2 GiB that
 * -mcmodel=kernel reaches with sign-extended 32-bit values, and never in
 * the last 2 MiB, so that the end of the image is a real address, not 0. */
#define BOOT_KASLR_ALIGN  (2ULL << 20)
#define BOOT_KASLR_TOP    0xffffffffffe00000ULL
#define BOOT_HHDM_MAX     (1ULL << 46)          /* the direct map ends where the
						   kernel virtual area begins */

#define BOOT_CMDLINE_MAX  1024
#define BOOT_MMAP_MAX     512
/* Pages the loader reserves below 1 MiB (BOOT_MEM_TRAMPOLINE): the code
 * the other CPUs start in and the page tables that take them to long mode. */
#define LOADER_TRAMPOLINE_PAGES 4

/* Memory types in our own terms, translated by the loader from UEFI's, so
 * the kernel never needs to know UEFI. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,      /* free conventional memory */
	BOOT_MEM_LOADER,          /* loader code/data/pool: free once the kernel is up */
	BOOT_MEM_BOOT_SERVICES,   /* firmware boot services: free after ExitBootServices */
	BOOT_MEM_KERNEL,          /* the kernel's loaded segments */
	BOOT_MEM_BOOT_DATA,       /* boot_info, memory map and initial page tables */
	BOOT_MEM_ACPI_RECLAIM,    /* ACPI tables: reclaimable after they are parsed */
	BOOT_MEM_ACPI_NVS,        /* firmware-owned, never touched */
	BOOT_MEM_RUNTIME,         /* UEFI runtime services, never touched */
	BOOT_MEM_MMIO,            /* memory-mapped I/O */
	BOOT_MEM_RESERVED,        /* everything else, never touched */
	BOOT_MEM_UNUSABLE,        /* known-bad memory */
	BOOT_MEM_PERSISTENT,      /* NVDIMM-like, not used yet */
	BOOT_MEM_INITRD,          /* the initramfs: kept until the kernel has unpacked it */
	BOOT_MEM_TRAMPOLINE,      /* below 1 MiB, for starting the other CPUs: never freed */
	BOOT_MEM_TYPE_COUNT
};

/* How the loader chose the kernel's place (boot_info.kaslr). */
enum boot_kaslr {
	BOOT_KASLR_OFF = 0,       /* kaslr=off: at its link address */
	BOOT_KASLR_UNMOVABLE,     /* the kernel has no relocations: at its link address */
	BOOT_KASLR_FIRMWARE,      /* random, from the firmware's EFI_RNG_PROTOCOL */
	BOOT_KASLR_RDSEED,        /* random, from the CPU's RDSEED */
	BOOT_KASLR_RDRAND,        /* random, from the CPU's RDRAND */
	BOOT_KASLR_TSC,           /* from the time-stamp counter: guessable */
	BOOT_KASLR_COUNT
};

static inline const char *boot_kaslr_name(uint32_t k)
{
	static const char *const names[BOOT_KASLR_COUNT] = {
		"kaslr=off", "no relocations", "the firmware's RNG", "RDSEED", "RDRAND", "the TSC",
	};
	return k < BOOT_KASLR_COUNT ? names[k] : "unknown";
}

struct boot_mmap_entry {
	uint64_t phys;            /* page aligned */
	uint64_t pages;           /* 4 KiB pages */
	uint32_t type;            /* enum boot_mem_type */
	uint32_t reserved;
};

enum boot_fb_format {
	BOOT_FB_NONE = 0,
	BOOT_FB_RGBX = 1,         /* byte 0 red, 1 green, 2 blue, 3 unused */
	BOOT_FB_BGRX = 2,         /* byte 0 blue, 1 green, 2 red, 3 unused */
	BOOT_FB_BITMASK = 3,      /* described by the masks below */
};

struct boot_framebuffer {
	uint64_t phys;
	uint64_t size;            /* bytes */
	uint32_t width, height;   /* pixels */
	uint32_t pitch;           /* bytes per scan line */
	uint32_t format;          /* enum boot_fb_format */
	uint32_t red_mask, green_mask, blue_mask, reserved_mask;
};

/* All addresses are physical; the kernel reaches them through the HHDM. */
struct boot_info {
	uint64_t magic;           /* BOOT_INFO_MAGIC */
	uint32_t version;         /* BOOT_INFO_VERSION */
	uint32_t size;            /* sizeof(struct boot_info) as the loader built it */

	uint64_t hhdm_base;       /* BOOT_HHDM_BASE */
	uint64_t hhdm_size;       /* bytes of physical space mapped there */
	uint64_t kernel_phys;     /* lowest physical address of the kernel image */
	uint64_t kernel_virt;     /* its virtual address, where it runs */
	uint64_t kernel_size;     /* bytes, page rounded, contiguous */
	uint64_t kernel_link_virt;/* the address it was linked at: kernel_virt minus
				     this is the KASLR slide */
	uint32_t kaslr;           /* enum boot_kaslr */
	uint32_t kaslr_places;    /* how many places it could have gone */
	uint64_t page_tables_phys;/* the PML4 the loader built */

	uint64_t mmap_phys;       /* array of struct boot_mmap_entry, sorted by phys */
	uint32_t mmap_count;
	uint32_t mmap_entry_size; /* sizeof(struct boot_mmap_entry) */

	uint64_t initrd_phys;     /* \cosmos\initrd.cpio as read, page aligned, in
				     BOOT_MEM_INITRD memory; 0 if there is none */
	uint64_t initrd_size;     /* its length in bytes; 0 if there is none */

	struct boot_framebuffer fb;

	uint64_t acpi_rsdp_phys;  /* 0 if the firmware gave none */
	uint64_t loader_tsc;      /* TSC just before the jump, for boot timing */
	uint32_t exit_boot_tries; /* how many ExitBootServices calls it took */
	uint32_t cmdline_len;     /* bytes, without the terminating NUL */
	char cmdline[BOOT_CMDLINE_MAX]; /* NUL terminated */
};

#endif
