/* Memory-protection features of the CPU (NX, WP, SMEP, SMAP, UMIP, global
 * pages): detected with CPUID and switched on where present. */
#ifndef HAL_CPU_FEATURES_H
#define HAL_CPU_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

enum cpu_feature {
	CPU_FEAT_NX   = 1u << 0,
	CPU_FEAT_WP   = 1u << 1,
	CPU_FEAT_SMEP = 1u << 2,
	CPU_FEAT_SMAP = 1u << 3,
	CPU_FEAT_UMIP = 1u << 4,
	CPU_FEAT_PGE  = 1u << 5,
};

/* Which of the features CPUID reports (WP always exists). */
unsigned cpu_features_present(void);
/* Turns on every present feature in `want`; returns the set now on. PGE
 * should only be enabled once the kernel's own tables are live. */
unsigned cpu_features_enable(unsigned want);
/* The set currently enabled. */
unsigned cpu_features_enabled(void);
const char *cpu_feature_name(unsigned feature);

/* What programs learn as AT_HWCAP: Linux's x86 value, CPUID leaf 1's EDX. */
uint64_t cpu_features_hwcap(void);

/* Brackets deliberate kernel access to user pages while SMAP is on. */
void cpu_user_access_begin(void);
void cpu_user_access_end(void);

#endif
