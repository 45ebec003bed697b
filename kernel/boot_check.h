/* The checks of the loader's boot_info, apart from the kernel's glue so the
 * host tests can run them on crafted input: a buffer and its length, and
 * physical memory reached through a function. */
#ifndef KERNEL_BOOT_CHECK_H
#define KERNEL_BOOT_CHECK_H

#include <stddef.h>
#include <cosmos/boot_info.h>

/* What survived the checks. */
struct boot_checked {
	struct boot_info info;     /* the loader's, with what was refused cleared */
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX]; /* sorted, disjoint, inside
						       the direct map where RAM */
	unsigned mmap_count;
};

/* Gives a pointer to physical [phys, phys + len), or NULL if it cannot. */
typedef const void *(*boot_phys_fn)(uint64_t phys, size_t len);

/* Checks the boot_info in buf[0..len) and the memory map it points to (read
 * through phys once its place is checked). Returns 0 with *out filled, or
 * -EINVAL when the kernel cannot go on; every problem is logged. Problems
 * with optional parts (framebuffer, RSDP, command line, initrd) only drop
 * that part, and memory of the initrd type not holding an accepted initrd
 * becomes loader memory. */
int boot_info_check(const void *buf, size_t len, boot_phys_fn phys, struct boot_checked *out);

#endif
