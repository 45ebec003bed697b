/* Host tests of PCI BAR decoding: I/O, 32-bit and 64-bit memory,
 * prefetchable, unimplemented and reserved-type BARs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <drivers/pci.h>

static void test_io_bar(void **state)
{
	struct pci_bar b;

	(void)state;
	/* 0x80 bytes at 0x6000; upper 16 bits read back as zero on some devices */
	assert_int_equal(pci_bar_decode(0x6001, 0xffffff81, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_IO);
	assert_int_equal(b.base, 0x6000);
	assert_int_equal(b.size, 0x80);
	assert_int_equal(pci_bar_decode(0x60c1, 0x0000ffe1, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_IO);
	assert_int_equal(b.size, 0x20);
}

static void test_mem32_bar(void **state)
{
	struct pci_bar b;

	(void)state;
	assert_int_equal(pci_bar_decode(0xc1011000, 0xfffff000, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_MEM32);
	assert_int_equal(b.base, 0xc1011000);
	assert_int_equal(b.size, 0x1000);
	assert_false(b.prefetchable);
}

static void test_mem32_prefetchable(void **state)
{
	struct pci_bar b;

	(void)state;
	assert_int_equal(pci_bar_decode(0xc0000008, 0xff000008, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_MEM32);
	assert_int_equal(b.size, 16 << 20);
	assert_true(b.prefetchable);
}

static void test_mem64_bar(void **state)
{
	struct pci_bar b;

	(void)state;
	/* 16 KiB at 0xe0_0000_0000, prefetchable */
	assert_int_equal(pci_bar_decode(0x0000000c, 0xffffc00c, 0xe0, 0xffffffff, &b), 2);
	assert_int_equal(b.kind, PCI_BAR_MEM64);
	assert_int_equal(b.base, 0xe000000000ULL);
	assert_int_equal(b.size, 0x4000);
	assert_true(b.prefetchable);
	/* a 64-bit BAR larger than 4 GiB */
	assert_int_equal(pci_bar_decode(0x4, 0x4, 0x100, 0xfffffff0, &b), 2);
	assert_int_equal(b.size, 0x1000000000ULL);
}

static void test_unimplemented_bars(void **state)
{
	struct pci_bar b;

	(void)state;
	assert_int_equal(pci_bar_decode(0, 0, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_NONE);
	assert_int_equal(pci_bar_decode(1, 1, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_NONE);
	assert_int_equal(pci_bar_decode(4, 4, 0, 0, &b), 2);   /* 64-bit, nothing decodes */
	assert_int_equal(b.kind, PCI_BAR_NONE);
	assert_int_equal(pci_bar_decode(2, 0xfffff002, 0, 0, &b), 1); /* reserved type 01 */
	assert_int_equal(b.kind, PCI_BAR_NONE);
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(pci_class_name(0x01, 0x06), "SATA controller");
	assert_string_equal(pci_class_name(0x01, 0x42), "mass storage controller");
	assert_string_equal(pci_class_name(0x06, 0x04), "PCI-to-PCI bridge");
	assert_string_equal(pci_class_name(0x42, 0x00), "unknown device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_bar),
		cmocka_unit_test(test_mem32_bar),
		cmocka_unit_test(test_mem32_prefetchable),
		cmocka_unit_test(test_mem64_bar),
		cmocka_unit_test(test_unimplemented_bars),
		cmocka_unit_test(test_class_names),
	};
	return cmocka_run_group_tests_name("pci_bar", tests, NULL, NULL);
}
