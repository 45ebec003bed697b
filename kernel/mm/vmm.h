/* The kernel address space: its own page tables with exact rights, and the
 * kernel virtual area for stacks (with guard pages), vmalloc and MMIO. */
#ifndef KERNEL_MM_VMM_H
#define KERNEL_MM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hal/paging.h>
#include <hal/trap.h>

#define VMM_KVA_BASE 0xffffc00000000000ull
#define VMM_KVA_SIZE (1ull << 30)

/* Builds the kernel's page tables, switches to them and turns on the CPU
 * protection features. 0 or a negative errno. */
int vmm_init(void);
/* The kernel's root table (to create address spaces sharing its half). */
uint64_t vmm_kernel_root(void);

/* Virtually contiguous, page-backed, RW and NX, with an unmapped guard page
 * below. NULL when out of memory or address space. */
void *vmm_alloc(size_t bytes);
void vmm_free(void *p);
/* A kernel stack of `bytes` (rounded to pages); returns the lowest address,
 * the stack grows down from that plus bytes. */
void *vmm_stack_alloc(size_t bytes);
/* The stack's pages are unmapped at once; its frames and address range
 * come back after the next shootdown, which covers many freed stacks
 * (with several CPUs each shootdown waits for every other CPU, a halted
 * one too), or at vmm_stacks_flush. */
void vmm_stack_free(void *base);
/* vmm_stack_free for n stacks (NULLs skipped) under one lock. */
void vmm_stacks_free(void *const *bases, unsigned n);
/* Gives back every freed stack's frames and range now (one shootdown). */
void vmm_stacks_flush(void);
/* Maps device registers uncached, RW, NX; keeps the offset of phys within
 * its page. NULL on failure. */
void *vmm_map_mmio(uint64_t phys, size_t bytes);
void vmm_unmap_mmio(void *va);

/* Is va in a guard page of the kernel virtual area? */
bool vmm_is_guard(uint64_t va);

/* paging_walk over the kernel's tables, holding the lock that guards them
 * (fn runs with interrupts off and may not sleep, allocate or log). */
int vmm_walk_kernel(paging_walk_fn fn, void *ctx);

/* The process layer's handler for faults on user addresses, given hal's
 * portable description (address, read/write/execute, user or kernel mode,
 * page present or not); returns 0 if it resolved the fault. Without one
 * every fault is a kernel bug. */
typedef int (*vmm_user_fault_fn)(const struct trap_page_fault *pf);
void vmm_set_user_fault_handler(vmm_user_fault_fn fn);

#endif
