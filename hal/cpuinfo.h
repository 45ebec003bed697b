/* What the CPU says about itself through CPUID: identity, feature flags,
 * caches and TLBs. Gathered once at boot and kept for user programs. */
#ifndef HAL_CPUINFO_H
#define HAL_CPUINFO_H

#include <stdint.h>

#define CPUINFO_MAX_CACHES 8

struct cpu_cache {
	uint8_t level;
	char type;               /* 'D' data, 'I' instruction, 'U' unified */
	uint16_t ways;
	uint16_t line;           /* bytes */
	uint32_t size_kib;
	uint16_t shared_by;      /* logical CPUs sharing it */
};

struct cpu_tlb {
	uint16_t l1d_4k, l1i_4k, l2_4k;  /* entries; 0 = not reported */
	uint16_t l1d_2m, l1i_2m, l2_2m;
};

struct cpu_info {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf, max_ext_leaf;
	uint32_t leaf1_ecx, leaf1_edx, leaf7_ebx, leaf7_ecx, leaf7_edx, ext1_ecx, ext1_edx;
	uint8_t phys_addr_bits, virt_addr_bits;
	unsigned ncaches;
	struct cpu_cache caches[CPUINFO_MAX_CACHES];
	struct cpu_tlb tlb;
	int hypervisor;          /* CPUID says we run in a VM */
};

void cpuinfo_init(void);
const struct cpu_info *cpuinfo(void);
/* Writes the space-separated names of the set feature flags into buf. */
void cpuinfo_flags(char *buf, unsigned size, int security_only);

#endif
