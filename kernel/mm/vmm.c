/* The kernel's own address space: image sections with exact rights, the
 * direct map RW/NX, nothing in the user half, and a page-granular kernel
 * virtual area where every allocation has an unmapped guard page below. */
#include <kernel/mm/vmm.h>
#include <kernel/mm/tlb_batch.h>
#include <kernel/mm/pmm.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sync/spinlock.h>
#include <kernel/exception.h>
#include <hal/cpu_features.h>
#include <hal/mmio.h>
#include <hal/tlb.h>
#include <cosmos/errno.h>
#include <lib/string.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_start[], __kernel_end[];

#define KVA_PAGES (VMM_KVA_SIZE / PAGE_SIZE)

/* vmm state: the KVA bitmaps and the kernel page tables are protected by
 * kva_lock once threads run (it nests outside the pmm's lock); the rest is
 * written only at init. */
static struct spinlock kva_lock = SPINLOCK_INIT("kva");
static uint64_t kernel_root;
static vmm_user_fault_fn user_fault_handler;
/* KVA bookkeeping, one bit per page: used, and the first (guard) page of
 * each allocation, which also ends the previous one. */
static uint64_t kva_used[KVA_PAGES / 64];
static uint64_t kva_start[KVA_PAGES / 64];
static uint64_t kva_hint;

static bool bit(const uint64_t *map, uint64_t i) { return map[i / 64] >> (i % 64) & 1; }
static void bit_set(uint64_t *map, uint64_t i) { map[i / 64] |= 1ull << (i % 64); }
static void bit_clear(uint64_t *map, uint64_t i) { map[i / 64] &= ~(1ull << (i % 64)); }

/* A page table is a frame like any other: kernel/failinject.c fails it
 * on purpose through pmm_alloc's hook. */
static uint64_t table_alloc(void) { return pmm_alloc_zeroed(0); }
static void table_free(uint64_t phys) { pmm_free(phys, 0); }

uint64_t vmm_kernel_root(void) { return kernel_root; }

static int map_range(uint64_t va, uint64_t end, unsigned rights)
{
	const struct boot_info *bi = boot_info();

	for (; va < end; va += PAGE_SIZE) {
		int r;

		if (trap_stack_guard_hit(va))
			continue; /* hal's stack guard pages stay unmapped */
		/* the image runs where the loader placed it (KASLR) */
		r = paging_map(kernel_root, va, bi->kernel_phys + (va - (uint64_t)__kernel_start),
			       PAGE_SIZE, rights);
		if (r)
			return r;
	}
	return 0;
}

static void log_features(const char *what, unsigned set)
{
	char buf[64];
	size_t len = 0;

	buf[0] = 0;
	for (unsigned f = 1; f <= CPU_FEAT_PGE; f <<= 1)
		if (set & f) {
			const char *n = cpu_feature_name(f);
			if (len + strlen(n) + 2 < sizeof(buf)) {
				if (len)
					buf[len++] = ' ';
				strlcpy(buf + len, n, sizeof(buf) - len);
				len += strlen(n);
			}
		}
	log_info("vmm: CPU protection %s: %s", what, len ? buf : "none");
}

static int build_kernel_tables(void)
{
	const struct boot_info *bi = boot_info();
	uint64_t hhdm = (bi->hhdm_size + PAGE_SIZE_LARGE - 1) & ~(PAGE_SIZE_LARGE - 1);
	int r;

	if ((uint64_t)(__kernel_end - __kernel_start) > bi->kernel_size)
		panic("vmm: kernel image is larger than the loader says");
	kernel_root = paging_create(0);
	if (!kernel_root)
		return -ENOMEM;
	if ((r = map_range((uint64_t)__text_start, (uint64_t)__text_end, PAGING_EXEC)) ||
	    (r = map_range((uint64_t)__rodata_start, (uint64_t)__rodata_end, 0)) ||
	    (r = map_range((uint64_t)__data_start, (uint64_t)__kernel_end, PAGING_WRITE)))
		return r;
	for (uint64_t p = 0; p < hhdm; p += PAGE_SIZE_LARGE)
		if ((r = paging_map(kernel_root, BOOT_HHDM_BASE + p, p, PAGE_SIZE_LARGE, PAGING_WRITE)))
			return r;
	/* every kernel-half top-level entry that will ever exist exists now,
	 * so address spaces created later share all kernel mappings */
	return paging_prepare_top(kernel_root, VMM_KVA_BASE);
}

/* Classifies a page fault for the report; user addresses go to the process
 * layer's handler. Returns nonzero only when the fault was resolved. */
static int vmm_page_fault(struct trap_frame *f, const struct trap_page_fault *pf)
{
	bool user_addr = pf->addr < BOOT_HHDM_BASE;
	unsigned long long a = pf->addr;

	if (user_addr && user_fault_handler && user_fault_handler(pf) == 0)
		return 1;
	if (pf->user)
		return 0;
	/* an expected fault (tests, probing) is no kernel bug: stay quiet */
	if (trap_catch_claim(f))
		return 1;
	if (user_addr && pf->present && pf->access != TRAP_ACCESS_EXEC)
		log_err("vmm: kernel touched user address %#llx (user-access protection)", a);
	else if (user_addr && pf->access == TRAP_ACCESS_EXEC)
		log_err("vmm: kernel executed user address %#llx (user-execute protection)", a);
	else if (vmm_is_guard(pf->addr))
		log_err("vmm: %#llx is a guard page of the kernel virtual area", a);
	else if (pf->present && pf->access == TRAP_ACCESS_WRITE)
		log_err("vmm: write to read-only kernel page %#llx", a);
	else if (pf->present && pf->access == TRAP_ACCESS_EXEC)
		log_err("vmm: instruction fetch from no-execute page %#llx", a);
	return 0;
}

void vmm_set_user_fault_handler(vmm_user_fault_fn fn) { user_fault_handler = fn; }

int vmm_init(void)
{
	static const struct paging_frame_source src = { table_alloc, table_free };
	unsigned present = cpu_features_present(), on;
	int r;

	paging_set_frame_source(&src);
	/* NX must be on before any entry has it; global bits wait for PGE */
	on = cpu_features_enable(CPU_FEAT_NX | CPU_FEAT_WP);
	paging_set_cpu_options(present & CPU_FEAT_PGE, on & CPU_FEAT_NX);
	if ((r = build_kernel_tables())) {
		log_err("vmm: cannot build the kernel page tables (%d)", r);
		return r;
	}
	paging_activate(kernel_root);
	on = cpu_features_enable(CPU_FEAT_NX | CPU_FEAT_WP | CPU_FEAT_SMEP | CPU_FEAT_SMAP |
				 CPU_FEAT_UMIP | CPU_FEAT_PGE);
	paging_flush_all();
	log_features("present", present);
	log_features("enabled", on);
	exception_set_page_fault_hook(vmm_page_fault);
	exception_set_stack_guard_hook(vmm_is_guard);
	mmio_set_mapper(vmm_map_mmio, vmm_unmap_mmio);
	log_info("vmm: kernel page tables live at %#llx; loader tables dropped",
		 (unsigned long long)kernel_root);
	return 0;
}

/* First fit over the KVA bitmap: a guard page plus `pages` pages. Returns
 * the index of the first mapped page, or 0 (index 0 is always a guard). */
static uint64_t kva_reserve(uint64_t pages)
{
	uint64_t need = pages + 1;

	for (int pass = 0; pass < 2; pass++) {
		uint64_t i = pass ? 0 : kva_hint, run = 0;

		for (; i < KVA_PAGES; i++) {
			run = bit(kva_used, i) ? 0 : run + 1;
			if (run == need) {
				uint64_t first = i + 1 - need;

				for (uint64_t k = first; k <= i; k++)
					bit_set(kva_used, k);
				bit_set(kva_start, first);
				kva_hint = i + 1;
				return first + 1;
			}
		}
	}
	return 0;
}

/* The page count (guard excluded) of the allocation whose first mapped
 * page is index i, or 0 if i does not start one. */
static uint64_t kva_pages_of(uint64_t i)
{
	uint64_t n = 0;

	if (i == 0 || i >= KVA_PAGES || !bit(kva_start, i - 1))
		return 0;
	while (i + n < KVA_PAGES && bit(kva_used, i + n) && !bit(kva_start, i + n))
		n++;
	return n;
}

/* Releases the allocation whose first mapped page is index i; returns its
 * page count (guard excluded) or 0 if i does not start one. */
static uint64_t kva_release(uint64_t i)
{
	uint64_t n = 0;

	if (i == 0 || i >= KVA_PAGES || !bit(kva_start, i - 1))
		return 0;
	bit_clear(kva_start, i - 1);
	bit_clear(kva_used, i - 1);
	while (i + n < KVA_PAGES && bit(kva_used, i + n) && !bit(kva_start, i + n)) {
		bit_clear(kva_used, i + n);
		n++;
	}
	if (i - 1 < kva_hint)
		kva_hint = i - 1;
	return n;
}

static uint64_t kva_addr(uint64_t i) { return VMM_KVA_BASE + i * PAGE_SIZE; }

bool vmm_is_guard(uint64_t va)
{
	uint64_t i;

	if (va < VMM_KVA_BASE || va >= VMM_KVA_BASE + VMM_KVA_SIZE)
		return false;
	i = (va - VMM_KVA_BASE) / PAGE_SIZE;
	return bit(kva_start, i);
}

static void free_frame(uint64_t pa) { pmm_free(pa, 0); }

/* Every CPU maps the kernel's half: the frames go back once all of them
 * have dropped the translations. */
static void unmap_into(struct tlb_batch *b, uint64_t va, uint64_t pages)
{
	for (uint64_t k = 0; k < pages; k++) {
		uint64_t pa;

		if (paging_unmap(kernel_root, va + k * PAGE_SIZE, &pa, NULL) == 0)
			tlb_batch_add(b, va + k * PAGE_SIZE, pa);
	}
}

static void unmap_pages(uint64_t va, uint64_t pages, bool free_frames)
{
	struct tlb_batch b;

	tlb_batch_init(&b, kernel_root, free_frames ? free_frame : 0);
	unmap_into(&b, va, pages);
	tlb_batch_finish(&b);
}

static inline __attribute__((always_inline)) void *vmm_alloc_unlocked(size_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, i, va;

	if (pages == 0 || pages >= KVA_PAGES || !(i = kva_reserve(pages)))
		return NULL;
	va = kva_addr(i);
	for (uint64_t k = 0; k < pages; k++) {
		uint64_t pa = pmm_alloc(0);

		if (!pa || paging_map(kernel_root, va + k * PAGE_SIZE, pa, PAGE_SIZE, PAGING_WRITE)) {
			if (pa)
				pmm_free(pa, 0);
			unmap_pages(va, k, true);
			kva_release(i);
			return NULL;
		}
	}
	return (void *)va;
}

/* The pages are unmapped into b; the range is free for others once the
 * caller has finished b, before it drops kva_lock. */
static inline __attribute__((always_inline)) void vmm_free_into(struct tlb_batch *b, void *p)
{
	uint64_t va = (uint64_t)p, n;

	if (!p)
		return;
	if (va % PAGE_SIZE || va < VMM_KVA_BASE || va >= VMM_KVA_BASE + VMM_KVA_SIZE ||
	    !(n = kva_release((va - VMM_KVA_BASE) / PAGE_SIZE)))
		panic("vmm: free of %p, which vmm_alloc did not return (caller %p)", p,
		      __builtin_return_address(0));
	unmap_into(b, va, n);
}

static inline __attribute__((always_inline)) void vmm_free_unlocked(void *p)
{
	struct tlb_batch b;

	tlb_batch_init(&b, kernel_root, free_frame);
	vmm_free_into(&b, p);
	tlb_batch_finish(&b);
}

/* Kernel stacks are freed lazily (under kva_lock): a freed stack's pages
 * are unmapped at once, but its frames and its address range wait here
 * until one shootdown covers up to LAZY_PAGES of them. With several CPUs a
 * shootdown waits for every other CPU, so a thread's end should not cost
 * one. Nothing runs on a dead thread's stack, and neither its frames nor
 * its range go to anyone before the flush, so a translation another CPU
 * still holds reaches nothing someone else owns. At most LAZY_PAGES frames
 * (256 KiB, within smp_stress_4's MemFree slack) are held this way;
 * vmm_stacks_flush gives them back at once. */
#define LAZY_PAGES  64u
#define LAZY_RANGES 16u
static uint64_t lazy_frames[LAZY_PAGES];
static uint64_t lazy_range[LAZY_RANGES];    /* KVA index of each range's first mapped page */
static unsigned lazy_frame_count, lazy_range_count;
static uint64_t lazy_lo, lazy_hi;           /* the addresses the flush covers */

static void lazy_flush_unlocked(void)
{
	if (lazy_hi > lazy_lo)
		tlb_flush_range(kernel_root, lazy_lo, lazy_hi - lazy_lo);
	for (unsigned k = 0; k < lazy_frame_count; k++)
		pmm_free(lazy_frames[k], 0);
	for (unsigned k = 0; k < lazy_range_count; k++)
		(void)kva_release(lazy_range[k]);
	lazy_frame_count = lazy_range_count = 0;
	lazy_lo = lazy_hi = 0;
}

static void lazy_stack_free_unlocked(void *base)
{
	uint64_t va = (uint64_t)base, i, n, pa;

	if (!base)
		return;
	i = (va - VMM_KVA_BASE) / PAGE_SIZE;
	if (va % PAGE_SIZE || va < VMM_KVA_BASE || va >= VMM_KVA_BASE + VMM_KVA_SIZE ||
	    !(n = kva_pages_of(i)))
		panic("vmm: free of stack %p, which vmm_stack_alloc did not return", base);
	if (n > LAZY_PAGES) {
		vmm_free_unlocked(base);
		return;
	}
	if (lazy_range_count == LAZY_RANGES || lazy_frame_count + n > LAZY_PAGES)
		lazy_flush_unlocked();
	/* paging_unmap drops this CPU's translations: it faults at once */
	for (uint64_t k = 0; k < n; k++) {
		if (paging_unmap(kernel_root, va + k * PAGE_SIZE, &pa, NULL) == 0)
			lazy_frames[lazy_frame_count++] = pa;
		else if (k == 0)
			panic("vmm: stack %p freed twice", base);
	}
	if (lazy_hi == lazy_lo) {
		lazy_lo = va;
		lazy_hi = va + n * PAGE_SIZE;
	} else {
		lazy_lo = va < lazy_lo ? va : lazy_lo;
		lazy_hi = va + n * PAGE_SIZE > lazy_hi ? va + n * PAGE_SIZE : lazy_hi;
	}
	lazy_range[lazy_range_count++] = i;
}

void *vmm_stack_alloc(size_t bytes) { return vmm_alloc(bytes); }
void vmm_stack_free(void *base) { vmm_stacks_free(&base, 1); }

void vmm_stacks_free(void *const *bases, unsigned n)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);

	for (unsigned i = 0; i < n; i++)
		lazy_stack_free_unlocked(bases[i]);
	spin_unlock_irqrestore(&kva_lock, f);
}

void vmm_stacks_flush(void)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);

	lazy_flush_unlocked();
	spin_unlock_irqrestore(&kva_lock, f);
}

static inline __attribute__((always_inline)) void *vmm_map_mmio_unlocked(uint64_t phys, size_t bytes)
{
	uint64_t off = phys % PAGE_SIZE, base = phys - off;
	uint64_t pages = (off + bytes + PAGE_SIZE - 1) / PAGE_SIZE, i, va;

	if (bytes == 0 || pages >= KVA_PAGES || base + pages * PAGE_SIZE < base ||
	    !(i = kva_reserve(pages)))
		return NULL;
	va = kva_addr(i);
	for (uint64_t k = 0; k < pages; k++)
		if (paging_map(kernel_root, va + k * PAGE_SIZE, base + k * PAGE_SIZE, PAGE_SIZE,
			       PAGING_WRITE | PAGING_UNCACHED)) {
			unmap_pages(va, k, false);
			kva_release(i);
			return NULL;
		}
	return (void *)(va + off);
}

static inline __attribute__((always_inline)) void vmm_unmap_mmio_unlocked(void *p)
{
	uint64_t va = (uint64_t)p & ~(PAGE_SIZE - 1), n;

	if (!p)
		return;
	if (va < VMM_KVA_BASE || va >= VMM_KVA_BASE + VMM_KVA_SIZE ||
	    !(n = kva_release((va - VMM_KVA_BASE) / PAGE_SIZE)))
		panic("vmm: unmap of %p, which vmm_map_mmio did not return", p);
	unmap_pages(va, n, false);
}

/* The public entry points: the bodies above under kva_lock (inlined, so
 * their panic messages still name the real caller). */
void *vmm_alloc(size_t bytes)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);
	void *p = vmm_alloc_unlocked(bytes);

	spin_unlock_irqrestore(&kva_lock, f);
	return p;
}

void vmm_free(void *p)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);

	vmm_free_unlocked(p);
	spin_unlock_irqrestore(&kva_lock, f);
}

void *vmm_map_mmio(uint64_t phys, size_t bytes)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);
	void *p = vmm_map_mmio_unlocked(phys, bytes);

	spin_unlock_irqrestore(&kva_lock, f);
	return p;
}

int vmm_walk_kernel(paging_walk_fn fn, void *ctx)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);
	int r = paging_walk(kernel_root, 0, UINT64_MAX, fn, ctx);

	spin_unlock_irqrestore(&kva_lock, f);
	return r;
}

void vmm_unmap_mmio(void *p)
{
	uint64_t f = spin_lock_irqsave(&kva_lock);

	vmm_unmap_mmio_unlocked(p);
	spin_unlock_irqrestore(&kva_lock, f);
}
