/* The MADT (ACPI "APIC" table): local APICs (one per logical CPU), I/O
 * APICs, interrupt source overrides and NMI wiring, checked entry by entry. */
#ifndef HAL_MADT_H
#define HAL_MADT_H

#include <stdint.h>
#include <hal/acpi.h>
#include <cosmos/compiler.h>

#define MADT_MAX_CPUS      256
#define MADT_MAX_IOAPICS   8
#define MADT_MAX_OVERRIDES 24
#define MADT_MAX_NMIS      8

struct madt_ioapic { uint8_t id; uint32_t addr; uint32_t gsi_base; };
struct madt_override { uint8_t bus, irq; uint32_t gsi; uint16_t flags; };
struct madt_nmi { uint32_t acpi_cpu; uint8_t lint; uint16_t flags; }; /* acpi_cpu 0xff: all */

struct madt_info {
	uint64_t lapic_addr;
	uint32_t flags;                 /* bit 0: 8259 PICs present */
	unsigned ncpus;                 /* enabled or online-capable local APICs */
	uint32_t apic_ids[MADT_MAX_CPUS];
	unsigned nioapics;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	unsigned noverrides;
	struct madt_override overrides[MADT_MAX_OVERRIDES];
	unsigned nnmis;
	struct madt_nmi nmis[MADT_MAX_NMIS];
	unsigned bad_entries;           /* malformed entries skipped */
	unsigned unknown_entries;       /* entry types we do not use */
};

/* Parses a checksummed MADT. 0, or -EINVAL if the table is unusable. */
int madt_parse(const struct acpi_header *t, struct madt_info *out) __must_check;

#endif
