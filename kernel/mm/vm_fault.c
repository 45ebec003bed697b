/* Page faults in program memory: demand-zero pages, file pages from the
 * region's pager, copy on write, stack growth; and copying to and from a
 * space that is not the current one, through the same fault path. */
#include <kernel/mm/vm_region.h>
#include <hal/tlb.h>
#include <kernel/mm/pmm.h>
#include <kernel/boot.h>
#include <cosmos/errno.h>
#include <lib/string.h>

unsigned vm_pte_rights(const struct vm_region *r, bool writable)
{
	unsigned rights = PAGING_USER;

	if (!(r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return PAGING_NONE;
	if ((r->prot & PROT_WRITE) && writable)
		rights |= PAGING_WRITE;
	if (r->prot & PROT_EXEC)
		rights |= PAGING_EXEC;
	return rights;
}

/* x86 cannot map a page writable or executable without it being readable,
 * so any right allows reading (as on Linux). */
static bool allowed(const struct vm_region *r, enum vm_access a)
{
	switch (a) {
	case VM_ACCESS_READ: return r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	case VM_ACCESS_WRITE: return r->prot & PROT_WRITE;
	case VM_ACCESS_EXEC: return r->prot & PROT_EXEC;
	}
	return false;
}

/* A fault just below a stack extends it, within RLIMIT_STACK and RLIMIT_AS
 * and never closer than the guard gap to the region below. */
static struct vm_region *grow_stack(struct vm_space *vm, uint64_t page)
{
	unsigned i = vmr_lookup(vm, page);
	struct vm_region *r = i < vm->nregions ? &vm->regions[i] : NULL;
	uint64_t below = i ? vm->regions[i - 1].end : 0, grow;

	if (!r || !(r->flags & VMR_GROWSDOWN) || r->end - page > vm->limits.stack ||
	    page - below < VM_STACK_GUARD_GAP || page < VM_USER_MIN)
		return NULL;
	grow = r->start - page;
	if (!vm_as_allows(vm, grow))
		return NULL;
	r->start = page;
	vm->mapped += grow;
	return r;
}

static uint64_t copy_frame(uint64_t from)
{
	uint64_t pa = pmm_alloc(0);

	if (pa)
		memcpy(PHYS_TO_VIRT(pa), PHYS_TO_VIRT(from), PAGE_SIZE);
	return pa;
}

/* A write to a present, write-protected page of a writable region. */
static int write_present(struct vm_space *vm, const struct vm_region *r, uint64_t page,
			 uint64_t pa)
{
	uint64_t copy;

	/* a frame only this entry references is ours to write: the other
	 * side of a fork already copied, or a file dropped it */
	if ((r->flags & VMR_SHARED) || pmm_refcount(pa) == 1) {
		vm_pt_sure(paging_protect(vm->root, page, vm_pte_rights(r, true)),
			   "write fault's protect");
		return 0;
	}
	if (!(copy = copy_frame(pa)))
		return -ENOMEM;
	vm_pt_sure(paging_unmap(vm->root, page, NULL, NULL), "copy-on-write unmap");
	vm_pt_sure(paging_map(vm->root, page, copy, PAGE_SIZE, vm_pte_rights(r, true)),
		   "copy-on-write map");
	/* another thread's CPU may still write the shared frame */
	tlb_flush_range(vm->root, page, PAGE_SIZE);
	pmm_unref(pa);
	return 0;
}

/* An absent page: zeroed for anonymous memory, else the pager's (copied
 * at once for a write to a private mapping). */
static int fill(struct vm_space *vm, const struct vm_region *r, uint64_t page,
		enum vm_access access)
{
	bool writable = true;
	uint64_t pa;
	int err;

	if (!r->pager) {
		if (!(pa = pmm_alloc_zeroed(0)))
			return -ENOMEM;
	} else {
		err = r->pager->getpage(r->obj, r->off + (page - r->start), &pa);
		if (err)
			return err == -ENOMEM ? -ENOMEM : -EIO;
		if (!(r->flags & VMR_SHARED)) {
			writable = false;
			if (access == VM_ACCESS_WRITE) {
				uint64_t copy = copy_frame(pa);

				pmm_unref(pa);
				if (!copy)
					return -ENOMEM;
				pa = copy;
				writable = true;
			}
		}
	}
	if (paging_map(vm->root, page, pa, PAGE_SIZE, vm_pte_rights(r, writable))) {
		pmm_unref(pa);
		return -ENOMEM;
	}
	return 0;
}

int vm_fault_locked(struct vm_space *vm, uint64_t addr, enum vm_access access, bool user)
{
	uint64_t page = vm_page_down(addr), pa;
	struct vm_region *r;
	unsigned rights;

	if (addr < VM_USER_MIN || addr >= VM_USER_TOP)
		return -EFAULT;
	if (!user && access == VM_ACCESS_EXEC)
		return -EACCES;
	r = vmr_find(vm, addr);
	if (!r && !(r = grow_stack(vm, page)))
		return -EFAULT;
	if (!allowed(r, access))
		return -EACCES;
	if (paging_translate(vm->root, page, &pa, &rights, NULL) != 0)
		return fill(vm, r, page, access);
	pa = vm_page_down(pa);
	if (rights & PAGING_NONE) { /* left from PROT_NONE; mprotect normally updates it */
		vm_pt_sure(paging_protect(vm->root, page, vm_pte_rights(r, false)),
			   "fault's protect");
		return 0;
	}
	if (access == VM_ACCESS_WRITE && !(rights & PAGING_WRITE))
		return write_present(vm, r, page, pa);
	/* resolved already (another thread was first): nothing to do */
	return 0;
}

int vm_fault(struct vm_space *vm, uint64_t addr, enum vm_access access, bool user)
{
	int err;

	/* a fault where sleeping is not allowed (interrupts off) cannot be
	 * resolved: like Linux with page faults disabled, it fails */
	if (mutex_lock(&vm->lock))
		return -EFAULT;
	err = vm_fault_locked(vm, addr, access, user);
	mutex_unlock(&vm->lock);
	return err;
}

/* The frame behind addr with the access allowed, faulting it in. */
static int frame_for(struct vm_space *vm, uint64_t addr, bool write, uint64_t *pa)
{
	unsigned need = PAGING_USER | (write ? PAGING_WRITE : 0), rights;
	int err;

	if (paging_translate(vm->root, addr, pa, &rights, NULL) == 0 &&
	    !(rights & PAGING_NONE) && (rights & need) == need)
		return 0;
	err = vm_fault_locked(vm, addr, write ? VM_ACCESS_WRITE : VM_ACCESS_READ, false);
	if (err)
		return err == -EACCES ? -EFAULT : err;
	return paging_translate(vm->root, addr, pa, NULL, NULL) ? -EFAULT : 0;
}

static int copy(struct vm_space *vm, uint64_t addr, void *buf, size_t len, bool write)
{
	int err = 0;

	if (addr >= VM_USER_TOP || len > VM_USER_TOP - addr)
		return -EFAULT;
	/* as in vm_fault: where the lock cannot be taken, nothing is copied */
	if (mutex_lock(&vm->lock))
		return -EFAULT;
	while (len) {
		size_t n = PAGE_SIZE - (addr & VM_PAGE_MASK);
		uint64_t pa;

		if (n > len)
			n = len;
		if ((err = frame_for(vm, addr, write, &pa)))
			break;
		if (write)
			memcpy(PHYS_TO_VIRT(pa), buf, n);
		else
			memcpy(buf, PHYS_TO_VIRT(pa), n);
		addr += n;
		buf = (char *)buf + n;
		len -= n;
	}
	mutex_unlock(&vm->lock);
	return err;
}

int vm_copy_from(struct vm_space *vm, uint64_t addr, void *buf, size_t len)
{
	return copy(vm, addr, buf, len, false);
}

int vm_copy_to(struct vm_space *vm, uint64_t addr, const void *buf, size_t len)
{
	return copy(vm, addr, (void *)buf, len, true);
}

int vm_copy_between(struct vm_space *dst, uint64_t daddr, struct vm_space *src,
		    uint64_t saddr, size_t len)
{
	/* two spaces: their locks in address order, so two copies going
	 * opposite ways cannot each hold the lock the other waits for */
	struct vm_space *first = dst < src ? dst : src, *second = dst < src ? src : dst;
	int err = 0;

	if (daddr >= VM_USER_TOP || len > VM_USER_TOP - daddr ||
	    saddr >= VM_USER_TOP || len > VM_USER_TOP - saddr)
		return -EFAULT;
	if (mutex_lock(&first->lock))
		return -EFAULT;
	if (second != first && mutex_lock(&second->lock)) {
		mutex_unlock(&first->lock);
		return -EFAULT;
	}
	while (len) {
		size_t n = PAGE_SIZE - (daddr & VM_PAGE_MASK), sn = PAGE_SIZE - (saddr & VM_PAGE_MASK);
		uint64_t dpa, spa;

		if (n > sn)
			n = sn;
		if (n > len)
			n = len;
		if ((err = frame_for(dst, daddr, true, &dpa)) || (err = frame_for(src, saddr, false, &spa)))
			break;
		memcpy(PHYS_TO_VIRT(dpa), PHYS_TO_VIRT(spa), n);
		daddr += n;
		saddr += n;
		len -= n;
	}
	if (second != first)
		mutex_unlock(&second->lock);
	mutex_unlock(&first->lock);
	return err;
}
