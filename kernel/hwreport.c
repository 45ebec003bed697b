/* Prints the CPU part of the hardware report from the data hal/cpuinfo and
 * the MADT gathered; PCI devices are listed by the PCI layer as it finds
 * them, memory by the frame allocator. */
#include <kernel/hwreport.h>
#include <kernel/log.h>
#include <kernel/platform.h>
#include <hal/cpuinfo.h>
#include <hal/tsc.h>

void hwreport_cpu(void)
{
	const struct cpu_info *c = cpuinfo();
	const struct madt_info *m = platform_madt();
	const char *brand = c->brand;
	char flags[512];

	while (*brand == ' ')
		brand++;
	log_info("cpu: %s \"%s\" family %#x model %#x stepping %u%s", c->vendor,
		 *brand ? brand : "(no brand string)", c->family, c->model, c->stepping,
		 c->hypervisor ? ", under a hypervisor" : "");
	log_info("cpu: %u logical CPUs (MADT), TSC %llu MHz, %u-bit physical / %u-bit virtual addresses",
		 m ? m->ncpus : 1, (unsigned long long)(tsc_hz() / 1000000), c->phys_addr_bits,
		 c->virt_addr_bits);
	cpuinfo_flags(flags, sizeof(flags), 0);
	log_info("cpu: flags: %s", flags);
	cpuinfo_flags(flags, sizeof(flags), 1);
	log_info("cpu: security: %s", flags);
	for (unsigned i = 0; i < c->ncaches; i++) {
		const struct cpu_cache *k = &c->caches[i];
		log_info("cpu: L%u%c cache %u KiB, %u-way, %u-byte lines, shared by %u", k->level, k->type,
			 k->size_kib, k->ways, k->line, k->shared_by);
	}
	log_info("cpu: TLB entries 4K: L1d %u L1i %u L2 %u; 2M: L1d %u L1i %u L2 %u", c->tlb.l1d_4k,
		 c->tlb.l1i_4k, c->tlb.l2_4k, c->tlb.l1d_2m, c->tlb.l1i_2m, c->tlb.l2_2m);
}
