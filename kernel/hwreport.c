/* The hardware report: the CPU from the data hal/cpuinfo and platform
 * discovery gathered, and the usable RAM ranges from the checked memory map (the frame
 * allocator prints the totals per type; PCI lists devices as it finds them). */
#include <kernel/hwreport.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <hal/cpuinfo.h>
#include <hal/platform.h>
#include <hal/tsc.h>

void hwreport_cpu(void)
{
	const struct cpu_info *c = cpuinfo();
	const char *brand = c->brand;
	char flags[512];

	while (*brand == ' ')
		brand++;
	log_info("cpu: %s \"%s\" family %#x model %#x stepping %u%s", c->vendor,
		 *brand ? brand : "(no brand string)", c->family, c->model, c->stepping,
		 c->hypervisor ? ", under a hypervisor" : "");
	log_info("cpu: %u logical CPUs (MADT), TSC %llu MHz (measured against the %s), "
		 "%u-bit physical / %u-bit virtual addresses", platform_cpu_count(),
		 (unsigned long long)(tsc_hz() / 1000000), platform_clock_source(), c->phys_addr_bits,
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

/* RAM the kernel owns or reclaimed, merged across type boundaries, the way
 * a person reading the map thinks of "usable memory". */
static int owned(uint32_t t)
{
	return t == BOOT_MEM_USABLE || t == BOOT_MEM_LOADER || t == BOOT_MEM_BOOT_SERVICES ||
	       t == BOOT_MEM_KERNEL || t == BOOT_MEM_BOOT_DATA;
}

void hwreport_memory(void)
{
	unsigned n, ranges = 0;
	const struct boot_mmap_entry *m = boot_mmap(&n);

	for (unsigned i = 0; i < n;) {
		uint64_t start = m[i].phys, end;

		if (!owned(m[i].type)) {
			i++;
			continue;
		}
		end = m[i].phys + m[i].pages * 4096;
		for (i++; i < n && owned(m[i].type) && m[i].phys == end; i++)
			end = m[i].phys + m[i].pages * 4096;
		log_info("mem: usable 0x%012llx-0x%012llx (%llu KiB)", (unsigned long long)start,
			 (unsigned long long)(end - 1), (unsigned long long)((end - start) >> 10));
		ranges++;
	}
	log_info("mem: %u usable ranges in %u map entries", ranges, n);
}
