/* SMP benchmarks: an IPI call's round trip to one other CPU, a one-page
 * TLB shootdown to every CPU and one to a space only idle CPUs last ran,
 * how long a CPU took to start at boot, and
 * independent CPU-bound threads all on one CPU against one per CPU. With
 * one CPU online there is nothing to measure and nothing is printed. */
#include <kernel/kbench.h>
#include <hal/ipi.h>
#include <hal/percpu.h>
#include <hal/tlb.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>

static void nothing(void *arg) { (void)arg; }

/* A one-page shootdown in a process's half of a space every other CPU
 * last ran and now sits idle in (a thread on the space ran there and
 * ended): the time per flush and the IPIs it sent, per flush. */
static void idle_space_shootdown(unsigned n)
{
	enum { ROUNDS = 2000 };
	struct vm_limits lim = { 1ull << 20, ~0ull, ~0ull };
	struct vm_space *vm = vm_create(&lim);
	unsigned me = percpu_self()->cpu_id, loaded = 0;
	uint64_t t0, calls;

	if (!vm)
		return;
	for (unsigned c = 0; c < n; c++) {
		struct thread *th;

		if (c == me)
			continue;
		th = thread_create("space-user", nothing, 0, SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
		if (!th)
			break;
		th->aspace = vm->root;
		if (thread_set_cpu(th, c)) {
			thread_discard(th);
			break;
		}
		thread_resume(th);
		loaded += thread_join(th, 0) == 0;
	}
	if (loaded == n - 1) {
		calls = ipi_calls_sent();
		t0 = time_ns();
		for (int i = 0; i < ROUNDS; i++)
			tlb_flush_range(vm->root, 0x400000, 4096);
		kbench_report("smp_tlb_shootdown_idle_space", (time_ns() - t0) / ROUNDS, 0, "ns");
		kbench_report("smp_tlb_shootdown_idle_space_ipis", (ipi_calls_sent() - calls) * 100 / ROUNDS,
			      2, "per flush");
	}
	vm_put(vm);
}

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
	idle_space_shootdown(n);
}

/* ---- independent CPU-bound threads: all on one CPU, then spread ---- */

#define BURN_ITERS 40000000ull

struct burner {
	unsigned cpu;
	uint64_t sum;
};

static void burn(void *arg)
{
	struct burner *b = arg;
	uint64_t x = 1;

	if (thread_set_cpu(thread_current(), b->cpu) == 0)
		thread_yield();
	for (uint64_t i = 0; i < BURN_ITERS; i++) {
		x = x * 6364136223846793005ull + i;
		__asm__ volatile("" : "+r"(x));
	}
	b->sum = x;
}

/* Wall time for nthreads burners, thread i on CPU i % ncpus; 0 on error. */
static uint64_t burn_on(unsigned nthreads, unsigned ncpus)
{
	struct burner b[8];
	struct thread *th[8];
	uint64_t t0 = time_ns();
	unsigned made = 0, joined = 0;

	for (unsigned i = 0; i < nthreads && i < 8; i++, made++) {
		b[i] = (struct burner){ .cpu = i % ncpus };
		th[i] = thread_create("burn", burn, &b[i], SCHED_PRIO_DEFAULT, 0);
		if (!th[i])
			break;
	}
	for (unsigned i = 0; i < made; i++)
		joined += thread_join(th[i], 0) == 0;
	return made == nthreads && joined == made ? time_ns() - t0 : 0;
}

KBENCH(smp_threads)
{
	unsigned n = sched_cpus_online();
	uint64_t one, spread;

	if (n < 2)
		return;
	n = n > 8 ? 8 : n;
	one = burn_on(n, 1);
	spread = burn_on(n, n);
	if (!one || !spread)
		return;
	kbench_report("smp_cpu_threads_one_cpu", one / 1000000, 0, "ms");
	kbench_report("smp_cpu_threads_spread", spread / 1000000, 0, "ms");
	kbench_report("smp_cpu_threads_speedup", one * 100 / spread, 2, "x");
}
