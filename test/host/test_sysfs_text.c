/* Host tests of the /sys formats: PCI uevent (what busybox lspci parses),
 * modalias, resource lines and flags for each BAR kind, block uevents.
 * Expected text is as Linux 6.x prints it for the same devices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fs/sysfs_text.h>

static char out[8192];
static struct seqbuf sb;

static int setup(void **state)
{
	(void)state;
	seqbuf_init(&sb, out, sizeof(out) - 1);
	return 0;
}

static const char *text(void)
{
	assert_false(sb.overflow);
	out[sb.len] = 0;
	return out;
}

static const struct pci_driver virtio_drv = { "virtio-pci", NULL, NULL };

static struct pci_dev virtio_dev(void)
{
	struct pci_dev d = { .bus = 0, .dev = 2, .fn = 0, .vendor = 0x1af4, .device = 0x1042,
			     .subsys_vendor = 0x1af4, .subsys_id = 0x1042, .class_code = 0x01,
			     .subclass = 0x80, .prog_if = 0, .header_type = 0, .driver = &virtio_drv };
	return d;
}

static void test_uevent_like_linux(void **state)
{
	struct pci_dev d = virtio_dev();
	struct pci_dev host = { .vendor = 0x8086, .device = 0x0d57, .class_code = 6 };

	(void)state;
	sysfs_pci_uevent_text(&sb, &d);
	sysfs_pci_uevent_text(&sb, &host);
	assert_string_equal(text(),
		"DRIVER=virtio-pci\nPCI_CLASS=18000\nPCI_ID=1AF4:1042\nPCI_SUBSYS_ID=1AF4:1042\n"
		"PCI_SLOT_NAME=0000:00:02.0\nMODALIAS=pci:v00001AF4d00001042sv00001AF4sd00001042bc01sc80i00\n"
		"PCI_CLASS=60000\nPCI_ID=8086:0D57\nPCI_SUBSYS_ID=0000:0000\n"
		"PCI_SLOT_NAME=0000:00:00.0\nMODALIAS=pci:v00008086d00000D57sv00000000sd00000000bc06sc00i00\n");
}

/* busybox lspci: config_read(parser, tokens, 3, 2, "\0:=") splits each line
 * at ':' and '=' into at most 3 tokens; the class is parsed as hex >> 8. */
static void test_uevent_lspci_parse(void **state)
{
	struct pci_dev d = virtio_dev();
	unsigned cls = 0, vid = 0, did = 0;
	char slot[16] = "";
	char *line, *save;

	(void)state;
	d.bus = 0x1c;
	d.dev = 0x1f;
	d.fn = 7;
	d.class_code = 0;
	d.subclass = 1;
	sysfs_pci_uevent_text(&sb, &d);
	text();
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *key = line, *v1 = strpbrk(line, ":="), *v2;

		assert_non_null(v1);
		*v1++ = 0;
		v2 = strpbrk(v1, ":=");
		if (v2)
			*v2++ = 0;
		if (!strcmp(key, "PCI_CLASS"))
			cls = (unsigned)strtoul(v1, NULL, 16) >> 8;
		else if (!strcmp(key, "PCI_ID")) {
			vid = (unsigned)strtoul(v1, NULL, 16);
			did = (unsigned)strtoul(v2, NULL, 16);
		} else if (!strcmp(key, "PCI_SLOT_NAME"))
			snprintf(slot, sizeof(slot), "%s", v2);
	}
	assert_int_equal(cls, 0x0001);
	assert_int_equal(vid, 0x1af4);
	assert_int_equal(did, 0x1042);
	assert_string_equal(slot, "1c:1f.7");
}

static void test_bar_flags(void **state)
{
	struct pci_bar io = { .base = 0xc000, .size = 0x40, .kind = PCI_BAR_IO };
	struct pci_bar m32 = { .base = 0xfebd0000, .size = 0x1000, .kind = PCI_BAR_MEM32 };
	struct pci_bar m64 = { .base = 0x4000000000ull, .size = 0x80000, .kind = PCI_BAR_MEM64 };
	struct pci_bar m64p = { .base = 0xfe000000, .size = 0x4000, .kind = PCI_BAR_MEM64,
				.prefetchable = true };
	struct pci_bar none = { 0 };

	(void)state;
	assert_int_equal(sysfs_pci_bar_flags(&io), 0x40101);
	assert_int_equal(sysfs_pci_bar_flags(&m32), 0x40200);
	assert_int_equal(sysfs_pci_bar_flags(&m64), 0x140204);
	assert_int_equal(sysfs_pci_bar_flags(&m64p), 0x14220c);
	assert_int_equal(sysfs_pci_bar_flags(&none), 0);
}

static unsigned count_lines(const char *t)
{
	unsigned n = 0;

	for (; *t; t++)
		n += *t == '\n';
	return n;
}

static void test_resource(void **state)
{
	struct pci_dev d = virtio_dev();
	struct pci_dev br = { .header_type = 1 };
	const char *t;

	(void)state;
	d.bar[1] = (struct pci_bar){ .base = 0xfebd1000, .size = 0x1000, .kind = PCI_BAR_MEM32 };
	d.bar[4] = (struct pci_bar){ .base = 0xfe000000, .size = 0x4000, .kind = PCI_BAR_MEM64,
				     .prefetchable = true };
	d.bar[5].kind = PCI_BAR_NONE;   /* the upper half of BAR 4 */
	sysfs_pci_resource_text(&sb, &d);
	t = text();
	assert_int_equal(count_lines(t), 13);
	assert_string_equal(t,
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x00000000febd1000 0x00000000febd1fff 0x0000000000040200\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x00000000fe000000 0x00000000fe003fff 0x000000000014220c\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	/* a bridge has two BARs: what lies in the slots after them is ignored */
	br.bar[0] = d.bar[1];
	br.bar[2] = d.bar[1];
	setup(NULL);
	sysfs_pci_resource_text(&sb, &br);
	t = text();
	assert_int_equal(count_lines(t), 17);
	assert_non_null(strstr(t, "0x00000000febd1000"));
	assert_null(strstr(strstr(t, "0x00000000febd1000") + 1, "0x00000000febd1000"));
}

static void test_block_uevent(void **state)
{
	(void)state;
	sysfs_block_uevent_text(&sb, 254, 0, "vda", 0);
	sysfs_block_uevent_text(&sb, 254, 1, "vda1", 1);
	assert_string_equal(text(), "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n"
				    "MAJOR=254\nMINOR=1\nDEVNAME=vda1\nDEVTYPE=partition\nPARTN=1\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_uevent_like_linux, setup),
		cmocka_unit_test_setup(test_uevent_lspci_parse, setup),
		cmocka_unit_test_setup(test_bar_flags, setup),
		cmocka_unit_test_setup(test_resource, setup),
		cmocka_unit_test_setup(test_block_uevent, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
