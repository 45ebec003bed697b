/* The buddy core of the frame allocator: one zone = a contiguous run of page
 * frames with its own metadata array. Portable (host-tested), no locking. */
#ifndef KERNEL_MM_BUDDY_H
#define KERNEL_MM_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_MAX_ORDER 10  /* blocks of 1 << 10 pages = 4 MiB */
#define BUDDY_NONE      0xffffffffu

enum buddy_state {
	BUDDY_RESERVED = 0,  /* never handed out (not ours, or not yet freed) */
	BUDDY_FREE_HEAD,     /* first frame of a free block on a free list */
	BUDDY_FREE_TAIL,     /* inside a free block */
	BUDDY_USED_HEAD,     /* first frame of an allocated block */
	BUDDY_USED_TAIL,     /* inside an allocated block */
};

/* Per-frame metadata, 16 bytes. Free lists link frame indexes, so free
 * memory itself is never written by the allocator. An allocated block needs
 * no link, so its head frame keeps the owner's reference count there. */
struct buddy_frame {
	union {
		uint32_t next;  /* free: list link (zone-relative index) */
		uint32_t refs;  /* allocated head: references (kept by the pmm) */
	};
	uint32_t prev;         /* free list link */
	uint8_t order;         /* block order, valid in a head frame */
	uint8_t state;         /* enum buddy_state */
	uint16_t reserved;
	uint32_t tag;          /* owner's word for allocated frames (0 when free) */
};

struct buddy_zone {
	uint64_t base_pfn;     /* first frame number covered */
	uint64_t npages;       /* frames covered, including reserved ones */
	struct buddy_frame *meta;
	uint32_t free_head[BUDDY_MAX_ORDER + 1];
	uint64_t free_blocks[BUDDY_MAX_ORDER + 1];
	uint64_t free_pages;
};

/* Bytes of metadata a zone of npages frames needs. */
static inline size_t buddy_meta_bytes(uint64_t npages) { return npages * sizeof(struct buddy_frame); }

/* Starts a zone with every frame reserved. */
void buddy_zone_init(struct buddy_zone *z, uint64_t base_pfn, uint64_t npages,
		     struct buddy_frame *meta);
/* Hands reserved frames [pfn, pfn+n) to the allocator; returns how many
 * frames became free (frames outside the zone or not reserved are skipped). */
uint64_t buddy_add_range(struct buddy_zone *z, uint64_t pfn, uint64_t n);
/* Takes free frames [pfn, pfn+n) back out as reserved (splitting blocks);
 * returns how many frames were removed. */
uint64_t buddy_remove_range(struct buddy_zone *z, uint64_t pfn, uint64_t n);
/* Allocates a block of 1 << order frames aligned to its size (in physical
 * frame numbers); returns its pfn, or BUDDY_ALLOC_FAIL. */
#define BUDDY_ALLOC_FAIL UINT64_MAX
uint64_t buddy_alloc(struct buddy_zone *z, unsigned order);
/* Frees a block from buddy_alloc. Returns 0, or -EINVAL if pfn is not the
 * head of an allocated block of that order (double or wrong free). */
int buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned order);
/* Turns a reserved frame into an allocated block of order 0 (its data
 * untouched), as if buddy_alloc had handed it out: buddy_free takes it
 * back like any other. 0, or -EINVAL when pfn is outside the zone or not
 * reserved (free, allocated, or claimed already). */
int buddy_claim(struct buddy_zone *z, uint64_t pfn);
bool buddy_contains(const struct buddy_zone *z, uint64_t pfn);
/* The frame's metadata, NULL outside the zone. */
struct buddy_frame *buddy_frame_of(struct buddy_zone *z, uint64_t pfn);
/* Checks free lists against the metadata; returns 0 or a negative line
 * number of the first inconsistency (tests use it). */
int buddy_check(const struct buddy_zone *z);

#endif
