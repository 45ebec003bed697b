/* x86-64 4-level page tables behind a portable interface: address spaces
 * are named by the physical address of their root table. */
#ifndef HAL_PAGING_H
#define HAL_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

#define PAGE_SIZE       4096ull
#define PAGE_SIZE_LARGE (2ull << 20)

/* Rights, in portable terms. Readable is implied by mapped. */
#define PAGING_WRITE    (1u << 0)
#define PAGING_EXEC     (1u << 1)
#define PAGING_USER     (1u << 2)
#define PAGING_UNCACHED (1u << 3)   /* strong uncached, for MMIO */
/* 4 KiB pages only: the entry keeps its frame but every access faults as
 * if nothing were mapped (PROT_NONE memory keeps its contents this way). */
#define PAGING_NONE     (1u << 4)

/* Where table frames come from: mm installs these before anything maps.
 * alloc returns a zeroed frame's physical address, or 0 when out of memory. */
struct paging_frame_source {
	uint64_t (*alloc)(void);
	void (*free)(uint64_t phys);
};
void paging_set_frame_source(const struct paging_frame_source *src);
/* CPU options: global pages for the kernel half, and whether NX exists. */
void paging_set_cpu_options(bool global, bool nx);

/* A new root; its kernel half (entries 256..511) is copied from kernel_root
 * (0 for none), so kernel mappings below those entries are shared. */
uint64_t paging_create(uint64_t kernel_root) __must_check;
/* Frees every user-half table of root and root itself; the frames mapped
 * are not touched (their owner frees them). */
void paging_destroy(uint64_t root);
/* Makes sure the top-level entry for va exists, so that roots created later
 * share everything mapped under it. -ENOMEM on failure. */
int paging_prepare_top(uint64_t root, uint64_t va) __must_check;

/* size is PAGE_SIZE or PAGE_SIZE_LARGE; va and pa must be aligned to it.
 * Returns 0, -EINVAL, -EEXIST (something is mapped there) or -ENOMEM. */
int paging_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned rights) __must_check;
/* Removes the mapping of the page containing va (either size); fills pa and
 * size when not NULL. -ENOENT if nothing is mapped. Flushes the TLB entry. */
int paging_unmap(uint64_t root, uint64_t va, uint64_t *pa, uint64_t *size) __must_check;
/* Changes the rights of the page containing va. -ENOENT if unmapped. */
int paging_protect(uint64_t root, uint64_t va, unsigned rights) __must_check;
/* Physical address va maps to, with the page's rights and size. -ENOENT. */
int paging_translate(uint64_t root, uint64_t va, uint64_t *pa, unsigned *rights, uint64_t *size) __must_check;

/* The lowest page-aligned address in [va, end) that has a mapping (a
 * PAGING_NONE entry counts), or end; skips absent tables whole, so walking
 * a sparse range costs what is mapped in it. va must be page aligned. */
uint64_t paging_next_mapped(uint64_t root, uint64_t va, uint64_t end);

void paging_activate(uint64_t root);
uint64_t paging_active(void);
/* Invalidates the whole TLB, global entries included (one page is flushed
 * by paging_unmap and paging_protect themselves). This CPU only. */
void paging_flush_all(void);

#endif
