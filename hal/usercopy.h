/* The primitives that touch user memory (hal/usercopy.S) and their
 * exception-table fixups. Only sys/usercopy.c calls the primitives, after
 * checking the range; the kernel's fault handler calls the rest. */
#ifndef HAL_USERCOPY_H
#define HAL_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hal/trap.h>

/* Return the bytes not copied or cleared: 0 when all went. */
size_t usercopy_copy(void *dst, const void *src, size_t n);
size_t usercopy_clear(void *dst, size_t n);
/* Copies up to and including a NUL, at most n bytes: the string's length
 * when its NUL came within n, n when it did not, -1 on a fault. */
long usercopy_strncpy(char *dst, const char *src, size_t n);
/* One locked compare-and-exchange of the word at uaddr: 0 with *old set
 * to what the word held (swapped for new if that equals the old *old),
 * -1 on a fault. */
int usercopy_cmpxchg32(uint32_t *uaddr, uint32_t *old, uint32_t new);

/* Opens and closes the user-access window (stac/clac) from now on if the
 * CPU enforces SMAP; call once the protection features are on. */
void usercopy_init(void);

/* Is ip an instruction of a primitive that may fault on user memory? */
bool usercopy_fault_ip(uint64_t ip);
/* For such a fault that cannot be resolved: resumes f at the primitive's
 * fixup, which reports the short copy. False when ip is not one. */
bool usercopy_fixup(struct trap_frame *f);

#endif
