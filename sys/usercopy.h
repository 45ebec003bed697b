/* User memory: a user address has its own type so it cannot be
 * dereferenced by accident; only these primitives touch it
 * (docs/processes-and-files.md §2). Kernel and non-canonical addresses
 * are refused before any access; a fault the address space cannot resolve
 * ends the copy with -EFAULT (sys/usercopy.c, hal/usercopy.S). */
#ifndef SYS_USERCOPY_H
#define SYS_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t addr; } uptr_t;

static inline uptr_t uptr(uint64_t a) { return (uptr_t){ a }; }
static inline bool uptr_is_null(uptr_t p) { return p.addr == 0; }
static inline uptr_t uptr_add(uptr_t p, uint64_t off) { return (uptr_t){ p.addr + off }; }

/* 0 or -EFAULT. The range must lie in the user half and be mapped. */
int copy_from_user(void *dst, uptr_t src, size_t n);
int copy_to_user(uptr_t dst, const void *src, size_t n);
int clear_user(uptr_t dst, size_t n);
/* Copies a NUL-terminated string of at most size-1 bytes; returns its
 * length, -EFAULT, or -ENAMETOOLONG when no NUL came within size. */
long strncpy_from_user(char *dst, uptr_t src, size_t size);

/* Atomically replaces the aligned 32-bit word at p with new if it holds
 * *old; either way *old becomes what it held. 0 or -EFAULT. */
int cmpxchg_user32(uptr_t p, uint32_t *old, uint32_t new);

/* For struct uio, which reports short transfers: the bytes copied before
 * a fault stopped the copy (n when none did, 0 for a bad range). */
size_t copy_from_user_part(void *dst, uptr_t src, size_t n);
size_t copy_to_user_part(uptr_t dst, const void *src, size_t n);
size_t clear_user_part(uptr_t dst, size_t n);
/* Does [p, p + n) lie in the user half (no wrap)? */
bool user_range_ok(uptr_t p, size_t n);

#endif
