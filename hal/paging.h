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

/* One present entry of a page-table tree, as paging_walk reports it. */
struct paging_entry {
	uint64_t va;            /* first address the entry covers */
	uint64_t size;          /* bytes it covers: 4 KiB, 2 MiB, 1 GiB or 512 GiB */
	int level;              /* 0 for the last level of tables, 3 for the root */
	bool leaf;              /* maps memory (else it points to a table) */
	uint64_t pa;            /* the memory it maps or the table it points to */
	unsigned rights;        /* the entry's own PAGING_WRITE, PAGING_EXEC, PAGING_USER */
	unsigned effective;     /* what the path from the root grants through this
				   entry: write and user only if every level allows
				   them, execute only if no level forbids it */
	uint64_t raw;           /* the entry as the CPU reads it, for reports */
};
typedef int (*paging_walk_fn)(const struct paging_entry *e, void *ctx);
#define PAGING_WALK_SKIP 1   /* from fn: go on, but not into the table below e */
/* Calls fn for every present entry of root's tree that covers part of
 * [lo, last], a table's entry before the entries below it, in address
 * order. Stops at the first value fn returns other than 0 and
 * PAGING_WALK_SKIP, and returns it; 0 when the walk ran to its end. The
 * caller keeps the tables still (the lock that guards root's edits). */
int paging_walk(uint64_t root, uint64_t lo, uint64_t last, paging_walk_fn fn, void *ctx);
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
