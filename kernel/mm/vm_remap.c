/* mremap: shrink in place, grow in place when the space above is free, or
 * move (MREMAP_MAYMOVE, MREMAP_FIXED) by moving page-table entries, so the
 * contents travel without a copy. */
#include <kernel/mm/vm_region.h>
#include <hal/tlb.h>
#include <kernel/mm/pmm.h>
#include <cosmos/errno.h>

/* Moves the entries of [from, from + len) to [to, to + len). On -ENOMEM (a
 * page table for the destination) the moved ones go back. */
static int move_pages(struct vm_space *vm, uint64_t from, uint64_t to, uint64_t len)
{
	uint64_t va = from;

	while ((va = paging_next_mapped(vm->root, va, from + len)) < from + len) {
		uint64_t pa;
		unsigned rights;

		vm_pt_sure(paging_translate(vm->root, va, &pa, &rights, NULL), "mremap's translate");
		vm_pt_sure(paging_unmap(vm->root, va, NULL, NULL), "mremap's unmap");
		if (paging_map(vm->root, to + (va - from), vm_page_down(pa), PAGE_SIZE, rights)) {
			/* back where the entries were: their tables are still there */
			vm_pt_sure(paging_map(vm->root, va, vm_page_down(pa), PAGE_SIZE, rights),
				   "mremap's undo");
			vm_pt_sure(move_pages(vm, to, from, va - from), "mremap's undo");
			return -ENOMEM;
		}
		va += PAGE_SIZE;
	}
	tlb_flush_range(vm->root, from, len);
	return 0;
}

/* Moves [old, old + old_len), which lies inside one region, to dest with
 * the new length (dest is free, or MREMAP_FIXED and cleared here). */
static long move(struct vm_space *vm, uint64_t old, uint64_t old_len, uint64_t new_len,
		 uint64_t dest, bool fixed)
{
	uint64_t keep = old_len < new_len ? old_len : new_len;
	struct vm_region moved;
	unsigned i;
	int err;

	if (new_len > old_len && !vm_as_allows(vm, new_len - old_len))
		return -ENOMEM;
	/* dest's two splits, old's two, the new region */
	if ((err = vmr_reserve(vm, 5)))
		return err;
	if (fixed)
		vmr_unmap(vm, dest, dest + new_len);
	vmr_split(vm, old);
	vmr_split(vm, old + old_len);
	if ((err = move_pages(vm, old, dest, keep))) {
		vmr_merge(vm, vmr_lookup(vm, old), vmr_lookup(vm, old) + 1);
		return err;
	}
	vmr_release_pages(vm, old + keep, old + old_len);
	i = vmr_lookup(vm, old);
	moved = vm->regions[i];
	vmr_remove(vm, i);
	moved.start = dest;
	moved.end = dest + new_len;
	vm->mapped += new_len - old_len;
	vmr_merge(vm, vmr_insert(vm, &moved), 0);
	return (long)dest;
}

long vm_mremap(struct vm_space *vm, uint64_t old, uint64_t old_len, uint64_t new_len,
	       unsigned flags, uint64_t new_addr)
{
	struct vm_region *r;
	long res;

	/* MREMAP_DONTUNMAP and duplicating a shared mapping (old_len 0) are
	 * not supported */
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || (old & VM_PAGE_MASK) ||
	    old_len == 0 || new_len == 0 || old_len > VM_USER_TOP || new_len > VM_USER_TOP)
		return -EINVAL;
	old_len = vm_page_up(old_len);
	new_len = vm_page_up(new_len);
	if (flags & MREMAP_FIXED) {
		if ((new_addr & VM_PAGE_MASK) || new_addr < VM_USER_MIN ||
		    new_addr > VM_USER_TOP || new_len > VM_USER_TOP - new_addr ||
		    (new_addr < old + old_len && old < new_addr + new_len))
			return -EINVAL;
	}
	if ((res = mutex_lock(&vm->lock)))
		return res;
	r = vmr_find(vm, old);
	if (!r || old_len > r->end - old) {
		res = -EFAULT;
	} else if (flags & MREMAP_FIXED) {
		res = move(vm, old, old_len, new_len, new_addr, true);
	} else if (new_len <= old_len) {
		res = vmr_reserve(vm, 2);
		if (res == 0) {
			vmr_unmap(vm, old + new_len, old + old_len);
			res = (long)old;
		}
	} else if (old + old_len == r->end && vmr_range_free(vm, r->end, new_len - old_len) &&
		   vm_as_allows(vm, new_len - old_len)) {
		vm->mapped += new_len - old_len;
		r->end = old + new_len;
		vmr_merge(vm, (unsigned)(r - vm->regions), (unsigned)(r - vm->regions));
		res = (long)old;
	} else if (!(flags & MREMAP_MAYMOVE)) {
		res = -ENOMEM;
	} else {
		uint64_t dest = vmr_find_free(vm, new_len, 0);

		res = dest ? move(vm, old, old_len, new_len, dest, false) : -ENOMEM;
	}
	mutex_unlock(&vm->lock);
	return res;
}
