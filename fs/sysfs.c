/* sysfs (fs/sysfs.h) over fs/pseudofs. The PCI list and the block-device
 * registry are fixed after boot, so they are read without locks (a PCI
 * device's BARs are sized on first use: pci_bars); PCI
 * configuration space is read through hal/pci_config.
 *
 * Arguments: a PCI node's is its index in the PCI list + 1 (0 is the root
 * bus), a block node's its index in the block registry + 1. */
#include <fs/sysfs.h>
#include <cosmos/abi/stat.h>
#include <cosmos/abi/statfs.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <drivers/pci.h>
#include <fs/devfs.h>
#include <fs/inode.h>
#include <fs/pseudofs.h>
#include <fs/sysfs_text.h>
#include <hal/pci_cfg.h>
#include <kernel/proc/cred.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define RO (S_IFREG | 0444)
#define DIR (S_IFDIR | 0755)
#define LNK (S_IFLNK | 0777)

static struct pci_dev *pci_of(uint64_t arg)
{
	return arg && arg <= pci_count() ? pci_get((unsigned)(arg - 1)) : NULL;
}

/* The bridge a function sits behind (its argument), 0 for the root bus. */
static uint64_t pci_parent(const struct pci_dev *d)
{
	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_dev *b = pci_get(i);

		if (b->header_type == 1 && b != d &&
		    pci_cfg_read8(b->bus, b->dev, b->fn, 0x19) == d->bus)
			return i + 1;
	}
	return 0;
}

/* Functions whose parent is the node `parent`. */
static bool pci_next(uint64_t parent, uint64_t *cursor, char *name, uint64_t *arg)
{
	for (uint64_t i = *cursor; i < pci_count(); i++) {
		struct pci_dev *d = pci_get((unsigned)i);

		if (pci_parent(d) != parent)
			continue;
		sysfs_pci_slot_name(name, d);
		*arg = i + 1;
		*cursor = i + 1;
		return true;
	}
	return false;
}

static bool pci_find(uint64_t parent, const char *name, uint64_t *arg)
{
	char slot[16];

	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_dev *d = pci_get(i);

		sysfs_pci_slot_name(slot, d);
		if (strcmp(slot, name) == 0 && pci_parent(d) == parent) {
			*arg = i + 1;
			return true;
		}
	}
	return false;
}

/* Every function, flat (/sys/bus/pci/devices). */
static bool pci_all_next(uint64_t parent, uint64_t *cursor, char *name, uint64_t *arg)
{
	(void)parent;
	if (*cursor >= pci_count())
		return false;
	sysfs_pci_slot_name(name, pci_get((unsigned)*cursor));
	*arg = ++*cursor;
	return true;
}

static bool pci_all_find(uint64_t parent, const char *name, uint64_t *arg)
{
	char slot[16];

	(void)parent;
	for (unsigned i = 0; i < pci_count(); i++) {
		sysfs_pci_slot_name(slot, pci_get(i));
		if (strcmp(slot, name) == 0) {
			*arg = i + 1;
			return true;
		}
	}
	return false;
}

/* "../../../devices/pci0000:00/<bridges...>/<slot>" */
static void pci_path(struct seqbuf *s, uint64_t arg)
{
	char slot[16];

	if (!arg) {
		seq_puts(s, "pci0000:00");
		return;
	}
	pci_path(s, pci_parent(pci_of(arg)));
	sysfs_pci_slot_name(slot, pci_of(arg));
	seq_printf(s, "/%s", slot);
}

static int pci_bus_link(struct seqbuf *s, uint64_t arg)
{
	seq_puts(s, "../../../devices/");
	pci_path(s, arg);
	return 0;
}

#define PCI_SHOW(fn, fmt, expr)                                   \
	static int fn(struct seqbuf *s, uint64_t arg)             \
	{                                                         \
		struct pci_dev *d = pci_of(arg);                  \
		if (!d)                                           \
			return -ENOENT;                           \
		seq_printf(s, fmt, expr);                         \
		return 0;                                         \
	}

PCI_SHOW(show_vendor, "0x%04x\n", d->vendor)
PCI_SHOW(show_device, "0x%04x\n", d->device)
PCI_SHOW(show_subsys_vendor, "0x%04x\n", d->subsys_vendor)
PCI_SHOW(show_subsys_device, "0x%04x\n", d->subsys_id)
PCI_SHOW(show_class, "0x%06x\n", (unsigned)d->class_code << 16 | (unsigned)d->subclass << 8 | d->prog_if)
PCI_SHOW(show_revision, "0x%02x\n", d->revision)
PCI_SHOW(show_irq, "%u\n", d->irq_line == 0xff ? 0u : d->irq_line)

static int show_resource(struct seqbuf *s, uint64_t arg)
{
	struct pci_dev *d = pci_of(arg);

	if (!d)
		return -ENOENT;
	pci_bars(d);            /* sized on first use */
	sysfs_pci_resource_text(s, d);
	return 0;
}

static int show_modalias(struct seqbuf *s, uint64_t arg)
{
	struct pci_dev *d = pci_of(arg);

	if (!d)
		return -ENOENT;
	sysfs_pci_modalias_text(s, d);
	return 0;
}

static int show_pci_uevent(struct seqbuf *s, uint64_t arg)
{
	struct pci_dev *d = pci_of(arg);

	if (!d)
		return -ENOENT;
	sysfs_pci_uevent_text(s, d);
	return 0;
}

/* Configuration space: 4096 bytes for PCI Express functions (and host
 * bridges whose extended space answers), 256 otherwise, as Linux sizes
 * it; like Linux, only root reads past the first 64 bytes. */
static uint64_t config_size(uint64_t arg)
{
	struct pci_dev *d = pci_of(arg);
	bool ecam = strcmp(pci_cfg_method(), "ECAM") == 0;

	if (!d)
		return 0;
	if (ecam && (d->cap_pcie || (d->class_code == 6 && d->subclass == 0 &&
				     pci_cfg_read32(d->bus, d->dev, d->fn, 0x100) != 0xffffffffu)))
		return 4096;
	return 256;
}

static long read_config(uint64_t arg, uint64_t off, void *buf, size_t len)
{
	struct pci_dev *d = pci_of(arg);
	uint64_t size = config_size(arg);
	uint8_t *p = buf;

	if (!d)
		return -ENOENT;
	if (cred_current()->euid != 0 && size > 64)
		size = 64;
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	for (size_t i = 0; i < len; i++)
		p[i] = pci_cfg_read8(d->bus, d->dev, d->fn, (uint16_t)(off + i));
	return (long)len;
}

static bool pci_exists(uint64_t arg, uint32_t *uid, uint32_t *gid)
{
	(void)uid;
	(void)gid;
	return pci_of(arg) != NULL;
}

static const struct pseudo_entry pci_dir_entry;
static const struct pseudo_family pci_children = { pci_next, pci_find, &pci_dir_entry };

#define PCI_ATTR(n, fn) { .name = n, .mode = RO, .show = fn, .owner = pci_exists }

static const struct pseudo_entry pci_attrs[] = {
	PCI_ATTR("class", show_class),
	{ .name = "config", .mode = S_IFREG | 0644, .read = read_config, .size = config_size,
	  .owner = pci_exists },
	PCI_ATTR("device", show_device),
	PCI_ATTR("irq", show_irq),
	PCI_ATTR("modalias", show_modalias),
	PCI_ATTR("resource", show_resource),
	PCI_ATTR("revision", show_revision),
	PCI_ATTR("subsystem_device", show_subsys_device),
	PCI_ATTR("subsystem_vendor", show_subsys_vendor),
	{ .name = "uevent", .mode = S_IFREG | 0644, .show = show_pci_uevent, .owner = pci_exists },
	PCI_ATTR("vendor", show_vendor),
	{ 0 },
};

static const struct pseudo_entry pci_dir_entry = {
	.mode = DIR, .children = pci_attrs, .family = &pci_children, .owner = pci_exists,
};

static const struct pseudo_entry pci_link_entry = { .mode = LNK, .link = pci_bus_link };
static const struct pseudo_family pci_all = { pci_all_next, pci_all_find, &pci_link_entry };

/* Block devices. */

static struct blockdev *bd_of(uint64_t arg)
{
	return arg && arg <= blockdev_count() ? blockdev_get((unsigned)(arg - 1)) : NULL;
}

/* Disks under /sys/block (parent 0), or a disk's partitions. */
static bool bd_next(uint64_t parent, uint64_t *cursor, char *name, uint64_t *arg)
{
	struct blockdev *want = bd_of(parent);

	for (uint64_t i = *cursor; i < blockdev_count(); i++) {
		struct blockdev *b = blockdev_get((unsigned)i);

		if (b->parent != want)
			continue;
		strlcpy(name, b->name, NAME_MAX + 1);
		*arg = i + 1;
		*cursor = i + 1;
		return true;
	}
	return false;
}

static bool bd_find(uint64_t parent, const char *name, uint64_t *arg)
{
	struct blockdev *want = bd_of(parent);

	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *b = blockdev_get(i);

		if (b->parent == want && strcmp(b->name, name) == 0) {
			*arg = i + 1;
			return true;
		}
	}
	return false;
}

static bool bd_exists(uint64_t arg, uint32_t *uid, uint32_t *gid)
{
	(void)uid;
	(void)gid;
	return bd_of(arg) != NULL;
}

static bool bd_ro(const struct blockdev *b)
{
	return b->read_only || (b->parent && b->parent->read_only);
}

#define BD_SHOW(fn, fmt, expr)                                    \
	static int fn(struct seqbuf *s, uint64_t arg)             \
	{                                                         \
		struct blockdev *b = bd_of(arg);                  \
		if (!b)                                           \
			return -ENOENT;                           \
		seq_printf(s, fmt, expr);                         \
		return 0;                                         \
	}

/* size and start count 512-byte sectors whatever the device's own size */
BD_SHOW(show_size, "%llu\n", (unsigned long long)(b->sectors * b->sector_size / 512))
BD_SHOW(show_ro, "%d\n", bd_ro(b) ? 1 : 0)
BD_SHOW(show_removable, "%d\n", 0)
BD_SHOW(show_start, "%llu\n", (unsigned long long)(b->start * b->sector_size / 512))
BD_SHOW(show_partition, "%u\n", b->partno)
BD_SHOW(show_lbs, "%u\n", b->sector_size)
/* CosmOS's: the most requests the disk held at once since the file was
 * last read (each read starts the count again) */
BD_SHOW(show_inflight_peak, "%u\n", blockdev_take_inflight_peak(b))

static int show_dev(struct seqbuf *s, uint64_t arg)
{
	struct blockdev *b = bd_of(arg);

	if (!b)
		return -ENOENT;
	seq_printf(s, "%u:%u\n", DEV_MAJOR(devfs_blockdev_number(b)), DEV_MINOR(devfs_blockdev_number(b)));
	return 0;
}

static int show_bd_uevent(struct seqbuf *s, uint64_t arg)
{
	struct blockdev *b = bd_of(arg);
	uint32_t dev;

	if (!b)
		return -ENOENT;
	dev = devfs_blockdev_number(b);
	sysfs_block_uevent_text(s, DEV_MAJOR(dev), DEV_MINOR(dev), b->name, b->parent ? b->partno : 0);
	return 0;
}

#define BD_ATTR(n, fn) { .name = n, .mode = RO, .show = fn, .owner = bd_exists }

static const struct pseudo_entry part_attrs[] = {
	BD_ATTR("dev", show_dev),
	BD_ATTR("partition", show_partition),
	BD_ATTR("ro", show_ro),
	BD_ATTR("size", show_size),
	BD_ATTR("start", show_start),
	{ .name = "uevent", .mode = S_IFREG | 0644, .show = show_bd_uevent, .owner = bd_exists },
	{ 0 },
};
static const struct pseudo_entry part_dir = { .mode = DIR, .children = part_attrs, .owner = bd_exists };
static const struct pseudo_family partitions = { bd_next, bd_find, &part_dir };

static const struct pseudo_entry queue_attrs[] = {
	BD_ATTR("hw_sector_size", show_lbs),
	BD_ATTR("logical_block_size", show_lbs),
	BD_ATTR("physical_block_size", show_lbs),
	{ 0 },
};

static const struct pseudo_entry disk_attrs[] = {
	BD_ATTR("dev", show_dev),
	BD_ATTR("inflight_peak", show_inflight_peak),
	{ .name = "queue", .mode = DIR, .children = queue_attrs, .owner = bd_exists },
	BD_ATTR("removable", show_removable),
	BD_ATTR("ro", show_ro),
	BD_ATTR("size", show_size),
	{ .name = "uevent", .mode = S_IFREG | 0644, .show = show_bd_uevent, .owner = bd_exists },
	{ 0 },
};
static const struct pseudo_entry disk_dir = {
	.mode = DIR, .children = disk_attrs, .family = &partitions, .owner = bd_exists,
};
static const struct pseudo_family disks = { bd_next, bd_find, &disk_dir };

/* The tree. */

static const struct pseudo_entry pci_bus_children[] = {
	{ .name = "devices", .mode = DIR, .family = &pci_all },
	{ 0 },
};
static const struct pseudo_entry bus_children[] = {
	{ .name = "pci", .mode = DIR, .children = pci_bus_children },
	{ 0 },
};
static const struct pseudo_entry devices_children[] = {
	{ .name = "pci0000:00", .mode = DIR, .family = &pci_children },
	{ 0 },
};
static const struct pseudo_entry sys_children[] = {
	{ .name = "block", .mode = DIR, .family = &disks },
	{ .name = "bus", .mode = DIR, .children = bus_children },
	{ .name = "devices", .mode = DIR, .children = devices_children },
	{ 0 },
};
static const struct pseudo_entry sys_root = { .name = "/", .mode = DIR, .children = sys_children };

static struct pseudo_fs sysfs = {
	.type = { .name = "sysfs" },
	.root = &sys_root,
	.magic = SYSFS_MAGIC,
};

void sysfs_init(void)
{
	pseudofs_register(&sysfs);
}
