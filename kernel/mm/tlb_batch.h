/* Unmapping in batches: a removed mapping's frame is released only after
 * every CPU has dropped the translation (hal/tlb.h), and one shootdown
 * covers a batch of pages. */
#ifndef KERNEL_MM_TLB_BATCH_H
#define KERNEL_MM_TLB_BATCH_H

#include <stdint.h>

#define TLB_BATCH_MAX 32

struct tlb_batch {
	uint64_t root;             /* the address space's tables */
	uint64_t lo, hi;           /* pages unmapped since the last flush */
	unsigned n;
	uint64_t frames[TLB_BATCH_MAX];
	void (*release)(uint64_t pa);   /* NULL: nothing to release */
};

void tlb_batch_init(struct tlb_batch *b, uint64_t root, void (*release)(uint64_t pa));
/* The page at va was unmapped; pa (0 for none) is released after the
 * flush that covers it. */
void tlb_batch_add(struct tlb_batch *b, uint64_t va, uint64_t pa);
/* Flushes what is pending and releases its frames. */
void tlb_batch_finish(struct tlb_batch *b);

#endif
