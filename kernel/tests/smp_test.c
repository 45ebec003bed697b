/* SMP ktests: a call reaches every other CPU exactly once, and a kernel
 * mapping changed on one CPU is seen changed on every CPU as soon as the
 * shootdown returns. With one CPU online they check the one-CPU path (no
 * call goes out); test/system/smp_cases.py runs them under -smp 4. */
#include <kernel/ktest.h>
#include <hal/ipi.h>
#include <hal/paging.h>
#include <hal/percpu.h>
#include <hal/tlb.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/sched/sched.h>
#include <lib/string.h>

#define PAGE 4096

/* Written by each CPU in its own slot (the caller reads after the call
 * returned, which orders it). */
static uint64_t seen[PERCPU_MAX];

static void mark(void *arg)
{
	seen[percpu_self()->cpu_id] += (uint64_t)(uintptr_t)arg;
}

KTEST(smp_ipi_reaches_every_cpu)
{
	unsigned n = sched_cpus_online(), me, got;

	memset(seen, 0, sizeof(seen));
	me = percpu_self()->cpu_id;
	got = ipi_call_others(mark, (void *)1);
	KT_EXPECT_EQ(t, got, n - 1);
	for (unsigned c = 0; c < n; c++)
		if (c != me)
			KT_EXPECT_EQ(t, seen[c], 1);
	KT_EXPECT_EQ(t, seen[me], 0);
	log_info("ktest: an IPI call reached %u of %u other CPUs", got, n - 1);
}

static void read_page(void *arg)
{
	seen[percpu_self()->cpu_id] = *(volatile uint64_t *)arg;
}

KTEST(smp_tlb_shootdown_reaches_every_cpu)
{
	unsigned n = sched_cpus_online(), me = percpu_self()->cpu_id, stale = 0;
	uint64_t root = vmm_kernel_root(), a, b = pmm_alloc_zeroed(0);
	volatile uint64_t *p = vmm_alloc(PAGE);

	KT_ASSERT(t, p && b);
	KT_ASSERT(t, paging_translate(root, (uint64_t)p, &a, 0, 0) == 0);
	*p = 0xaaaa;
	*(volatile uint64_t *)PHYS_TO_VIRT(b) = 0xbbbb;
	/* every CPU caches the translation to frame a */
	memset(seen, 0, sizeof(seen));
	ipi_call_others(read_page, (void *)p);
	for (unsigned c = 0; c < n; c++)
		if (c != me)
			KT_EXPECT_EQ(t, seen[c], 0xaaaa);
	/* now the page is frame b: once the flush returns nobody sees a */
	KT_ASSERT(t, paging_unmap(root, (uint64_t)p, 0, 0) == 0);
	KT_ASSERT(t, paging_map(root, (uint64_t)p, b, PAGE, PAGING_WRITE) == 0);
	tlb_flush_range(root, (uint64_t)p, PAGE);
	ipi_call_others(read_page, (void *)p);
	KT_EXPECT_EQ(t, *p, 0xbbbb);
	for (unsigned c = 0; c < n; c++) {
		if (c == me)
			continue;
		KT_EXPECT_EQ(t, seen[c], 0xbbbb);
		stale += seen[c] != 0xbbbb;
	}
	log_info("ktest: after the shootdown %u of %u other CPUs saw the old page", stale, n - 1);
	/* frame a back in place, so vmm_free frees what it allocated */
	KT_ASSERT(t, paging_unmap(root, (uint64_t)p, 0, 0) == 0);
	KT_ASSERT(t, paging_map(root, (uint64_t)p, a & ~(uint64_t)(PAGE - 1), PAGE, PAGING_WRITE) == 0);
	tlb_flush_range(root, (uint64_t)p, PAGE);
	vmm_free((void *)p);
	pmm_free(b, 0);
}
