/* PCI enumeration. Devices are found by walking bus 0 and following every
 * bridge's secondary bus (firmware has numbered them); a bus is visited at
 * most once, so a looping bridge setup cannot hang the walk.
 *
 * BARs are sized when something first needs them (pci_bars): before a
 * driver's probe, or when /sys shows a device's resources. Sizing turns a
 * device's decoding off and on and writes every BAR, and under QEMU each
 * of those writes remaps guest memory (milliseconds of wall time per
 * device at boot, for devices nothing at boot uses; the VGA's alone was
 * 4-35 ms). A display controller may hold the console's framebuffer, which
 * every console write draws into under the console lock: its BARs are
 * sized with that lock held, so no drawing is lost while decoding is off.
 * Locking: the device table is filled once at boot, before threads; after
 * that only the BARs change, once per device, under bars_lock (bars_sized
 * says whether they are known; once true, bar[] never changes again).
 * Order: the console lock, then bars_lock. */
#include <drivers/console.h>
#include <drivers/pci.h>
#include <hal/pci_cfg.h>
#include <kernel/log.h>
#include <kernel/sync/spinlock.h>

static struct pci_dev devices[PCI_MAX_DEVICES];
static unsigned ndevices;
static uint8_t visited[256 / 8];
static struct spinlock bars_lock = SPINLOCK_INIT("pci-bars");

#define CMD_IO     0x1
#define CMD_MEM    0x2
#define CMD_MASTER 0x4

unsigned pci_count(void) { return ndevices; }
struct pci_dev *pci_get(unsigned i) { return i < ndevices ? &devices[i] : 0; }

static uint32_t rd32(struct pci_dev *d, uint16_t off) { return pci_cfg_read32(d->bus, d->dev, d->fn, off); }
static void wr32(struct pci_dev *d, uint16_t off, uint32_t v) { pci_cfg_write32(d->bus, d->dev, d->fn, off, v); }

/* Sizes the BARs with decoding switched off, so the device never sees the
 * all-ones probe address while it might be in use. */
static void read_bars(struct pci_dev *d)
{
	int nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	uint16_t cmd = pci_cfg_read16(d->bus, d->dev, d->fn, 0x04);

	pci_cfg_write16(d->bus, d->dev, d->fn, 0x04, cmd & ~(CMD_IO | CMD_MEM));
	for (int i = 0; i < nbars;) {
		uint16_t off = (uint16_t)(0x10 + 4 * i);
		uint32_t lo = rd32(d, off), lo_mask, hi = 0, hi_mask = 0;
		bool is64 = !(lo & 1) && ((lo >> 1) & 3) == 2 && i + 1 < nbars;

		wr32(d, off, 0xffffffff);
		lo_mask = rd32(d, off);
		wr32(d, off, lo);
		if (is64) {
			hi = rd32(d, off + 4);
			wr32(d, off + 4, 0xffffffff);
			hi_mask = rd32(d, off + 4);
			wr32(d, off + 4, hi);
		}
		i += pci_bar_decode(lo, lo_mask, hi, hi_mask, &d->bar[i]);
	}
	pci_cfg_write16(d->bus, d->dev, d->fn, 0x04, cmd);
}

/* Follows the capability list; the walk is bounded in length and every
 * pointer is checked to stay inside the standard config header area. */
static void read_caps(struct pci_dev *d)
{
	uint8_t ptr;

	if (!(pci_cfg_read16(d->bus, d->dev, d->fn, 0x06) & 0x10))
		return;
	ptr = pci_cfg_read8(d->bus, d->dev, d->fn, d->header_type == 2 ? 0x14 : 0x34) & 0xfc;
	for (int n = 0; n < 48 && ptr >= 0x40; n++) {
		uint8_t id = pci_cfg_read8(d->bus, d->dev, d->fn, ptr);

		if (id == 0x05)
			d->cap_msi = ptr;
		else if (id == 0x11)
			d->cap_msix = ptr;
		else if (id == 0x10)
			d->cap_pcie = ptr;
		else if (id == 0x09 && d->nvndr_caps < PCI_MAX_VNDR_CAPS)
			d->vndr_caps[d->nvndr_caps++] = ptr;
		ptr = pci_cfg_read8(d->bus, d->dev, d->fn, ptr + 1) & 0xfc;
	}
}

static void scan_bus(uint8_t bus);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_dev *d;
	uint32_t id = pci_cfg_read32(bus, dev, fn, 0x00);
	uint32_t cls, sub;

	if ((id & 0xffff) == 0xffff)
		return;
	if (ndevices == PCI_MAX_DEVICES) {
		log_warn("pci: more than %d functions; ignoring %02x:%02x.%x", PCI_MAX_DEVICES, bus, dev, fn);
		return;
	}
	d = &devices[ndevices++];
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	cls = pci_cfg_read32(bus, dev, fn, 0x08);
	d->revision = (uint8_t)cls;
	d->prog_if = (uint8_t)(cls >> 8);
	d->subclass = (uint8_t)(cls >> 16);
	d->class_code = (uint8_t)(cls >> 24);
	d->header_type = pci_cfg_read8(bus, dev, fn, 0x0e) & 0x7f;
	if (d->header_type == 0) {
		sub = pci_cfg_read32(bus, dev, fn, 0x2c);
		d->subsys_vendor = (uint16_t)sub;
		d->subsys_id = (uint16_t)(sub >> 16);
	}
	d->irq_line = pci_cfg_read8(bus, dev, fn, 0x3c);
	d->irq_pin = pci_cfg_read8(bus, dev, fn, 0x3d);
	read_caps(d);
	if (d->header_type == 1)
		scan_bus(pci_cfg_read8(bus, dev, fn, 0x19));
}

static void scan_bus(uint8_t bus)
{
	if (visited[bus / 8] & (1u << (bus % 8)))
		return;
	visited[bus / 8] |= (uint8_t)(1u << (bus % 8));
	for (uint8_t dev = 0; dev < 32; dev++) {
		if ((pci_cfg_read32(bus, dev, 0, 0x00) & 0xffff) == 0xffff)
			continue;
		add_function(bus, dev, 0);
		if (pci_cfg_read8(bus, dev, 0, 0x0e) & 0x80)
			for (uint8_t fn = 1; fn < 8; fn++)
				add_function(bus, dev, fn);
	}
}

static void log_bars(const struct pci_dev *d)
{
	for (int i = 0; i < 6; i++) {
		const struct pci_bar *b = &d->bar[i];
		static const char *const kinds[] = { "", "io", "mem32", "mem64" };

		if (b->kind != PCI_BAR_NONE)
			log_info("pci:   bar%d %s %#llx size %#llx%s", i, kinds[b->kind],
				 (unsigned long long)b->base, (unsigned long long)b->size,
				 b->prefetchable ? " prefetchable" : "");
	}
}

static void log_device(const struct pci_dev *d)
{
	log_info("pci: %02x:%02x.%x %04x:%04x %02x%02x%02x %s%s%s%s%s", d->bus, d->dev, d->fn,
		 d->vendor, d->device, d->class_code, d->subclass, d->prog_if,
		 pci_class_name(d->class_code, d->subclass),
		 d->cap_msi ? " msi" : "", d->cap_msix ? " msix" : "", d->cap_pcie ? " pcie" : "",
		 d->nvndr_caps ? " vendor-caps" : "");
}

const struct pci_bar *pci_bars(struct pci_dev *d)
{
	uint64_t cflags = 0, flags;
	bool console = d->class_code == PCI_CLASS_DISPLAY && console_lock_irqsave(&cflags);

	flags = spin_lock_irqsave(&bars_lock);
	if (!d->bars_sized) {
		read_bars(d);
		d->bars_sized = true;
	}
	spin_unlock_irqrestore(&bars_lock, flags);
	console_unlock_irqrestore(console, cflags);
	return d->bar;
}

void pci_init(void)
{
	scan_bus(0);
	log_info("pci: %u functions found through %s", ndevices, pci_cfg_method());
	for (unsigned i = 0; i < ndevices; i++)
		log_device(&devices[i]);
}

void pci_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d->bus, d->dev, d->fn, 0x04);

	pci_cfg_write16(d->bus, d->dev, d->fn, 0x04, cmd | CMD_IO | CMD_MEM | CMD_MASTER);
}

void pci_stop_dma(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d->bus, d->dev, d->fn, 0x04);

	pci_cfg_write16(d->bus, d->dev, d->fn, 0x04, cmd & ~CMD_MASTER);
}

bool pci_dma_enabled(const struct pci_dev *d)
{
	return pci_cfg_read16(d->bus, d->dev, d->fn, 0x04) & CMD_MASTER;
}

void pci_register_driver(const struct pci_driver *drv)
{
	for (unsigned i = 0; i < ndevices; i++) {
		struct pci_dev *d = &devices[i];

		if (d->driver)
			continue;
		for (const struct pci_id *id = drv->ids; id->vendor || id->device; id++) {
			if ((id->vendor == PCI_ANY || id->vendor == d->vendor) &&
			    (id->device == PCI_ANY || id->device == d->device)) {
				pci_bars(d);
				if (drv->probe(d, id) == 0) {
					d->driver = drv;
					log_info("pci: %02x:%02x.%x bound to %s", d->bus, d->dev, d->fn, drv->name);
					log_bars(d);
				}
				break;
			}
		}
	}
}
