/* Unmapping in batches (see tlb_batch.h). The batch lives on its user's
 * stack and is used under the lock that guards the tables it edits. */
#include <kernel/mm/tlb_batch.h>
#include <hal/tlb.h>

#define PAGE 4096ull

void tlb_batch_init(struct tlb_batch *b, uint64_t root, void (*release)(uint64_t pa))
{
	b->root = root;
	b->lo = b->hi = 0;
	b->n = 0;
	b->release = release;
}

void tlb_batch_finish(struct tlb_batch *b)
{
	if (b->hi > b->lo)
		tlb_flush_range(b->root, b->lo, b->hi - b->lo);
	for (unsigned i = 0; i < b->n; i++)
		b->release(b->frames[i]);
	b->lo = b->hi = 0;
	b->n = 0;
}

void tlb_batch_add(struct tlb_batch *b, uint64_t va, uint64_t pa)
{
	if (b->hi == b->lo) {
		b->lo = va;
		b->hi = va + PAGE;
	} else {
		b->lo = va < b->lo ? va : b->lo;
		b->hi = va + PAGE > b->hi ? va + PAGE : b->hi;
	}
	if (pa && b->release)
		b->frames[b->n++] = pa;
	if (b->n == TLB_BATCH_MAX)
		tlb_batch_finish(b);
}
