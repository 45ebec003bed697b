/* Binary buddy allocator over one zone of page frames. Blocks are aligned in
 * absolute frame numbers, so a block of order k is physically 2^k-aligned. */
#include <kernel/mm/buddy.h>
#include <cosmos/errno.h>

static void list_push(struct buddy_zone *z, uint32_t i, unsigned order)
{
	struct buddy_frame *f = &z->meta[i];

	f->prev = BUDDY_NONE;
	f->next = z->free_head[order];
	if (f->next != BUDDY_NONE)
		z->meta[f->next].prev = i;
	z->free_head[order] = i;
	z->free_blocks[order]++;
}

static void list_remove(struct buddy_zone *z, uint32_t i, unsigned order)
{
	struct buddy_frame *f = &z->meta[i];

	if (f->prev != BUDDY_NONE)
		z->meta[f->prev].next = f->next;
	else
		z->free_head[order] = f->next;
	if (f->next != BUDDY_NONE)
		z->meta[f->next].prev = f->prev;
	f->next = f->prev = BUDDY_NONE;
	z->free_blocks[order]--;
}

static void mark(struct buddy_zone *z, uint32_t i, unsigned order, uint8_t head, uint8_t tail)
{
	uint32_t n = 1u << order;

	z->meta[i].state = head;
	z->meta[i].order = (uint8_t)order;
	for (uint32_t k = 1; k < n; k++) {
		z->meta[i + k].state = tail;
		z->meta[i + k].order = 0;
	}
}

void buddy_zone_init(struct buddy_zone *z, uint64_t base_pfn, uint64_t npages,
		     struct buddy_frame *meta)
{
	z->base_pfn = base_pfn;
	z->npages = npages;
	z->meta = meta;
	z->free_pages = 0;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		z->free_head[o] = BUDDY_NONE;
		z->free_blocks[o] = 0;
	}
	for (uint64_t i = 0; i < npages; i++)
		meta[i] = (struct buddy_frame){ .next = BUDDY_NONE, .prev = BUDDY_NONE,
						 .state = BUDDY_RESERVED };
}

bool buddy_contains(const struct buddy_zone *z, uint64_t pfn)
{
	return pfn >= z->base_pfn && pfn - z->base_pfn < z->npages;
}

struct buddy_frame *buddy_frame_of(struct buddy_zone *z, uint64_t pfn)
{
	return buddy_contains(z, pfn) ? &z->meta[pfn - z->base_pfn] : NULL;
}

/* Puts the block at index i of the given order on a free list, merging it
 * with its buddy as long as the buddy is a free block of the same order. */
static void free_block(struct buddy_zone *z, uint32_t i, unsigned order)
{
	z->free_pages += 1ull << order;
	while (order < BUDDY_MAX_ORDER) {
		uint64_t pfn = z->base_pfn + i;
		uint64_t bpfn = pfn ^ (1ull << order);
		uint32_t b;

		if (!buddy_contains(z, bpfn) || !buddy_contains(z, bpfn + (1ull << order) - 1))
			break;
		b = (uint32_t)(bpfn - z->base_pfn);
		if (z->meta[b].state != BUDDY_FREE_HEAD || z->meta[b].order != order)
			break;
		list_remove(z, b, order);
		z->meta[b].state = BUDDY_FREE_TAIL;
		if (b < i)
			i = b;
		order++;
	}
	mark(z, i, order, BUDDY_FREE_HEAD, BUDDY_FREE_TAIL);
	list_push(z, i, order);
}

/* Are all frames of the block at index i reserved? */
static bool all_reserved(const struct buddy_zone *z, uint32_t i, unsigned order)
{
	for (uint32_t k = 0; k < (1u << order); k++)
		if (z->meta[i + k].state != BUDDY_RESERVED)
			return false;
	return true;
}

uint64_t buddy_add_range(struct buddy_zone *z, uint64_t pfn, uint64_t n)
{
	uint64_t added = 0, end = pfn + n, p = pfn;

	while (p < end) {
		struct buddy_frame *f = buddy_frame_of(z, p);
		unsigned o = 0;
		uint32_t i;

		if (!f || f->state != BUDDY_RESERVED) {
			p++;
			continue;
		}
		/* the largest aligned block that starts here and fits: whole
		 * blocks make a large range cheap to add */
		while (o < BUDDY_MAX_ORDER && (p & ((2ull << o) - 1)) == 0 && p + (2ull << o) <= end &&
		       buddy_contains(z, p + (2ull << o) - 1))
			o++;
		i = (uint32_t)(p - z->base_pfn);
		if (!all_reserved(z, i, o))
			o = 0;
		free_block(z, i, o);
		added += 1ull << o;
		p += 1ull << o;
	}
	return added;
}

/* Splits the free block at head index i (order o) until the frame at index
 * t sits in a free order-0 block, then takes that frame out as reserved. */
static void remove_frame(struct buddy_zone *z, uint32_t i, unsigned o, uint32_t t)
{
	list_remove(z, i, o);
	z->free_pages -= 1ull << o;
	while (o > 0) {
		uint32_t half = 1u << (o - 1);
		uint32_t other;

		o--;
		if (t >= i + half) {
			other = i;
			i += half;
		} else {
			other = i + half;
		}
		mark(z, other, o, BUDDY_FREE_HEAD, BUDDY_FREE_TAIL);
		list_push(z, other, o);
		z->free_pages += 1ull << o;
	}
	z->meta[i].state = BUDDY_RESERVED;
	z->meta[i].order = 0;
}

uint64_t buddy_remove_range(struct buddy_zone *z, uint64_t pfn, uint64_t n)
{
	uint64_t removed = 0;

	for (uint64_t p = pfn; p < pfn + n; p++) {
		struct buddy_frame *f = buddy_frame_of(z, p);
		uint32_t t, h;

		if (!f || (f->state != BUDDY_FREE_HEAD && f->state != BUDDY_FREE_TAIL))
			continue;
		t = (uint32_t)(p - z->base_pfn);
		/* the head of the free block containing t: the nearest aligned
		 * index below t whose frame is a free head covering t */
		for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
			uint64_t hp = (z->base_pfn + t) & ~((1ull << o) - 1);

			if (hp < z->base_pfn)
				break;
			h = (uint32_t)(hp - z->base_pfn);
			if (z->meta[h].state == BUDDY_FREE_HEAD && z->meta[h].order == o) {
				remove_frame(z, h, o, t);
				removed++;
				break;
			}
		}
	}
	return removed;
}

uint64_t buddy_alloc(struct buddy_zone *z, unsigned order)
{
	unsigned o = order;
	uint32_t i;

	if (order > BUDDY_MAX_ORDER)
		return BUDDY_ALLOC_FAIL;
	while (o <= BUDDY_MAX_ORDER && z->free_head[o] == BUDDY_NONE)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return BUDDY_ALLOC_FAIL;
	i = z->free_head[o];
	list_remove(z, i, o);
	/* hand the upper halves back until the block has the size asked for */
	while (o > order) {
		o--;
		mark(z, i + (1u << o), o, BUDDY_FREE_HEAD, BUDDY_FREE_TAIL);
		list_push(z, i + (1u << o), o);
	}
	mark(z, i, order, BUDDY_USED_HEAD, BUDDY_USED_TAIL);
	z->free_pages -= 1ull << order;
	return z->base_pfn + i;
}

int buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned order)
{
	struct buddy_frame *f = buddy_frame_of(z, pfn);
	uint32_t i;

	if (!f || order > BUDDY_MAX_ORDER || (pfn & ((1ull << order) - 1)) ||
	    f->state != BUDDY_USED_HEAD || f->order != order)
		return -EINVAL;
	i = (uint32_t)(pfn - z->base_pfn);
	for (uint32_t k = 0; k < (1u << order); k++)
		z->meta[i + k].tag = 0;
	free_block(z, i, order);
	return 0;
}

int buddy_claim(struct buddy_zone *z, uint64_t pfn)
{
	struct buddy_frame *f = buddy_frame_of(z, pfn);

	if (!f || f->state != BUDDY_RESERVED)
		return -EINVAL;
	f->state = BUDDY_USED_HEAD;
	f->order = 0;
	f->refs = 0;
	f->prev = BUDDY_NONE;
	f->tag = 0;
	return 0;
}

int buddy_check(const struct buddy_zone *z)
{
	uint64_t pages = 0;

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		uint64_t blocks = 0;
		uint32_t prev = BUDDY_NONE;

		for (uint32_t i = z->free_head[o]; i != BUDDY_NONE; i = z->meta[i].next) {
			const struct buddy_frame *f = &z->meta[i];

			if (i >= z->npages || f->state != BUDDY_FREE_HEAD || f->order != o ||
			    f->prev != prev || ((z->base_pfn + i) & ((1ull << o) - 1)) ||
			    i + (1ull << o) > z->npages)
				return -__LINE__;
			for (uint32_t k = 1; k < (1u << o); k++)
				if (z->meta[i + k].state != BUDDY_FREE_TAIL)
					return -__LINE__;
			if (o < BUDDY_MAX_ORDER) {
				/* a free buddy of the same order should have merged */
				uint64_t b = (z->base_pfn + i) ^ (1ull << o);
				if (buddy_contains(z, b) && buddy_contains(z, b + (1ull << o) - 1) &&
				    z->meta[b - z->base_pfn].state == BUDDY_FREE_HEAD &&
				    z->meta[b - z->base_pfn].order == o)
					return -__LINE__;
			}
			blocks++;
			pages += 1ull << o;
			prev = i;
			if (blocks > z->npages)
				return -__LINE__;
		}
		if (blocks != z->free_blocks[o])
			return -__LINE__;
	}
	return pages == z->free_pages ? 0 : -__LINE__;
}
