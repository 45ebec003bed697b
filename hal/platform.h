/* Platform discovery: hal reads what the firmware and the PC describe
 * (ACPI tables, the MADT, the PCI ECAM window, HPET, RTC, TSC, CPUID) and
 * hands the kernel portable facts: how many CPUs, the wall time at boot,
 * what the clock was measured against, a second clock to check it by. */
#ifndef HAL_PLATFORM_H
#define HAL_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <hal/madt.h>

/* How hal reaches firmware tables in physical memory: the kernel passes
 * its direct map. NULL if [phys, phys+len) is not addressable. */
typedef const void *(*platform_map_fn)(uint64_t phys, size_t len);

/* Once, after mm is up (for MMIO mappings). rsdp_phys: the ACPI root
 * pointer the loader found (0 for none); legacy fallbacks without it. */
void platform_init(uint64_t rsdp_phys, platform_map_fn map);

/* Logical CPUs the firmware lists (1 when it lists none). */
unsigned platform_cpu_count(void);
/* Unix time at boot from the wall clock; 0 if unknown. */
int64_t platform_boot_unix_time(void);
/* What the kernel clock's rate was measured against ("HPET", "PIT",
 * "CPUID", "none"). */
const char *platform_clock_source(void);
/* A second clock, independent of the kernel's, in nanoseconds from an
 * arbitrary origin; false when the machine has none. For tests and
 * calibration checks. */
bool platform_reference_ns(uint64_t *ns);

/* For hal's interrupt routing: the parsed MADT, or NULL. */
const struct madt_info *platform_madt(void);

#endif
