/* An address space as a core file and /proc see it: a snapshot of the
 * regions with how much of each a core file holds, their pages read
 * without allocating memory for untouched anonymous ones, and the count of
 * resident pages (rss). */
#include <kernel/mm/vm_dump.h>
#include <kernel/mm/vm_region.h>
#include <kernel/boot.h>
#include <lib/string.h>

/* How much of r a core file holds, by Linux's default coredump_filter
 * (0x33): all of anonymous memory, private or shared; all of a private
 * file mapping a program may have written (Linux: one with anonymous
 * pages); the first page of a read-only one at offset 0 (an ELF header);
 * nothing of a shared file mapping. */
static uint64_t dump_size(const struct vm_region *r)
{
	if (!r->pager || r->pager == &vm_shm_ops)
		return r->end - r->start;
	if (r->flags & VMR_SHARED)
		return 0;
	if (r->prot & PROT_WRITE)
		return r->end - r->start;
	if (r->off == 0 && (r->prot & PROT_READ))
		return PAGE_SIZE;
	return 0;
}

unsigned vm_dump_regions(struct vm_space *vm, struct vm_dump_region *out, unsigned max)
{
	unsigned n;

	vm_lock(vm);
	n = vm->nregions;
	for (unsigned i = 0; i < n && i < max; i++) {
		const struct vm_region *r = &vm->regions[i];

		out[i] = (struct vm_dump_region){ r->start, r->end, r->prot, dump_size(r) };
	}
	mutex_unlock(&vm->lock);
	return n;
}

void vm_dump_page(struct vm_space *vm, uint64_t addr, void *buf)
{
	const struct vm_region *r;
	uint64_t pa;

	memset(buf, 0, PAGE_SIZE);
	vm_lock(vm);
	r = vmr_find(vm, addr);
	if (r && paging_translate(vm->root, addr, &pa, NULL, NULL) == 0) {
		memcpy(buf, PHYS_TO_VIRT(pa), PAGE_SIZE);
	} else if (r && r->pager && (r->prot & PROT_READ) &&
		   vm_fault_locked(vm, addr, VM_ACCESS_READ, false) == 0 &&
		   paging_translate(vm->root, addr, &pa, NULL, NULL) == 0) {
		/* a file page not read yet: read it, as Linux's dump does */
		memcpy(buf, PHYS_TO_VIRT(pa), PAGE_SIZE);
	}
	/* else untouched anonymous memory (or gone since the snapshot): zeros */
	mutex_unlock(&vm->lock);
}

static int count_leaf(const struct paging_entry *e, void *ctx)
{
	if (e->leaf)
		*(uint64_t *)ctx += e->size;
	return 0;
}

void vm_resident(struct vm_space *vm, struct vm_rss *rss)
{
	*rss = (struct vm_rss){ 0 };
	vm_lock(vm);
	for (unsigned i = 0; i < vm->nregions; i++) {
		const struct vm_region *r = &vm->regions[i];
		uint64_t n = 0;

		(void)paging_walk(vm->root, r->start, r->end - 1, count_leaf, &n);
		if (!r->pager)
			rss->anon += n;
		else if (r->pager == &vm_shm_ops)
			rss->shmem += n;
		else
			rss->file += n;   /* a private copy of a written page counts here too */
	}
	mutex_unlock(&vm->lock);
}
