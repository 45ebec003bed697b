/* Memory-management benchmarks for `make bench`: frame and heap
 * allocate+free round trips (timed with the kernel clock) and the kernel's memory use. */
#include <kernel/kbench.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/time.h>

#define ROUNDS 20000

/* Nanoseconds per round, in hundredths, for kbench_report(..., 2, "ns"). */
static uint64_t per_round(uint64_t ns) { return ns * 100 / ROUNDS; }

KBENCH(pmm_alloc_free)
{
	uint64_t t0 = time_ns();

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t pa = pmm_alloc(0);
		if (pa)
			pmm_free(pa, 0);
	}
	kbench_report("pmm_alloc_free", per_round(time_ns() - t0), 2, "ns");
}

static void bench_kmalloc(const char *name, size_t size)
{
	void *warm = kmalloc(size); /* a slab already exists: measure the fast path */
	uint64_t t0 = time_ns();

	for (int i = 0; i < ROUNDS; i++)
		kfree(kmalloc(size));
	kbench_report(name, per_round(time_ns() - t0), 2, "ns");
	kfree(warm);
}

KBENCH(kmalloc_free_32) { bench_kmalloc("kmalloc_free_32", 32); }
KBENCH(kmalloc_free_4096) { bench_kmalloc("kmalloc_free_4096", 4096); }

KBENCH(mem_kernel_used)
{
	struct pmm_stats s;

	pmm_get_stats(&s);
	kbench_report("mem_kernel_used", s.used_pages * 4, 0, "KiB");
	kbench_report("mem_frame_metadata", s.meta_pages * 4, 0, "KiB");
}
