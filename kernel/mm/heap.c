/* kmalloc on top of the slab core and the frame allocator. A frame's pmm tag
 * says whether it belongs to a slab (and which size class) or to a large
 * allocation (and its order), so kfree needs nothing but the pointer. */
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/shrink.h>
#include <kernel/mm/slab.h>
#include <kernel/boot.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <kernel/sync/spinlock.h>
#include <hal/cpu.h>
#include <hal/percpu.h>
#include <lib/string.h>

#define TAG_KIND_MASK 0xff000000u
#define TAG_SLAB      0x5a000000u  /* | class index */
#define TAG_LARGE     0x1a000000u  /* | order << 16 | pages */

/* heap state: protected by heap_lock (threads are preemptive; the lock
 * nests outside the pmm's). */
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct slab_cache caches[HEAP_CLASSES];
static bool debug;
static uint64_t debug_errors;
static size_t large_objects, large_pages;
/* Set once at boot (kernel/failinject.c). */
static bool (*fail_hook)(uintptr_t caller);
static uint64_t lock_takes;   /* heap_lock: times taken (the ktests count them) */

/* Each CPU's magazine per size class, used when the debug checks are off
 * (they need every allocation and free to reach the slab): kmalloc and
 * kfree of a small object take and give here with interrupts off on this
 * CPU and no lock, and a magazine is refilled or drained MAG_BATCH objects
 * at a time under heap_lock. A cached object is allocated in its slab;
 * heap_get_stats does not count it as in use, heap_shrink gives this CPU's
 * back first. obj[] is touched only by its own CPU with interrupts off; n
 * changes only there, and under heap_lock when a batch moves. */
#define MAG_MAX   16
#define MAG_BATCH 8
static struct magazine {
	void *obj[MAG_MAX];
	unsigned n;
} mags[PERCPU_MAX][HEAP_CLASSES];

static struct magazine *mag_self(unsigned cls)
{
	return &mags[percpu_cpu_count() ? percpu_self()->cpu_id : 0][cls];
}

static uint64_t take_lock(void)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);

	lock_takes++;
	return f;
}

static void *slab_page_alloc(unsigned order, void *ctx)
{
	unsigned cls = (unsigned)(uintptr_t)ctx;
	uint64_t pa = pmm_alloc(order);

	if (!pa)
		return NULL;
	pmm_set_tag(pa, 1ull << order, TAG_SLAB | cls);
	return PHYS_TO_VIRT(pa);
}

static void slab_page_free(void *block, unsigned order, void *ctx)
{
	(void)ctx;
	pmm_free(VIRT_TO_PHYS(block), order);
}

static void print_caller(const char *what, uintptr_t pc)
{
	uint64_t off;
	const char *name = pc ? ksym_lookup(pc, &off) : NULL;

	if (name)
		kprintf("  %s %s+%#llx (%p)\n", what, name, (unsigned long long)off, (void *)pc);
	else if (pc)
		kprintf("  %s %p\n", what, (void *)pc);
}

static void report(const struct slab_report *r)
{
	static const char *const what[] = {
		[SLAB_BAD_POINTER] = "free of a pointer the heap did not hand out",
		[SLAB_DOUBLE_FREE] = "double free",
		[SLAB_OVERFLOW] = "write past the end",
		[SLAB_USE_AFTER_FREE] = "write to freed memory",
	};

	debug_errors++;
	log_err("heap: %s at %p (size %zu, first bad byte at offset %zu)", what[r->error], r->obj,
		r->size, r->offset);
	print_caller("detected in a call from", r->caller);
	print_caller(r->error == SLAB_DOUBLE_FREE || r->error == SLAB_USE_AFTER_FREE ?
		     "earlier freed by" : "allocated by", r->owner);
}

void heap_init(void)
{
	const char *opt = cmdline_get(boot_cmdline(), "heapdebug");

	if (opt && (strcmp(opt, "on") == 0 || strcmp(opt, "1") == 0 || opt[0] == 0))
		debug = true;
	else if (opt && (strcmp(opt, "off") == 0 || strcmp(opt, "0") == 0))
		debug = false;
	else
		debug = boot_cmdline_peek("ktest") != NULL;
	for (unsigned i = 0; i < HEAP_CLASSES; i++) {
		size_t size = (size_t)HEAP_MIN_CLASS << i;
		/* at most 1/8 of a slab goes to its header */
		unsigned order = size <= 512 ? 0 : size == 1024 ? 1 : 2;
		struct slab_source src = { slab_page_alloc, slab_page_free, (void *)(uintptr_t)i };

		slab_cache_init(&caches[i], "kmalloc", size, order, debug, &src, report);
	}
	log_info("heap: %u size classes %u..%u bytes, debug checks %s", HEAP_CLASSES,
		 HEAP_MIN_CLASS, HEAP_MIN_CLASS << (HEAP_CLASSES - 1), debug ? "on" : "off");
}

void heap_set_fail_hook(bool (*fn)(uintptr_t caller)) { fail_hook = fn; }

bool heap_debug_enabled(void) { return debug; }
uint64_t heap_debug_errors(void) { return debug_errors; }

static int class_for(size_t size)
{
	for (unsigned i = 0; i < HEAP_CLASSES; i++)
		if (size <= slab_cache_capacity(&caches[i]))
			return (int)i;
	return -1;
}

static void *alloc_unlocked(size_t size, uintptr_t caller)
{
	int cls;
	uint64_t pages, pa;
	unsigned order = 0;

	if (size == 0)
		size = 1;
	cls = class_for(size);
	if (cls >= 0)
		return slab_alloc(&caches[cls], size, caller);
	if (size > (PMM_PAGE << PMM_MAX_ORDER))
		return NULL;
	pages = (size + PMM_PAGE - 1) / PMM_PAGE;
	while ((1ull << order) < pages)
		order++;
	pa = pmm_alloc(order);
	if (!pa)
		return NULL;
	pmm_set_tag(pa, 1ull << order, TAG_LARGE | order << 16 | (uint32_t)pages);
	large_objects++;
	large_pages += 1ull << order;
	return PHYS_TO_VIRT(pa);
}

/* A small object from this CPU's magazine for class cls. */
static void *mag_alloc(unsigned cls, uintptr_t caller)
{
	uint64_t irq = cpu_irq_save();
	struct magazine *m = mag_self(cls);
	void *p = NULL;

	if (m->n == 0) {
		uint64_t f = take_lock();

		while (m->n < MAG_BATCH && (p = slab_alloc(&caches[cls], caches[cls].size, caller)))
			m->obj[m->n++] = p;
		spin_unlock_irqrestore(&heap_lock, f);
	}
	p = m->n ? m->obj[--m->n] : NULL;
	cpu_irq_restore(irq);
	return p;
}

/* Gives count objects of m (class cls) back to their slabs. Interrupts off. */
static void mag_drain(struct magazine *m, unsigned cls, unsigned count)
{
	uint64_t f = take_lock();

	while (count-- && m->n)
		slab_free(&caches[cls], m->obj[--m->n], 0);
	spin_unlock_irqrestore(&heap_lock, f);
}

static void *alloc(size_t size, uintptr_t caller)
{
	uint64_t f;
	void *p;
	int cls;

	if (fail_hook && fail_hook(caller))
		return NULL;   /* failed on purpose (tests) */
	for (int tries = 0;; tries++) {
		if (!debug && (cls = class_for(size ? size : 1)) >= 0) {
			p = mag_alloc((unsigned)cls, caller);
		} else {
			f = take_lock();
			p = alloc_unlocked(size, caller);
			spin_unlock_irqrestore(&heap_lock, f);
		}
		/* the frames come from pmm_alloc under heap_lock, where no
		 * shrinker may run: out of it, caches give frames back and
		 * the heap tries once more */
		if (p || tries || !shrink_memory((size + PMM_PAGE - 1) / PMM_PAGE + 1))
			return p;
	}
}

__attribute__((noinline)) void *kmalloc(size_t size)
{
	return alloc(size, (uintptr_t)__builtin_return_address(0));
}

__attribute__((noinline)) void *kzalloc(size_t size)
{
	void *p = alloc(size, (uintptr_t)__builtin_return_address(0));

	if (p)
		memset(p, 0, size);
	return p;
}

static void bad_free(void *p, uintptr_t caller)
{
	struct slab_report r = { SLAB_BAD_POINTER, p, 0, 0, 0, caller };
	report(&r);
}

static void release_unlocked(void *p, uintptr_t caller)
{
	uint64_t va = (uint64_t)p, pa;
	uint32_t tag;

	if (va < BOOT_HHDM_BASE || va - BOOT_HHDM_BASE >= boot_info()->hhdm_size) {
		bad_free(p, caller);
		return;
	}
	pa = VIRT_TO_PHYS(p);
	tag = pmm_tag(pa);
	if ((tag & TAG_KIND_MASK) == TAG_SLAB && (tag & 0xffff) < HEAP_CLASSES) {
		slab_free(&caches[tag & 0xffff], p, caller);
	} else if ((tag & TAG_KIND_MASK) == TAG_LARGE) {
		unsigned order = (tag >> 16) & 0xff;

		if (pa % (PMM_PAGE << order) || pmm_tag(pa) != tag) {
			bad_free(p, caller);
			return;
		}
		large_objects--;
		large_pages -= 1ull << order;
		pmm_free(pa, order);
	} else {
		/* a freed large block has no tag any more: most often a double free */
		bad_free(p, caller);
	}
}

static void release(void *p, uintptr_t caller)
{
	uint64_t va = (uint64_t)p, f;

	/* a slot of a slab goes to this CPU's magazine; anything else (a bad
	 * pointer among them) to the checks below */
	if (!debug && va >= BOOT_HHDM_BASE && va - BOOT_HHDM_BASE < boot_info()->hhdm_size) {
		uint32_t tag = pmm_tag(VIRT_TO_PHYS(p));
		unsigned cls = tag & 0xffff;

		if ((tag & TAG_KIND_MASK) == TAG_SLAB && cls < HEAP_CLASSES &&
		    slab_owns(&caches[cls], p)) {
			struct magazine *m;

			f = cpu_irq_save();
			m = mag_self(cls);
			if (m->n == MAG_MAX)
				mag_drain(m, cls, MAG_BATCH);
			m->obj[m->n++] = p;
			cpu_irq_restore(f);
			return;
		}
	}
	f = take_lock();

	release_unlocked(p, caller);
	spin_unlock_irqrestore(&heap_lock, f);
}

__attribute__((noinline)) void kfree(void *p)
{
	if (p)
		release(p, (uintptr_t)__builtin_return_address(0));
}

static size_t usable_size(void *p, unsigned *cls_out)
{
	uint32_t tag = pmm_tag(VIRT_TO_PHYS(p));

	*cls_out = HEAP_CLASSES;
	if ((tag & TAG_KIND_MASK) == TAG_SLAB && (tag & 0xffff) < HEAP_CLASSES) {
		*cls_out = tag & 0xffff;
		return slab_obj_size(&caches[*cls_out], p);
	}
	if ((tag & TAG_KIND_MASK) == TAG_LARGE)
		return (size_t)(tag & 0xffff) * PMM_PAGE;
	return 0;
}

__attribute__((noinline)) void *krealloc(void *p, size_t size)
{
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	size_t old;
	unsigned cls;
	void *n;

	if (!p)
		return alloc(size, caller);
	if (size == 0) {
		release(p, caller);
		return NULL;
	}
	old = usable_size(p, &cls);
	/* without debug trailers a slot can be reused in place */
	if (!debug && cls < HEAP_CLASSES && class_for(size) == (int)cls)
		return p;
	n = alloc(size, caller);
	if (!n)
		return NULL;
	memcpy(n, p, old < size ? old : size);
	release(p, caller);
	return n;
}

uint64_t heap_lock_takes(void)
{
	uint64_t f = spin_lock_irqsave(&heap_lock), n = lock_takes;

	spin_unlock_irqrestore(&heap_lock, f);
	return n;
}

/* Objects of class cls sitting in the CPUs' magazines. heap_lock. */
static size_t cached(unsigned cls)
{
	uint64_t cpus = percpu_cpu_count() ? percpu_cpu_count() : 1;
	size_t n = 0;

	for (uint64_t c = 0; c < cpus && c < PERCPU_MAX; c++)
		n += __atomic_load_n(&mags[c][cls].n, __ATOMIC_RELAXED);
	return n;
}

void heap_get_stats(struct heap_stats *s)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);

	for (unsigned i = 0; i < HEAP_CLASSES; i++) {
		size_t in_use = caches[i].objects - cached(i);

		s->cls[i].size = caches[i].size;
		s->cls[i].objects = in_use;
		s->cls[i].bytes = debug ? caches[i].requested : in_use * caches[i].size;
		s->cls[i].slabs = caches[i].nslabs;
		s->cls[i].empty_slabs = caches[i].nempty;
		s->cls[i].per_slab = caches[i].slots - caches[i].first_slot;
		s->cls[i].slab_pages = (SLAB_PAGE << caches[i].order) / 4096;
	}
	s->large_objects = large_objects;
	s->large_pages = large_pages;
	spin_unlock_irqrestore(&heap_lock, f);
}

bool heap_census(void (*fn)(uintptr_t caller, size_t size, void *ctx), void *ctx)
{
	uint64_t f;

	if (!debug)
		return false;
	f = take_lock();
	for (unsigned i = 0; i < HEAP_CLASSES; i++)
		slab_for_each_object(&caches[i], fn, ctx);
	spin_unlock_irqrestore(&heap_lock, f);
	return true;
}

void heap_report(void)
{
	struct heap_stats s;

	heap_get_stats(&s);
	for (unsigned i = 0; i < HEAP_CLASSES; i++)
		log_info("heap: class %4zu: %zu objects, %zu bytes in use, %zu slabs", s.cls[i].size,
			 s.cls[i].objects, s.cls[i].bytes, s.cls[i].slabs);
	log_info("heap: large: %zu objects in %zu pages", s.large_objects, s.large_pages);
}

void heap_shrink(void)
{
	uint64_t f = cpu_irq_save();

	for (unsigned i = 0; i < HEAP_CLASSES; i++)
		mag_drain(mag_self(i), i, MAG_MAX);
	cpu_irq_restore(f);
	f = take_lock();

	for (unsigned i = 0; i < HEAP_CLASSES; i++)
		slab_shrink(&caches[i]);
	spin_unlock_irqrestore(&heap_lock, f);
}
