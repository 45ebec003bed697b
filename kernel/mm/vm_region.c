/* The region set of an address space: a sorted array searched by binary
 * search behind a one-entry lookup cache (most faults and calls land in the
 * region of the one before). Edits shift the array; a few thousand regions
 * move in microseconds, and fork copies the array in one go. */
#include <kernel/mm/vm_region.h>
#include <kernel/mm/tlb_batch.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/panic.h>
#include <cosmos/errno.h>
#include <lib/string.h>

unsigned vmr_lookup(struct vm_space *vm, uint64_t addr)
{
	unsigned lo = 0, hi = vm->nregions;

	/* inside the cached region, it is the answer (any index is safe to
	 * try: the region's own bounds decide) */
	if (vm->cache < vm->nregions && vm->regions[vm->cache].start <= addr &&
	    addr < vm->regions[vm->cache].end)
		return vm->cache;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (vm->regions[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	vm->cache = lo;
	return lo;
}

struct vm_region *vmr_find(struct vm_space *vm, uint64_t addr)
{
	unsigned i = vmr_lookup(vm, addr);

	if (i < vm->nregions && vm->regions[i].start <= addr)
		return &vm->regions[i];
	return NULL;
}

int vmr_reserve(struct vm_space *vm, unsigned more)
{
	unsigned cap = vm->cap ? vm->cap : 16;
	struct vm_region *n;

	if (more > VM_MAX_REGIONS - vm->nregions)
		return -ENOMEM;
	if (vm->nregions + more <= vm->cap)
		return 0;
	while (cap < vm->nregions + more)
		cap *= 2;
	n = krealloc(vm->regions, (size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	vm->regions = n;
	vm->cap = cap;
	return 0;
}

unsigned vmr_insert(struct vm_space *vm, const struct vm_region *r)
{
	unsigned i = vmr_lookup(vm, r->start);

	if (vm->nregions >= vm->cap || (i < vm->nregions && vm->regions[i].start < r->end))
		panic("vm: region insert without room or over another region");
	memmove(&vm->regions[i + 1], &vm->regions[i],
		(vm->nregions - i) * sizeof(vm->regions[0]));
	vm->regions[i] = *r;
	vm->nregions++;
	vm->cache = i;
	return i;
}

void vmr_split(struct vm_space *vm, uint64_t addr)
{
	struct vm_region *r = vmr_find(vm, addr), upper;

	if (!r || r->start == addr)
		return;
	upper = *r;
	upper.start = addr;
	upper.off += addr - r->start;
	r->end = addr;
	if (upper.pager)
		upper.pager->hold(upper.obj);
	vmr_insert(vm, &upper);
}

/* b directly follows a and the two differ only in where they are. */
static bool mergeable(const struct vm_region *a, const struct vm_region *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
	       a->pager == b->pager && a->obj == b->obj &&
	       (!a->pager || a->off + (a->end - a->start) == b->off);
}

/* Drops regions [i, i + n) from the array in one move. */
static void remove_run(struct vm_space *vm, unsigned i, unsigned n)
{
	memmove(&vm->regions[i], &vm->regions[i + n],
		(vm->nregions - i - n) * sizeof(vm->regions[0]));
	vm->nregions -= n;
	vm->cache = 0;
}

void vmr_remove(struct vm_space *vm, unsigned i) { remove_run(vm, i, 1); }

/* One pass over the window, so merging thousands of regions stays linear. */
void vmr_merge(struct vm_space *vm, unsigned first, unsigned last)
{
	unsigned lo = first ? first - 1 : 0, hi = last + 1, w = lo;

	if (hi >= vm->nregions)
		hi = vm->nregions - 1;
	if (vm->nregions < 2 || lo >= hi)
		return;
	for (unsigned i = lo + 1; i <= hi; i++) {
		struct vm_region *a = &vm->regions[w], *b = &vm->regions[i];

		if (mergeable(a, b)) {
			a->end = b->end;
			if (b->pager)
				b->pager->release(b->obj);
		} else {
			vm->regions[++w] = *b;
		}
	}
	if (w < hi)
		remove_run(vm, w + 1, hi - w);
}

void vmr_release_pages(struct vm_space *vm, uint64_t start, uint64_t end)
{
	uint64_t va = start;
	struct tlb_batch b;

	/* a frame goes back only once no CPU can still reach it */
	tlb_batch_init(&b, vm->root, pmm_unref);
	while ((va = paging_next_mapped(vm->root, va, end)) < end) {
		uint64_t pa;

		if (paging_unmap(vm->root, va, &pa, NULL) == 0)
			tlb_batch_add(&b, va, pa);
		va += PAGE_SIZE;
	}
	tlb_batch_finish(&b);
}

void vmr_unmap(struct vm_space *vm, uint64_t start, uint64_t end)
{
	unsigned first, n = 0;

	vmr_split(vm, start);
	vmr_split(vm, end);
	first = vmr_lookup(vm, start);
	for (unsigned i = first; i < vm->nregions && vm->regions[i].start < end; i++, n++) {
		struct vm_region *r = &vm->regions[i];

		vmr_release_pages(vm, r->start, r->end);
		if (r->pager)
			r->pager->release(r->obj);
		vm->mapped -= r->end - r->start;
	}
	if (n)
		remove_run(vm, first, n);
}

uint64_t vmr_covered(struct vm_space *vm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	for (unsigned i = vmr_lookup(vm, start); i < vm->nregions; i++) {
		const struct vm_region *r = &vm->regions[i];
		uint64_t a = r->start > start ? r->start : start, b = r->end < end ? r->end : end;

		if (r->start >= end)
			break;
		n += b - a;
	}
	return n;
}

/* The lowest address a new range may end at below region i: its start,
 * less the guard gap below a stack. */
static uint64_t gap_top(const struct vm_space *vm, unsigned i)
{
	const struct vm_region *r;

	if (i >= vm->nregions)
		return VM_USER_TOP;
	r = &vm->regions[i];
	if (!(r->flags & VMR_GROWSDOWN))
		return r->start;
	return r->start > VM_STACK_GUARD_GAP ? r->start - VM_STACK_GUARD_GAP : 0;
}

bool vmr_range_free(struct vm_space *vm, uint64_t start, uint64_t len)
{
	unsigned i;

	if (start < VM_USER_MIN || start >= VM_USER_TOP || len > VM_USER_TOP - start)
		return false;
	i = vmr_lookup(vm, start);
	return i == vm->nregions ||
	       (vm->regions[i].start >= start + len && gap_top(vm, i) >= start + len);
}

/* The highest free range of len bytes ending at or below top. */
static uint64_t find_below(struct vm_space *vm, uint64_t len, uint64_t top)
{
	for (unsigned i = vmr_lookup(vm, top);; i--) {
		uint64_t hi = gap_top(vm, i), lo = i ? vm->regions[i - 1].end : VM_USER_MIN;

		if (hi > top)
			hi = top;
		if (hi > lo && hi - lo >= len)
			return hi - len;
		if (i == 0)
			return 0;
	}
}

uint64_t vmr_find_free(struct vm_space *vm, uint64_t len, uint64_t hint)
{
	uint64_t a;

	hint = vm_page_down(hint);
	if (hint && vmr_range_free(vm, hint, len))
		return hint;
	a = find_below(vm, len, vm->mmap_base);
	return a ? a : find_below(vm, len, VM_USER_TOP);
}
