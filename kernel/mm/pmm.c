/* Frame allocator: one buddy zone per run of RAM in the boot memory map (so
 * holes such as the 32-bit MMIO window cost no metadata), with the zones'
 * metadata carved out of conventional memory. */
#include <kernel/mm/pmm.h>
#include <kernel/mm/shrink.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sync/spinlock.h>
#include <hal/cpu.h>
#include <hal/ipi.h>
#include <hal/percpu.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define PMM_MAX_ZONES 32
/* Runs of RAM closer than this share a zone; the gap frames stay reserved. */
#define PMM_MERGE_GAP 256

/* pmm state: the zones' free lists and frame metadata are protected by
 * pmm_lock (threads are preemptive); the rest is written only at init. */
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct buddy_zone zones[PMM_MAX_ZONES];
static unsigned nzones;
static uint64_t usable_pages, total_pages, reserved_pages, meta_pages;
static uint64_t meta_phys;
static int reclaimed;
/* Loader and boot-services memory, reclaimed at boot but given to the
 * zones only when they run low (pmm_lock): under QEMU's TCG those frames
 * hold the firmware's and the loader's translated code, and QEMU checks
 * every write to such a frame against its translations until the last one
 * there is overwritten. The boot's initramfs unpack took 54 ms in them
 * against 12 ms in conventional memory; on hardware the order costs
 * nothing. Held frames count as free. */
static uint64_t held_pages;
static bool held_released;      /* it joined them (the ktests): */
static bool released_for_block; /* for want of a block, */
static uint64_t released_free;  /* or with this many free frames */
/* Set once at boot (kernel/failinject.c). */
static bool (*fail_hook)(uintptr_t caller);
static uint64_t free_pages_locked(void);
static uint64_t lock_takes;   /* pmm_lock: times taken (the ktests count them) */
/* Memory pressure (kernel/mm/shrink.h): when a refill or a larger block
 * leaves the zones with fewer than low_mark free frames, the allocating
 * thread asks the shrinkers for SHRINK_BATCH frames on its way out (if it
 * may), so that callers that cannot shrink (the heap under its lock,
 * interrupt handlers) still find frames. low_mark is set at init. */
#define SHRINK_BATCH 64
static uint64_t low_mark;
static bool under_low;        /* atomic: set under pmm_lock, taken by pmm_alloc */
static uint64_t zones_free_locked(void);

/* Each CPU's cache of single frames: pmm_alloc(0) and pmm_free(pa, 0), the
 * common calls, take and give here with interrupts off on this CPU and no
 * lock; the cache is refilled and drained PCP_BATCH frames at a time under
 * pmm_lock. A cached frame is allocated in its zone (USED_HEAD, order 0)
 * with no references and no tag, and pmm_free_pages counts it as free.
 * frames[] is touched only by its own CPU with interrupts off; n also
 * changes only there, and under pmm_lock when a batch moves, so a sum of
 * the counts under pmm_lock agrees with the zones'. */
#define PCP_MAX   64
#define PCP_BATCH 16
static struct pcp {
	uint64_t frames[PCP_MAX];
	unsigned n;
} pcps[PERCPU_MAX];

static struct pcp *pcp_self(void)
{
	return &pcps[percpu_cpu_count() ? percpu_self()->cpu_id : 0];
}

static uint64_t take_lock(void)
{
	uint64_t f = spin_lock_irqsave(&pmm_lock);

	lock_takes++;
	return f;
}

static bool type_owned(uint32_t t)
{
	return t == BOOT_MEM_USABLE || t == BOOT_MEM_LOADER || t == BOOT_MEM_BOOT_SERVICES ||
	       t == BOOT_MEM_KERNEL || t == BOOT_MEM_BOOT_DATA || t == BOOT_MEM_INITRD;
}

static bool type_reclaimable(uint32_t t)
{
	return t == BOOT_MEM_LOADER || t == BOOT_MEM_BOOT_SERVICES || t == BOOT_MEM_BOOT_DATA;
}

static bool type_is_ram(uint32_t t)
{
	return t != BOOT_MEM_MMIO && t != BOOT_MEM_RESERVED;
}

static struct buddy_zone *zone_of(uint64_t pfn)
{
	for (unsigned i = 0; i < nzones; i++)
		if (buddy_contains(&zones[i], pfn))
			return &zones[i];
	return NULL;
}

/* Zone extents only (metadata comes later): runs of memory the kernel owns
 * now or later (ACPI reclaim, once the ACPI tables have been read). */
static void plan_zones(const struct boot_mmap_entry *m, unsigned n)
{
	uint64_t dropped = 0;

	nzones = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t pfn = m[i].phys / PMM_PAGE, end = pfn + m[i].pages;
		struct buddy_zone *z = nzones ? &zones[nzones - 1] : NULL;

		/* ACPI reclaim memory is covered so it can be freed later */
		if (!type_owned(m[i].type) && m[i].type != BOOT_MEM_ACPI_RECLAIM)
			continue;
		if (z && pfn >= z->base_pfn + z->npages &&
		    pfn - (z->base_pfn + z->npages) <= PMM_MERGE_GAP) {
			z->npages = end - z->base_pfn;
		} else if (nzones < PMM_MAX_ZONES) {
			zones[nzones].base_pfn = pfn;
			zones[nzones].npages = m[i].pages;
			nzones++;
		} else {
			dropped += m[i].pages;
		}
	}
	if (dropped)
		log_warn("pmm: more than %u memory runs; %llu pages left unused", PMM_MAX_ZONES,
			 (unsigned long long)dropped);
}

/* A place for the metadata: the first conventional run above 1 MiB that
 * holds it. Returns 0 if there is none. */
static uint64_t place_meta(const struct boot_mmap_entry *m, unsigned n, uint64_t pages)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = m[i].phys, end = m[i].phys + m[i].pages * PMM_PAGE;

		if (m[i].type != BOOT_MEM_USABLE)
			continue;
		if (start < (1ull << 20))
			start = 1ull << 20;
		if (start < end && (end - start) / PMM_PAGE >= pages)
			return start;
	}
	return 0;
}

/* Frees [lo, hi) in whichever zones cover it, except frame 0 (so that 0
 * can mean "no frame") and the frame skip; with count_only, frees nothing
 * and says how many frames that would free. */
static uint64_t add_span(uint64_t lo, uint64_t hi, uint64_t skip, bool count_only)
{
	uint64_t added = 0;

	if (lo == 0)
		lo = 1;
	for (unsigned i = 0; i < nzones; i++) {
		struct buddy_zone *z = &zones[i];
		uint64_t l = lo > z->base_pfn ? lo : z->base_pfn;
		uint64_t h = hi < z->base_pfn + z->npages ? hi : z->base_pfn + z->npages;

		if (l >= h)
			continue;
		if (count_only) {
			for (uint64_t p = l; p < h; p++)
				added += p != skip && buddy_frame_of(z, p)->state == BUDDY_RESERVED;
		} else if (skip >= l && skip < h) {
			added += buddy_add_range(z, l, skip - l);
			added += buddy_add_range(z, skip + 1, h - skip - 1);
		} else {
			added += buddy_add_range(z, l, h - l);
		}
	}
	return added;
}

static uint64_t add_type(const struct boot_mmap_entry *m, unsigned n, bool (*want)(uint32_t),
			 uint64_t skip_phys, bool count_only)
{
	uint64_t added = 0;

	for (unsigned i = 0; i < n; i++)
		if (want(m[i].type))
			added += add_span(m[i].phys / PMM_PAGE, m[i].phys / PMM_PAGE + m[i].pages,
					  skip_phys ? skip_phys / PMM_PAGE : UINT64_MAX, count_only);
	return added;
}

static bool type_usable(uint32_t t) { return t == BOOT_MEM_USABLE; }
static bool type_initrd(uint32_t t) { return t == BOOT_MEM_INITRD; }

int pmm_init(void)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t meta_bytes = 0, off = 0;

	total_pages = usable_pages = reserved_pages = 0;
	for (unsigned i = 0; i < n; i++) {
		if (type_is_ram(m[i].type))
			total_pages += m[i].pages;
		if (type_owned(m[i].type))
			usable_pages += m[i].pages;
	}
	reserved_pages = total_pages - usable_pages;
	/* 1/256 of memory (2 MiB of 512), at least 1 MiB */
	low_mark = usable_pages / 256 > 256 ? usable_pages / 256 : 256;
	plan_zones(m, n);
	for (unsigned i = 0; i < nzones; i++)
		meta_bytes += (buddy_meta_bytes(zones[i].npages) + 63) & ~63ull;
	meta_pages = (meta_bytes + PMM_PAGE - 1) / PMM_PAGE;
	meta_phys = place_meta(m, n, meta_pages);
	if (!meta_phys || meta_phys + meta_pages * PMM_PAGE > boot_info()->hhdm_size) {
		log_err("pmm: no room for %llu pages of frame metadata",
			(unsigned long long)meta_pages);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < nzones; i++) {
		buddy_zone_init(&zones[i], zones[i].base_pfn, zones[i].npages,
				PHYS_TO_VIRT(meta_phys + off));
		off += (buddy_meta_bytes(zones[i].npages) + 63) & ~63ull;
	}
	add_type(m, n, type_usable, 0, false);
	for (uint64_t p = 0; p < meta_pages; p++) {
		struct buddy_zone *z = zone_of(meta_phys / PMM_PAGE + p);
		if (z)
			buddy_remove_range(z, meta_phys / PMM_PAGE + p, 1);
	}
	return 0;
}

/* The RSDP may sit in boot-services memory; ACPI reads it later. */
static uint64_t rsdp_page(void)
{
	return boot_info()->acpi_rsdp_phys & ~(PMM_PAGE - 1);
}

void pmm_reclaim_boot_memory(void)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t f;

	if (reclaimed++)
		return;
	f = take_lock();
	held_pages = add_type(m, n, type_reclaimable, rsdp_page(), true);
	spin_unlock_irqrestore(&pmm_lock, f);
	log_info("pmm: reclaimed %llu KiB of loader and boot-services memory, used last",
		 (unsigned long long)(held_pages * 4));
}

/* The held boot memory goes to the zones, for want of a block or because
 * they ran low. pmm_lock. */
static void release_held_locked(bool for_block)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t added;

	held_released = true;
	released_for_block = for_block;
	released_free = zones_free_locked();
	added = add_type(m, n, type_reclaimable, rsdp_page(), false);
	if (added != held_pages)
		panic("pmm: %llu held boot frames, %llu freed", (unsigned long long)held_pages,
		      (unsigned long long)added);
	held_pages = 0;
}

void pmm_release_initrd(void)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t before, freed, f;

	f = take_lock();
	before = free_pages_locked();
	add_type(m, n, type_initrd, 0, false);
	freed = free_pages_locked() - before;
	spin_unlock_irqrestore(&pmm_lock, f);
	log_info("pmm: released %llu KiB of initrd memory", (unsigned long long)(freed * 4));
}

int pmm_take_initrd(uint64_t phys, uint64_t pages)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t pfn = phys / PMM_PAGE, f;
	bool inside = false;
	int err = 0;

	if (phys % PMM_PAGE || pages == 0 || pfn + pages < pfn)
		return -EINVAL;
	/* one run of initrd memory must hold them all */
	for (unsigned i = 0; i < n && !inside; i++)
		inside = m[i].type == BOOT_MEM_INITRD && pfn >= m[i].phys / PMM_PAGE &&
			 pfn + pages <= m[i].phys / PMM_PAGE + m[i].pages;
	if (!inside)
		return -EINVAL;
	f = take_lock();
	for (uint64_t p = pfn; p < pfn + pages && !err; p++) {
		struct buddy_frame *fr = zone_of(p) ? buddy_frame_of(zone_of(p), p) : NULL;

		if (!fr || fr->state != BUDDY_RESERVED)
			err = -EINVAL;      /* released already, or taken before */
	}
	for (uint64_t p = pfn; p < pfn + pages && !err; p++) {
		if (buddy_claim(zone_of(p), p) != 0)
			panic("pmm: initrd frame %#llx changed under pmm_lock",
			      (unsigned long long)(p * PMM_PAGE));
		buddy_frame_of(zone_of(p), p)->refs = 1;
	}
	spin_unlock_irqrestore(&pmm_lock, f);
	return err;
}

void pmm_set_fail_hook(bool (*fn)(uintptr_t caller)) { fail_hook = fn; }

/* A block from the zones, high zones first (low memory stays for devices
 * that need it), with no references yet; 0 when there is none. pmm_lock. */
static uint64_t zones_take(unsigned order)
{
	for (unsigned i = nzones; i-- > 0;) {
		uint64_t pfn = buddy_alloc(&zones[i], order);

		if (pfn != BUDDY_ALLOC_FAIL) {
			buddy_frame_of(&zones[i], pfn)->refs = 0;
			return pfn * PMM_PAGE;
		}
	}
	return 0;
}

/* zones_take, with the held boot memory given to the zones when they have
 * no such block or fall below low_mark (before any shrinker is asked).
 * pmm_lock. */
static uint64_t zones_alloc(unsigned order)
{
	uint64_t pa = zones_take(order);

	if (!pa && held_pages) {
		release_held_locked(true);
		pa = zones_take(order);
	} else if (held_pages && zones_free_locked() < low_mark) {
		release_held_locked(false);
	}
	return pa;
}

static struct buddy_frame *frame_at(uint64_t phys)
{
	struct buddy_zone *z = zone_of(phys / PMM_PAGE);

	return z ? buddy_frame_of(z, phys / PMM_PAGE) : NULL;
}

/* Gives count cached frames of c back to the zones. Interrupts off. */
static void drain(struct pcp *c, unsigned count)
{
	uint64_t f = take_lock();

	while (count-- && c->n) {
		uint64_t pa = c->frames[--c->n];

		if (buddy_free(zone_of(pa / PMM_PAGE), pa / PMM_PAGE, 0) != 0)
			panic("pmm: cached frame %#llx is not an allocated frame", (unsigned long long)pa);
	}
	spin_unlock_irqrestore(&pmm_lock, f);
}

static uint64_t cache_alloc(void)
{
	uint64_t irq = cpu_irq_save(), pa = 0;
	struct pcp *c = pcp_self();

	if (c->n == 0) {
		uint64_t f = take_lock();

		while (c->n < PCP_BATCH && (pa = zones_alloc(0)) != 0)
			c->frames[c->n++] = pa;
		if (zones_free_locked() < low_mark)
			__atomic_store_n(&under_low, true, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&pmm_lock, f);
	}
	pa = 0;
	if (c->n) {
		pa = c->frames[--c->n];
		frame_at(pa)->refs = 1;
	}
	cpu_irq_restore(irq);
	return pa;
}

void pmm_drain_cache(void)
{
	uint64_t irq = cpu_irq_save();

	drain(pcp_self(), PCP_MAX);
	cpu_irq_restore(irq);
}

static void drain_remote(void *arg)
{
	(void)arg;
	drain(pcp_self(), PCP_MAX);   /* an IPI call: interrupts are off */
}

/* Before an allocation reports no memory: every CPU's cached frames go
 * back to the zones, where they may complete a block. Another CPU's cache
 * is touched only by that CPU, so it is asked by a call; only when the
 * caller has interrupts on, so that it holds no spinlock a CPU deaf to
 * the call may be spinning for. */
static void drain_all(void)
{
	uint64_t f = cpu_irq_save();

	cpu_irq_restore(f);
	pmm_drain_cache();
	if (cpu_flags_irq_enabled(f) && percpu_cpu_count() > 1)
		(void)ipi_call_others(drain_remote, 0);
}

/* One try: the CPU's cache for single frames, the zones for blocks; then
 * every CPU's cached frames, which may complete a block. */
static uint64_t try_alloc(unsigned order)
{
	uint64_t f, pa;

	if (order == 0) {
		pa = cache_alloc();
		if (!pa) {
			drain_all();
			pa = cache_alloc();   /* the frames other CPUs held */
		}
		return pa;
	}
	f = take_lock();
	pa = zones_alloc(order);
	spin_unlock_irqrestore(&pmm_lock, f);
	if (!pa) {
		/* the CPUs' cached frames may be what a block lacked */
		drain_all();
		f = take_lock();
		pa = zones_alloc(order);
		spin_unlock_irqrestore(&pmm_lock, f);
	}
	if (pa) {
		frame_at(pa)->refs = 1;
		if (zones_free_locked() < low_mark)   /* a racy read is enough for a hint */
			__atomic_store_n(&under_low, true, __ATOMIC_RELAXED);
	}
	return pa;
}

uint64_t pmm_alloc(unsigned order)
{
	uint64_t pa;

	if (fail_hook && fail_hook((uintptr_t)__builtin_return_address(0)))
		return 0;   /* failed on purpose (tests) */
	pa = try_alloc(order);
	if (!pa) {
		/* caches give frames back, then one more try */
		uint64_t want = (1ull << order) > SHRINK_BATCH ? (1ull << order) : SHRINK_BATCH;

		if (shrink_memory(want))
			pa = try_alloc(order);
	} else if (__atomic_load_n(&under_low, __ATOMIC_RELAXED) && shrink_allowed() &&
		   __atomic_exchange_n(&under_low, false, __ATOMIC_RELAXED)) {
		shrink_memory(SHRINK_BATCH);
	}
	return pa;
}

uint64_t pmm_alloc_zeroed(unsigned order)
{
	uint64_t p = pmm_alloc(order);

	if (p)
		memset(PHYS_TO_VIRT(p), 0, PMM_PAGE << order);
	return p;
}

void pmm_free(uint64_t phys, unsigned order)
{
	struct buddy_zone *z = zone_of(phys / PMM_PAGE);
	struct buddy_frame *head = z ? buddy_frame_of(z, phys / PMM_PAGE) : NULL;
	uint64_t f;

	/* A frame the caller owns alone goes to this CPU's cache; anything
	 * else (a bad or double free among them) to the checks below. */
	if (order == 0 && phys % PMM_PAGE == 0 && head && head->state == BUDDY_USED_HEAD &&
	    head->order == 0 && head->refs == 1) {
		struct pcp *c;

		f = cpu_irq_save();
		c = pcp_self();
		if (c->n == PCP_MAX)
			drain(c, PCP_BATCH);
		head->refs = 0;
		head->tag = 0;
		c->frames[c->n++] = phys;
		cpu_irq_restore(f);
		return;
	}
	f = take_lock();

	if (head && head->state == BUDDY_USED_HEAD && head->refs != 1)
		panic("pmm: free of %#llx, which has %u references, from %p",
		      (unsigned long long)phys, head->refs, __builtin_return_address(0));
	if (phys % PMM_PAGE || !z || buddy_free(z, phys / PMM_PAGE, order) != 0)
		panic("pmm: bad free of %#llx order %u from %p", (unsigned long long)phys, order,
		      __builtin_return_address(0));
	spin_unlock_irqrestore(&pmm_lock, f);
}

/* The head frame of an allocated block at phys; anything else is a kernel
 * bug. The metadata of an allocated block stays put, so the count itself
 * is changed with atomics and needs no lock. */
static struct buddy_frame *counted(uint64_t phys, const char *what)
{
	struct buddy_zone *z = zone_of(phys / PMM_PAGE);
	struct buddy_frame *f = z ? buddy_frame_of(z, phys / PMM_PAGE) : NULL;

	if (phys % PMM_PAGE || !f || f->state != BUDDY_USED_HEAD)
		panic("pmm: %s of %#llx, which is not an allocated block", what,
		      (unsigned long long)phys);
	return f;
}

void pmm_ref(uint64_t phys)
{
	struct buddy_frame *f = counted(phys, "reference");

	/* a count can reach 2^32 only through a kernel bug: each reference
	 * is a page-table entry or a cache slot, far fewer than that fit */
	if (__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED) <= 1)
		panic("pmm: reference count of %#llx overflowed or was 0", (unsigned long long)phys);
}

void pmm_unref(uint64_t phys)
{
	struct buddy_frame *f = counted(phys, "release");
	uint32_t old = __atomic_fetch_sub(&f->refs, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("pmm: release of %#llx, which has no references", (unsigned long long)phys);
	if (old == 1) {
		f->refs = 1; /* pmm_free checks that only the caller's one is left */
		pmm_free(phys, f->order);
	}
}

uint32_t pmm_refcount(uint64_t phys)
{
	return __atomic_load_n(&counted(phys, "count")->refs, __ATOMIC_RELAXED);
}

uint32_t pmm_tag(uint64_t phys)
{
	struct buddy_zone *z = zone_of(phys / PMM_PAGE);
	struct buddy_frame *f = z ? buddy_frame_of(z, phys / PMM_PAGE) : NULL;

	if (!f || (f->state != BUDDY_USED_HEAD && f->state != BUDDY_USED_TAIL))
		return 0;
	return f->tag;
}

void pmm_set_tag(uint64_t phys, uint64_t pages, uint32_t tag)
{
	for (uint64_t p = phys / PMM_PAGE; p < phys / PMM_PAGE + pages; p++) {
		struct buddy_zone *z = zone_of(p);
		struct buddy_frame *f = z ? buddy_frame_of(z, p) : NULL;

		if (!f || (f->state != BUDDY_USED_HEAD && f->state != BUDDY_USED_TAIL))
			panic("pmm: tagging frame %#llx that is not allocated",
			      (unsigned long long)(p * PMM_PAGE));
		f->tag = tag;
	}
}

/* Free frames in the zones (not those the CPUs cache). pmm_lock, or a
 * racy read that is only a hint. */
static uint64_t zones_free_locked(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nzones; i++)
		n += __atomic_load_n(&zones[i].free_pages, __ATOMIC_RELAXED);
	return n;
}

/* Free frames: the zones', every CPU's cached ones and the held boot
 * memory. pmm_lock. */
static uint64_t free_pages_locked(void)
{
	uint64_t n = held_pages, cpus = percpu_cpu_count() ? percpu_cpu_count() : 1;

	for (unsigned i = 0; i < nzones; i++)
		n += zones[i].free_pages;
	for (uint64_t c = 0; c < cpus && c < PERCPU_MAX; c++)
		n += __atomic_load_n(&pcps[c].n, __ATOMIC_RELAXED);
	return n;
}

uint64_t pmm_free_pages(void)
{
	uint64_t f = spin_lock_irqsave(&pmm_lock), n = free_pages_locked();

	spin_unlock_irqrestore(&pmm_lock, f);
	return n;
}

uint64_t pmm_lock_takes(void)
{
	uint64_t f = spin_lock_irqsave(&pmm_lock), n = lock_takes;

	spin_unlock_irqrestore(&pmm_lock, f);
	return n;
}

void pmm_get_stats(struct pmm_stats *s)
{
	uint64_t f = spin_lock_irqsave(&pmm_lock);

	s->free_pages = free_pages_locked();
	s->held_pages = held_pages;
	s->held_released = held_released;
	s->released_for_block = released_for_block;
	s->released_free = released_free;
	spin_unlock_irqrestore(&pmm_lock, f);
	s->total_pages = total_pages;
	s->usable_pages = usable_pages;
	s->reserved_pages = reserved_pages;
	s->used_pages = usable_pages - s->free_pages;
	s->meta_pages = meta_pages;
	s->low_pages = low_mark;
	s->zones = nzones;
}

static unsigned long long kib(uint64_t pages) { return (unsigned long long)(pages * 4); }

void pmm_report(void)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);
	uint64_t per_type[BOOT_MEM_TYPE_COUNT] = { 0 };
	unsigned entries[BOOT_MEM_TYPE_COUNT] = { 0 };
	struct pmm_stats s;

	for (unsigned i = 0; i < n; i++) {
		per_type[m[i].type] += m[i].pages;
		entries[m[i].type]++;
	}
	for (unsigned t = 1; t < BOOT_MEM_TYPE_COUNT; t++)
		if (entries[t])
			log_info("pmm: type %-13s %4u ranges %9llu KiB", boot_mem_type_name(t),
				 entries[t], kib(per_type[t]));
	pmm_get_stats(&s);
	log_info("pmm: total %llu KiB, usable %llu KiB, reserved %llu KiB",
		 kib(s.total_pages), kib(s.usable_pages), kib(s.reserved_pages));
	log_info("pmm: %u zones, metadata %llu KiB, free %llu pages (%llu KiB), used %llu KiB",
		 s.zones, kib(s.meta_pages), (unsigned long long)s.free_pages, kib(s.free_pages),
		 kib(s.used_pages));
}
