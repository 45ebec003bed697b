/* Kernel symbol lookup for backtraces, from the table gen-ksyms.py builds. */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr and the offset into it; NULL if addr
 * is outside the kernel's text. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
