/* Where and how large a kernel image the loader accepts. Shared with the host
 * tests, which run the real kernel.elf through elf_check with these limits. */
#ifndef BOOT_KERNEL_LIMITS_H
#define BOOT_KERNEL_LIMITS_H

#include <cosmos/boot_info.h>
#include <lib/elf_check.h>

/* An initializer for struct elf_limits. */
#define LOADER_KERNEL_LIMITS {                                               \
	.vaddr_min = BOOT_KERNEL_BASE,                                       \
	.vaddr_max = 0xfffffffffffff000ULL,                                  \
	.max_memsz = 256ULL << 20,                                           \
}

#endif
