/* Fuzz target for the ACPI tables (hal/acpi.c) and the MADT (hal/madt.c).
 * Input: a flags byte, then a fake physical memory image that starts at
 * PHYS_BASE with the RSDP at its first byte; pointers in the tables are
 * physical addresses into it. Unless flag bit 0 is set, the harness fixes
 * every checksum it can find first (RSDP, both roots, every table they
 * list, the DSDT the FADT names), so mutations reach past the checksums;
 * with it set they stay as the input has them. With flag bit 1 the image is
 * one MADT handed straight to madt_parse.
 * Checked: every table acpi_find returns lies inside the memory, is as long
 * as its header says (at least a header) and sums to zero; the MADT's
 * counts stay within its arrays, CPUs are listed once; MCFG bus ranges are
 * ordered; the FADT values handed to hal/power come from inside the FADT. */
#include "fuzz.h"

#include <stdarg.h>
#include <cosmos/errno.h>
#include <hal/acpi.h>
#include <hal/madt.h>
#include <hal/power.h>

#define PHYS_BASE 0x100000ULL

#define FLAG_KEEP_SUMS  1
#define FLAG_MADT_ONLY  2

static const uint8_t *mem;
static size_t mem_size;

/* ---- the kernel services acpi.c uses ---- */
static struct power_acpi power_seen;
static int power_calls;

void power_set_acpi(const struct power_acpi *p)
{
	power_seen = *p;
	power_calls++;
}

void klog(int level, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	(void)level;
	va_start(ap, fmt);           /* formatted, so the arguments are read */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

static const void *fake_map(uint64_t phys, size_t len)
{
	if (phys < PHYS_BASE || phys - PHYS_BASE > mem_size || len > mem_size - (phys - PHYS_BASE))
		return NULL;
	return mem + (phys - PHYS_BASE);
}

/* ---- checksum fixing ---- */
static uint8_t *wmem;

static uint8_t *span(uint64_t phys, uint64_t len)
{
	return (uint8_t *)fake_map(phys, len);
}

static void fix_sum(uint8_t *p, size_t len, size_t at)
{
	uint8_t s = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		s += p[i];
	p[at] = (uint8_t)-s;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Fixes the table at phys, if its header and length fit in memory, and
 * first the DSDT a FADT names (only one level: a FADT may name itself). */
static void fix_table(uint64_t phys, bool follow)
{
	uint8_t *h = span(phys, 36), *t;

	if (!h || rd32(h + 4) < 36 || !(t = span(phys, rd32(h + 4))))
		return;
	if (follow && memcmp(t, "FACP", 4) == 0) {
		uint32_t len = rd32(t + 4);
		uint64_t dsdt = len >= 148 ? rd64(t + 140) : 0;

		fix_table(dsdt ? dsdt : len >= 44 ? rd32(t + 40) : 0, false);
	}
	fix_sum(t, rd32(t + 4), 9);
}

static void fix_root(uint64_t phys, unsigned entry)
{
	uint8_t *h = span(phys, 36);
	uint32_t len;

	if (!h || (len = rd32(h + 4)) < 36 || !span(phys, len))
		return;
	for (uint32_t off = 36; off + entry <= len; off += entry) {
		uint64_t t = 0;

		memcpy(&t, h + off, entry);
		if (t != phys)
			fix_table(t, true);
	}
	fix_sum(h, len, 9);
}

static void fix_all(void)
{
	uint8_t *r = wmem;

	if (mem_size >= 36) {
		fix_root(rd64(r + 24), 8);
		fix_root(rd32(r + 16), 4);
	} else if (mem_size >= 20) {
		fix_root(rd32(r + 16), 4);
	}
	if (mem_size >= 20)
		fix_sum(r, 20, 8);
	if (mem_size >= 36)
		fix_sum(r, 36, 32);
}

/* ---- checks ---- */
static void check_table(const struct acpi_header *t)
{
	const uint8_t *p = (const uint8_t *)t;
	uint8_t s = 0;

	FUZZ_CHECK(p >= mem && p + sizeof(*t) <= mem + mem_size, "table header outside memory");
	FUZZ_CHECK(t->length >= sizeof(*t) && t->length <= (size_t)(mem + mem_size - p),
		   "table %.4s length %u runs outside memory", t->signature, t->length);
	for (uint32_t i = 0; i < t->length; i++)
		s += p[i];
	FUZZ_CHECK(s == 0, "table %.4s has a bad checksum", t->signature);
}

static void check_madt(const struct acpi_header *t)
{
	struct madt_info m;

	if (madt_parse(t, &m) != 0)
		return;
	FUZZ_CHECK(m.ncpus <= MADT_MAX_CPUS && m.nioapics <= MADT_MAX_IOAPICS &&
		   m.noverrides <= MADT_MAX_OVERRIDES && m.nnmis <= MADT_MAX_NMIS, "counts overflow");
	for (unsigned i = 0; i < m.ncpus; i++)
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(m.apic_ids[i] != m.apic_ids[j], "APIC id %u listed twice", m.apic_ids[i]);
	FUZZ_CHECK(m.bad_entries + m.unknown_entries <= t->length, "more bad entries than bytes");
}

static void use_tables(void)
{
	static const char *const sigs[] = { "APIC", "FACP", "HPET", "MCFG", "DSDT", "SSDT", "XSDT" };
	const struct acpi_header *t;
	unsigned listed, valid;
	uint64_t addr;
	uint8_t b0, b1;

	acpi_counts(&listed, &valid);
	FUZZ_CHECK(valid <= listed, "%u valid of %u listed", valid, listed);
	for (unsigned s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++)
		for (unsigned n = 0; (t = acpi_find(sigs[s], n)) != NULL; n++) {
			FUZZ_CHECK(n < valid, "more %s tables than valid ones", sigs[s]);
			check_table(t);
		}
	if (acpi_mcfg(&addr, &b0, &b1) == 0)
		FUZZ_CHECK(b0 <= b1, "MCFG bus range %u..%u", b0, b1);
	(void)acpi_hpet(&addr);
	power_calls = 0;
	acpi_power_init();
	if (power_calls) {
		t = acpi_find("FACP", 0);
		FUZZ_CHECK(t && t->length >= 72, "power values without a FADT long enough for them");
	}
	for (unsigned n = 0; (t = acpi_find("APIC", n)) != NULL; n++)
		check_madt(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t flags = fuzz_u8(&in);
	int r;

	mem_size = in.left;
	wmem = fuzz_dup(in.p, in.left);
	mem = wmem;
	if (flags & FLAG_MADT_ONLY) {
		if (mem_size >= sizeof(struct acpi_header)) {
			uint32_t len = (uint32_t)mem_size;

			memcpy(wmem, "APIC", 4);        /* madt_parse's caller checked these */
			memcpy(wmem + 4, &len, 4);
			check_madt((const struct acpi_header *)mem);
		}
	} else {
		if (!(flags & FLAG_KEEP_SUMS))
			fix_all();
		r = acpi_init(PHYS_BASE, fake_map);
		FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL, "acpi_init returned %d", r);
		if (r == 0)
			use_tables();
	}
	free(wmem);
	return 0;
}
