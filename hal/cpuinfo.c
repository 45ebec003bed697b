/* CPUID reading for the boot report. Leaves beyond the maximum the CPU
 * reports are never queried (they return another leaf's data on Intel). */
#include <hal/cpuinfo.h>
#include <hal/cpu.h>
#include <lib/fmt.h>
#include <lib/string.h>

/* Filled once at boot, read-only afterwards. */
static struct cpu_info info;

const struct cpu_info *cpuinfo(void) { return &info; }

enum reg { L1C, L1D, L7B, L7C, L7D, E1C, E1D };

struct flag {
	uint8_t reg, bit;
	uint8_t security;        /* listed in the security summary */
	const char *name;
};

static const struct flag flags[] = {
	{ L1D, 0, 0, "fpu" }, { L1D, 4, 0, "tsc" }, { L1D, 5, 0, "msr" }, { L1D, 6, 0, "pae" },
	{ L1D, 9, 0, "apic" }, { L1D, 12, 0, "mtrr" }, { L1D, 13, 0, "pge" }, { L1D, 15, 0, "cmov" },
	{ L1D, 16, 0, "pat" }, { L1D, 19, 0, "clflush" }, { L1D, 23, 0, "mmx" }, { L1D, 24, 0, "fxsr" },
	{ L1D, 25, 0, "sse" }, { L1D, 26, 0, "sse2" }, { L1D, 28, 0, "htt" },
	{ L1C, 0, 0, "sse3" }, { L1C, 1, 0, "pclmulqdq" }, { L1C, 9, 0, "ssse3" }, { L1C, 12, 0, "fma" },
	{ L1C, 13, 0, "cx16" }, { L1C, 19, 0, "sse4_1" }, { L1C, 20, 0, "sse4_2" }, { L1C, 21, 0, "x2apic" },
	{ L1C, 22, 0, "movbe" }, { L1C, 23, 0, "popcnt" }, { L1C, 24, 0, "tsc_deadline" },
	{ L1C, 25, 1, "aes" }, { L1C, 26, 0, "xsave" }, { L1C, 27, 0, "osxsave" }, { L1C, 28, 0, "avx" },
	{ L1C, 29, 0, "f16c" }, { L1C, 30, 1, "rdrand" }, { L1C, 31, 0, "hypervisor" },
	{ L7B, 0, 1, "fsgsbase" }, { L7B, 3, 0, "bmi1" }, { L7B, 5, 0, "avx2" }, { L7B, 7, 1, "smep" },
	{ L7B, 8, 0, "bmi2" }, { L7B, 9, 0, "erms" }, { L7B, 10, 1, "invpcid" }, { L7B, 16, 0, "avx512f" },
	{ L7B, 18, 1, "rdseed" }, { L7B, 19, 0, "adx" }, { L7B, 20, 1, "smap" }, { L7B, 23, 0, "clflushopt" },
	{ L7B, 29, 1, "sha_ni" }, { L7C, 2, 1, "umip" }, { L7C, 3, 1, "pku" }, { L7C, 7, 1, "cet_ss" },
	{ L7C, 16, 0, "la57" }, { L7D, 10, 1, "md_clear" }, { L7D, 20, 1, "cet_ibt" },
	{ L7D, 26, 1, "ibrs_ibpb" }, { L7D, 27, 1, "stibp" }, { L7D, 31, 1, "ssbd" },
	{ E1D, 11, 0, "syscall" }, { E1D, 20, 1, "nx" }, { E1D, 26, 0, "pdpe1gb" }, { E1D, 27, 0, "rdtscp" },
	{ E1D, 29, 0, "lm" }, { E1C, 0, 0, "lahf_lm" }, { E1C, 5, 0, "abm" },
};

static uint32_t reg_value(enum reg r)
{
	switch (r) {
	case L1C: return info.leaf1_ecx;
	case L1D: return info.leaf1_edx;
	case L7B: return info.leaf7_ebx;
	case L7C: return info.leaf7_ecx;
	case L7D: return info.leaf7_edx;
	case E1C: return info.ext1_ecx;
	default:  return info.ext1_edx;
	}
}

void cpuinfo_flags(char *buf, unsigned size, int security_only)
{
	unsigned len = 0;

	if (size)
		buf[0] = 0;
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (security_only && !flags[i].security)
			continue;
		if (reg_value(flags[i].reg) & (1u << flags[i].bit)) {
			int n = fmt_snprintf(buf + len, size - len, "%s%s", len ? " " : "", flags[i].name);
			if (n < 0 || len + (unsigned)n >= size)
				break;
			len += (unsigned)n;
		}
	}
}

/* Deterministic cache parameters: leaf 4 (Intel) and 0x8000001D (AMD)
 * share one layout. */
static void read_caches(uint32_t leaf)
{
	for (uint32_t i = 0; i < 16 && info.ncaches < CPUINFO_MAX_CACHES; i++) {
		uint32_t r[4];
		struct cpu_cache *c = &info.caches[info.ncaches];
		unsigned type;

		cpuid(leaf, i, r);
		type = r[0] & 0x1f;
		if (type == 0)
			break;
		c->type = type == 1 ? 'D' : type == 2 ? 'I' : 'U';
		c->level = (r[0] >> 5) & 7;
		c->shared_by = (uint16_t)(((r[0] >> 14) & 0xfff) + 1);
		c->ways = (uint16_t)(((r[1] >> 22) & 0x3ff) + 1);
		c->line = (uint16_t)((r[1] & 0xfff) + 1);
		c->size_kib = (uint32_t)((uint64_t)c->ways * (((r[1] >> 12) & 0x3ff) + 1) * c->line *
					 ((uint64_t)r[2] + 1) / 1024);
		info.ncaches++;
	}
}

static void add_cache(uint8_t level, char type, uint32_t size_kib, uint16_t ways, uint16_t line)
{
	if (size_kib == 0 || info.ncaches == CPUINFO_MAX_CACHES)
		return;
	info.caches[info.ncaches++] = (struct cpu_cache){ level, type, ways, line, size_kib, 1 };
}

/* L2/L3 associativity in AMD's 4-bit encoding (0xf: fully associative,
 * shown as 0 ways). */
static uint16_t amd_ways(uint32_t code)
{
	static const uint16_t ways[16] = { 0, 1, 2, 0, 4, 0, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0 };
	return ways[code & 0xf];
}

/* AMD's legacy cache leaves, for CPUs without the deterministic ones. */
static void read_caches_legacy(void)
{
	uint32_t r[4];

	if (info.max_ext_leaf >= 0x80000005) {
		cpuid(0x80000005, 0, r);
		add_cache(1, 'D', r[2] >> 24, (r[2] >> 16) & 0xff, r[2] & 0xff);
		add_cache(1, 'I', r[3] >> 24, (r[3] >> 16) & 0xff, r[3] & 0xff);
	}
	if (info.max_ext_leaf >= 0x80000006) {
		cpuid(0x80000006, 0, r);
		add_cache(2, 'U', r[2] >> 16, amd_ways(r[2] >> 12), r[2] & 0xff);
		add_cache(3, 'U', (r[3] >> 18) * 512, amd_ways(r[3] >> 12), r[3] & 0xff);
	}
}

/* AMD's legacy leaves 0x80000005/6 also describe the TLBs; QEMU fills
 * them for every vendor. */
static void read_tlbs(void)
{
	uint32_t r[4];

	if (info.max_ext_leaf >= 0x80000005) {
		cpuid(0x80000005, 0, r);
		info.tlb.l1d_2m = (r[0] >> 16) & 0xff;
		info.tlb.l1i_2m = r[0] & 0xff;
		info.tlb.l1d_4k = (r[1] >> 16) & 0xff;
		info.tlb.l1i_4k = r[1] & 0xff;
	}
	if (info.max_ext_leaf >= 0x80000006) {
		cpuid(0x80000006, 0, r);
		info.tlb.l2_2m = (r[0] >> 16) & 0xfff;
		info.tlb.l2_4k = (r[1] >> 16) & 0xfff;
	}
}

void cpuinfo_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	info.max_leaf = r[0];
	memcpy(info.vendor, &r[1], 4);
	memcpy(info.vendor + 4, &r[3], 4);
	memcpy(info.vendor + 8, &r[2], 4);
	info.vendor[12] = 0;

	cpuid(1, 0, r);
	info.stepping = r[0] & 0xf;
	info.model = (r[0] >> 4) & 0xf;
	info.family = (r[0] >> 8) & 0xf;
	if (info.family == 0xf)
		info.family += (r[0] >> 20) & 0xff;
	if (info.family == 0x6 || info.family >= 0xf)
		info.model |= ((r[0] >> 16) & 0xf) << 4;
	info.leaf1_ecx = r[2];
	info.leaf1_edx = r[3];
	info.hypervisor = (r[2] >> 31) & 1;
	if (info.max_leaf >= 7) {
		cpuid(7, 0, r);
		info.leaf7_ebx = r[1];
		info.leaf7_ecx = r[2];
		info.leaf7_edx = r[3];
	}

	cpuid(0x80000000, 0, r);
	info.max_ext_leaf = r[0] >= 0x80000000 && r[0] < 0x80000100 ? r[0] : 0;
	if (info.max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		info.ext1_ecx = r[2];
		info.ext1_edx = r[3];
	}
	if (info.max_ext_leaf >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(info.brand + 16 * i, r, 16);
		}
		info.brand[48] = 0;
	}
	if (info.max_ext_leaf >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		info.phys_addr_bits = r[0] & 0xff;
		info.virt_addr_bits = (r[0] >> 8) & 0xff;
	}
	if (info.max_leaf >= 4)
		read_caches(4);
	if (info.ncaches == 0 && info.max_ext_leaf >= 0x8000001d && (info.ext1_ecx & (1u << 22)))
		read_caches(0x8000001d);
	if (info.ncaches == 0)
		read_caches_legacy();
	read_tlbs();
}
