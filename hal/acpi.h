/* ACPI tables: the RSDP, XSDT/RSDT and table lookup with every signature,
 * length and checksum checked before use; FADT power values for hal/power. */
#ifndef HAL_ACPI_H
#define HAL_ACPI_H

#include <stdint.h>
#include <stddef.h>
#include <cosmos/compiler.h>

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* How the ACPI code reaches physical memory: the kernel passes the direct
 * map; host tests pass a fake. Returns NULL if [phys, phys+len) is not
 * addressable. */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len);

/* Finds and checks the RSDP and root table. 0 or a negative errno. */
int acpi_init(uint64_t rsdp_phys, acpi_map_fn map) __must_check;
/* The n-th valid table with this signature, or NULL. */
const struct acpi_header *acpi_find(const char sig[4], unsigned n);
/* ECAM window of PCI segment 0 from the MCFG: 0 or -ENOENT. */
int acpi_mcfg(uint64_t *base, uint8_t *bus_start, uint8_t *bus_end) __must_check;
/* Physical address of the HPET registers: 0, -ENOENT or -EINVAL. */
int acpi_hpet(uint64_t *addr) __must_check;
/* Reads the FADT and \_S5 and hands the values to hal/power. */
void acpi_power_init(void);
/* Number of tables the root lists and how many passed the checks. */
void acpi_counts(unsigned *listed, unsigned *valid);

#endif
