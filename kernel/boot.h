/* What the kernel learned from the loader, after checking it: the boot_info,
 * its sanitized memory map and the parsed command line. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stddef.h>
#include <cosmos/boot_info.h>
#include <lib/cmdline.h>

/* Checks bi completely (kernel/boot_check.c) before anything else reads
 * it; on success the accessors below are valid. Returns 0 or a negative
 * errno; problems are logged. */
int boot_info_accept(const struct boot_info *bi);

const struct boot_info *boot_info(void);
const struct boot_mmap_entry *boot_mmap(unsigned *count);
struct cmdline *boot_cmdline(void);
/* Reads an option without marking it used (panic path, early code). */
const char *boot_cmdline_peek(const char *key);
const char *boot_mem_type_name(uint32_t type);
/* Pointer to [phys, phys+len) through the direct map, or NULL if outside it. */
const void *boot_phys_map(uint64_t phys, size_t len);
/* The initramfs the loader passed (\cosmos\initrd.cpio), through the direct
 * map, and its length; NULL and 0 when there is none or it was released.
 * Its frames stay reserved until boot_initrd_release(). */
const void *boot_initrd(size_t *len);
/* Gives the initramfs's frames to the frame allocator once it has been
 * unpacked; the pointer from boot_initrd() is dead afterwards. Later calls
 * do nothing. */
void boot_initrd_release(void);
/* Logs each command-line option no subsystem asked for. */
void boot_report_unknown_options(void);

/* Direct-map conversions. */
#define PHYS_TO_VIRT(p) ((void *)((uint64_t)(p) + BOOT_HHDM_BASE))
#define VIRT_TO_PHYS(v) ((uint64_t)(v) - BOOT_HHDM_BASE)

#endif
