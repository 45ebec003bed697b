/* Host tests of the loader's memory-map translation (boot/memmap.c) and the
 * cleaning it shares with the kernel (lib/memmap.c), on crafted firmware
 * maps: descriptor sizes larger, smaller and unaligned, unsorted entries,
 * zero lengths, wrapping and unaligned addresses, overlaps between types,
 * more entries than room, and the direct-map size computed from them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <boot/memmap.h>
#include <lib/memmap.h>

#define PG 4096ULL
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* A firmware map of up to 64 descriptors of desc_size bytes, in a buffer
 * exactly as long as the map so ASan sees a read past its end. */
struct fw_map {
	uint8_t *buf;
	size_t desc_size, count;
};

static struct fw_map fw;
static struct boot_mmap_entry out[80];

static void fw_begin(size_t desc_size)
{
	free(fw.buf);
	fw.buf = calloc(64, desc_size);
	fw.desc_size = desc_size;
	fw.count = 0;
}

static void fw_add(uint32_t type, uint64_t phys, uint64_t pages)
{
	struct uefi_mem_desc d = { .type = type, .phys = phys, .virt = 0, .pages = pages, .attribute = 0xf };

	assert_true(fw.count < 64);
	memcpy(fw.buf + fw.count * fw.desc_size, &d, sizeof(d));
	/* bytes beyond our struct are the firmware's: make them noise */
	memset(fw.buf + fw.count * fw.desc_size + sizeof(d), 0xa5, fw.desc_size - sizeof(d));
	fw.count++;
}

/* Translates the map as built so far; the buffer is trimmed to its size. */
static uint32_t translate(uint32_t cap)
{
	size_t size = fw.count * fw.desc_size;
	uint8_t *exact = malloc(size ? size : 1);
	uint32_t n;

	memcpy(exact, fw.buf, size);
	memset(out, 0xee, sizeof(out));
	n = memmap_translate(exact, size, fw.desc_size, out, cap);
	free(exact);
	return n;
}

static void expect(unsigned i, uint64_t phys, uint64_t pages, uint32_t type)
{
	assert_int_equal(out[i].phys, phys);
	assert_int_equal(out[i].pages, pages);
	assert_int_equal(out[i].type, type);
}

static int teardown(void **state)
{
	(void)state;
	free(fw.buf);
	fw.buf = NULL;
	return 0;
}

static void test_types_are_translated(void **state)
{
	static const struct { uint32_t efi, ours; } map[] = {
		{ UEFI_MEM_RESERVED, BOOT_MEM_RESERVED },     { UEFI_MEM_LOADER_CODE, BOOT_MEM_LOADER },
		{ UEFI_MEM_LOADER_DATA, BOOT_MEM_LOADER },    { UEFI_MEM_BS_CODE, BOOT_MEM_BOOT_SERVICES },
		{ UEFI_MEM_BS_DATA, BOOT_MEM_BOOT_SERVICES }, { UEFI_MEM_RT_CODE, BOOT_MEM_RUNTIME },
		{ UEFI_MEM_RT_DATA, BOOT_MEM_RUNTIME },       { UEFI_MEM_CONVENTIONAL, BOOT_MEM_USABLE },
		{ UEFI_MEM_UNUSABLE, BOOT_MEM_UNUSABLE },     { UEFI_MEM_ACPI_RECLAIM, BOOT_MEM_ACPI_RECLAIM },
		{ UEFI_MEM_ACPI_NVS, BOOT_MEM_ACPI_NVS },     { UEFI_MEM_MMIO, BOOT_MEM_MMIO },
		{ UEFI_MEM_MMIO_PORT, BOOT_MEM_MMIO },        { UEFI_MEM_PAL_CODE, BOOT_MEM_RESERVED },
		{ UEFI_MEM_PERSISTENT, BOOT_MEM_PERSISTENT }, { LOADER_TYPE_KERNEL, BOOT_MEM_KERNEL },
		{ LOADER_TYPE_BOOT_DATA, BOOT_MEM_BOOT_DATA }, { LOADER_TYPE_INITRD, BOOT_MEM_INITRD },
		{ LOADER_TYPE_TRAMPOLINE, BOOT_MEM_TRAMPOLINE },
		{ 15, BOOT_MEM_RESERVED },                    { 0x80000005u, BOOT_MEM_RESERVED },
		{ 0xffffffffu, BOOT_MEM_RESERVED },
	};
	unsigned n = sizeof(map) / sizeof(map[0]);

	(void)state;
	fw_begin(sizeof(struct uefi_mem_desc));
	/* one page each with a gap between, so nothing merges */
	for (unsigned i = 0; i < n; i++)
		fw_add(map[i].efi, (2 * i + 1) * PG, 1);
	assert_int_equal(translate(80), n);
	for (unsigned i = 0; i < n; i++)
		expect(i, (2 * i + 1) * PG, 1, map[i].ours);
}

/* Unsorted input comes out sorted; neighbours of one type merge, of two
 * types do not; a zero-length entry vanishes. OVMF's descriptors are 48
 * bytes, larger than the specification's 40. */
static void test_sorted_merged_and_empty_dropped(void **state)
{
	(void)state;
	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 16 * MiB, 256);
	fw_add(UEFI_MEM_BS_DATA, 0, 16);
	fw_add(UEFI_MEM_CONVENTIONAL, 1 * MiB, 3840);            /* 1 MiB..16 MiB */
	fw_add(UEFI_MEM_BS_CODE, 16 * PG, 16);                   /* merges with the BS data */
	fw_add(UEFI_MEM_CONVENTIONAL, 64 * MiB, 0);              /* empty */
	fw_add(UEFI_MEM_ACPI_NVS, 17 * MiB, 1);                  /* touches, other type */
	assert_int_equal(translate(80), 3);
	expect(0, 0, 32, BOOT_MEM_BOOT_SERVICES);
	expect(1, 1 * MiB, 4096, BOOT_MEM_USABLE);
	expect(2, 17 * MiB, 1, BOOT_MEM_ACPI_NVS);
}

/* Descriptors 44 bytes apart are not 8-byte aligned: still read right. */
static void test_unaligned_descriptor_size(void **state)
{
	(void)state;
	fw_begin(44);
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 10);
	fw_add(UEFI_MEM_RT_DATA, 10 * PG, 1);
	fw_add(UEFI_MEM_CONVENTIONAL, 11 * PG, 5);
	assert_int_equal(translate(80), 3);
	expect(0, 0, 10, BOOT_MEM_USABLE);
	expect(1, 10 * PG, 1, BOOT_MEM_RUNTIME);
	expect(2, 11 * PG, 5, BOOT_MEM_USABLE);
}

/* A descriptor size smaller than the specification's, or zero, is refused
 * whole (and never divides by zero). */
static void test_descriptor_size_too_small(void **state)
{
	(void)state;
	fw_begin(sizeof(struct uefi_mem_desc));
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 10);
	assert_int_equal(memmap_translate(fw.buf, 40, 32, out, 80), 0);
	assert_int_equal(memmap_translate(fw.buf, 40, 0, out, 80), 0);
	assert_int_equal(memmap_top(fw.buf, 40, 39), 0);
	assert_int_equal(memmap_top(fw.buf, 40, 0), 0);
	/* a map size that is not a whole number of descriptors: the tail is ignored */
	assert_int_equal(memmap_translate(fw.buf, 39, 40, out, 80), 0);
	assert_int_equal(memmap_translate(fw.buf, 40 + 39, 40, out, 80), 1);
}

/* Addresses that are not page aligned, lengths that wrap past 2^64 or
 * reach beyond what x86-64 can address are dropped. */
static void test_malformed_entries_dropped(void **state)
{
	(void)state;
	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 0x1000, 4);
	fw_add(UEFI_MEM_CONVENTIONAL, 0x10800, 4);                      /* unaligned */
	fw_add(UEFI_MEM_CONVENTIONAL, 0xfffffffffffff000ULL, 2);        /* wraps */
	fw_add(UEFI_MEM_CONVENTIONAL, 1 * GiB, 1ULL << 52);             /* pages * 4096 wraps */
	fw_add(UEFI_MEM_CONVENTIONAL, (1ULL << 52) - PG, 2);            /* ends past 2^52 */
	fw_add(UEFI_MEM_CONVENTIONAL, (1ULL << 52) - PG, 1);            /* ends at 2^52: fine */
	assert_int_equal(translate(80), 2);
	expect(0, 0x1000, 4, BOOT_MEM_USABLE);
	expect(1, (1ULL << 52) - PG, 1, BOOT_MEM_USABLE);
}

/* Overlapping entries: the type the kernel must not hand out keeps the
 * shared part, whichever comes first in address or in the map; between
 * equals the lower one keeps it. Nothing in the result overlaps. */
static void test_overlaps_resolved_safely(void **state)
{
	(void)state;
	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 100);            /* 0..100, runtime inside */
	fw_add(UEFI_MEM_RT_DATA, 40, 10);                 /* not aligned: dropped */
	fw_add(UEFI_MEM_RT_DATA, 40 * PG, 10);            /* 40..50 */
	assert_int_equal(translate(80), 2);
	expect(0, 0, 40, BOOT_MEM_USABLE);                /* 50..100 is lost, never shared */
	expect(1, 40 * PG, 10, BOOT_MEM_RUNTIME);

	fw_begin(48);
	fw_add(LOADER_TYPE_KERNEL, 10 * PG, 10);          /* 10..20 */
	fw_add(UEFI_MEM_CONVENTIONAL, 15 * PG, 20);       /* 15..35 starts inside the kernel */
	assert_int_equal(translate(80), 2);
	expect(0, 10 * PG, 10, BOOT_MEM_KERNEL);
	expect(1, 20 * PG, 15, BOOT_MEM_USABLE);

	fw_begin(48);
	fw_add(UEFI_MEM_BS_DATA, 0, 8);                   /* boot services lose to ACPI */
	fw_add(UEFI_MEM_ACPI_RECLAIM, 0, 4);              /* same start */
	assert_int_equal(translate(80), 1);
	expect(0, 0, 4, BOOT_MEM_ACPI_RECLAIM);

	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 8);
	fw_add(UEFI_MEM_BS_DATA, 4 * PG, 8);              /* boot services win over free */
	assert_int_equal(translate(80), 2);
	expect(0, 0, 4, BOOT_MEM_USABLE);
	expect(1, 4 * PG, 8, BOOT_MEM_BOOT_SERVICES);

	fw_begin(48);
	fw_add(UEFI_MEM_RT_CODE, 0, 8);                   /* equals: the lower keeps it */
	fw_add(UEFI_MEM_ACPI_NVS, 6 * PG, 4);
	fw_add(UEFI_MEM_MMIO, 7 * PG, 1);                 /* inside both: gone */
	assert_int_equal(translate(80), 2);
	expect(0, 0, 8, BOOT_MEM_RUNTIME);
	expect(1, 8 * PG, 2, BOOT_MEM_ACPI_NVS);

	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 4);              /* one-page overlap, free first */
	fw_add(UEFI_MEM_RT_DATA, 3 * PG, 1);
	assert_int_equal(translate(80), 2);
	expect(0, 0, 3, BOOT_MEM_USABLE);
	expect(1, 3 * PG, 1, BOOT_MEM_RUNTIME);

	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 4);              /* and wholly covered: gone */
	fw_add(UEFI_MEM_RT_DATA, 0, 4);
	fw_add(UEFI_MEM_CONVENTIONAL, 2 * PG, 1);
	assert_int_equal(translate(80), 1);
	expect(0, 0, 4, BOOT_MEM_RUNTIME);
}

/* More descriptors than room: the first cap are taken, nothing is written
 * past the end. */
static void test_capacity(void **state)
{
	(void)state;
	fw_begin(48);
	for (unsigned i = 0; i < 10; i++)
		fw_add(i % 2 ? UEFI_MEM_CONVENTIONAL : UEFI_MEM_ACPI_NVS, i * PG, 1);
	assert_int_equal(translate(4), 4);
	expect(3, 3 * PG, 1, BOOT_MEM_USABLE);
	assert_int_equal(out[4].phys, 0xeeeeeeeeeeeeeeeeULL);
	assert_int_equal(translate(0), 0);
	assert_int_equal(out[0].phys, 0xeeeeeeeeeeeeeeeeULL);
}

/* The direct map must reach the end of RAM, not of MMIO or reserved
 * space, ignoring malformed descriptors, and stops at BOOT_HHDM_MAX. */
static void test_top_of_ram(void **state)
{
	(void)state;
	fw_begin(48);
	fw_add(UEFI_MEM_CONVENTIONAL, 0, 256);
	fw_add(UEFI_MEM_ACPI_NVS, 3 * GiB, 16);
	fw_add(UEFI_MEM_MMIO, 4 * GiB, 1024);
	fw_add(UEFI_MEM_RESERVED, 8 * GiB, 1024);
	fw_add(UEFI_MEM_CONVENTIONAL, 0xfffffffffffff000ULL, 4);   /* wraps */
	assert_int_equal(memmap_top(fw.buf, fw.count * 48, 48), 3 * GiB + 16 * PG);
	fw_add(UEFI_MEM_BS_DATA, 5 * GiB, 1);
	assert_int_equal(memmap_top(fw.buf, fw.count * 48, 48), 5 * GiB + PG);
	fw_add(UEFI_MEM_CONVENTIONAL, 6 * GiB, 0);                /* empty */
	fw_add(UEFI_MEM_CONVENTIONAL, 6 * GiB + 8, 1);            /* unaligned */
	assert_int_equal(memmap_top(fw.buf, fw.count * 48, 48), 5 * GiB + PG);
	fw_add(UEFI_MEM_CONVENTIONAL, (1ULL << 47), 1);           /* beyond the direct map's limit */
	assert_int_equal(memmap_top(fw.buf, fw.count * 48, 48), BOOT_HHDM_MAX);
}

/* memmap_sanitize as the kernel uses it, on our own entries: bad types go,
 * nothing at all is fine. */
static void test_sanitize_own_entries(void **state)
{
	struct boot_mmap_entry e[4] = {
		{ .phys = 0, .pages = 1, .type = 0 },
		{ .phys = PG, .pages = 1, .type = BOOT_MEM_TYPE_COUNT },
		{ .phys = 2 * PG, .pages = 1, .type = BOOT_MEM_INITRD },
		{ .phys = 3 * PG, .pages = 1, .type = BOOT_MEM_USABLE },
	};
	unsigned dropped = 99;

	(void)state;
	assert_int_equal(memmap_sanitize(e, 4, &dropped), 2);
	assert_int_equal(dropped, 2);
	assert_int_equal(e[0].type, BOOT_MEM_INITRD);
	assert_int_equal(e[1].type, BOOT_MEM_USABLE);
	assert_int_equal(memmap_sanitize(e, 0, &dropped), 0);
	assert_int_equal(dropped, 0);
	/* overlaps count too: this one is cut, then covers the next */
	e[2] = (struct boot_mmap_entry){ .phys = 2 * PG, .pages = 2, .type = BOOT_MEM_USABLE };
	assert_int_equal(memmap_sanitize(e, 3, &dropped), 2);
	assert_int_equal(dropped, 2);
}

/* Found by fuzzing: a cut moves an entry's start past a later entry's, and
 * that later entry, of a higher rank, then cut it below its new start:
 * (start - new start) wrapped into a range of 2^52 pages. The moved entry
 * is dropped instead (memory lost, never handed out twice). */
static void test_cut_entry_overtaken(void **state)
{
	struct boot_mmap_entry e[3] = {
		{ .phys = 0, .pages = 10, .type = BOOT_MEM_RESERVED },
		{ .phys = 2 * PG, .pages = 20, .type = BOOT_MEM_USABLE },   /* cut to 10..22 */
		{ .phys = 5 * PG, .pages = 1, .type = BOOT_MEM_RESERVED },  /* starts below 10 */
	};

	(void)state;
	assert_int_equal(memmap_sanitize(e, 3, NULL), 1);
	assert_int_equal(e[0].phys, 0);
	assert_int_equal(e[0].pages, 10);
	assert_int_equal(e[0].type, BOOT_MEM_RESERVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_types_are_translated, teardown),
		cmocka_unit_test_teardown(test_sorted_merged_and_empty_dropped, teardown),
		cmocka_unit_test_teardown(test_unaligned_descriptor_size, teardown),
		cmocka_unit_test_teardown(test_descriptor_size_too_small, teardown),
		cmocka_unit_test_teardown(test_malformed_entries_dropped, teardown),
		cmocka_unit_test_teardown(test_overlaps_resolved_safely, teardown),
		cmocka_unit_test_teardown(test_capacity, teardown),
		cmocka_unit_test_teardown(test_top_of_ram, teardown),
		cmocka_unit_test(test_sanitize_own_entries),
		cmocka_unit_test(test_cut_entry_overtaken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
