/* SMP benchmarks: an IPI call's round trip to one other CPU, a one-page
 * TLB shootdown to every CPU, and how long a CPU took to start at boot.
 * With one CPU online there is nothing to measure and nothing is printed. */
#include <kernel/kbench.h>
#include <hal/ipi.h>
#include <hal/percpu.h>
#include <hal/tlb.h>
#include <kernel/mm/vmm.h>
#include <kernel/sched/sched.h>
#include <kernel/time.h>

static void nothing(void *arg) { (void)arg; }

KBENCH(smp_ipi)
{
	enum { ROUNDS = 2000 };
	unsigned n = sched_cpus_online(), other = percpu_self()->cpu_id == 0 ? 1 : 0;
	uint64_t t0, best = ~0ull, total = 0;
	uint8_t *page;

	if (n < 2)
		return;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t d;

		t0 = time_ns();
		ipi_call_mask(1ull << other, nothing, 0);
		d = time_ns() - t0;
		total += d;
		best = d < best ? d : best;
	}
	kbench_report("smp_ipi_round_trip", total / ROUNDS, 0, "ns");
	kbench_report("smp_ipi_round_trip_min", best, 0, "ns");

	page = vmm_alloc(4096);
	if (!page)
		return;
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++)
		tlb_flush_range(vmm_kernel_root(), (uint64_t)page, 4096);
	kbench_report(n == 2 ? "smp_tlb_shootdown_2_cpus" : n == 4 ? "smp_tlb_shootdown_4_cpus" :
		      "smp_tlb_shootdown_all_cpus", (time_ns() - t0) / ROUNDS, 0, "ns");
	vmm_free(page);
	kbench_report("smp_ap_start", sched_ap_start_ns() / 1000, 0, "us");
}
