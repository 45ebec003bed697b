/* In-kernel tests of sysfs against the kernel's own lists: every PCI
 * function the kernel found appears under /sys/bus/pci/devices with its
 * identity, uevent and configuration space, and the scratch disk and its
 * partitions under /sys/block. Mounted at /ktest/sys. */
#include <kernel/ktest.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <drivers/pci.h>
#include <fs/sysfs_text.h>
#include <fs/vfs.h>
#include <hal/pci_cfg.h>
#include <kernel/mm/heap.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include "fsdev_util.h"
#include "vfs_util.h"

#define SYS(p) "/ktest/sys/" p
#define TEXT 8192

static int sys_mount(void)
{
	return special_mount("sys", "sysfs", "bus");
}

static bool file_is(const char *path, const char *want)
{
	char buf[256];

	return read_text(path, buf, sizeof(buf)) >= 0 && strcmp(buf, want) == 0;
}

KTEST(sysfs_pci_matches_kernel_list)
{
	char *names = kmalloc(TEXT), slot[16], path[160], want[96], target[128];
	int n, wrong = 0;

	KT_ASSERT(t, names != NULL);
	KT_ASSERT(t, sys_mount() == 0);
	n = dir_names(SYS("bus/pci/devices"), names, TEXT / 2);
	KT_EXPECT_EQ(t, n, (int)pci_count());
	KT_ASSERT(t, pci_count() > 0);
	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_dev *d = pci_get(i);
		struct stat st;
		struct uio u;
		long len;

		sysfs_pci_slot_name(slot, d);
		fmt_snprintf(want, sizeof(want), "%s\n", slot);
		wrong += !text_has(names, want);
		/* a symlink into /sys/devices, as busybox lspci expects */
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s"), slot);
		wrong += vt_lstat(path, &st) != 0 || !S_ISLNK(st.st_mode);
		uio_init_kernel(&u, target, sizeof(target) - 1);
		len = vfs_readlinkat(NULL, path, &u);
		target[len > 0 ? len : 0] = 0;
		wrong += strncmp(target, "../../../devices/pci0000:00/", 28) != 0;
		wrong += vt_stat(path, &st) != 0 || !S_ISDIR(st.st_mode);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/vendor"), slot);
		fmt_snprintf(want, sizeof(want), "0x%04x\n", d->vendor);
		wrong += !file_is(path, want);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/device"), slot);
		fmt_snprintf(want, sizeof(want), "0x%04x\n", d->device);
		wrong += !file_is(path, want);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/class"), slot);
		fmt_snprintf(want, sizeof(want), "0x%02x%02x%02x\n", d->class_code, d->subclass, d->prog_if);
		wrong += !file_is(path, want);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/subsystem_vendor"), slot);
		fmt_snprintf(want, sizeof(want), "0x%04x\n", d->subsys_vendor);
		wrong += !file_is(path, want);
		/* the subsystem id, for an ordinary device straight from its
		 * configuration space, and the interrupt line register (0xff:
		 * none, shown as 0) */
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/subsystem_device"), slot);
		fmt_snprintf(want, sizeof(want), "0x%04x\n",
			     d->header_type == 0 ? pci_cfg_read16(d->bus, d->dev, d->fn, 0x2e) : d->subsys_id);
		wrong += !file_is(path, want);
		uint8_t line = pci_cfg_read8(d->bus, d->dev, d->fn, 0x3c);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/irq"), slot);
		fmt_snprintf(want, sizeof(want), "%u\n", line == 0xff ? 0u : line);
		wrong += !file_is(path, want);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/uevent"), slot);
		KT_EXPECT(t, read_text(path, names + TEXT / 2, TEXT / 2) > 0);
		fmt_snprintf(want, sizeof(want), "PCI_ID=%04X:%04X\n", d->vendor, d->device);
		wrong += !text_has(names + TEXT / 2, want);
		fmt_snprintf(want, sizeof(want), "PCI_SLOT_NAME=%s\n", slot);
		wrong += !text_has(names + TEXT / 2, want);
		fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/resource"), slot);
		KT_EXPECT(t, read_text(path, names + TEXT / 2, TEXT / 2) > 0);
		wrong += (int)strlen(names + TEXT / 2) != (d->header_type == 1 ? 17 : 13) * 57;
	}
	KT_EXPECT_EQ(t, wrong, 0);
	KT_EXPECT_EQ(t, vt_stat(SYS("bus/pci/devices/0000:ff:1f.7"), &(struct stat){ 0 }), -ENOENT);
	kfree(names);
}

static void read_config_as_user(void *arg)
{
	uint8_t buf[256];

	*(long *)arg = vt_read_file(SYS("bus/pci/devices/0000:00:00.0/config"), buf, sizeof(buf));
}

KTEST(sysfs_pci_config)
{
	struct pci_dev *d = pci_get(0);
	char slot[16], path[128];
	uint8_t buf[256];
	struct stat st;
	long n = 0;
	int wrong = 0;

	KT_ASSERT(t, d && sys_mount() == 0);
	sysfs_pci_slot_name(slot, d);
	KT_ASSERT(t, strcmp(slot, "0000:00:00.0") == 0);
	fmt_snprintf(path, sizeof(path), SYS("bus/pci/devices/%s/config"), slot);
	KT_ASSERT(t, vt_stat(path, &st) == 0);
	KT_EXPECT(t, st.st_size == 256 || st.st_size == 4096);
	KT_EXPECT_EQ(t, vt_read_file(path, buf, sizeof(buf)), 256);
	for (unsigned i = 0; i < 256; i++)
		wrong += buf[i] != pci_cfg_read8(d->bus, d->dev, d->fn, (uint16_t)i);
	KT_EXPECT_EQ(t, wrong, 0);
	/* other users see the first 64 bytes only, as on Linux */
	KT_EXPECT_EQ(t, vt_run_as(1000, 1000, read_config_as_user, &n), 0);
	KT_EXPECT_EQ(t, n, 64);
}

KTEST(sysfs_block_devices)
{
	char names[256];

	KT_ASSERT(t, sys_mount() == 0);
	KT_EXPECT(t, dir_names(SYS("block"), names, sizeof(names)) >= 1 && text_has(names, "vda\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/size"), "4096\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/ro"), "0\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/dev"), "254:0\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/removable"), "0\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/queue/logical_block_size"), "512\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/uevent"), "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n"));
	KT_EXPECT(t, dir_names(SYS("block/vda"), names, sizeof(names)) >= 8 &&
		     text_has(names, "vda1\n") && text_has(names, "vda2\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/vda1/start"), "64\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/vda1/size"), "1024\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/vda2/partition"), "2\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/vda2/dev"), "254:2\n"));
	KT_EXPECT(t, file_is(SYS("block/vda/vda2/uevent"),
			     "MAJOR=254\nMINOR=2\nDEVNAME=vda2\nDEVTYPE=partition\nPARTN=2\n"));
	KT_EXPECT_EQ(t, read_text(SYS("block/vda/vda3/size"), names, sizeof(names)), -ENOENT);
	if (blockdev_find("vdb")) {        /* test/system/fsdev_cases.py: 1 MiB, no partitions */
		KT_EXPECT(t, file_is(SYS("block/vdb/dev"), "254:16\n"));
		KT_EXPECT(t, file_is(SYS("block/vdb/size"), "2048\n"));
		KT_EXPECT(t, dir_names(SYS("block"), names, sizeof(names)) == 2);
	}
	KT_EXPECT_EQ(t, read_text(SYS("block/vda1/size"), names, sizeof(names)), -ENOENT);
}
