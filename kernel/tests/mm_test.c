/* In-kernel tests of memory management: the frame allocator gives back
 * every frame, page tables map and unmap, the kernel's rights hold (each
 * forbidden access faults), and the heap's debug checks catch misuse. */
#include <kernel/ktest.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <hal/cpu_features.h>
#include <hal/paging.h>
#include <hal/trap.h>
#include <lib/string.h>
#include <cosmos/errno.h>

extern char __text_start[], __rodata_start[], __data_start[];
extern uint8_t boot_stack_guard[];

/* Test mappings go above the vmm's own part of the kernel virtual area. */
#define TEST_VA (VMM_KVA_BASE + (8ull << 30))
#define TEST_USER_VA 0x40000000ull

KTEST(pmm_all_frames_come_back)
{
	uint64_t start = pmm_free_pages(), n = 0, head = 0, pa;

	/* chain every free frame through its own first word */
	while ((pa = pmm_alloc(0))) {
		*(uint64_t *)PHYS_TO_VIRT(pa) = head;
		head = pa;
		n++;
	}
	KT_EXPECT_EQ(t, n, start);
	KT_EXPECT_EQ(t, pmm_free_pages(), 0);
	KT_EXPECT_EQ(t, pmm_alloc(0), 0);
	while (head) {
		uint64_t next = *(uint64_t *)PHYS_TO_VIRT(head);
		pmm_free(head, 0);
		head = next;
	}
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
	/* and they coalesced again: a 4 MiB block is available */
	pa = pmm_alloc(PMM_MAX_ORDER);
	KT_EXPECT(t, pa != 0);
	if (pa)
		pmm_free(pa, PMM_MAX_ORDER);
}

KTEST(pmm_blocks_are_aligned)
{
	uint64_t start = pmm_free_pages(), blocks[PMM_MAX_ORDER + 1];

	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
		blocks[o] = pmm_alloc(o);
		KT_ASSERT(t, blocks[o] != 0);
		KT_EXPECT_EQ(t, blocks[o] % (PMM_PAGE << o), 0);
		memset(PHYS_TO_VIRT(blocks[o]), 0x5a, PMM_PAGE << o);
	}
	KT_EXPECT_EQ(t, pmm_free_pages(), start - ((2ull << PMM_MAX_ORDER) - 1));
	KT_EXPECT_EQ(t, pmm_alloc(PMM_MAX_ORDER + 1), 0);
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
		pmm_free(blocks[o], o);
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
}

/* The run of the (sorted) boot map holding phys, or NULL. */
static const struct boot_mmap_entry *map_run(const struct boot_mmap_entry *m, unsigned n,
					     uint64_t phys)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (phys < m[mid].phys)
			hi = mid;
		else if (phys >= m[mid].phys + m[mid].pages * PMM_PAGE)
			lo = mid + 1;
		else
			return &m[mid];
	}
	return NULL;
}

/* May the allocator hand out [pa, end)? Only memory the map lets the kernel
 * reuse: conventional memory, loader and boot memory (reclaimed at boot),
 * the initrd's once released; never frame 0 or the page holding the RSDP.
 * NULL if so, else what it is. */
static const char *not_reusable(const struct boot_mmap_entry *m, unsigned n, uint64_t pa,
				uint64_t end, uint64_t rsdp, bool initrd_released)
{
	if (pa == 0)
		return "frame 0";
	if (rsdp && pa <= rsdp && rsdp < end)
		return "the RSDP's page";
	while (pa < end) {
		const struct boot_mmap_entry *run = map_run(m, n, pa);

		if (!run)
			return "memory outside the map";
		if (run->type != BOOT_MEM_USABLE && run->type != BOOT_MEM_LOADER &&
		    run->type != BOOT_MEM_BOOT_SERVICES && run->type != BOOT_MEM_BOOT_DATA &&
		    !(run->type == BOOT_MEM_INITRD && initrd_released))
			return boot_mem_type_name(run->type);
		pa = run->phys + run->pages * PMM_PAGE;
	}
	return NULL;
}

/* Reclaimed loader and boot-services memory counts as free but is handed
 * out last: while it is held, single frames and blocks come from
 * conventional memory; it joins the zones only when they run low or lack
 * a block asked for (in ktest=all, a test that takes every frame has
 * made them so before this one). */
KTEST(pmm_boot_memory_handed_out_last)
{
	enum { FRAMES = 256, BLOCKS = 8 };
	static uint64_t frames[FRAMES], blocks[BLOCKS];
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	struct pmm_stats s;
	unsigned from_boot = 0;

	pmm_get_stats(&s);
	if (s.held_released) {
		KT_EXPECT_EQ(t, s.held_pages, 0);
		KT_EXPECT(t, s.released_for_block || s.released_free < s.low_pages);
		return;
	}
	KT_ASSERT(t, s.held_pages > 0);
	KT_EXPECT(t, s.free_pages >= s.held_pages);
	for (unsigned i = 0; i < FRAMES; i++)
		frames[i] = pmm_alloc(0);
	for (unsigned i = 0; i < BLOCKS; i++)
		blocks[i] = pmm_alloc(4);
	for (unsigned i = 0; i < FRAMES + BLOCKS; i++) {
		uint64_t pa = i < FRAMES ? frames[i] : blocks[i - FRAMES];
		const struct boot_mmap_entry *run = map_run(m, n, pa);

		KT_ASSERT(t, pa != 0 && run != NULL);
		if (run->type != BOOT_MEM_USABLE && from_boot++ < 4)
			kprintf("# frame %#llx handed out from %s memory\n", (unsigned long long)pa,
				boot_mem_type_name(run->type));
	}
	KT_EXPECT_EQ(t, from_boot, 0);
	for (unsigned i = 0; i < FRAMES; i++)
		pmm_free(frames[i], 0);
	for (unsigned i = 0; i < BLOCKS; i++)
		pmm_free(blocks[i], 4);
	pmm_get_stats(&s);
	KT_EXPECT(t, !s.held_released && s.held_pages > 0);
}

/* Single frames come from this CPU's cache: alternating allocations and
 * frees take the global lock not once, a run longer than the cache takes
 * it only per batch, and the free count stays exact throughout (cached
 * frames count as free). */
KTEST(pmm_single_frames_skip_the_global_lock)
{
	enum { RUN = 200 };
	static uint64_t held[RUN];
	uint64_t start, takes, pa;

	pmm_free(pmm_alloc(0), 0);   /* the cache has a frame */
	start = pmm_free_pages();
	takes = pmm_lock_takes();
	for (int i = 0; i < 1000; i++) {
		pa = pmm_alloc(0);
		KT_ASSERT(t, pa != 0);
		pmm_free(pa, 0);
	}
	KT_EXPECT_EQ(t, pmm_lock_takes(), takes);
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
	/* the most recently freed frame is the next one handed out */
	pa = pmm_alloc(0);
	pmm_free(pa, 0);
	KT_EXPECT_EQ(t, pmm_alloc(0), pa);
	pmm_free(pa, 0);

	takes = pmm_lock_takes();
	for (int i = 0; i < RUN; i++) {
		held[i] = pmm_alloc(0);
		KT_ASSERT(t, held[i] != 0);
		KT_EXPECT_EQ(t, pmm_free_pages(), start - (uint64_t)i - 1);
		KT_EXPECT_EQ(t, pmm_refcount(held[i]), 1);
	}
	for (int i = 0; i < RUN; i++)
		pmm_free(held[i], 0);
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
	/* refills and drains of 16: about 2 * 200 / 16, far from 400 */
	KT_EXPECT(t, pmm_lock_takes() - takes <= 2 * RUN / 16 + 4);
	pmm_drain_cache();
	KT_EXPECT_EQ(t, pmm_free_pages(), start);
}

KTEST(pmm_accounting_matches_map)
{
	struct pmm_stats s;
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t conventional = 0, ram = 0, owned = 0, handed = 0, bad = 0, head = 0, pa;
	uint64_t rsdp = boot_info()->acpi_rsdp_phys;
	bool initrd_released = boot_initrd(NULL) == NULL;
	const char *why;

	pmm_get_stats(&s);
	for (unsigned i = 0; i < n; i++) {
		uint32_t ty = m[i].type;

		if (ty == BOOT_MEM_USABLE)
			conventional += m[i].pages;
		if (ty != BOOT_MEM_MMIO && ty != BOOT_MEM_RESERVED)
			ram += m[i].pages;
		if (ty == BOOT_MEM_USABLE || ty == BOOT_MEM_LOADER || ty == BOOT_MEM_BOOT_SERVICES ||
		    ty == BOOT_MEM_KERNEL || ty == BOOT_MEM_BOOT_DATA || ty == BOOT_MEM_INITRD)
			owned += m[i].pages;
	}
	KT_EXPECT_EQ(t, s.total_pages, ram);
	KT_EXPECT_EQ(t, s.usable_pages, owned);

	/* each block holds the next one's address and its own order */
	for (unsigned order = PMM_MAX_ORDER + 1; order-- > 0;) {
		while ((pa = pmm_alloc(order))) {
			uint64_t *b = PHYS_TO_VIRT(pa);

			b[0] = head;
			b[1] = order;
			head = pa;
			handed += 1ull << order;
			why = not_reusable(m, n, pa, pa + (PMM_PAGE << order), rsdp, initrd_released);
			if (why && bad++ < 4)
				kprintf("# block %#llx of order %u handed out: %s\n",
					(unsigned long long)pa, order, why);
		}
	}
	while (head) {
		uint64_t *b = PHYS_TO_VIRT(head), next = b[0];

		pmm_free(head, (unsigned)b[1]);
		head = next;
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, handed, s.free_pages);
	KT_EXPECT_EQ(t, pmm_free_pages(), s.free_pages);
	KT_EXPECT(t, s.free_pages > conventional - s.meta_pages - 1024); /* boot memory came back */
	KT_EXPECT(t, s.free_pages < s.usable_pages);
}

KTEST(paging_map_translate_unmap)
{
	uint64_t root = vmm_kernel_root(), pa = pmm_alloc_zeroed(0), big = pmm_alloc(9);
	uint64_t got, size;
	unsigned rights;

	KT_ASSERT(t, pa && big);
	KT_EXPECT_EQ(t, paging_translate(root, TEST_VA, &got, NULL, NULL), -ENOENT);
	KT_EXPECT_EQ(t, paging_map(root, TEST_VA, pa, PAGE_SIZE, PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, paging_map(root, TEST_VA, pa, PAGE_SIZE, PAGING_WRITE), -EEXIST);
	KT_EXPECT_EQ(t, paging_map(root, TEST_VA + 1, pa, PAGE_SIZE, 0), -EINVAL);
	KT_EXPECT_EQ(t, paging_translate(root, TEST_VA + 0x123, &got, &rights, &size), 0);
	KT_EXPECT_EQ(t, got, pa + 0x123);
	KT_EXPECT_EQ(t, rights, PAGING_WRITE);
	KT_EXPECT_EQ(t, size, PAGE_SIZE);
	*(volatile uint64_t *)TEST_VA = 0x1122334455667788ull;
	KT_EXPECT_EQ(t, *(uint64_t *)PHYS_TO_VIRT(pa), 0x1122334455667788ull);
	KT_EXPECT_EQ(t, paging_protect(root, TEST_VA, PAGING_EXEC), 0);
	KT_EXPECT_EQ(t, paging_translate(root, TEST_VA, NULL, &rights, NULL), 0);
	KT_EXPECT_EQ(t, rights, PAGING_EXEC);
	KT_EXPECT_EQ(t, paging_unmap(root, TEST_VA, &got, &size), 0);
	KT_EXPECT_EQ(t, got, pa);
	KT_EXPECT_EQ(t, paging_translate(root, TEST_VA, &got, NULL, NULL), -ENOENT);
	KT_EXPECT_EQ(t, paging_unmap(root, TEST_VA, NULL, NULL), -ENOENT);

	/* a 2 MiB page */
	KT_EXPECT_EQ(t, paging_map(root, TEST_VA + PAGE_SIZE_LARGE, big, PAGE_SIZE_LARGE, PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, paging_translate(root, TEST_VA + PAGE_SIZE_LARGE + 0x12345, &got, NULL, &size), 0);
	KT_EXPECT_EQ(t, got, big + 0x12345);
	KT_EXPECT_EQ(t, size, PAGE_SIZE_LARGE);
	*(volatile uint32_t *)(TEST_VA + PAGE_SIZE_LARGE + 0x1ffffc) = 0xcafe;
	KT_EXPECT_EQ(t, *(uint32_t *)PHYS_TO_VIRT(big + 0x1ffffc), 0xcafe);
	KT_EXPECT_EQ(t, paging_unmap(root, TEST_VA + PAGE_SIZE_LARGE + 0x5000, &got, &size), 0);
	KT_EXPECT_EQ(t, got, big);
	KT_EXPECT_EQ(t, size, PAGE_SIZE_LARGE);
	pmm_free(pa, 0);
	pmm_free(big, 9);
}

KTEST(paging_address_space_create_destroy)
{
	uint64_t before, root, pa, got;
	unsigned rights;

	heap_shrink();
	before = pmm_free_pages();
	root = paging_create(vmm_kernel_root());
	pa = pmm_alloc(0);
	KT_ASSERT(t, root && pa);
	KT_EXPECT_EQ(t, paging_map(root, TEST_USER_VA, pa, PAGE_SIZE, PAGING_USER | PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, paging_translate(root, TEST_USER_VA, &got, &rights, NULL), 0);
	KT_EXPECT_EQ(t, got, pa);
	KT_EXPECT_EQ(t, rights, PAGING_USER | PAGING_WRITE);
	/* the user page is not in the kernel's own tables */
	KT_EXPECT_EQ(t, paging_translate(vmm_kernel_root(), TEST_USER_VA, NULL, NULL, NULL), -ENOENT);
	/* the kernel half is shared */
	KT_EXPECT_EQ(t, paging_translate(root, (uint64_t)__text_start, &got, NULL, NULL), 0);
	KT_EXPECT_EQ(t, got, boot_info()->kernel_phys);
	paging_destroy(root);
	pmm_free(pa, 0);
	KT_EXPECT_EQ(t, pmm_free_pages(), before);
}

static uint64_t bss_word;

KTEST(vmm_kernel_rights_are_exact)
{
	uint64_t root = vmm_kernel_root();
	unsigned r;

	KT_EXPECT_EQ(t, paging_active(), root);
	KT_EXPECT_EQ(t, paging_translate(root, (uint64_t)__text_start, NULL, &r, NULL), 0);
	KT_EXPECT_EQ(t, r, PAGING_EXEC);
	KT_EXPECT_EQ(t, paging_translate(root, (uint64_t)__rodata_start, NULL, &r, NULL), 0);
	KT_EXPECT_EQ(t, r, 0);
	KT_EXPECT_EQ(t, paging_translate(root, (uint64_t)__data_start, NULL, &r, NULL), 0);
	KT_EXPECT_EQ(t, r, PAGING_WRITE);
	KT_EXPECT_EQ(t, paging_translate(root, (uint64_t)&bss_word, NULL, &r, NULL), 0);
	KT_EXPECT_EQ(t, r, PAGING_WRITE);
	KT_EXPECT_EQ(t, paging_translate(root, BOOT_HHDM_BASE + 0x100000, NULL, &r, NULL), 0);
	KT_EXPECT_EQ(t, r, PAGING_WRITE);
	/* nothing in the user half, no identity map of low memory or the kernel */
	KT_EXPECT_EQ(t, paging_translate(root, 0, NULL, NULL, NULL), -ENOENT);
	KT_EXPECT_EQ(t, paging_translate(root, 0x100000, NULL, NULL, NULL), -ENOENT);
	KT_EXPECT_EQ(t, paging_translate(root, boot_info()->kernel_phys, NULL, NULL, NULL), -ENOENT);
	KT_EXPECT_EQ(t, paging_translate(root, (uint64_t)boot_stack_guard, NULL, NULL, NULL), -ENOENT);
	KT_EXPECT(t, cpu_features_enabled() & CPU_FEAT_WP);
	KT_EXPECT(t, (cpu_features_enabled() & CPU_FEAT_NX) || !(cpu_features_present() & CPU_FEAT_NX));
}

/* ---- forbidden accesses: each must raise a page fault ---- */

static uint8_t data_ret[16] = { 0xc3 }; /* "ret", in .data */

static void write_byte(void *p) { *(volatile uint8_t *)p = *(volatile uint8_t *)p; }
static void store_byte(void *p) { *(volatile uint8_t *)p = 0; }
static void read_byte(void *p) { (void)*(volatile uint8_t *)p; }
static void call_at(void *p) { ((void (*)(void))(uintptr_t)p)(); }

static void call_on_stack(void *unused)
{
	volatile uint8_t code[16];

	(void)unused;
	code[0] = 0xc3;
	call_at((void *)code);
}

/* present: a rights violation (else a missing page) */
static void expect_pf(struct ktest_ctx *t, void (*fn)(void *), void *arg, uint64_t addr,
		      enum trap_access access, bool present)
{
	struct trap_info info;

	if (!trap_catch(fn, arg, &info)) {
		ktest_fail(t, __FILE__, __LINE__, "access to %p did not fault", arg);
		return;
	}
	KT_EXPECT_EQ(t, info.vector, TRAP_PF);
	KT_EXPECT_EQ(t, info.pf.addr, addr);
	KT_EXPECT_EQ(t, info.pf.access, access);
	KT_EXPECT_EQ(t, info.pf.present, present);
	KT_EXPECT(t, !info.pf.user);
}

KTEST(fault_writing_kernel_text)
{
	expect_pf(t, write_byte, (void *)(uintptr_t)write_byte, (uint64_t)(uintptr_t)write_byte,
		  TRAP_ACCESS_WRITE, true);
	expect_pf(t, write_byte, __rodata_start, (uint64_t)__rodata_start, TRAP_ACCESS_WRITE, true);
}

KTEST(fault_executing_heap_stack_data)
{
	uint8_t *heap = kmalloc(64);
	struct trap_info info;

	KT_ASSERT(t, heap);
	heap[0] = 0xc3;
	expect_pf(t, call_at, heap, (uint64_t)heap, TRAP_ACCESS_EXEC, true);
	expect_pf(t, call_at, data_ret, (uint64_t)data_ret, TRAP_ACCESS_EXEC, true);
	KT_EXPECT(t, trap_catch(call_on_stack, NULL, &info));
	KT_EXPECT_EQ(t, info.vector, TRAP_PF);
	KT_EXPECT_EQ(t, info.pf.access, TRAP_ACCESS_EXEC);
	KT_EXPECT(t, info.pf.present);
	kfree(heap);
}

KTEST(fault_kernel_touching_user_page)
{
	uint64_t root = vmm_kernel_root(), pa = pmm_alloc_zeroed(0);
	struct trap_info info;

	KT_ASSERT(t, pa);
	/* what the CPU reports must be on */
	KT_EXPECT_EQ(t, cpu_features_enabled() & (CPU_FEAT_SMAP | CPU_FEAT_SMEP),
		     cpu_features_present() & (CPU_FEAT_SMAP | CPU_FEAT_SMEP));
	if (!(cpu_features_present() & CPU_FEAT_SMAP))
		kprintf("# SMAP not available on this CPU\n");
	KT_ASSERT(t, paging_map(root, TEST_USER_VA, pa, PAGE_SIZE, PAGING_USER | PAGING_WRITE | PAGING_EXEC) == 0);
	*(uint8_t *)PHYS_TO_VIRT(pa) = 0xc3;
	if (cpu_features_enabled() & CPU_FEAT_SMAP) {
		expect_pf(t, read_byte, (void *)TEST_USER_VA, TEST_USER_VA, TRAP_ACCESS_READ, true);
		expect_pf(t, store_byte, (void *)TEST_USER_VA, TEST_USER_VA, TRAP_ACCESS_WRITE, true);
		/* a deliberate user access is allowed */
		cpu_user_access_begin();
		KT_EXPECT(t, !trap_catch(read_byte, (void *)TEST_USER_VA, &info));
		cpu_user_access_end();
	}
	if (cpu_features_enabled() & CPU_FEAT_SMEP)
		expect_pf(t, call_at, (void *)TEST_USER_VA, TEST_USER_VA, TRAP_ACCESS_EXEC, true);
	KT_EXPECT_EQ(t, paging_unmap(root, TEST_USER_VA, NULL, NULL), 0);
	pmm_free(pa, 0);
}

KTEST(fault_stack_guard_page)
{
	uint64_t before;
	uint8_t *stack;
	struct trap_info info;

	vmm_stacks_flush();     /* stacks freed earlier, held until a shootdown */
	before = pmm_free_pages();
	stack = vmm_stack_alloc(16384);

	KT_ASSERT(t, stack);
	KT_EXPECT(t, !trap_catch(write_byte, stack, &info));
	KT_EXPECT(t, !trap_catch(write_byte, stack + 16383, &info));
	KT_EXPECT(t, vmm_is_guard((uint64_t)(stack - 1)));
	expect_pf(t, store_byte, stack - 1, (uint64_t)(stack - 1), TRAP_ACCESS_WRITE, false);
	expect_pf(t, store_byte, stack - PAGE_SIZE, (uint64_t)(stack - PAGE_SIZE), TRAP_ACCESS_WRITE, false);
	/* and the boot stack's guard */
	expect_pf(t, store_byte, boot_stack_guard + 4095, (uint64_t)(boot_stack_guard + 4095),
		  TRAP_ACCESS_WRITE, false);
	vmm_stack_free(stack);
	/* unmapped at once; its frames held until the next shootdown */
	expect_pf(t, store_byte, stack, (uint64_t)stack, TRAP_ACCESS_WRITE, false);
	KT_EXPECT_EQ(t, pmm_free_pages(), before - 4);
	vmm_stacks_flush();
	KT_EXPECT_EQ(t, pmm_free_pages(), before);
}

KTEST(vmm_alloc_and_mmio)
{
	uint64_t before, pa, got;
	void *a[8];
	unsigned rights;
	volatile uint32_t *regs;

	/* page tables of the area stay once made: make them before counting */
	vmm_free(vmm_alloc(64 << 20));
	before = pmm_free_pages();
	pa = pmm_alloc_zeroed(0);
	KT_ASSERT(t, pa);
	for (unsigned i = 0; i < 8; i++) {
		a[i] = vmm_alloc((i + 1) * 5000);
		KT_ASSERT(t, a[i]);
		memset(a[i], (int)i, (i + 1) * 5000);
	}
	for (unsigned i = 0; i < 8; i += 2)
		vmm_free(a[i]);
	for (unsigned i = 1; i < 8; i += 2)
		KT_EXPECT_EQ(t, ((uint8_t *)a[i])[(i + 1) * 5000 - 1], i);
	for (unsigned i = 1; i < 8; i += 2)
		vmm_free(a[i]);
	regs = vmm_map_mmio(pa + 0x10, 8);
	KT_ASSERT(t, regs);
	KT_EXPECT_EQ(t, (uint64_t)regs % PAGE_SIZE, 0x10);
	KT_EXPECT_EQ(t, paging_translate(vmm_kernel_root(), (uint64_t)regs, &got, &rights, NULL), 0);
	KT_EXPECT_EQ(t, got, pa + 0x10);
	KT_EXPECT_EQ(t, rights, PAGING_WRITE | PAGING_UNCACHED);
	regs[1] = 0xdeadbeef;
	KT_EXPECT_EQ(t, *(uint32_t *)PHYS_TO_VIRT(pa + 0x14), 0xdeadbeef);
	vmm_unmap_mmio((void *)regs);
	KT_EXPECT_EQ(t, paging_translate(vmm_kernel_root(), (uint64_t)regs, NULL, NULL, NULL), -ENOENT);
	pmm_free(pa, 0);
	KT_EXPECT_EQ(t, pmm_free_pages(), before);
}

/* ---- heap ---- */

KTEST(heap_alignment_and_stats)
{
	static const size_t sizes[] = { 1, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 64, 100, 128, 200,
					256, 500, 512, 1000, 1024, 2000, 2048, 2049, 3000, 4096,
					4097, 10000, 65536, 100000 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	struct heap_stats before, after;

	heap_get_stats(&before);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], align = 1;

		p[i] = kmalloc(n);
		KT_ASSERT(t, p[i]);
		while (align * 2 <= n && align < 4096)
			align *= 2;
		if ((uintptr_t)p[i] % align)
			ktest_fail(t, __FILE__, __LINE__, "kmalloc(%zu) = %p is not %zu-aligned", n, p[i], align);
		memset(p[i], 0xee, n);
	}
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		kfree(p[i]);
	heap_get_stats(&after);
	for (unsigned c = 0; c < HEAP_CLASSES; c++) {
		KT_EXPECT_EQ(t, after.cls[c].objects, before.cls[c].objects);
		KT_EXPECT_EQ(t, after.cls[c].bytes, before.cls[c].bytes);
	}
	KT_EXPECT_EQ(t, after.large_pages, before.large_pages);
	p[0] = kzalloc(300);
	KT_ASSERT(t, p[0]);
	for (unsigned i = 0; i < 300; i++)
		KT_EXPECT_EQ(t, ((uint8_t *)p[0])[i], 0);
	heap_get_stats(&after);
	KT_EXPECT_EQ(t, after.cls[5].objects, before.cls[5].objects + 1); /* 512 class */
	kfree(p[0]);
}

/* With the debug checks off (heapdebug=off: system case
 * heap_magazines_skip_the_global_lock) small objects come from this CPU's
 * magazine, and kmalloc/kfree pairs take the global lock not once; with
 * them on every call goes to the slab under the lock. Either way the
 * objects in use come back to where they were. */
KTEST(heap_small_objects_skip_the_global_lock)
{
	struct heap_stats before, after;
	uint64_t takes;

	kfree(kmalloc(48));
	heap_get_stats(&before);
	takes = heap_lock_takes();
	for (int i = 0; i < 1000; i++) {
		void *p = kmalloc(48);

		KT_ASSERT(t, p != NULL);
		kfree(p);
	}
	KT_EXPECT_EQ(t, heap_lock_takes() - takes, heap_debug_enabled() ? 2000 : 0);
	heap_get_stats(&after);
	KT_EXPECT_EQ(t, after.cls[2].objects, before.cls[2].objects);
	heap_shrink();
	heap_get_stats(&after);
	KT_EXPECT_EQ(t, after.cls[2].objects, before.cls[2].objects);
}

KTEST(heap_krealloc_keeps_contents)
{
	uint8_t *p = kmalloc(10);

	KT_ASSERT(t, p);
	for (unsigned i = 0; i < 10; i++)
		p[i] = (uint8_t)i;
	p = krealloc(p, 5000);
	KT_ASSERT(t, p);
	for (unsigned i = 0; i < 10; i++)
		KT_EXPECT_EQ(t, p[i], i);
	memset(p + 10, 0x77, 4990);
	p = krealloc(p, 40);
	KT_ASSERT(t, p);
	KT_EXPECT_EQ(t, p[9], 9);
	KT_EXPECT_EQ(t, p[39], 0x77);
	KT_EXPECT_EQ(t, krealloc(p, 0), NULL);
}

KTEST(heap_gives_back_every_page)
{
	void *objs[600];
	uint64_t before;

	heap_shrink();
	before = pmm_free_pages();
	for (unsigned i = 0; i < 600; i++) {
		objs[i] = kmalloc((size_t)16 << (i % 10));
		KT_ASSERT(t, objs[i]);
	}
	KT_EXPECT(t, pmm_free_pages() < before);
	for (unsigned i = 0; i < 600; i += 2)
		kfree(objs[i]);
	for (unsigned i = 1; i < 600; i += 2)
		kfree(objs[i]);
	heap_shrink();
	KT_EXPECT_EQ(t, pmm_free_pages(), before);
}

KTEST(heap_out_of_memory_returns_null)
{
	uint64_t before, n = 0;
	void **head = NULL, **p;

	heap_shrink();
	before = pmm_free_pages();
	while ((p = kmalloc(1 << 20))) {
		*p = head;
		head = p;
		n++;
	}
	while ((p = kmalloc(100))) {
		*p = head;
		head = p;
	}
	KT_EXPECT(t, n > 0);
	while (head) {
		p = *head;
		kfree(head);
		head = p;
	}
	heap_shrink();
	KT_EXPECT_EQ(t, pmm_free_pages(), before);
}

KTEST(heap_debug_catches_double_free)
{
	uint64_t errors = heap_debug_errors();
	void *a, *b;

	KT_ASSERT(t, heap_debug_enabled());
	a = kmalloc(40);
	b = kmalloc(8000);
	KT_ASSERT(t, a && b);
	kfree(a);
	kfree(a);
	KT_EXPECT_EQ(t, heap_debug_errors(), errors + 1);
	kfree(b);
	kfree(b);
	KT_EXPECT_EQ(t, heap_debug_errors(), errors + 2);
	kfree(data_ret);
	KT_EXPECT_EQ(t, heap_debug_errors(), errors + 3);
}

KTEST(heap_debug_catches_overflow)
{
	uint64_t errors = heap_debug_errors();
	uint8_t *a;

	KT_ASSERT(t, heap_debug_enabled());
	a = kmalloc(20);
	KT_ASSERT(t, a);
	memset(a, 1, 20);
	kfree(a);
	KT_EXPECT_EQ(t, heap_debug_errors(), errors);
	a = kmalloc(20);
	KT_ASSERT(t, a);
	a[20] = 1; /* one past the end */
	kfree(a);
	KT_EXPECT_EQ(t, heap_debug_errors(), errors + 1);
	a = kmalloc(64);
	KT_ASSERT(t, a);
	kfree(a);
	a[10] = 0; /* write after free: found when the slot is handed out again */
	a = kmalloc(64);
	kfree(a);
	KT_EXPECT_EQ(t, heap_debug_errors(), errors + 2);
}

/* ---- the process layer's fault hook ---- */

static uint64_t demand_frame;
static int demand_calls;

/* Maps a frame on the first touch of TEST_USER_VA, like demand paging. */
static int demand_handler(const struct trap_page_fault *pf)
{
	demand_calls++;
	if ((pf->addr & ~(PAGE_SIZE - 1)) != TEST_USER_VA || !demand_frame || pf->present ||
	    pf->access != TRAP_ACCESS_WRITE)
		return -EFAULT;
	return paging_map(vmm_kernel_root(), TEST_USER_VA, demand_frame, PAGE_SIZE,
			  PAGING_USER | PAGING_WRITE);
}

static void user_store(void *p)
{
	cpu_user_access_begin();
	*(volatile uint32_t *)p = 0xfeed;
	cpu_user_access_end();
}

KTEST(vmm_user_fault_handler_resolves_user_faults)
{
	struct trap_info info;

	demand_frame = pmm_alloc_zeroed(0);
	KT_ASSERT(t, demand_frame);
	demand_calls = 0;
	vmm_set_user_fault_handler(demand_handler);
	KT_EXPECT(t, !trap_catch(user_store, (void *)(TEST_USER_VA + 8), &info));
	KT_EXPECT_EQ(t, demand_calls, 1);
	KT_EXPECT_EQ(t, *(uint32_t *)PHYS_TO_VIRT(demand_frame + 8), 0xfeed);
	/* an address the handler refuses is still a fault */
	KT_EXPECT(t, trap_catch(user_store, (void *)(TEST_USER_VA + 2 * PAGE_SIZE), &info));
	KT_EXPECT_EQ(t, demand_calls, 2);
	/* a kernel address never reaches it */
	KT_EXPECT(t, trap_catch(store_byte, (void *)(TEST_VA + 5 * PAGE_SIZE), &info));
	KT_EXPECT_EQ(t, demand_calls, 2);
	vmm_set_user_fault_handler(NULL);
	KT_EXPECT_EQ(t, paging_unmap(vmm_kernel_root(), TEST_USER_VA, NULL, NULL), 0);
	pmm_free(demand_frame, 0);
	demand_frame = 0;
}
