/* In-kernel tests of program address spaces (kernel/mm/vm*): regions,
 * demand paging, copy-on-write, the mmap family, stacks, brk, ASLR and
 * the frame accounting behind them. Nothing runs in ring 3 here: faults
 * are resolved by calling vm_fault, and what a program would see is read
 * back through the page tables (paging_translate) and the direct map. */
#include <kernel/ktest.h>
#include <kernel/failinject.h>
#include <kernel/sched/thread.h>
#include <kernel/boot.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/sync/spinlock.h>
#include <hal/paging.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define PG    PAGE_SIZE
#define BASE  0x10000000ull   /* where the tests put MAP_FIXED mappings */
#define RW    (PROT_READ | PROT_WRITE)
#define ANON  (MAP_PRIVATE | MAP_ANONYMOUS)

static const struct vm_limits limits = { .stack = 8ull << 20, .as = VM_LIMIT_NONE, .data = VM_LIMIT_NONE };

/* The frame behind va (0 if none) and its rights. */
static uint64_t frame(struct vm_space *vm, uint64_t va, unsigned *rights)
{
	uint64_t pa;
	unsigned r;

	if (paging_translate(vm->root, va, &pa, &r, NULL))
		return 0;
	if (rights)
		*rights = r;
	return pa & ~(PG - 1);
}

static uint8_t *bytes(uint64_t pa) { return PHYS_TO_VIRT(pa); }

/* Fills a page the way a program's write would: fault, then write. */
static int poke(struct vm_space *vm, uint64_t va, uint8_t v)
{
	int err = vm_fault(vm, va, VM_ACCESS_WRITE, true);

	if (!err)
		memset(bytes(frame(vm, va, NULL)), v, PG);
	return err;
}

static uint8_t peek(struct vm_space *vm, uint64_t va)
{
	uint8_t b = 0xee;

	vm_copy_from(vm, va, &b, 1);
	return b;
}

static long map_fixed(struct vm_space *vm, uint64_t va, uint64_t len, unsigned prot)
{
	return vm_mmap(vm, va, len, prot, ANON | MAP_FIXED, NULL, 0);
}

/* A file for the pager interface: four pages of a known pattern. */
struct fake_file {
	uint64_t pages[4];
	int holds, syncs;
	int fail;              /* getpage's answer when nonzero */
};

static int fake_getpage(void *obj, uint64_t off, uint64_t *phys)
{
	struct fake_file *f = obj;

	if (f->fail)
		return f->fail;
	if (off / PG >= 4)
		return -ENXIO;
	pmm_ref(f->pages[off / PG]);
	*phys = f->pages[off / PG];
	return 0;
}

static void fake_hold(void *obj) { ((struct fake_file *)obj)->holds++; }
static void fake_release(void *obj) { ((struct fake_file *)obj)->holds--; }

static int fake_sync(void *obj, uint64_t off, uint64_t len)
{
	(void)off;
	(void)len;
	((struct fake_file *)obj)->syncs++;
	return 0;
}

static void fake_describe(void *obj, struct vm_object_id *id, char *name, size_t size)
{
	(void)obj;
	*id = (struct vm_object_id){ .major = 0xfe, .minor = 3, .ino = 42 };
	strlcpy(name, "/test/file", size);
}

static const void *fake_backing(void *obj) { return obj; }

static const struct vm_pager_ops fake_ops = {
	fake_getpage, fake_hold, fake_release, fake_sync, fake_describe, fake_backing,
};

static bool fake_open(struct fake_file *f, struct vm_file *vf, bool writable)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 4; i++) {
		if (!(f->pages[i] = pmm_alloc(0)))
			return false;
		memset(bytes(f->pages[i]), 'a' + i, PG);
	}
	*vf = (struct vm_file){ &fake_ops, f, true, writable };
	return true;
}

static void fake_close(struct fake_file *f)
{
	for (int i = 0; i < 4; i++)
		if (f->pages[i])
			pmm_unref(f->pages[i]);
}

KTEST(pmm_refcount_frees_with_last_reference)
{
	uint64_t start = pmm_free_pages(), pa = pmm_alloc(0);

	KT_ASSERT(t, pa != 0);
	KT_EXPECT_EQ(t, pmm_refcount(pa), 1);
	pmm_ref(pa);
	pmm_ref(pa);
	KT_EXPECT_EQ(t, pmm_refcount(pa), 3);
	pmm_unref(pa);
	pmm_unref(pa);
	KT_EXPECT_EQ(t, pmm_refcount(pa), 1);
	KT_EXPECT_EQ(t, pmm_free_pages(), start - 1);
	pmm_unref(pa);
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
}

KTEST(paging_none_keeps_frame_and_next_mapped_skips)
{
	uint64_t root = paging_create(0), pa = pmm_alloc(0), got;
	unsigned rights = 0;

	KT_ASSERT(t, root && pa);
	KT_EXPECT_EQ(t, paging_map(root, BASE + 5 * PG, pa, PG, PAGING_NONE), 0);
	KT_EXPECT_EQ(t, paging_translate(root, BASE + 5 * PG, &got, &rights, NULL), 0);
	KT_EXPECT_EQ(t, got, pa);
	KT_EXPECT_EQ(t, rights, PAGING_NONE);
	KT_EXPECT_EQ(t, paging_map(root, BASE + 5 * PG, pa, PG, PAGING_USER), -EEXIST);
	/* a kept entry is found; empty tables are skipped whole */
	KT_EXPECT_EQ(t, paging_next_mapped(root, PG, 1ull << 46), BASE + 5 * PG);
	KT_EXPECT_EQ(t, paging_next_mapped(root, BASE + 6 * PG, 1ull << 46), 1ull << 46);
	KT_EXPECT_EQ(t, paging_protect(root, BASE + 5 * PG, PAGING_USER | PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, paging_translate(root, BASE + 5 * PG, &got, &rights, NULL), 0);
	KT_EXPECT_EQ(t, got, pa);
	KT_EXPECT_EQ(t, rights, PAGING_USER | PAGING_WRITE);
	KT_EXPECT_EQ(t, paging_unmap(root, BASE + 5 * PG, &got, NULL), 0);
	KT_EXPECT_EQ(t, got, pa);
	pmm_free(pa, 0);
	paging_destroy(root);
}

KTEST(vm_demand_zero_pages)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t start = pmm_free_pages(), pa;
	unsigned rights = 0;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 3 * PG, RW) == (long)BASE);
	KT_EXPECT_EQ(t, frame(vm, BASE, NULL), 0); /* nothing until touched */
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG + 123, VM_ACCESS_READ, true), 0);
	pa = frame(vm, BASE + PG, &rights);
	KT_ASSERT(t, pa != 0);
	KT_EXPECT_EQ(t, rights, PAGING_USER | PAGING_WRITE);
	for (unsigned i = 0; i < PG; i++)
		if (bytes(pa)[i]) {
			KT_EXPECT_EQ(t, bytes(pa)[i], 0);
			break;
		}
	KT_EXPECT_EQ(t, frame(vm, BASE, NULL), 0);
	KT_EXPECT_EQ(t, frame(vm, BASE + 2 * PG, NULL), 0);
	/* a second fault on a resolved page changes nothing */
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_WRITE, true), 0);
	KT_EXPECT_EQ(t, frame(vm, BASE + PG, NULL), pa);
	KT_EXPECT_EQ(t, pmm_refcount(pa), 1);
	vm_put(vm);
	KT_EXPECT(t, pmm_free_pages() >= start); /* the page (and tables) came back */
}

KTEST(vm_fault_errors_tell_maperr_from_accerr)
{
	struct vm_space *vm = vm_create(&limits);

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, PG, PROT_READ) == (long)BASE);
	KT_ASSERT(t, map_fixed(vm, BASE + PG, PG, PROT_NONE) == (long)(BASE + PG));
	KT_ASSERT(t, map_fixed(vm, BASE + 2 * PG, PG, PROT_READ | PROT_EXEC) ==
			     (long)(BASE + 2 * PG));
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 3 * PG, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, vm_fault(vm, 0x100, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, vm_fault(vm, VM_USER_TOP, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE, VM_ACCESS_WRITE, true), -EACCES);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE, VM_ACCESS_EXEC, true), -EACCES);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_READ, true), -EACCES);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE, VM_ACCESS_READ, true), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 2 * PG, VM_ACCESS_EXEC, true), 0);
	/* the kernel never executes program memory */
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 2 * PG, VM_ACCESS_EXEC, false), -EACCES);
	vm_put(vm);
}

KTEST(vm_clone_copies_on_write)
{
	struct vm_space *a = vm_create(&limits), *b;
	uint64_t pa, pb;
	unsigned ra = 0, rb = 0;

	KT_ASSERT(t, a != NULL);
	KT_ASSERT(t, map_fixed(a, BASE, 2 * PG, RW) == (long)BASE);
	KT_ASSERT(t, poke(a, BASE, 'A') == 0);
	KT_ASSERT(t, poke(a, BASE + PG, 'B') == 0);
	b = vm_clone(a);
	KT_ASSERT(t, b != NULL);
	pa = frame(a, BASE, &ra);
	pb = frame(b, BASE, &rb);
	KT_EXPECT_EQ(t, pa, pb);
	KT_EXPECT_EQ(t, pmm_refcount(pa), 2);
	KT_EXPECT_EQ(t, ra & PAGING_WRITE, 0); /* both write-protected */
	KT_EXPECT_EQ(t, rb & PAGING_WRITE, 0);
	/* the child writes: it gets a copy, the parent's page stays */
	KT_ASSERT(t, vm_fault(b, BASE, VM_ACCESS_WRITE, true) == 0);
	pb = frame(b, BASE, &rb);
	KT_EXPECT(t, pb != pa);
	KT_EXPECT(t, rb & PAGING_WRITE);
	KT_EXPECT_EQ(t, bytes(pb)[100], 'A');
	bytes(pb)[100] = 'C';
	KT_EXPECT_EQ(t, peek(a, BASE + 100), 'A');
	KT_EXPECT_EQ(t, peek(b, BASE + 100), 'C');
	KT_EXPECT_EQ(t, pmm_refcount(pa), 1);
	KT_EXPECT_EQ(t, pmm_refcount(pb), 1);
	/* the parent, now the only user, writes in place */
	KT_ASSERT(t, vm_fault(a, BASE, VM_ACCESS_WRITE, true) == 0);
	KT_EXPECT_EQ(t, frame(a, BASE, &ra), pa);
	KT_EXPECT(t, ra & PAGING_WRITE);
	/* the second page is still shared until someone writes it */
	KT_EXPECT_EQ(t, frame(a, BASE + PG, NULL), frame(b, BASE + PG, NULL));
	KT_EXPECT_EQ(t, pmm_refcount(frame(a, BASE + PG, NULL)), 2);
	vm_put(b);
	KT_EXPECT_EQ(t, pmm_refcount(frame(a, BASE + PG, NULL)), 1);
	KT_EXPECT_EQ(t, peek(a, BASE + PG), 'B');
	vm_put(a);
}

KTEST(vm_shared_anon_stays_shared_after_clone)
{
	struct vm_space *a = vm_create(&limits), *b;
	unsigned ra = 0, rb = 0;
	long va;
	uint8_t v = 'X';

	KT_ASSERT(t, a != NULL);
	va = vm_mmap(a, 0, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	KT_ASSERT(t, va > 0);
	KT_ASSERT(t, poke(a, va, 'P') == 0);
	b = vm_clone(a);
	KT_ASSERT(t, b != NULL);
	/* written before the fork: the same frame, writable in both */
	KT_EXPECT_EQ(t, frame(a, va, &ra), frame(b, va, &rb));
	KT_EXPECT(t, (ra & rb) & PAGING_WRITE);
	KT_EXPECT_EQ(t, vm_copy_to(b, va + 1, &v, 1), 0);
	KT_EXPECT_EQ(t, peek(a, va + 1), 'X');
	/* first touched after the fork: still one page for both */
	KT_EXPECT_EQ(t, vm_copy_to(a, va + PG, &v, 1), 0);
	KT_EXPECT_EQ(t, peek(b, va + PG), 'X');
	KT_EXPECT_EQ(t, frame(a, va + PG, NULL), frame(b, va + PG, NULL));
	vm_put(a);
	KT_EXPECT_EQ(t, peek(b, va), 'P');
	vm_put(b);
}

KTEST(vm_munmap_splits_regions)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t before;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 4 * PG, RW) == (long)BASE);
	for (int i = 0; i < 4; i++)
		KT_ASSERT(t, poke(vm, BASE + i * PG, '0' + i) == 0);
	before = pmm_free_pages();
	KT_EXPECT_EQ(t, vm_munmap(vm, BASE + PG, 2 * PG), 0);
	KT_EXPECT_EQ(t, pmm_free_pages(), before + 2);
	KT_ASSERT(t, vm->nregions == 2);
	KT_EXPECT_EQ(t, vm->regions[0].start, BASE);
	KT_EXPECT_EQ(t, vm->regions[0].end, BASE + PG);
	KT_EXPECT_EQ(t, vm->regions[1].start, BASE + 3 * PG);
	KT_EXPECT_EQ(t, vm->regions[1].end, BASE + 4 * PG);
	KT_EXPECT_EQ(t, frame(vm, BASE + PG, NULL), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 2 * PG, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, peek(vm, BASE), '0');
	KT_EXPECT_EQ(t, peek(vm, BASE + 3 * PG), '3');
	KT_EXPECT_EQ(t, vm->mapped, 2 * PG);
	KT_EXPECT_EQ(t, vm_munmap(vm, BASE + 1, PG), -EINVAL);
	KT_EXPECT_EQ(t, vm_munmap(vm, BASE, 0), -EINVAL);
	vm_put(vm);
}

KTEST(vm_mprotect_splits_and_merges)
{
	struct vm_space *vm = vm_create(&limits);
	unsigned rights = 0;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 3 * PG, RW) == (long)BASE);
	for (int i = 0; i < 3; i++)
		KT_ASSERT(t, poke(vm, BASE + i * PG, '0' + i) == 0);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE + PG, PG, PROT_READ), 0);
	KT_ASSERT(t, vm->nregions == 3);
	KT_EXPECT_EQ(t, vm->regions[1].start, BASE + PG);
	KT_EXPECT_EQ(t, vm->regions[1].prot, PROT_READ);
	frame(vm, BASE + PG, &rights);
	KT_EXPECT_EQ(t, rights & PAGING_WRITE, 0);
	frame(vm, BASE, &rights);
	KT_EXPECT(t, rights & PAGING_WRITE);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_WRITE, true), -EACCES);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 2 * PG, VM_ACCESS_WRITE, true), 0);
	/* PROT_NONE keeps the contents; they are back with the rights */
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE + PG, PG, PROT_NONE), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_READ, true), -EACCES);
	frame(vm, BASE + PG, &rights);
	KT_EXPECT_EQ(t, rights, PAGING_NONE);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE + PG, PG, RW), 0);
	KT_EXPECT_EQ(t, vm->nregions, 1); /* the same again: one region */
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_WRITE, true), 0);
	KT_EXPECT_EQ(t, peek(vm, BASE + PG), '1');
	/* a hole in the range: -ENOMEM and nothing changes */
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, 4 * PG, PROT_READ), -ENOMEM);
	KT_EXPECT_EQ(t, vm->regions[0].prot, RW);
	vm_put(vm);
}

KTEST(vm_write_and_execute_refused)
{
	struct vm_space *vm = vm_create(&limits);

	KT_ASSERT(t, vm != NULL);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, PG, PROT_READ | PROT_WRITE | PROT_EXEC, ANON, NULL, 0),
		     -EACCES);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, PG, PROT_WRITE | PROT_EXEC, ANON, NULL, 0), -EACCES);
	KT_ASSERT(t, map_fixed(vm, BASE, PG, RW) == (long)BASE);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, PG, PROT_READ | PROT_WRITE | PROT_EXEC), -EACCES);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, PG, PROT_READ | PROT_EXEC), 0);
	KT_EXPECT_EQ(t, vm->nregions, 1);
	KT_EXPECT_EQ(t, vm->mapped, PG);
	vm_put(vm);
}

KTEST(vm_nothing_below_64k)
{
	struct vm_space *vm = vm_create(&limits);
	long va;

	KT_ASSERT(t, vm != NULL);
	KT_EXPECT_EQ(t, map_fixed(vm, 0x1000, PG, RW), -EPERM);
	KT_EXPECT_EQ(t, map_fixed(vm, 0, PG, RW), -EPERM);
	KT_EXPECT_EQ(t, map_fixed(vm, VM_USER_MIN - PG, 2 * PG, RW), -EPERM);
	va = vm_mmap(vm, 0x1000, PG, RW, ANON, NULL, 0); /* a hint only */
	KT_EXPECT(t, va >= (long)VM_USER_MIN);
	KT_EXPECT_EQ(t, map_fixed(vm, VM_USER_MIN, PG, RW), (long)VM_USER_MIN);
	KT_EXPECT_EQ(t, vm_fault(vm, VM_USER_MIN - 1, VM_ACCESS_READ, true), -EFAULT);
	vm_put(vm);
}

KTEST(vm_map_fixed_replaces)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t before;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 3 * PG, RW) == (long)BASE);
	for (int i = 0; i < 3; i++)
		KT_ASSERT(t, poke(vm, BASE + i * PG, '0' + i) == 0);
	before = pmm_free_pages();
	KT_EXPECT_EQ(t, map_fixed(vm, BASE + PG, PG, PROT_READ), (long)(BASE + PG));
	KT_EXPECT_EQ(t, pmm_free_pages(), before + 1); /* the old page went */
	KT_EXPECT_EQ(t, vm->nregions, 3);
	KT_EXPECT_EQ(t, vm->mapped, 3 * PG);
	KT_EXPECT_EQ(t, peek(vm, BASE + PG), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_WRITE, true), -EACCES);
	KT_EXPECT_EQ(t, peek(vm, BASE + 2 * PG), '2');
	vm_put(vm);
}

KTEST(vm_map_fixed_noreplace_eexist)
{
	struct vm_space *vm = vm_create(&limits);
	unsigned flags = ANON | MAP_FIXED_NOREPLACE;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE + PG, PG, RW) == (long)(BASE + PG));
	KT_ASSERT(t, poke(vm, BASE + PG, 'k') == 0);
	KT_EXPECT_EQ(t, vm_mmap(vm, BASE, 2 * PG, RW, flags, NULL, 0), -EEXIST);
	KT_EXPECT_EQ(t, vm_mmap(vm, BASE + PG, PG, RW, flags, NULL, 0), -EEXIST);
	KT_EXPECT_EQ(t, peek(vm, BASE + PG), 'k');
	KT_EXPECT_EQ(t, vm_mmap(vm, BASE, PG, RW, flags, NULL, 0), (long)BASE);
	KT_EXPECT_EQ(t, vm->mapped, 2 * PG);
	vm_put(vm);
}

KTEST(vm_mmap_hint_and_search)
{
	struct vm_space *vm = vm_create(&limits);
	long a, b, c;

	KT_ASSERT(t, vm != NULL);
	a = vm_mmap(vm, BASE, PG, RW, ANON, NULL, 0);
	KT_EXPECT_EQ(t, a, (long)BASE);           /* a free hint is taken */
	b = vm_mmap(vm, BASE, PG, RW, ANON, NULL, 0);
	KT_EXPECT(t, b > 0 && b != a);            /* a used one is not */
	c = vm_mmap(vm, 0, 3 * PG, RW, ANON, NULL, 0);
	KT_EXPECT(t, c > 0 && (uint64_t)c + 3 * PG <= vm->mmap_base);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, 0, RW, ANON, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, PG, RW, MAP_ANONYMOUS, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, PG, RW, MAP_PRIVATE, NULL, 0), -ENODEV);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, PG, 0x10, ANON, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, 1ull << 50, RW, ANON, NULL, 0), -ENOMEM);
	vm_put(vm);
}

KTEST(vm_stack_grows_to_its_limit)
{
	struct vm_limits lim = { .stack = 1ull << 20, .as = VM_LIMIT_NONE, .data = VM_LIMIT_NONE };
	struct vm_space *vm = vm_create(&lim);
	uint64_t top, bottom;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, vm_stack_create(vm) == 0);
	top = vm->stack_top;
	bottom = top - VM_STACK_INITIAL;
	KT_ASSERT(t, vm->nregions == 1 && vm->regions[0].start == bottom);
	KT_EXPECT_EQ(t, vm_fault(vm, top - 8, VM_ACCESS_WRITE, true), 0);
	/* a fault below grows it down to the faulting page */
	KT_EXPECT_EQ(t, vm_fault(vm, bottom - 5 * PG + 16, VM_ACCESS_WRITE, true), 0);
	KT_EXPECT_EQ(t, vm->regions[0].start, bottom - 5 * PG);
	KT_EXPECT_EQ(t, vm->mapped, VM_STACK_INITIAL + 5 * PG);
	/* up to RLIMIT_STACK, not a page more */
	KT_EXPECT_EQ(t, vm_fault(vm, top - (1ull << 20), VM_ACCESS_WRITE, true), 0);
	KT_EXPECT_EQ(t, vm->regions[0].start, top - (1ull << 20));
	KT_EXPECT_EQ(t, vm_fault(vm, top - (1ull << 20) - 1, VM_ACCESS_WRITE, true), -EFAULT);
	KT_EXPECT_EQ(t, vm->regions[0].start, top - (1ull << 20));
	vm_put(vm);
	/* a limit below a page still gets one page (for exec's arguments) */
	lim.stack = 0;
	vm = vm_create(&lim);
	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, vm_stack_create(vm) == 0);
	KT_EXPECT_EQ(t, vm->regions[0].end - vm->regions[0].start, PG);
	KT_EXPECT_EQ(t, vm_fault(vm, vm->regions[0].start - 1, VM_ACCESS_WRITE, true), -EFAULT);
	vm_put(vm);
}

KTEST(vm_stack_keeps_guard_gap)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t bottom, low;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, vm_stack_create(vm) == 0);
	bottom = vm->regions[0].start;
	/* a mapping 1 MiB + 4 pages below the stack: growth stops 1 MiB above it */
	low = bottom - VM_STACK_GUARD_GAP - 8 * PG;
	KT_ASSERT(t, map_fixed(vm, low, 4 * PG, RW) == (long)low);
	KT_EXPECT_EQ(t, vm_fault(vm, low + 4 * PG + VM_STACK_GUARD_GAP, VM_ACCESS_WRITE, true), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, low + 4 * PG + VM_STACK_GUARD_GAP - 1, VM_ACCESS_WRITE, true),
		     -EFAULT);
	KT_EXPECT_EQ(t, vm->regions[1].start, low + 4 * PG + VM_STACK_GUARD_GAP);
	/* and mmap does not place anything in the gap either */
	KT_EXPECT(t, vm_mmap(vm, vm->regions[1].start - PG, PG, RW, ANON, NULL, 0) !=
			     (long)(vm->regions[1].start - PG));
	vm_put(vm);
}

KTEST(vm_madvise_dontneed_zeroes)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t before;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 2 * PG, RW) == (long)BASE);
	KT_ASSERT(t, poke(vm, BASE, 'z') == 0);
	KT_ASSERT(t, poke(vm, BASE + PG, 'y') == 0);
	before = pmm_free_pages();
	KT_EXPECT_EQ(t, vm_madvise(vm, BASE, PG, MADV_DONTNEED), 0);
	KT_EXPECT_EQ(t, pmm_free_pages(), before + 1);
	KT_EXPECT_EQ(t, frame(vm, BASE, NULL), 0);
	KT_EXPECT_EQ(t, peek(vm, BASE), 0);
	KT_EXPECT_EQ(t, peek(vm, BASE + PG), 'y');
	KT_EXPECT_EQ(t, vm_madvise(vm, BASE, 3 * PG, MADV_DONTNEED), -ENOMEM);
	KT_EXPECT_EQ(t, vm_madvise(vm, BASE, PG, 12345), -EINVAL);
	KT_EXPECT_EQ(t, vm_madvise(vm, BASE + 1, PG, MADV_DONTNEED), -EINVAL);
	vm_put(vm);
}

KTEST(vm_mremap_grows_moves_shrinks)
{
	struct vm_space *vm = vm_create(&limits);
	long r;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 2 * PG, RW) == (long)BASE);
	KT_ASSERT(t, poke(vm, BASE, 'm') == 0);
	KT_ASSERT(t, poke(vm, BASE + PG, 'n') == 0);
	/* room above: grows in place */
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE, 2 * PG, 3 * PG, 0, 0), (long)BASE);
	KT_EXPECT_EQ(t, vm->regions[0].end, BASE + 3 * PG);
	/* blocked above: -ENOMEM without MAYMOVE, a move with it */
	KT_ASSERT(t, map_fixed(vm, BASE + 3 * PG, PG, PROT_READ) == (long)(BASE + 3 * PG));
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE, 3 * PG, 4 * PG, 0, 0), -ENOMEM);
	uint64_t pa = frame(vm, BASE, NULL);
	r = vm_mremap(vm, BASE, 3 * PG, 4 * PG, MREMAP_MAYMOVE, 0);
	KT_ASSERT(t, r > 0 && r != (long)BASE);
	KT_EXPECT_EQ(t, frame(vm, r, NULL), pa); /* moved, not copied */
	KT_EXPECT_EQ(t, peek(vm, r), 'm');
	KT_EXPECT_EQ(t, peek(vm, r + PG), 'n');
	KT_EXPECT_EQ(t, peek(vm, r + 3 * PG), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, vm->mapped, 5 * PG);
	/* shrink in place */
	KT_EXPECT_EQ(t, vm_mremap(vm, r, 4 * PG, PG, 0, 0), r);
	KT_EXPECT_EQ(t, vm_fault(vm, r + PG, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, vm->mapped, 2 * PG);
	/* MREMAP_FIXED to a chosen place, over what was there */
	KT_EXPECT_EQ(t, vm_mremap(vm, r, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 2 * PG),
		     (long)(BASE + 2 * PG));
	KT_EXPECT_EQ(t, peek(vm, BASE + 2 * PG), 'm');
	KT_EXPECT_EQ(t, vm->nregions, 1);
	KT_EXPECT_EQ(t, vm->mapped, 2 * PG);
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE + 2 * PG, PG, PG, MREMAP_FIXED, BASE), -EINVAL);
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE + 8 * PG, PG, 2 * PG, MREMAP_MAYMOVE, 0), -EFAULT);
	vm_put(vm);
}

KTEST(vm_private_file_mapping_copies_on_write)
{
	struct vm_space *vm = vm_create(&limits), *c;
	struct fake_file f;
	struct vm_file vf;
	unsigned rights = 0;
	long va;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, fake_open(&f, &vf, false));
	va = vm_mmap(vm, 0, 3 * PG, RW, MAP_PRIVATE, &vf, PG);
	KT_ASSERT(t, va > 0);
	KT_EXPECT_EQ(t, f.holds, 1);
	/* reading maps the file's own page, write-protected */
	KT_EXPECT_EQ(t, peek(vm, va), 'b');
	KT_EXPECT_EQ(t, frame(vm, va, &rights), f.pages[1]);
	KT_EXPECT_EQ(t, rights & PAGING_WRITE, 0);
	KT_EXPECT_EQ(t, pmm_refcount(f.pages[1]), 2);
	/* the first write copies; the file keeps its bytes */
	KT_EXPECT_EQ(t, poke(vm, va, 'w'), 0);
	KT_EXPECT(t, frame(vm, va, NULL) != f.pages[1]);
	KT_EXPECT_EQ(t, bytes(f.pages[1])[0], 'b');
	KT_EXPECT_EQ(t, pmm_refcount(f.pages[1]), 1);
	/* a write fault on an untouched page copies at once */
	KT_EXPECT_EQ(t, poke(vm, va + PG, 'v'), 0);
	KT_EXPECT_EQ(t, bytes(f.pages[2])[0], 'c');
	/* splitting and cloning hold the file once per region */
	KT_EXPECT_EQ(t, vm_mprotect(vm, va + PG, PG, PROT_READ), 0);
	KT_EXPECT_EQ(t, f.holds, 3);
	c = vm_clone(vm);
	KT_ASSERT(t, c != NULL);
	KT_EXPECT_EQ(t, f.holds, 6);
	KT_EXPECT_EQ(t, peek(c, va + 2 * PG), 'd');
	vm_put(c);
	vm_put(vm);
	KT_EXPECT_EQ(t, f.holds, 0);
	/* a page beyond the file's end, or one the file cannot read: SIGBUS */
	vm = vm_create(&limits);
	KT_ASSERT(t, vm != NULL);
	va = vm_mmap(vm, 0, 2 * PG, PROT_READ, MAP_PRIVATE, &vf, 3 * PG);
	KT_ASSERT(t, va > 0);
	KT_EXPECT_EQ(t, vm_fault(vm, va + PG, VM_ACCESS_READ, true), -EIO);
	f.fail = -EIO;
	KT_EXPECT_EQ(t, vm_fault(vm, va, VM_ACCESS_READ, true), -EIO);
	f.fail = -ENOMEM;
	KT_EXPECT_EQ(t, vm_fault(vm, va, VM_ACCESS_READ, true), -ENOMEM);
	vm_put(vm);
	KT_EXPECT_EQ(t, pmm_refcount(f.pages[3]), 1);
	fake_close(&f);
}

KTEST(vm_shared_file_mapping_writes_through)
{
	struct vm_space *vm = vm_create(&limits);
	struct fake_file f;
	struct vm_file vf;
	uint8_t v = 'S';
	long va;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, fake_open(&f, &vf, false));
	/* a file opened read-only: no shared writable mapping of it */
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, PG, RW, MAP_SHARED, &vf, 0), -EACCES);
	va = vm_mmap(vm, 0, PG, PROT_READ, MAP_SHARED, &vf, 0);
	KT_ASSERT(t, va > 0);
	KT_EXPECT_EQ(t, vm_mprotect(vm, va, PG, RW), -EACCES);
	KT_EXPECT_EQ(t, vm_munmap(vm, va, PG), 0);
	vf.writable = true;
	va = vm_mmap(vm, 0, 2 * PG, RW, MAP_SHARED, &vf, 2 * PG);
	KT_ASSERT(t, va > 0);
	KT_EXPECT_EQ(t, vm_copy_to(vm, va + PG + 7, &v, 1), 0);
	KT_EXPECT_EQ(t, frame(vm, va + PG, NULL), f.pages[3]);
	KT_EXPECT_EQ(t, bytes(f.pages[3])[7], 'S');
	KT_EXPECT_EQ(t, vm_msync(vm, va, 2 * PG, MS_SYNC), 0);
	KT_EXPECT_EQ(t, f.syncs, 1);
	KT_EXPECT_EQ(t, vm_msync(vm, va, 2 * PG, MS_ASYNC), 0);
	KT_EXPECT_EQ(t, f.syncs, 1);
	KT_EXPECT_EQ(t, vm_msync(vm, va, PG, MS_SYNC | MS_ASYNC), -EINVAL);
	KT_EXPECT_EQ(t, vm_msync(vm, va, 3 * PG, MS_SYNC), -ENOMEM);
	vm_put(vm);
	KT_EXPECT_EQ(t, f.holds, 0);
	KT_EXPECT_EQ(t, pmm_refcount(f.pages[3]), 1);
	fake_close(&f);
}

KTEST(vm_brk_grows_and_shrinks)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t start;

	KT_ASSERT(t, vm != NULL);
	KT_EXPECT_EQ(t, vm_brk(vm, BASE), 0); /* no break before exec sets one */
	KT_ASSERT(t, vm_brk_init(vm, BASE + 100) == 0);
	start = vm->brk_start;
	KT_EXPECT(t, start >= BASE + PG && start % PG == 0);
	KT_EXPECT_EQ(t, vm_brk(vm, 0), start);
	KT_EXPECT_EQ(t, vm_brk(vm, start + 3 * PG + 5), start + 3 * PG + 5);
	KT_EXPECT_EQ(t, vm_brk(vm, start + 2 * PG), start + 2 * PG);
	KT_EXPECT_EQ(t, vm->nregions, 1);
	KT_EXPECT_EQ(t, vm->regions[0].end, start + 2 * PG);
	KT_EXPECT_EQ(t, poke(vm, start + PG, 'h'), 0);
	KT_EXPECT_EQ(t, vm_brk(vm, start - PG), start + 2 * PG); /* below the start: refused */
	/* a mapping in the way stops it */
	KT_ASSERT(t, map_fixed(vm, start + 4 * PG, PG, RW) == (long)(start + 4 * PG));
	KT_EXPECT_EQ(t, vm_brk(vm, start + 5 * PG), start + 2 * PG);
	KT_EXPECT_EQ(t, vm_brk(vm, start + PG), start + PG);
	KT_EXPECT_EQ(t, vm_fault(vm, start + PG, VM_ACCESS_READ, true), -EFAULT);
	KT_EXPECT_EQ(t, vm_brk(vm, start + 2 * PG), start + 2 * PG);
	KT_EXPECT_EQ(t, peek(vm, start + PG), 0); /* shrunk and grown again: fresh */
	vm_put(vm);
}

KTEST(vm_rlimit_as)
{
	struct vm_limits lim = { .stack = 8ull << 20, .as = 4 * PG, .data = VM_LIMIT_NONE };
	struct vm_space *vm = vm_create(&lim);

	KT_ASSERT(t, vm != NULL);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, 5 * PG, RW, ANON, NULL, 0), -ENOMEM);
	KT_EXPECT_EQ(t, map_fixed(vm, BASE, 3 * PG, RW), (long)BASE);
	KT_EXPECT_EQ(t, vm_mmap(vm, 0, 2 * PG, RW, ANON, NULL, 0), -ENOMEM);
	KT_EXPECT_EQ(t, map_fixed(vm, BASE + 2 * PG, 2 * PG, RW), (long)(BASE + 2 * PG));
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE, 4 * PG, 5 * PG, MREMAP_MAYMOVE, 0), -ENOMEM);
	KT_EXPECT_EQ(t, vm->mapped, 4 * PG);
	vm_put(vm);
}

KTEST(vm_copy_across_pages_and_rights)
{
	struct vm_space *vm = vm_create(&limits), *c;
	char in[PG + 64], out[PG + 64];

	KT_ASSERT(t, vm != NULL);
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7);
	KT_ASSERT(t, map_fixed(vm, BASE, 3 * PG, RW) == (long)BASE);
	KT_ASSERT(t, map_fixed(vm, BASE + 3 * PG, PG, PROT_READ) == (long)(BASE + 3 * PG));
	KT_EXPECT_EQ(t, vm_copy_to(vm, BASE + PG - 32, in, sizeof(in)), 0);
	KT_EXPECT_EQ(t, vm_copy_from(vm, BASE + PG - 32, out, sizeof(out)), 0);
	KT_EXPECT_EQ(t, memcmp(in, out, sizeof(in)), 0);
	KT_EXPECT_EQ(t, vm_copy_to(vm, BASE + 3 * PG - 1, in, 2), -EFAULT); /* read-only */
	KT_EXPECT_EQ(t, vm_copy_from(vm, BASE + 4 * PG - 1, out, 2), -EFAULT); /* unmapped */
	KT_EXPECT_EQ(t, vm_copy_from(vm, VM_USER_TOP - 1, out, 2), -EFAULT);
	/* writing into a copy-on-write page breaks the sharing */
	c = vm_clone(vm);
	KT_ASSERT(t, c != NULL);
	KT_EXPECT_EQ(t, vm_copy_to(c, BASE + PG, "Q", 1), 0);
	KT_EXPECT_EQ(t, vm_copy_from(vm, BASE + PG, out, 1), 0);
	KT_EXPECT_EQ(t, out[0], in[32]);
	vm_put(c);
	vm_put(vm);
}

/* Where name starts in its line of buf (-1 if absent). */
static int name_column(const char *buf, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = buf; *p; p++)
		if (!strncmp(p, name, n)) {
			const char *line = p;

			while (line > buf && line[-1] != '\n')
				line--;
			return (int)(p - line);
		}
	return -1;
}

KTEST(vm_maps_listing_format)
{
	struct vm_space *vm = vm_create(&limits);
	struct fake_file f;
	struct vm_file vf;
	char buf[512];
	const char *want =
		"10000000-10002000 rw-p 00000000 00:00 0 \n"
		"10002000-10003000 r--s 00003000 fe:03 42                                 /test/file\n"
		"10004000-10005000 r-xp 00000000 00:00 0 \n";
	size_t n;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, fake_open(&f, &vf, false));
	KT_ASSERT(t, map_fixed(vm, BASE, 2 * PG, RW) == (long)BASE);
	KT_ASSERT(t, vm_mmap(vm, BASE + 2 * PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, &vf,
			     3 * PG) == (long)(BASE + 2 * PG));
	KT_ASSERT(t, map_fixed(vm, BASE + 4 * PG, PG, PROT_READ | PROT_EXEC) ==
			     (long)(BASE + 4 * PG));
	n = vm_format_maps(vm, buf, sizeof(buf));
	KT_EXPECT_EQ(t, n, strlen(want));
	KT_EXPECT_EQ(t, strcmp(buf, want), 0);
	/* a short buffer gets what fits, and the full length */
	KT_EXPECT_EQ(t, vm_format_maps(vm, buf, 10), strlen(want));
	KT_EXPECT_EQ(t, strcmp(buf, "10000000-"), 0);
	/* heap and stack are named */
	KT_ASSERT(t, vm_brk_init(vm, BASE + 8 * PG) == 0);
	vm_brk(vm, vm->brk_start + PG);
	KT_ASSERT(t, vm_stack_create(vm) == 0);
	vm_format_maps(vm, buf, sizeof(buf));
	KT_EXPECT_EQ(t, name_column(buf, "[heap]\n"), 73);
	KT_EXPECT_EQ(t, name_column(buf, "[stack]\n"), 73);
	vm_put(vm);
	fake_close(&f);
}

/* The bits in which samples of a randomized address differ. */
static uint64_t varying_bits(uint64_t *v, unsigned n)
{
	uint64_t diff = 0;

	for (unsigned i = 1; i < n; i++)
		diff |= v[i] ^ v[0];
	return diff;
}

/* Randomized (the normal boot): each piece differs between spaces in
 * Linux's number of bits. With aslr=off (system/vm_aslr_off boots with it):
 * Linux's fixed layout every time. */
KTEST(vm_aslr_layout)
{
	enum { N = 32 };
	uint64_t mmap[N], stack[N], pie[N], brk[N];
	/* what the mmap base sits below: the 8 MiB stack limit is raised to
	 * the 128 MiB minimum, plus the guard gap and the stack's random range */
	uint64_t gap = (128ull << 20) + VM_STACK_GUARD_GAP + (PG << 22);

	for (unsigned i = 0; i < N; i++) {
		struct vm_space *vm = vm_create(&limits);

		KT_ASSERT(t, vm != NULL);
		KT_ASSERT(t, vm_brk_init(vm, 0x400000) == 0);
		mmap[i] = vm->mmap_base;
		stack[i] = vm->stack_top;
		pie[i] = vm->pie_base;
		brk[i] = vm->brk_start;
		KT_EXPECT_EQ(t, (mmap[i] | stack[i] | pie[i] | brk[i]) % PG, 0);
		KT_EXPECT(t, mmap[i] <= VM_USER_TOP - gap);
		KT_EXPECT(t, mmap[i] + (8ull << 20) + VM_STACK_GUARD_GAP < stack[i] - (8ull << 20));
		KT_EXPECT(t, pie[i] + (1ull << 40) < mmap[i]);
		KT_EXPECT(t, stack[i] <= VM_USER_TOP);
		vm_put(vm);
	}
	if (!vm_aslr_enabled()) {
		KT_EXPECT_EQ(t, mmap[0], VM_USER_TOP - gap);
		KT_EXPECT_EQ(t, stack[0], VM_USER_TOP);
		KT_EXPECT_EQ(t, pie[0], 0x555555554000ull);
		KT_EXPECT_EQ(t, brk[0], 0x400000);
		KT_EXPECT_EQ(t, varying_bits(mmap, N) | varying_bits(stack, N) |
					varying_bits(pie, N) | varying_bits(brk, N), 0);
		return;
	}
	/* 28 bits of pages for mmap and PIE (bits 12..39 all seen to vary),
	 * 22 for the stack, 13 for brk; a bit stays the same in all 32
	 * samples with probability 2^-31 */
	KT_EXPECT_EQ(t, varying_bits(mmap, N) >> 12 & ((1ull << 28) - 1), (1ull << 28) - 1);
	KT_EXPECT_EQ(t, varying_bits(pie, N) >> 12 & ((1ull << 28) - 1), (1ull << 28) - 1);
	KT_EXPECT_EQ(t, varying_bits(stack, N) >> 12, (1ull << 22) - 1);
	KT_EXPECT_EQ(t, varying_bits(brk, N) >> 12 & ((1ull << 13) - 1), (1ull << 13) - 1);
}

KTEST(vm_many_regions_stay_ordered)
{
	enum { N = 3000 };
	struct vm_space *vm = vm_create(&limits);

	KT_ASSERT(t, vm != NULL);
	/* alternating rights, so no two neighbours merge */
	for (unsigned i = 0; i < N; i++)
		KT_ASSERT(t, map_fixed(vm, BASE + (uint64_t)i * PG, PG, i % 2 ? PROT_READ : RW) ==
				     (long)(BASE + i * PG));
	KT_EXPECT_EQ(t, vm->nregions, N);
	for (unsigned i = 1; i < vm->nregions; i++)
		if (vm->regions[i - 1].end != vm->regions[i].start) {
			KT_EXPECT_EQ(t, vm->regions[i - 1].end, vm->regions[i].start);
			break;
		}
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 1234 * PG, VM_ACCESS_WRITE, true), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + 1235 * PG, VM_ACCESS_WRITE, true), -EACCES);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + N * PG, VM_ACCESS_READ, true), -EFAULT);
	/* making them all alike merges them into one */
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, N * PG, PROT_READ), 0);
	KT_EXPECT_EQ(t, vm->nregions, 1);
	vm_put(vm);
}

/* Everything a space holds comes back: pages, page tables, region arrays,
 * shared objects (the heap's empty slabs are returned before comparing). */
KTEST(vm_destroy_returns_every_frame)
{
	struct vm_space *a, *b;
	uint64_t start;
	long sh;

	heap_shrink();
	start = pmm_free_pages();
	a = vm_create(&limits);
	KT_ASSERT(t, a != NULL);
	KT_ASSERT(t, map_fixed(a, BASE, 64 * PG, RW) == (long)BASE);
	KT_ASSERT(t, map_fixed(a, 0x7f0000000000ull, 4 * PG, RW) == 0x7f0000000000l);
	for (int i = 0; i < 64; i += 3)
		KT_ASSERT(t, poke(a, BASE + i * PG, (uint8_t)i) == 0);
	KT_ASSERT(t, poke(a, 0x7f0000000000ull, 1) == 0);
	sh = vm_mmap(a, 0, 8 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	KT_ASSERT(t, sh > 0 && poke(a, sh, 's') == 0);
	KT_ASSERT(t, vm_stack_create(a) == 0);
	KT_ASSERT(t, vm_fault(a, a->stack_top - 40 * PG, VM_ACCESS_WRITE, true) == 0);
	KT_ASSERT(t, vm_mprotect(a, BASE + 10 * PG, 5 * PG, PROT_NONE) == 0);
	b = vm_clone(a);
	KT_ASSERT(t, b != NULL);
	KT_ASSERT(t, poke(b, BASE + 3 * PG, 9) == 0);
	KT_ASSERT(t, poke(b, sh + PG, 9) == 0);
	KT_ASSERT(t, vm_munmap(a, BASE + 30 * PG, 3 * PG) == 0);
	KT_EXPECT(t, pmm_free_pages() < start);
	vm_put(a);
	vm_put(b);
	heap_shrink();
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
}

/* Takes free frames until `leave` are left, chaining them onto head
 * through their own first word; returns the chain. */
static uint64_t hoard(uint64_t head, uint64_t leave)
{
	uint64_t pa;

	while (pmm_free_pages() > leave && (pa = pmm_alloc(0))) {
		*(uint64_t *)PHYS_TO_VIRT(pa) = head;
		head = pa;
	}
	return head;
}

/* Gives n frames of the chain back; returns the rest. */
static uint64_t unhoard(uint64_t head, uint64_t n)
{
	while (head && n--) {
		uint64_t next = *(uint64_t *)PHYS_TO_VIRT(head);

		pmm_free(head, 0);
		head = next;
	}
	return head;
}

KTEST(vm_out_of_memory_is_enomem_without_leak)
{
	struct vm_space *vm;
	uint64_t start, held, i;
	int err = 0, failed = 0, cloned = 0;

	heap_shrink();
	start = pmm_free_pages();
	vm = vm_create(&limits);
	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 64ull << 20, RW) == (long)BASE);
	KT_ASSERT(t, poke(vm, BASE + (32ull << 20), 1) == 0);
	held = hoard(0, 8);
	for (i = 0; i < 64 * 256 && !(err = poke(vm, BASE + i * PG, 1)); i++)
		;
	KT_EXPECT_EQ(t, err, -ENOMEM);
	KT_EXPECT(t, i > 0 && i <= 8);
	KT_EXPECT_EQ(t, pmm_free_pages(), 0);
	/* fork with too few frames for the child's tables fails half-way and
	 * gives back what it took; with enough it works */
	for (uint64_t leave = 0; leave < 12; leave++) {
		struct vm_space *c;
		uint64_t before;

		held = unhoard(held, leave);
		heap_shrink();
		before = pmm_free_pages();
		c = vm_clone(vm);
		if (c) {
			cloned++;
			KT_EXPECT_EQ(t, peek(c, BASE + (32ull << 20)), 1);
			vm_put(c);
		} else {
			failed++;
		}
		heap_shrink();
		KT_EXPECT_EQ(t, pmm_free_pages(), before);
		held = hoard(held, 0);
	}
	KT_EXPECT(t, failed > 0 && cloned > 0);
	unhoard(held, UINT64_MAX);
	vm_put(vm);
	heap_shrink();
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
}

/* The calling thread's nth frame allocation from now fails (a page
 * table, where only tables are allocated). */
static void fail_my_frame(uint64_t nth)
{
	struct failinject_config c = {
		.kinds = FAILINJECT_FRAME, .nth = nth, .pid = -1, .thread = thread_current(),
	};

	failinject_arm(&c);
}

/* A move whose destination needs page tables: the third table cannot be
 * had, after the first page moved. mremap fails with -ENOMEM and leaves
 * the space as it was: the moved page back at its address, nothing at the
 * destination, one region. */
KTEST(vm_mremap_table_failure_undoes_the_move)
{
	struct vm_space *vm = vm_create(&limits);
	/* two pages across a 2 MiB line in an empty GiB: the first needs a
	 * page directory and a page table, the second a page table of its own */
	uint64_t dest = (5ull << 30) + PAGE_SIZE_LARGE - PG, pa0, pa1;
	const unsigned flags = MREMAP_MAYMOVE | MREMAP_FIXED;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 2 * PG, RW) == (long)BASE);
	KT_ASSERT(t, poke(vm, BASE, 'a') == 0);
	KT_ASSERT(t, poke(vm, BASE + PG, 'b') == 0);
	pa0 = frame(vm, BASE, NULL);
	pa1 = frame(vm, BASE + PG, NULL);
	fail_my_frame(3);
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE, 2 * PG, 2 * PG, flags, dest), -ENOMEM);
	failinject_disarm();
	KT_EXPECT_EQ(t, frame(vm, BASE, NULL), pa0);
	KT_EXPECT_EQ(t, frame(vm, BASE + PG, NULL), pa1);
	KT_EXPECT_EQ(t, peek(vm, BASE), 'a');
	KT_EXPECT_EQ(t, peek(vm, BASE + PG), 'b');
	KT_EXPECT_EQ(t, frame(vm, dest, NULL), 0);
	KT_EXPECT_EQ(t, vm_fault(vm, dest, VM_ACCESS_READ, true), -EFAULT);
	KT_ASSERT(t, vm->nregions == 1);
	KT_EXPECT_EQ(t, vm->regions[0].start, BASE);
	KT_EXPECT_EQ(t, vm->regions[0].end, BASE + 2 * PG);
	KT_EXPECT_EQ(t, vm->mapped, 2 * PG);
	/* with the tables to be had, the same move works */
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE, 2 * PG, 2 * PG, flags, dest), (long)dest);
	KT_EXPECT_EQ(t, frame(vm, dest + PG, NULL), pa1);
	KT_EXPECT_EQ(t, peek(vm, dest), 'a');
	KT_EXPECT_EQ(t, peek(vm, dest + PG), 'b');
	vm_put(vm);
}

/* A first touch that cannot get a page table fails with -ENOMEM and gives
 * the page it had taken back; the next touch works. */
KTEST(vm_fault_table_failure_is_enomem_without_leak)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t far = 7ull << 30, before;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, far, PG, RW) == (long)far);
	heap_shrink();
	before = pmm_free_pages();
	fail_my_frame(2);         /* the page itself, then its first table */
	KT_EXPECT_EQ(t, vm_fault(vm, far, VM_ACCESS_WRITE, true), -ENOMEM);
	failinject_disarm();
	heap_shrink();
	KT_EXPECT_EQ(t, pmm_free_pages(), before);
	KT_EXPECT_EQ(t, frame(vm, far, NULL), 0);
	KT_EXPECT_EQ(t, poke(vm, far, 'z'), 0);
	KT_EXPECT_EQ(t, peek(vm, far), 'z');
	vm_put(vm);
}

static int lock_violations;

static void count_lock_violation(const char *what, const void *lock)
{
	(void)what;
	(void)lock;
	lock_violations++;
}

/* Where the space's lock cannot be taken (here: the caller holds it, a
 * reported misuse), every call that can fail says so and changes nothing. */
KTEST(vm_calls_fail_when_the_lock_cannot_be_taken)
{
	struct vm_space *vm = vm_create(&limits);
	sync_violation_fn old;
	uint64_t brk;
	uint8_t b = 0;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, 2 * PG, RW) == (long)BASE);
	KT_ASSERT(t, poke(vm, BASE, 'a') == 0);
	KT_ASSERT(t, vm_brk_init(vm, BASE + 64 * PG) == 0);
	brk = vm->brk;
	lock_violations = 0;
	old = sync_set_violation_hook(count_lock_violation);
	KT_ASSERT(t, mutex_lock(&vm->lock) == 0);
	KT_EXPECT_EQ(t, map_fixed(vm, BASE + 4 * PG, PG, RW), -EDEADLK);
	KT_EXPECT_EQ(t, vm_munmap(vm, BASE, PG), -EDEADLK);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, PG, PROT_READ), -EDEADLK);
	KT_EXPECT_EQ(t, vm_madvise(vm, BASE, PG, MADV_DONTNEED), -EDEADLK);
	KT_EXPECT_EQ(t, vm_msync(vm, BASE, PG, MS_SYNC), -EDEADLK);
	KT_EXPECT_EQ(t, vm_mremap(vm, BASE, 2 * PG, PG, 0, 0), -EDEADLK);
	KT_EXPECT_EQ(t, vm_brk(vm, brk + 4 * PG), 0);
	KT_EXPECT_EQ(t, vm_brk_init(vm, BASE + 128 * PG), -EDEADLK);
	KT_EXPECT_EQ(t, vm_stack_create(vm), -EDEADLK);
	KT_EXPECT_EQ(t, vm_fault(vm, BASE + PG, VM_ACCESS_WRITE, true), -EFAULT);
	KT_EXPECT_EQ(t, vm_copy_from(vm, BASE, &b, 1), -EFAULT);
	KT_EXPECT(t, vm_clone(vm) == NULL);
	KT_EXPECT_EQ(t, lock_violations, 12);
	KT_EXPECT_EQ(t, mutex_unlock(&vm->lock), 0);
	sync_set_violation_hook(old);
	/* nothing changed */
	KT_ASSERT(t, vm->nregions == 1);
	KT_EXPECT_EQ(t, vm->regions[0].start, BASE);
	KT_EXPECT_EQ(t, vm->regions[0].end, BASE + 2 * PG);
	KT_EXPECT_EQ(t, vm->regions[0].prot, RW);
	KT_EXPECT_EQ(t, vm->brk, brk);
	KT_EXPECT_EQ(t, frame(vm, BASE + PG, NULL), 0);
	KT_EXPECT_EQ(t, peek(vm, BASE), 'a');
	vm_put(vm);
}

/* Linux's answers for ranges outside user space: munmap calls them
 * invalid, mprotect, madvise and msync find nothing mapped there. */
KTEST(vm_ranges_beyond_user_space)
{
	struct vm_space *vm = vm_create(&limits);
	const uint64_t kernel = 0xffff800000000000ull;

	KT_ASSERT(t, vm != NULL);
	KT_ASSERT(t, map_fixed(vm, BASE, PG, PROT_READ) == (long)BASE);
	KT_EXPECT_EQ(t, vm_mprotect(vm, kernel, PG, PROT_READ), -ENOMEM);
	KT_EXPECT_EQ(t, vm_mprotect(vm, VM_USER_TOP - PG, 2 * PG, PROT_READ), -ENOMEM);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, UINT64_MAX - BASE, PROT_READ), -ENOMEM);
	KT_EXPECT_EQ(t, vm_mprotect(vm, kernel + 1, PG, PROT_READ), -EINVAL);
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, 0, 0x100), 0);   /* nothing to do */
	KT_EXPECT_EQ(t, vm_mprotect(vm, BASE, PG, 0x100), -EINVAL);
	KT_EXPECT_EQ(t, vm_madvise(vm, kernel, PG, MADV_DONTNEED), -ENOMEM);
	KT_EXPECT_EQ(t, vm_madvise(vm, BASE, UINT64_MAX - BASE, MADV_DONTNEED), -EINVAL);
	KT_EXPECT_EQ(t, vm_msync(vm, kernel, PG, MS_SYNC), -ENOMEM);
	KT_EXPECT_EQ(t, vm_munmap(vm, kernel, PG), -EINVAL);
	KT_EXPECT_EQ(t, vm->regions[0].prot, PROT_READ);
	vm_put(vm);
}
