/* Switches on the CPU's memory-protection features. CR4 bits: PGE 7,
 * UMIP 11, SMEP 20, SMAP 21; CR0.WP is bit 16; EFER.NXE bit 11. */
#include <hal/cpu_features.h>
#include <hal/cpu.h>

#define CR0_WP   (1ull << 16)
#define CR4_PGE  (1ull << 7)
#define CR4_UMIP (1ull << 11)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_NXE (1ull << 11)

unsigned cpu_features_present(void)
{
	uint32_t r[4];
	unsigned f = CPU_FEAT_WP;

	cpuid(0, 0, r);
	if (r[0] >= 7) {
		uint32_t l7[4];

		cpuid(7, 0, l7);
		if (l7[1] & (1u << 7))
			f |= CPU_FEAT_SMEP;
		if (l7[1] & (1u << 20))
			f |= CPU_FEAT_SMAP;
		if (l7[2] & (1u << 2))
			f |= CPU_FEAT_UMIP;
	}
	cpuid(1, 0, r);
	if (r[3] & (1u << 13))
		f |= CPU_FEAT_PGE;
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		if (r[3] & (1u << 20))
			f |= CPU_FEAT_NX;
	}
	return f;
}

unsigned cpu_features_enable(unsigned want)
{
	unsigned f = cpu_features_present() & want;
	uint64_t cr4 = read_cr4();

	if (f & CPU_FEAT_NX)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (f & CPU_FEAT_WP)
		write_cr0(read_cr0() | CR0_WP);
	if (f & CPU_FEAT_SMEP)
		cr4 |= CR4_SMEP;
	if (f & CPU_FEAT_SMAP)
		cr4 |= CR4_SMAP;
	if (f & CPU_FEAT_UMIP)
		cr4 |= CR4_UMIP;
	if (f & CPU_FEAT_PGE)
		cr4 |= CR4_PGE;
	write_cr4(cr4);
	return cpu_features_enabled();
}

unsigned cpu_features_enabled(void)
{
	uint64_t cr4 = read_cr4();
	unsigned f = 0;

	if (rdmsr(MSR_EFER) & EFER_NXE)
		f |= CPU_FEAT_NX;
	if (read_cr0() & CR0_WP)
		f |= CPU_FEAT_WP;
	if (cr4 & CR4_SMEP)
		f |= CPU_FEAT_SMEP;
	if (cr4 & CR4_SMAP)
		f |= CPU_FEAT_SMAP;
	if (cr4 & CR4_UMIP)
		f |= CPU_FEAT_UMIP;
	if (cr4 & CR4_PGE)
		f |= CPU_FEAT_PGE;
	return f;
}

const char *cpu_feature_name(unsigned feature)
{
	switch (feature) {
	case CPU_FEAT_NX: return "NX";
	case CPU_FEAT_WP: return "WP";
	case CPU_FEAT_SMEP: return "SMEP";
	case CPU_FEAT_SMAP: return "SMAP";
	case CPU_FEAT_UMIP: return "UMIP";
	case CPU_FEAT_PGE: return "PGE";
	}
	return "?";
}

void cpu_user_access_begin(void)
{
	if (read_cr4() & CR4_SMAP)
		__asm__ volatile("stac" ::: "memory");
}

void cpu_user_access_end(void)
{
	if (read_cr4() & CR4_SMAP)
		__asm__ volatile("clac" ::: "memory");
}

uint64_t cpu_features_hwcap(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[3];
}
