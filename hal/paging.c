/* Page-table walking and editing for x86-64 4-level paging. Tables are
 * reached through the direct map.
 * Locking: none here; the owner of each root serialises its edits. The
 * kernel's root is edited under kernel/mm/vmm.c's kva_lock (vmm_init
 * runs before threads); a process's root under its own mutex (struct
 * process.lock in kernel/proc). Roots share the kernel half only through
 * top-level entries that vmm_init creates once (paging_prepare_top) and no
 * one changes afterwards, so edits to two roots never touch the same table.
 * Table frames come from the frame source, which has its own lock. source,
 * pte_global and pte_nx are set at boot before any thread exists. */
#include <hal/paging.h>
#include <hal/percpu.h>
#include <hal/cpu.h>
#include <cosmos/boot_info.h>
#include <cosmos/errno.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
/* Software bit (ignored by the CPU) of a not-present 4 KiB entry that still
 * holds its frame: PAGING_NONE. */
#define PTE_KEPT (1ull << 9)
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_ADDR_LARGE 0x000fffffffe00000ull

#define KERNEL_HALF 0xffff800000000000ull

static struct paging_frame_source source;
static uint64_t pte_global, pte_nx = PTE_NX;

void paging_set_frame_source(const struct paging_frame_source *src) { source = *src; }

void paging_set_cpu_options(bool global, bool nx)
{
	pte_global = global ? PTE_G : 0;
	pte_nx = nx ? PTE_NX : 0;
}

static uint64_t *table(uint64_t phys) { return (uint64_t *)(phys + BOOT_HHDM_BASE); }

static unsigned idx(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

static uint64_t leaf_bits(uint64_t va, unsigned rights)
{
	uint64_t e = PTE_P;

	if (rights & PAGING_NONE)
		return PTE_KEPT | pte_nx;
	if (rights & PAGING_WRITE)
		e |= PTE_W;
	if (!(rights & PAGING_EXEC))
		e |= pte_nx;
	if (rights & PAGING_USER)
		e |= PTE_U;
	if (rights & PAGING_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	if (va >= KERNEL_HALF)
		e |= pte_global;
	return e;
}

/* A leaf that maps something: present, or a kept PAGING_NONE entry. */
static bool leaf_used(uint64_t e, int level)
{
	return (e & PTE_P) || (level == 0 && (e & PTE_KEPT));
}

static unsigned rights_of(uint64_t e)
{
	unsigned r = 0;

	if (!(e & PTE_P))
		return PAGING_NONE;
	if (e & PTE_W)
		r |= PAGING_WRITE;
	if (!(e & PTE_NX))
		r |= PAGING_EXEC;
	if (e & PTE_U)
		r |= PAGING_USER;
	if (e & PTE_PCD)
		r |= PAGING_UNCACHED;
	return r;
}

/* Intermediate entries are maximally permissive (user for the user half);
 * the leaf alone decides the rights. */
static uint64_t dir_bits(uint64_t va)
{
	return PTE_P | PTE_W | (va < KERNEL_HALF ? PTE_U : 0);
}

uint64_t paging_create(uint64_t kernel_root)
{
	uint64_t root = source.alloc ? source.alloc() : 0;

	if (!root)
		return 0;
	if (kernel_root)
		for (unsigned i = 256; i < 512; i++)
			table(root)[i] = table(kernel_root)[i];
	return root;
}

static void free_tree(uint64_t phys, int level)
{
	uint64_t *t = table(phys);

	if (level > 0)
		for (unsigned i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				free_tree(t[i] & PTE_ADDR, level - 1);
	source.free(phys);
}

void paging_destroy(uint64_t root)
{
	uint64_t *t = table(root);

	for (unsigned i = 0; i < 256; i++)
		if (t[i] & PTE_P)
			free_tree(t[i] & PTE_ADDR, 2);
	source.free(root);
}

/* The entry for va at level `stop` (0 = 4 KiB PTE, 1 = PD entry), creating
 * missing tables when create is set. NULL if absent or a large page is in
 * the way (*large_at then says at which level). */
static uint64_t *walk(uint64_t root, uint64_t va, int stop, bool create, int *large_at)
{
	uint64_t *t = table(root);

	*large_at = -1;
	for (int level = 3; level > stop; level--) {
		uint64_t *e = &t[idx(va, level)];

		if (!(*e & PTE_P)) {
			uint64_t f;

			if (!create || !source.alloc || !(f = source.alloc()))
				return NULL;
			*e = f | dir_bits(va);
		} else if (*e & PTE_PS) {
			*large_at = level;
			return NULL;
		}
		t = table(*e & PTE_ADDR);
	}
	return &t[idx(va, stop)];
}

int paging_prepare_top(uint64_t root, uint64_t va)
{
	uint64_t *e = &table(root)[idx(va, 3)];
	uint64_t f;

	if (*e & PTE_P)
		return 0;
	if (!source.alloc || !(f = source.alloc()))
		return -ENOMEM;
	*e = f | dir_bits(va);
	return 0;
}

int paging_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned rights)
{
	int stop = size == PAGE_SIZE_LARGE ? 1 : 0, large;
	uint64_t *e;

	if ((size != PAGE_SIZE && size != PAGE_SIZE_LARGE) || (va | pa) & (size - 1) ||
	    pa & ~PTE_ADDR || (stop && (rights & PAGING_NONE)))
		return -EINVAL;
	e = walk(root, va, stop, true, &large);
	if (!e)
		return large >= 0 ? -EEXIST : -ENOMEM;
	if (leaf_used(*e, stop))
		return -EEXIST;
	*e = pa | leaf_bits(va, rights) | (stop ? PTE_PS : 0);
	return 0;
}

/* The leaf entry mapping va and its level, or NULL. */
static uint64_t *leaf(uint64_t root, uint64_t va, int *level)
{
	uint64_t *t = table(root);

	for (int l = 3; l >= 0; l--) {
		uint64_t *e = &t[idx(va, l)];

		if (!leaf_used(*e, l))
			return NULL;
		if (l == 0 || (*e & PTE_PS)) {
			*level = l;
			return e;
		}
		t = table(*e & PTE_ADDR);
	}
	return NULL;
}

static uint64_t level_size(int level) { return 1ull << (12 + 9 * level); }

static void flush_if_live(uint64_t root, uint64_t va)
{
	if (va >= KERNEL_HALF || (read_cr3() & PTE_ADDR) == root)
		cpu_invlpg(va);
}

int paging_unmap(uint64_t root, uint64_t va, uint64_t *pa, uint64_t *size)
{
	int level;
	uint64_t *e = leaf(root, va, &level);

	if (!e)
		return -ENOENT;
	if (pa)
		*pa = *e & (level ? PTE_ADDR_LARGE : PTE_ADDR);
	if (size)
		*size = level_size(level);
	*e = 0;
	flush_if_live(root, va & ~(level_size(level) - 1));
	return 0;
}

int paging_protect(uint64_t root, uint64_t va, unsigned rights)
{
	int level;
	uint64_t *e = leaf(root, va, &level), pa;

	if (!e)
		return -ENOENT;
	va &= ~(level_size(level) - 1);
	pa = *e & (level ? PTE_ADDR_LARGE : PTE_ADDR);
	if (level && (rights & PAGING_NONE))
		return -EINVAL;
	*e = pa | leaf_bits(va, rights) | (level ? PTE_PS : 0);
	flush_if_live(root, va);
	return 0;
}

int paging_translate(uint64_t root, uint64_t va, uint64_t *pa, unsigned *rights, uint64_t *size)
{
	int level;
	uint64_t *e = leaf(root, va, &level), s;

	if (!e)
		return -ENOENT;
	s = level_size(level);
	if (pa)
		*pa = (*e & (level ? PTE_ADDR_LARGE : PTE_ADDR)) + (va & (s - 1));
	if (rights)
		*rights = rights_of(*e);
	if (size)
		*size = s;
	return 0;
}

/* Addresses above bit 47 repeat it (4-level paging). */
static uint64_t canonical(uint64_t va)
{
	return va & (1ull << 47) ? va | 0xffff000000000000ull : va;
}

static int walk_all(uint64_t phys, int level, uint64_t base, unsigned path, uint64_t lo,
		    uint64_t last, paging_walk_fn fn, void *ctx)
{
	const uint64_t *t = table(phys);
	uint64_t span = level_size(level);

	for (unsigned i = 0; i < 512; i++) {
		struct paging_entry e;
		int r;

		e.va = canonical(base + i * span);
		if (!(t[i] & PTE_P) || e.va + (span - 1) < lo || e.va > last)
			continue;
		e.size = span;
		e.level = level;
		e.leaf = level == 0 || (t[i] & PTE_PS);
		e.pa = t[i] & (e.leaf && level ? PTE_ADDR_LARGE : PTE_ADDR);
		e.rights = rights_of(t[i]) & (PAGING_WRITE | PAGING_EXEC | PAGING_USER);
		e.effective = path & e.rights;
		e.raw = t[i];
		r = fn(&e, ctx);
		if (r == PAGING_WALK_SKIP)
			continue;
		if (r || (!e.leaf && (r = walk_all(e.pa, level - 1, e.va, e.effective, lo, last,
						   fn, ctx))))
			return r;
	}
	return 0;
}

int paging_walk(uint64_t root, uint64_t lo, uint64_t last, paging_walk_fn fn, void *ctx)
{
	return walk_all(root, 3, 0, PAGING_WRITE | PAGING_EXEC | PAGING_USER, lo, last, fn, ctx);
}

uint64_t paging_next_mapped(uint64_t root, uint64_t va, uint64_t end)
{
	while (va < end) {
		uint64_t *t = table(root);

		for (int l = 3;; l--) {
			uint64_t e = t[idx(va, l)], span = level_size(l);

			if (!leaf_used(e, l)) {
				uint64_t next = (va & ~(span - 1)) + span;

				if (next <= va)
					return end; /* wrapped past the top */
				va = next;
				break;
			}
			if (l == 0 || (e & PTE_PS))
				return va;
			t = table(e & PTE_ADDR);
		}
	}
	return end;
}

void paging_activate(uint64_t root)
{
	/* said before the load, so that a shootdown that misses this CPU
	 * finds its edit already in the tables this CPU then walks
	 * (hal/tlb.c) */
	if (percpu_cpu_count()) {
		/* not lazy: shootdowns of root reach this CPU from here on,
		 * and the load flushes whatever a lazy spell missed */
		__atomic_store_n(&percpu_self()->root, root & PTE_ADDR, __ATOMIC_SEQ_CST);
		__atomic_store_n(&percpu_self()->tlb_stale, 0, __ATOMIC_RELAXED);
	}
	write_cr3(root);
}

uint64_t paging_active(void) { return read_cr3() & PTE_ADDR; }


void paging_flush_all(void)
{
	uint64_t cr4 = read_cr4();

	/* toggling CR4.PGE drops global entries too */
	if (cr4 & (1ull << 7)) {
		write_cr4(cr4 & ~(1ull << 7));
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}
