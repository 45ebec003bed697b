/* What the firmware tells us about the machine: ACPI tables, CPUs and
 * interrupt wiring, the PCI ECAM window, timers and the wall clock. */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stdint.h>
#include <hal/madt.h>

void platform_init(void);
/* The parsed MADT, or NULL when the firmware gave none. */
const struct madt_info *platform_madt(void);
/* Unix time at boot from the RTC; 0 if unknown. */
int64_t platform_boot_unix_time(void);

#endif
