/* Address spaces: creation, copy-on-write fork, reference counting and
 * teardown. A space's frames are counted in the pmm: each page-table entry
 * that maps a frame holds one reference, so a frame shared by fork or by a
 * file's cache is freed when its last mapping and owner let go. */
#include <kernel/mm/vm_region.h>
#include <hal/tlb.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/panic.h>
#include <cosmos/errno.h>
#include <lib/string.h>

void vm_lock(struct vm_space *vm)
{
	int err = mutex_lock(&vm->lock);

	if (err)
		panic("vm: cannot take the address-space lock (%d)", err);
}

void vm_pt_sure(int err, const char *what)
{
	if (err)
		panic("vm: %s failed on a page the lock keeps (%d)", what, err);
}

static struct vm_space *space_alloc(const struct vm_limits *lim)
{
	struct vm_space *vm = kzalloc(sizeof(*vm));

	if (!vm)
		return NULL;
	vm->root = paging_create(vmm_kernel_root());
	if (!vm->root) {
		kfree(vm);
		return NULL;
	}
	vm->refs = 1;
	mutex_init(&vm->lock, "vm");
	vm->limits = *lim;
	list_init(&vm->all_node);    /* listed once complete (vm_create, vm_clone) */
	return vm;
}

struct vm_space *vm_create(const struct vm_limits *lim)
{
	struct vm_space *vm = space_alloc(lim);

	if (vm) {
		vm_layout_choose(vm);
		vm_spaces_add(vm, false);
	}
	return vm;
}

static void destroy(struct vm_space *vm)
{
	/* no thread runs on these tables any more (each clears its aspace
	 * before its process lets go), but a CPU may still have them loaded
	 * lazily under a kernel thread: it moves to the kernel's */
	tlb_forget_root(vm->root, vmm_kernel_root());
	vm_spaces_del(vm);
	for (unsigned i = 0; i < vm->nregions; i++) {
		struct vm_region *r = &vm->regions[i];

		vmr_release_pages(vm, r->start, r->end);
		if (r->pager)
			r->pager->release(r->obj);
	}
	if (vm->exe_ops)
		vm->exe_ops->release(vm->exe);
	paging_destroy(vm->root);
	kfree(vm->regions);
	kfree(vm);
}

void vm_get(struct vm_space *vm) { __atomic_add_fetch(&vm->refs, 1, __ATOMIC_RELAXED); }

void vm_put(struct vm_space *vm)
{
	if (vm && __atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		destroy(vm);
}

void vm_set_limits(struct vm_space *vm, const struct vm_limits *lim)
{
	vm_lock(vm);
	vm->limits = *lim;
	mutex_unlock(&vm->lock);
}

void vm_activate(struct vm_space *vm) { paging_activate(vm->root); }

void vm_set_exe(struct vm_space *vm, const struct vm_exe_ops *ops, void *obj)
{
	ops->hold(obj);
	vm->exe = obj;
	vm->exe_ops = ops;
}

/* Maps every page of parent's region r into child: shared regions with the
 * same rights, private ones read-only in both (the first write copies). */
static int clone_pages(struct vm_space *parent, struct vm_space *child, const struct vm_region *r)
{
	uint64_t va = r->start;
	int err = 0;

	while ((va = paging_next_mapped(parent->root, va, r->end)) < r->end) {
		uint64_t pa;
		unsigned rights;

		vm_pt_sure(paging_translate(parent->root, va, &pa, &rights, NULL), "fork's translate");
		if (!(r->flags & VMR_SHARED) && (rights & PAGING_WRITE)) {
			rights &= ~PAGING_WRITE;
			vm_pt_sure(paging_protect(parent->root, va, rights), "fork's write-protect");
		}
		if ((err = paging_map(child->root, va, pa, PAGE_SIZE, rights)))
			break;
		pmm_ref(pa);
		va += PAGE_SIZE;
	}
	/* the parent's other threads may run elsewhere: none may keep writing
	 * what is now copy-on-write */
	tlb_flush_range(parent->root, r->start, r->end - r->start);
	return err;
}

struct vm_space *vm_clone(struct vm_space *vm)
{
	struct vm_space *c = space_alloc(&vm->limits);
	bool listed = false;
	int err = 0;

	if (!c)
		return NULL;
	if (mutex_lock(&vm->lock)) {
		vm_put(c);
		return NULL;
	}
	/* copies of file pages are made under the space list's lock, which
	 * comes first, so a truncation's walk sees them (vm_truncate.c) */
	if (vm_maps_backed(vm)) {
		mutex_unlock(&vm->lock);
		vm_spaces_lock();
		listed = true;
		if (mutex_lock(&vm->lock)) {
			vm_spaces_unlock();
			vm_put(c);
			return NULL;
		}
	}
	c->stack_top = vm->stack_top;
	c->mmap_base = vm->mmap_base;
	c->pie_base = vm->pie_base;
	c->brk_start = vm->brk_start;
	c->brk = vm->brk;
	c->arg_start = vm->arg_start;
	c->arg_end = vm->arg_end;
	c->env_start = vm->env_start;
	c->env_end = vm->env_end;
	c->auxv_start = vm->auxv_start;
	c->auxv_end = vm->auxv_end;
	if (vm->exe_ops)
		vm_set_exe(c, vm->exe_ops, vm->exe);
	err = vmr_reserve(c, vm->nregions);
	/* each region goes in before its pages, so a failure half-way leaves
	 * the child consistent for vm_put to free */
	for (unsigned i = 0; !err && i < vm->nregions; i++) {
		const struct vm_region *r = &vm->regions[i];

		if (r->pager)
			r->pager->hold(r->obj);
		c->regions[c->nregions++] = *r;
		c->mapped += r->end - r->start;
		err = clone_pages(vm, c, r);
	}
	if (!err && listed)
		vm_spaces_add(c, true);
	mutex_unlock(&vm->lock);
	if (listed)
		vm_spaces_unlock();
	else if (!err)
		vm_spaces_add(c, false);   /* never under vm->lock: the list's lock comes first */
	if (err) {
		vm_put(c);
		return NULL;
	}
	return c;
}
