/* ACPI table discovery. Firmware tables are input like any other: every
 * pointer is bounds-checked through the map function, every table's length
 * and checksum verified; a bad table is skipped with a warning. */
#include <hal/acpi.h>
#include <hal/power.h>
#include <cosmos/errno.h>
#include <kernel/log.h>
#include <lib/string.h>

#define ACPI_MAX_TABLES     64
#define ACPI_MAX_TABLE_LEN  (16u << 20)

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;        /* revision >= 2 */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

/* Only ever written during boot, before any other CPU runs. */
static acpi_map_fn map_fn;
static const struct acpi_header *tables[ACPI_MAX_TABLES];
static unsigned ntables, nlisted;

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* Maps a whole table after checking its header. */
static const struct acpi_header *map_table(uint64_t phys)
{
	const struct acpi_header *h = map_fn(phys, sizeof(*h));

	if (!h)
		return 0;
	if (h->length < sizeof(*h) || h->length > ACPI_MAX_TABLE_LEN) {
		log_warn("acpi: table at %#llx has length %u; skipped", (unsigned long long)phys, h->length);
		return 0;
	}
	h = map_fn(phys, h->length);
	if (!h)
		return 0;
	if (sum(h, h->length) != 0) {
		log_warn("acpi: table %.4s at %#llx has a bad checksum; skipped", h->signature,
			 (unsigned long long)phys);
		return 0;
	}
	return h;
}

int acpi_init(uint64_t rsdp_phys, acpi_map_fn map)
{
	const struct rsdp *r, *ext;
	const struct acpi_header *root;
	unsigned entry_size, count;

	map_fn = map;
	ntables = nlisted = 0;
	/* r: the 20 bytes of every revision; ext: all 36 of revision 2, a
	 * second mapping that may fail on its own */
	if (!rsdp_phys || !(r = map(rsdp_phys, 20)))
		return -ENOENT;
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || sum(r, 20) != 0) {
		log_warn("acpi: RSDP at %#llx is invalid", (unsigned long long)rsdp_phys);
		return -EINVAL;
	}
	root = 0;
	if (r->revision >= 2 && (ext = map(rsdp_phys, sizeof(*ext))) && ext->length >= sizeof(*ext) &&
	    sum(ext, sizeof(*ext)) == 0 && ext->xsdt) {
		root = map_table(ext->xsdt);
		if (root && memcmp(root->signature, "XSDT", 4) != 0)
			root = 0;
		if (!root)
			log_warn("acpi: XSDT unusable; trying the RSDT");
	}
	entry_size = 8;
	if (!root) {
		root = map_table(r->rsdt);
		if (!root || memcmp(root->signature, "RSDT", 4) != 0) {
			log_warn("acpi: no usable root table");
			return -EINVAL;
		}
		entry_size = 4;
	}
	count = (root->length - sizeof(*root)) / entry_size;
	for (unsigned i = 0; i < count && ntables < ACPI_MAX_TABLES; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
		uint64_t phys = 0;
		const struct acpi_header *t;

		memcpy(&phys, e, entry_size); /* entries are unaligned in the XSDT */
		nlisted++;
		if (phys && (t = map_table(phys)))
			tables[ntables++] = t;
	}
	return 0;
}

const struct acpi_header *acpi_find(const char sig[4], unsigned n)
{
	for (unsigned i = 0; i < ntables; i++)
		if (memcmp(tables[i]->signature, sig, 4) == 0 && n-- == 0)
			return tables[i];
	return 0;
}

void acpi_counts(unsigned *listed, unsigned *valid)
{
	*listed = nlisted;
	*valid = ntables;
}

int acpi_mcfg(uint64_t *base, uint8_t *bus_start, uint8_t *bus_end)
{
	const struct acpi_header *t = acpi_find("MCFG", 0);
	const uint8_t *p, *end;

	if (!t)
		return -ENOENT;
	end = (const uint8_t *)t + t->length;
	/* 8 reserved bytes after the header, then 16-byte allocations */
	for (p = (const uint8_t *)(t + 1) + 8; p + 16 <= end; p += 16) {
		uint16_t segment;

		memcpy(&segment, p + 8, 2);
		if (segment != 0 || p[10] > p[11])
			continue;
		memcpy(base, p, 8);
		*bus_start = p[10];
		*bus_end = p[11];
		return 0;
	}
	return -ENOENT;
}

int acpi_hpet(uint64_t *addr)
{
	const struct acpi_header *t = acpi_find("HPET", 0);
	const uint8_t *g;

	if (!t || t->length < 56)
		return -ENOENT;
	g = (const uint8_t *)t + 40;   /* generic address of the register block */
	if (g[0] != 0)
		return -EINVAL;            /* must be system memory */
	memcpy(addr, g + 4, 8);
	return *addr ? 0 : -EINVAL;
}

/* Reads one AML integer (ZeroOp, OneOp, BytePrefix n); -1 if it is not one. */
static int aml_small_int(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
	if (p >= end)
		return -1;
	if (*p == 0x00 || *p == 0x01) {
		*next = p + 1;
		return *p;
	}
	if (*p == 0x0a && p + 1 < end) {
		*next = p + 2;
		return p[1];
	}
	return -1;
}

/* Finds Name(_S5_, Package(){a, b, ...}) in the DSDT's AML without an
 * interpreter: the byte pattern is fixed by the AML grammar. */
static int find_s5(const struct acpi_header *dsdt, uint16_t *a, uint16_t *b)
{
	const uint8_t *p = (const uint8_t *)(dsdt + 1);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

	for (; p + 4 < end; p++) {
		const uint8_t *q;
		int va, vb, lead;

		if (memcmp(p, "_S5_", 4) != 0 || p + 5 >= end || p[4] != 0x12)
			continue;
		/* NameOp (0x08) before the name, optionally with a root prefix */
		if (!(p[-1] == 0x08 || (p[-1] == '\\' && p[-2] == 0x08)))
			continue;
		q = p + 5;
		lead = *q >> 6;          /* PkgLength: extra length bytes */
		q += 1 + lead;
		q++;                     /* NumElements */
		if (q >= end)
			return -1;
		if ((va = aml_small_int(q, end, &q)) < 0 || (vb = aml_small_int(q, end, &q)) < 0)
			return -1;
		*a = (uint16_t)va;
		*b = (uint16_t)vb;
		return 0;
	}
	return -1;
}

/* FADT field offsets (ACPI 6.x, table 5.9). */
#define FADT_DSDT        40
#define FADT_PM1A_CNT    64
#define FADT_PM1B_CNT    68
#define FADT_FLAGS       112
#define FADT_RESET_REG   116   /* generic address structure, 12 bytes */
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT      140
#define FADT_RESET_REG_SUP (1u << 10)

static uint32_t rd32(const void *base, unsigned off)
{
	uint32_t v;
	memcpy(&v, (const uint8_t *)base + off, 4);
	return v;
}

void acpi_power_init(void)
{
	const struct acpi_header *fadt = acpi_find("FACP", 0), *dsdt = 0;
	struct power_acpi pw = { 0 };
	uint64_t dsdt_phys = 0;

	if (!fadt || fadt->length < FADT_PM1B_CNT + 4) {
		log_warn("acpi: no usable FADT; power-off falls back to halting");
		return;
	}
	pw.pm1a_cnt = (uint16_t)rd32(fadt, FADT_PM1A_CNT);
	pw.pm1b_cnt = (uint16_t)rd32(fadt, FADT_PM1B_CNT);
	if (fadt->length >= FADT_X_DSDT + 8)
		memcpy(&dsdt_phys, (const uint8_t *)fadt + FADT_X_DSDT, 8);
	if (!dsdt_phys)
		dsdt_phys = rd32(fadt, FADT_DSDT);
	if (dsdt_phys && (dsdt = map_table(dsdt_phys)) && memcmp(dsdt->signature, "DSDT", 4) == 0 &&
	    find_s5(dsdt, &pw.slp_typa, &pw.slp_typb) == 0)
		pw.have_s5 = 1;
	if (fadt->length >= FADT_RESET_VALUE + 1 && (rd32(fadt, FADT_FLAGS) & FADT_RESET_REG_SUP)) {
		const uint8_t *g = (const uint8_t *)fadt + FADT_RESET_REG;
		pw.reset_space = g[0];
		memcpy(&pw.reset_addr, g + 4, 8);
		pw.reset_value = ((const uint8_t *)fadt)[FADT_RESET_VALUE];
		pw.have_reset = pw.reset_space == 1;
	}
	power_set_acpi(&pw);
	log_info("acpi: power-off %s (PM1a %#x, S5 %u), reset %s",
		 pw.have_s5 ? "via \\_S5" : "unavailable", pw.pm1a_cnt, pw.slp_typa,
		 pw.have_reset ? "via FADT reset register" : "via fallbacks");
}
