/* Host tests of the ACPI table code with crafted tables in a fake physical
 * memory: checksums, truncation, lengths that lie, unknown MADT entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hal/acpi.h>
#include <hal/madt.h>
#include <hal/power.h>
#include <cosmos/errno.h>

/* ---- the kernel services acpi.c uses ---- */
static struct power_acpi power_seen;
static int power_calls;
void power_set_acpi(const struct power_acpi *p) { power_seen = *p; power_calls++; }
void klog(int level, const char *fmt, ...) { (void)level; (void)fmt; }

/* ---- fake physical memory ---- */
#define PHYS_BASE 0x100000ULL
static uint8_t mem[64 * 1024];

static const void *fake_map(uint64_t phys, size_t len)
{
	if (phys < PHYS_BASE || phys + len < phys || phys + len > PHYS_BASE + sizeof(mem))
		return NULL;
	return &mem[phys - PHYS_BASE];
}

static uint8_t *at(uint64_t phys) { return &mem[phys - PHYS_BASE]; }

static uint8_t csum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return (uint8_t)-s;
}

/* Writes a table header + body at phys and fixes its checksum. */
static void put_table(uint64_t phys, const char *sig, const void *body, uint32_t body_len)
{
	struct acpi_header h = { .length = (uint32_t)sizeof(h) + body_len, .revision = 1 };

	memcpy(h.signature, sig, 4);
	memcpy(at(phys), &h, sizeof(h));
	memcpy(at(phys) + sizeof(h), body, body_len);
	at(phys)[9] = 0;
	at(phys)[9] = csum(at(phys), h.length);
}

static void put_rsdp(uint64_t phys, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = at(phys);

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	r[15] = rev;
	memcpy(r + 16, &rsdt, 4);
	uint32_t len = 36;
	memcpy(r + 20, &len, 4);
	memcpy(r + 24, &xsdt, 8);
	r[8] = csum(r, 20);
	r[32] = csum(r, 36);
}

#define RSDP 0x100000
#define XSDT 0x101000
#define RSDT 0x102000
#define T1   0x103000
#define T2   0x104000
#define T3   0x105000

static void put_root(uint64_t phys, const char *sig, const uint64_t *tables, int n, int entry_size)
{
	uint8_t body[64];

	for (int i = 0; i < n; i++)
		memcpy(body + i * entry_size, &tables[i], (size_t)entry_size);
	put_table(phys, sig, body, (uint32_t)(n * entry_size));
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	memset(&power_seen, 0, sizeof(power_seen));
	power_calls = 0;
	uint64_t t[3] = { T1, T2, T3 };
	put_rsdp(RSDP, 2, RSDT, XSDT);
	put_root(XSDT, "XSDT", t, 3, 8);
	put_root(RSDT, "RSDT", t, 3, 4);
	put_table(T1, "AAAA", "x", 1);
	put_table(T2, "BBBB", "yy", 2);
	put_table(T3, "AAAA", "zzz", 3);
	return 0;
}

static void test_valid_tables(void **state)
{
	unsigned listed, valid;

	(void)state;
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_counts(&listed, &valid);
	assert_int_equal(listed, 3);
	assert_int_equal(valid, 3);
	assert_ptr_equal(acpi_find("AAAA", 0), at(T1));
	assert_ptr_equal(acpi_find("AAAA", 1), at(T3));
	assert_null(acpi_find("AAAA", 2));
	assert_ptr_equal(acpi_find("BBBB", 0), at(T2));
	assert_null(acpi_find("CCCC", 0));
}

static void test_no_rsdp(void **state)
{
	(void)state;
	assert_int_equal(acpi_init(0, fake_map), -ENOENT);
	assert_int_equal(acpi_init(0x9000000, fake_map), -ENOENT);   /* outside memory */
}

static void test_rsdp_bad_checksum(void **state)
{
	(void)state;
	at(RSDP)[8] ^= 1;
	assert_int_equal(acpi_init(RSDP, fake_map), -EINVAL);
	assert_null(acpi_find("AAAA", 0));
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	at(RSDP)[0] = 'X';
	at(RSDP)[8] = 0;
	at(RSDP)[8] = csum(at(RSDP), 20);
	assert_int_equal(acpi_init(RSDP, fake_map), -EINVAL);
}

static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
	unsigned listed, valid;

	(void)state;
	*at(XSDT + 36) ^= 0xff;          /* corrupt the XSDT's body: checksum fails */
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_counts(&listed, &valid);
	assert_int_equal(listed, 3);
	assert_ptr_equal(acpi_find("BBBB", 0), at(T2));
}

/* A map function may refuse any request, also one for memory it mapped
 * before: the first 20 bytes of the RSDP map, everything after fails. */
static int map_calls;
static const void *map_once(uint64_t phys, size_t len)
{
	return map_calls++ == 0 ? fake_map(phys, len) : NULL;
}

static void test_map_failing_after_rsdp(void **state)
{
	(void)state;
	map_calls = 0;
	assert_int_equal(acpi_init(RSDP, map_once), -EINVAL);
	assert_null(acpi_find("AAAA", 0));
	map_calls = 0;
	at(RSDP)[15] = 0;                /* revision 0: the RSDT path directly */
	at(RSDP)[8] = 0;
	at(RSDP)[8] = csum(at(RSDP), 20);
	assert_int_equal(acpi_init(RSDP, map_once), -EINVAL);
}

static void test_bad_extended_checksum_uses_rsdt(void **state)
{
	(void)state;
	at(RSDP)[32] ^= 1;
	put_table(RSDT, "RSDT", (uint32_t[]){ T2 }, 4);  /* RSDT lists only T2 */
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	assert_null(acpi_find("AAAA", 0));
	assert_non_null(acpi_find("BBBB", 0));
}

static void test_table_bad_checksum_skipped(void **state)
{
	unsigned listed, valid;

	(void)state;
	*at(T2 + 36) ^= 0x55;
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_counts(&listed, &valid);
	assert_int_equal(listed, 3);
	assert_int_equal(valid, 2);
	assert_null(acpi_find("BBBB", 0));
}

static void test_table_lying_length_skipped(void **state)
{
	unsigned listed, valid;

	(void)state;
	uint32_t huge = 0x7fffffff, tiny = 10;
	memcpy(at(T1) + 4, &huge, 4);    /* runs past memory */
	memcpy(at(T2) + 4, &tiny, 4);    /* shorter than a header */
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_counts(&listed, &valid);
	assert_int_equal(valid, 1);
	assert_ptr_equal(acpi_find("AAAA", 0), at(T3));
}

static void test_root_entry_outside_memory(void **state)
{
	unsigned listed, valid;

	(void)state;
	uint64_t t[2] = { 0xdead0000ULL, T2 };
	put_root(XSDT, "XSDT", t, 2, 8);
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_counts(&listed, &valid);
	assert_int_equal(listed, 2);
	assert_int_equal(valid, 1);
}

/* ---- MADT ---- */
static size_t madt_body(uint8_t *b, const uint8_t *entries, size_t n)
{
	uint32_t lapic = 0xfee00000, flags = 1;

	memcpy(b, &lapic, 4);
	memcpy(b + 4, &flags, 4);
	memcpy(b + 8, entries, n);
	return 8 + n;
}

static const struct acpi_header *make_madt(const uint8_t *entries, size_t n)
{
	uint8_t body[512];
	size_t len = madt_body(body, entries, n);

	put_table(T1, "APIC", body, (uint32_t)len);
	return (const struct acpi_header *)at(T1);
}

static void test_madt_valid(void **state)
{
	static const uint8_t e[] = {
		0, 8, 0, 0, 1, 0, 0, 0,                  /* LAPIC uid 0 id 0 enabled */
		0, 8, 1, 1, 1, 0, 0, 0,                  /* LAPIC id 1 enabled */
		0, 8, 2, 2, 0, 0, 0, 0,                  /* LAPIC id 2 disabled */
		9, 16, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, /* x2APIC id 7 online-capable */
		1, 12, 5, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0, /* IOAPIC id 5 at fec00000 */
		2, 10, 0, 0, 2, 0, 0, 0, 0, 0,           /* IRQ0 -> GSI2 */
		2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0,        /* IRQ9 level/high */
		4, 6, 0xff, 5, 0, 1,                     /* LAPIC NMI all CPUs LINT1 */
	};
	struct madt_info m;

	(void)state;
	assert_int_equal(madt_parse(make_madt(e, sizeof(e)), &m), 0);
	assert_int_equal(m.lapic_addr, 0xfee00000);
	assert_int_equal(m.ncpus, 3);
	assert_int_equal(m.apic_ids[2], 7);
	assert_int_equal(m.nioapics, 1);
	assert_int_equal(m.ioapics[0].id, 5);
	assert_int_equal(m.ioapics[0].addr, 0xfec00000);
	assert_int_equal(m.noverrides, 2);
	assert_int_equal(m.overrides[0].irq, 0);
	assert_int_equal(m.overrides[0].gsi, 2);
	assert_int_equal(m.overrides[1].flags, 0x0d);
	assert_int_equal(m.nnmis, 1);
	assert_int_equal(m.nmis[0].lint, 1);
	assert_int_equal(m.bad_entries, 0);
	assert_int_equal(m.unknown_entries, 0);
}

static void test_madt_entry_longer_than_table(void **state)
{
	static const uint8_t e[] = {
		0, 8, 0, 0, 1, 0, 0, 0,
		1, 40, 5, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0, /* claims 40 bytes: past the end */
	};
	struct madt_info m;

	(void)state;
	assert_int_equal(madt_parse(make_madt(e, sizeof(e)), &m), 0);
	assert_int_equal(m.ncpus, 1);
	assert_int_equal(m.nioapics, 0);
	assert_int_equal(m.bad_entries, 1);
}

static void test_madt_short_and_zero_length_entries(void **state)
{
	static const uint8_t e[] = {
		1, 6, 5, 0, 0, 0,                        /* IOAPIC too short: skipped */
		0, 8, 0, 3, 1, 0, 0, 0,                  /* still read after it */
		0, 0, 0, 0,                              /* zero length: stop, no loop */
		0, 8, 0, 4, 1, 0, 0, 0,
	};
	struct madt_info m;

	(void)state;
	assert_int_equal(madt_parse(make_madt(e, sizeof(e)), &m), 0);
	assert_int_equal(m.nioapics, 0);
	assert_int_equal(m.ncpus, 1);
	assert_int_equal(m.apic_ids[0], 3);
	assert_int_equal(m.bad_entries, 2);
}

static void test_madt_unknown_types_and_duplicates(void **state)
{
	static const uint8_t e[] = {
		0x7f, 4, 0, 0,                           /* unknown type */
		0x0b, 6, 0, 0, 0, 0,                     /* GICC on x86: unknown to us */
		0, 8, 0, 1, 1, 0, 0, 0,
		9, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* same CPU as x2APIC */
	};
	struct madt_info m;

	(void)state;
	assert_int_equal(madt_parse(make_madt(e, sizeof(e)), &m), 0);
	assert_int_equal(m.unknown_entries, 2);
	assert_int_equal(m.ncpus, 1);
}

static void test_madt_truncated_header(void **state)
{
	struct madt_info m;

	(void)state;
	put_table(T1, "APIC", "abc", 3);          /* shorter than the fixed part */
	assert_int_equal(madt_parse((const struct acpi_header *)at(T1), &m), -EINVAL);
	put_table(T1, "APIX", "abcdefgh", 8);
	assert_int_equal(madt_parse((const struct acpi_header *)at(T1), &m), -EINVAL);
}

/* ---- MCFG, HPET, FADT + _S5 ---- */
static void install_tables(const char *sig1, const void *b1, uint32_t n1)
{
	uint64_t t[1] = { T1 };

	put_root(XSDT, "XSDT", t, 1, 8);
	put_table(T1, sig1, b1, n1);
}

static void test_mcfg(void **state)
{
	uint8_t body[8 + 16] = { 0 };
	uint64_t base = 0xb0000000, got;
	uint8_t s, e;

	(void)state;
	memcpy(body + 8, &base, 8);
	body[8 + 10] = 0;
	body[8 + 11] = 0xff;
	install_tables("MCFG", body, sizeof(body));
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	assert_int_equal(acpi_mcfg(&got, &s, &e), 0);
	assert_int_equal(got, base);
	assert_int_equal(e, 0xff);
	/* an allocation cut short by the table's end is not read */
	install_tables("MCFG", body, sizeof(body) - 1);
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	assert_int_equal(acpi_mcfg(&got, &s, &e), -ENOENT);
}

static void test_hpet(void **state)
{
	uint8_t body[20] = { 0 };
	uint64_t addr = 0xfed00000, got;

	(void)state;
	memcpy(body + 8, &addr, 8);                 /* GAS address at table offset 44 */
	install_tables("HPET", body, sizeof(body));
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	assert_int_equal(acpi_hpet(&got), 0);
	assert_int_equal(got, addr);
	body[4] = 1;                                 /* address space: I/O */
	install_tables("HPET", body, sizeof(body));
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	assert_int_equal(acpi_hpet(&got), -EINVAL);
	install_tables("HPET", body, 10);            /* truncated */
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	assert_int_equal(acpi_hpet(&got), -ENOENT);
}

static void put_fadt(uint64_t dsdt, uint32_t len)
{
	uint8_t body[244 - 36] = { 0 };
	uint32_t pm1a = 0x604, flags = 1u << 10, dsdt32 = (uint32_t)dsdt;

	memcpy(body + 40 - 36, &dsdt32, 4);
	memcpy(body + 64 - 36, &pm1a, 4);
	memcpy(body + 112 - 36, &flags, 4);
	body[116 - 36] = 1;                          /* reset reg in I/O space */
	uint64_t reset = 0xcf9;
	memcpy(body + 120 - 36, &reset, 8);
	body[128 - 36] = 0x0f;
	install_tables("FACP", body, len - 36);
}

static void test_fadt_s5(void **state)
{
	/* Name(_S5_, Package(4){0x05, 0x05, 0, 0}) */
	static const uint8_t aml[] = { 0x10, 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				       0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };

	(void)state;
	put_table(T2, "DSDT", aml + 1, sizeof(aml) - 1);
	put_fadt(T2, 244);
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_power_init();
	assert_int_equal(power_calls, 1);
	assert_true(power_seen.have_s5);
	assert_int_equal(power_seen.slp_typa, 5);
	assert_int_equal(power_seen.pm1a_cnt, 0x604);
	assert_true(power_seen.have_reset);
	assert_int_equal(power_seen.reset_addr, 0xcf9);
	assert_int_equal(power_seen.reset_value, 0x0f);
}

static void test_fadt_truncated_dsdt_s5(void **state)
{
	/* the package is cut off before its elements */
	static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08 };

	(void)state;
	put_table(T2, "DSDT", aml, sizeof(aml));
	put_fadt(T2, 244);
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_power_init();
	assert_int_equal(power_calls, 1);
	assert_false(power_seen.have_s5);
}

static void test_fadt_too_short(void **state)
{
	(void)state;
	put_fadt(0, 60);
	assert_int_equal(acpi_init(RSDP, fake_map), 0);
	acpi_power_init();
	assert_int_equal(power_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_tables, setup),
		cmocka_unit_test_setup(test_no_rsdp, setup),
		cmocka_unit_test_setup(test_rsdp_bad_checksum, setup),
		cmocka_unit_test_setup(test_rsdp_bad_signature, setup),
		cmocka_unit_test_setup(test_bad_xsdt_falls_back_to_rsdt, setup),
		cmocka_unit_test_setup(test_bad_extended_checksum_uses_rsdt, setup),
		cmocka_unit_test_setup(test_map_failing_after_rsdp, setup),
		cmocka_unit_test_setup(test_table_bad_checksum_skipped, setup),
		cmocka_unit_test_setup(test_table_lying_length_skipped, setup),
		cmocka_unit_test_setup(test_root_entry_outside_memory, setup),
		cmocka_unit_test_setup(test_madt_valid, setup),
		cmocka_unit_test_setup(test_madt_entry_longer_than_table, setup),
		cmocka_unit_test_setup(test_madt_short_and_zero_length_entries, setup),
		cmocka_unit_test_setup(test_madt_unknown_types_and_duplicates, setup),
		cmocka_unit_test_setup(test_madt_truncated_header, setup),
		cmocka_unit_test_setup(test_mcfg, setup),
		cmocka_unit_test_setup(test_hpet, setup),
		cmocka_unit_test_setup(test_fadt_s5, setup),
		cmocka_unit_test_setup(test_fadt_truncated_dsdt_s5, setup),
		cmocka_unit_test_setup(test_fadt_too_short, setup),
	};
	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
