/* Bringing the other CPUs online at boot: every processor the MADT lists
 * (nosmp: none; maxcpus=N: N in all) is started through hal/smp.c onto an
 * idle thread of its own. A CPU that does not answer within a second is
 * reported and left out; its id goes to the next one. Runs once, in kmain,
 * before anything else could use another CPU. */
#include <kernel/sched/sched.h>
#include <cosmos/boot_info.h>
#include <hal/cpu.h>
#include <hal/gdt.h>
#include <hal/ipi.h>
#include <hal/paging.h>
#include <hal/percpu.h>
#include <hal/platform.h>
#include <hal/smp.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/vmm.h>
#include <kernel/sched/internal.h>
#include <lib/cmdline.h>

#define START_TIMEOUT_NS 1000000000ULL

/* Written once, by sched_start_cpus. */
static uint64_t ap_start_ns;

uint64_t sched_ap_start_ns(void) { return ap_start_ns; }

/* What one CPU needs before it starts; kept for the next CPU if it fails. */
struct cpu_kit {
	struct sched_cpu *sched;
	void *ist[3];
};

static unsigned max_from_cmdline(void)
{
	struct cmdline *cl = boot_cmdline();
	unsigned long long n;

	if (cmdline_has(cl, "nosmp"))
		return 1;
	if (!cmdline_has(cl, "maxcpus"))
		return PERCPU_MAX;
	if (cmdline_get_u64(cl, "maxcpus", &n) != 0 || n == 0) {
		log_warn("smp: maxcpus= takes a number from 1; starting every CPU");
		return PERCPU_MAX;
	}
	return n < PERCPU_MAX ? (unsigned)n : PERCPU_MAX;
}

/* The pages the loader reserved below 1 MiB. */
static int find_trampoline(void)
{
	unsigned n;
	const struct boot_mmap_entry *m = boot_mmap(&n);

	for (unsigned i = 0; i < n; i++)
		if (m[i].type == BOOT_MEM_TRAMPOLINE)
			return smp_set_trampoline(m[i].phys, m[i].pages);
	return -1;
}

static bool kit_ready(struct cpu_kit *k)
{
	if (!k->sched)
		k->sched = sched_cpu_alloc();
	for (int i = 0; i < 3; i++)
		if (!k->ist[i])
			k->ist[i] = vmm_stack_alloc(IST_STACK_SIZE);
	return k->sched && k->ist[0] && k->ist[1] && k->ist[2];
}

void sched_start_cpus(void)
{
	const struct madt_info *m = platform_madt();
	unsigned max = max_from_cmdline(), listed = m ? m->ncpus : 1, failed = 0;
	uint32_t me = percpu_self()->apic_id;
	struct cpu_kit kit = { 0 };
	uint64_t total_ns = 0;

	if (listed > 1 && max > 1 && find_trampoline() != 0) {
		log_warn("smp: no start-up pages below 1 MiB from the loader; one CPU");
		max = 1;
	}
	if (listed > 1 && max > 1 && ipi_init(sched_ipi_resched) != 0) {
		log_warn("smp: no vectors for IPIs; one CPU");
		max = 1;
	}
	for (unsigned i = 0; m && i < m->ncpus && sched_cpus_online() < max; i++) {
		unsigned id = sched_cpus_online();
		struct smp_cpu_start s;
		uint64_t took;
		int err;

		if (m->apic_ids[i] == me)
			continue;
		if (!kit_ready(&kit)) {
			log_err("smp: no memory for CPU %u's stacks; no more CPUs", id);
			break;
		}
		s = (struct smp_cpu_start){
			.cpu_id = id, .apic_id = m->apic_ids[i],
			.stack_top = sched_cpu_stack_top(kit.sched),
			.ist_top = { (uint64_t)kit.ist[0] + IST_STACK_SIZE,
				     (uint64_t)kit.ist[1] + IST_STACK_SIZE,
				     (uint64_t)kit.ist[2] + IST_STACK_SIZE },
			.kernel_root = vmm_kernel_root(),
			.entry = sched_cpu_start, .arg = kit.sched,
		};
		err = smp_start_cpu(&s, START_TIMEOUT_NS, &took);
		if (err) {
			failed++;
			log_warn("smp: CPU with APIC id %u did not start (%d after %llu ms); left out",
				 m->apic_ids[i], err, (unsigned long long)(took / 1000000));
			continue;
		}
		/* it counts itself online before it runs anything */
		while (sched_cpus_online() == id)
			cpu_pause();
		total_ns += took;
		log_info("smp: CPU %u (APIC id %u) online in %llu us", id, m->apic_ids[i],
			 (unsigned long long)(took / 1000));
		kit = (struct cpu_kit){ 0 };
	}
	for (int i = 0; i < 3; i++)
		if (kit.ist[i])
			vmm_stack_free(kit.ist[i]);
	/* an unused sched_cpu's idle thread never ran: it stays, idle */
	log_info("smp: %u CPU%s online of %u listed (%u not answering%s)", sched_cpus_online(),
		 sched_cpus_online() == 1 ? "" : "s", listed, failed,
		 max < listed ? ", the rest left out by nosmp or maxcpus=" : "");
	if (sched_cpus_online() > 1) {
		ap_start_ns = total_ns / (sched_cpus_online() - 1);
		log_info("smp: AP start time %llu us on average", (unsigned long long)(ap_start_ns / 1000));
	}
}
