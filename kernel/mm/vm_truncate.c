/* Truncation seen by every mapping: when a file shrinks (or a hole is
 * punched), the pages of that range leave every address space that maps
 * the file, private copies included, as on Linux, so the next access
 * faults again and the pager answers SIGBUS past the end or the new
 * contents (zeros) inside it.
 *
 * Every space is on one list, under spaces_lock, a mutex because the walk
 * takes each space's lock (which may sleep) while holding it. Order:
 * spaces_lock before any vm->lock. A fork of a space that maps a backed
 * object copies its pages under spaces_lock too, so a walk never misses
 * the child's copies of pages the walk removes from the parent. */
#include <kernel/mm/vm_region.h>
#include <kernel/panic.h>
#include <lib/list.h>

static struct mutex spaces_lock;      /* set up by vm_init, before any space */
static struct list_node spaces = LIST_INIT(spaces);

void vm_spaces_init(void) { mutex_init(&spaces_lock, "vm spaces"); }

void vm_spaces_lock(void)
{
	int err = mutex_lock(&spaces_lock);

	if (err)
		panic("vm: cannot take the space list's lock (%d)", err);
}

void vm_spaces_unlock(void) { mutex_unlock(&spaces_lock); }

void vm_spaces_add(struct vm_space *vm, bool locked)
{
	if (!locked)
		vm_spaces_lock();
	list_add_tail(&spaces, &vm->all_node);
	if (!locked)
		vm_spaces_unlock();
}

/* A space never listed (a clone that failed: its node points at itself)
 * is left alone without the list's lock, so it can be dropped while its
 * parent's lock is held. Reading the node unlocked is safe: only the
 * space's creator lists it, before anyone else can see it, and while it is
 * listed its next pointer changes (under the lock) but never to itself. */
void vm_spaces_del(struct vm_space *vm)
{
	if (__atomic_load_n(&vm->all_node.next, __ATOMIC_RELAXED) == &vm->all_node)
		return;
	vm_spaces_lock();
	list_del(&vm->all_node);
	vm_spaces_unlock();
}

bool vm_maps_backed(const struct vm_space *vm)
{
	for (unsigned i = 0; i < vm->nregions; i++)
		if (vm->regions[i].pager && vm->regions[i].pager->backing)
			return true;
	return false;
}

/* The part of r whose object offsets fall in [from, to), as addresses. */
static bool overlap(const struct vm_region *r, uint64_t from, uint64_t to, uint64_t *a,
		    uint64_t *b)
{
	uint64_t len = r->end - r->start, lo = r->off, hi = r->off + len;

	if (hi <= from || lo >= to)
		return false;
	*a = r->start + (from > lo ? from - lo : 0);
	*b = r->start + (to < hi ? to - lo : len);
	return true;
}

void vm_unmap_backing(const void *backing, uint64_t from, uint64_t to)
{
	from = vm_page_up(from);
	to = to > VM_USER_TOP ? UINT64_MAX : vm_page_down(to);
	if (from >= to)
		return;
	vm_spaces_lock();
	for (struct list_node *p = spaces.next; p != &spaces; p = p->next) {
		struct vm_space *vm = list_entry(p, struct vm_space, all_node);

		vm_lock(vm);
		for (unsigned i = 0; i < vm->nregions; i++) {
			const struct vm_region *r = &vm->regions[i];
			uint64_t a, b;

			if (r->pager && r->pager->backing && r->pager->backing(r->obj) == backing &&
			    overlap(r, from, to, &a, &b))
				vmr_release_pages(vm, a, b);
		}
		mutex_unlock(&vm->lock);
	}
	vm_spaces_unlock();
}
