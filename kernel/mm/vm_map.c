/* The mmap family on an address space: mmap, munmap, mprotect, madvise and
 * msync, with Linux's argument checks and errors, plus W^X: no mapping is
 * ever writable and executable at once. */
#include <kernel/mm/vm_region.h>
#include <hal/tlb.h>
#include <cosmos/errno.h>

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
/* The flags MAP_SHARED_VALIDATE accepts. */
#define MAP_KNOWN                                                                          \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE |            \
	 MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |       \
	 MAP_STACK | MAP_FIXED_NOREPLACE)

/* Checks prot for mmap and mprotect. */
static int check_prot(unsigned prot)
{
	if (prot & ~PROT_ALL)
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES; /* W^X, as OpenBSD */
	return 0;
}

/* The region an mmap call describes (without its place), or an errno. */
static int describe(struct vm_region *r, unsigned prot, unsigned flags,
		    const struct vm_file *file, uint64_t off, uint64_t len)
{
	unsigned type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;

	if (type != MAP_PRIVATE && !shared)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN))
		return -EOPNOTSUPP;
	*r = (struct vm_region){ .prot = prot, .flags = shared ? VMR_SHARED : 0 };
	if (flags & MAP_ANONYMOUS) {
		if (shared) {
			if (!(r->obj = vm_shm_create(len)))
				return -ENOMEM;
			r->pager = &vm_shm_ops;
			r->flags |= VMR_MAYWRITE;
		}
	} else {
		if (off & VM_PAGE_MASK)
			return -EINVAL;
		if (off + len < off)
			return -EOVERFLOW;
		if (!file || !file->ops)
			return -ENODEV;
		if (!file->readable || (shared && (prot & PROT_WRITE) && !file->writable))
			return -EACCES;
		r->pager = file->ops;
		r->obj = file->obj;
		r->off = off;
		if (shared && file->writable)
			r->flags |= VMR_MAYWRITE;
		r->pager->hold(r->obj);
	}
	if (flags & MAP_GROWSDOWN) {
		if (r->pager) {
			r->pager->release(r->obj);
			return -EINVAL; /* only private anonymous memory grows */
		}
		r->flags |= VMR_GROWSDOWN;
	}
	return 0;
}

/* Puts r at [addr, addr + len): replaces what is there for MAP_FIXED,
 * else finds a place (addr is a hint). */
static long place(struct vm_space *vm, struct vm_region *r, uint64_t addr, uint64_t len,
		  unsigned flags)
{
	uint64_t old = 0;
	int err;

	if (flags & MAP_FIXED_NOREPLACE) {
		if (vmr_covered(vm, addr, addr + len))
			return -EEXIST;
	} else if (flags & MAP_FIXED) {
		old = vmr_covered(vm, addr, addr + len);
	} else if (!(addr = vmr_find_free(vm, len, addr))) {
		return -ENOMEM;
	}
	if (!vm_as_allows(vm, len - old))
		return -ENOMEM;
	/* two splits and the new region: nothing can fail after the unmap */
	if ((err = vmr_reserve(vm, 3)))
		return err;
	if (old)
		vmr_unmap(vm, addr, addr + len);
	r->start = addr;
	r->end = addr + len;
	vm->mapped += len;
	vmr_merge(vm, vmr_insert(vm, r), 0);
	return (long)addr;
}

/* MAP_POPULATE: fault the pages in now; failures wait for the real access. */
static void populate(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned prot)
{
	enum vm_access a = (prot & PROT_WRITE) ? VM_ACCESS_WRITE : VM_ACCESS_READ;

	if (!(prot & PROT_ALL))
		return;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE)
		if (vm_fault_locked(vm, addr + off, a, false))
			break;
}

long vm_mmap(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	     const struct vm_file *file, uint64_t off)
{
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	struct vm_region r;
	long res;
	int err;

	if (len == 0)
		return -EINVAL;
	if ((err = check_prot(prot)))
		return err;
	if (len > VM_USER_TOP - VM_USER_MIN)
		return -ENOMEM;
	len = vm_page_up(len);
	if (fixed) {
		if (addr & VM_PAGE_MASK)
			return -EINVAL;
		if (addr < VM_USER_MIN)
			return -EPERM; /* Linux's answer below mmap_min_addr */
		if (addr > VM_USER_TOP || len > VM_USER_TOP - addr)
			return -ENOMEM;
	} else if (addr < VM_USER_MIN || addr > VM_USER_TOP) {
		addr = 0; /* a hint that cannot be used */
	}
	if ((err = describe(&r, prot, flags, file, off, len)))
		return err;
	if ((res = mutex_lock(&vm->lock)) == 0) {
		res = place(vm, &r, addr, len, flags);
		if (res >= 0 && (flags & MAP_POPULATE))
			populate(vm, (uint64_t)res, len, prot);
		mutex_unlock(&vm->lock);
	}
	if (res < 0 && r.pager)
		r.pager->release(r.obj);
	return res;
}

/* Checks addr and len of munmap (anything outside user space is -EINVAL);
 * sets *end. */
static int check_range(uint64_t addr, uint64_t len, uint64_t *end)
{
	if (addr & VM_PAGE_MASK || addr > VM_USER_TOP || len > VM_USER_TOP - addr)
		return -EINVAL;
	*end = addr + vm_page_up(len);
	return 0;
}

/* Checks addr and len of mprotect, madvise and msync, which look the range
 * up among the regions: as on Linux, only an unaligned start is -EINVAL,
 * and a range reaching beyond user space (the kernel half, or past the
 * top of the address space) has nothing mapped there: -ENOMEM. Sets *end. */
static int check_mapped_range(uint64_t addr, uint64_t len, uint64_t *end)
{
	if (addr & VM_PAGE_MASK)
		return -EINVAL;
	if (addr > VM_USER_TOP || len > VM_USER_TOP - addr)
		return -ENOMEM;
	*end = addr + vm_page_up(len);
	return 0;
}

int vm_munmap(struct vm_space *vm, uint64_t addr, uint64_t len)
{
	uint64_t end;
	int err;

	if (len == 0)
		return -EINVAL;
	if ((err = check_range(addr, len, &end)) || (err = mutex_lock(&vm->lock)))
		return err;
	if (!(err = vmr_reserve(vm, 2)))
		vmr_unmap(vm, addr, end);
	mutex_unlock(&vm->lock);
	return err;
}

/* 0 if regions cover [addr, end) without a hole, else -ENOMEM. */
static int covered_whole(struct vm_space *vm, uint64_t addr, uint64_t end)
{
	return vmr_covered(vm, addr, end) == end - addr ? 0 : -ENOMEM;
}

/* New rights for the mapped pages of region i. A private page stays
 * write-protected unless it was writable before: it may be shared with
 * another space or a file, and the write fault decides. */
static void reprotect(struct vm_space *vm, const struct vm_region *r)
{
	uint64_t va = r->start;

	while ((va = paging_next_mapped(vm->root, va, r->end)) < r->end) {
		unsigned old;

		vm_pt_sure(paging_translate(vm->root, va, NULL, &old, NULL), "mprotect's translate");
		vm_pt_sure(paging_protect(vm->root, va, vm_pte_rights(r, (r->flags & VMR_SHARED) ||
									 (old & PAGING_WRITE))),
			   "mprotect's protect");
		va += PAGE_SIZE;
	}
	tlb_flush_range(vm->root, r->start, r->end - r->start);
}

int vm_mprotect(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned prot)
{
	uint64_t end;
	unsigned first, last;
	int err;

	/* Linux's order: a zero length succeeds before prot is looked at */
	if (addr & VM_PAGE_MASK)
		return -EINVAL;
	if (len == 0)
		return 0;
	if ((err = check_prot(prot)) || (err = check_mapped_range(addr, len, &end)) ||
	    (err = mutex_lock(&vm->lock)))
		return err;
	if ((err = covered_whole(vm, addr, end)))
		goto out;
	first = vmr_lookup(vm, addr);
	for (unsigned i = first; i < vm->nregions && vm->regions[i].start < end; i++) {
		const struct vm_region *r = &vm->regions[i];

		if ((prot & PROT_WRITE) && (r->flags & VMR_SHARED) && !(r->flags & VMR_MAYWRITE)) {
			err = -EACCES;
			goto out;
		}
	}
	if ((err = vmr_reserve(vm, 2)))
		goto out;
	vmr_split(vm, addr);
	vmr_split(vm, end);
	first = last = vmr_lookup(vm, addr);
	for (unsigned i = first; i < vm->nregions && vm->regions[i].start < end; i++) {
		vm->regions[i].prot = prot;
		reprotect(vm, &vm->regions[i]);
		last = i;
	}
	vmr_merge(vm, first, last);
out:
	mutex_unlock(&vm->lock);
	return err;
}

int vm_madvise(struct vm_space *vm, uint64_t addr, uint64_t len, int advice)
{
	uint64_t end;
	int err;

	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE:
		break;
	default:
		return -EINVAL;
	}
	if (len > UINT64_MAX - VM_PAGE_MASK - addr)
		return -EINVAL; /* Linux's answer for a range that wraps */
	if ((err = check_mapped_range(addr, len, &end)) || (err = mutex_lock(&vm->lock)))
		return err;
	err = covered_whole(vm, addr, end);
	for (unsigned i = vmr_lookup(vm, addr); i < vm->nregions && vm->regions[i].start < end;
	     i++) {
		const struct vm_region *r = &vm->regions[i];

		if (advice == MADV_FREE && r->pager) {
			err = -EINVAL; /* Linux frees only private anonymous pages */
			break;
		}
		if (advice == MADV_DONTNEED || advice == MADV_FREE)
			vmr_release_pages(vm, r->start > addr ? r->start : addr,
					  r->end < end ? r->end : end);
	}
	mutex_unlock(&vm->lock);
	return err;
}

int vm_msync(struct vm_space *vm, uint64_t addr, uint64_t len, unsigned flags)
{
	uint64_t end;
	int err;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if ((err = check_mapped_range(addr, len, &end)) || (err = mutex_lock(&vm->lock)))
		return err;
	err = covered_whole(vm, addr, end);
	for (unsigned i = vmr_lookup(vm, addr); i < vm->nregions && vm->regions[i].start < end;
	     i++) {
		const struct vm_region *r = &vm->regions[i];
		uint64_t a = r->start > addr ? r->start : addr, b = r->end < end ? r->end : end;
		int e;

		/* shared pages are the object's own: only its backing store
		 * may lag behind, and only MS_SYNC waits for it */
		if (!(flags & MS_SYNC) || !(r->flags & VMR_SHARED) || !r->pager->sync)
			continue;
		if ((e = r->pager->sync(r->obj, r->off + (a - r->start), b - a)) && !err)
			err = e;
	}
	mutex_unlock(&vm->lock);
	return err;
}
