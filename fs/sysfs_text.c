/* Linux's /sys formats for PCI functions and block devices
 * (fs/sysfs_text.h), as drivers/pci/pci-sysfs.c, pci-driver.c and
 * block/genhd.c print them. */
#include <fs/sysfs_text.h>
#include <lib/fmt.h>

void sysfs_pci_slot_name(char buf[16], const struct pci_dev *d)
{
	fmt_snprintf(buf, 16, "0000:%02x:%02x.%x", d->bus, d->dev, d->fn);
}

uint64_t sysfs_pci_bar_flags(const struct pci_bar *b)
{
	uint64_t f;

	switch (b->kind) {
	case PCI_BAR_IO:
		/* the BAR's own low bit (I/O space) is kept in the flags */
		return IORESOURCE_IO | IORESOURCE_SIZEALIGN | 0x1;
	case PCI_BAR_MEM32:
		f = IORESOURCE_MEM | IORESOURCE_SIZEALIGN;
		break;
	case PCI_BAR_MEM64:
		f = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_SIZEALIGN | 0x4;
		break;
	default:
		return 0;
	}
	if (b->prefetchable)
		f |= IORESOURCE_PREFETCH | 0x8;
	return f;
}

static void resource_line(struct seqbuf *s, uint64_t start, uint64_t end, uint64_t flags)
{
	seq_printf(s, "0x%016llx 0x%016llx 0x%016llx\n", (unsigned long long)start,
		   (unsigned long long)end, (unsigned long long)flags);
}

void sysfs_pci_resource_text(struct seqbuf *s, const struct pci_dev *d)
{
	unsigned lines = d->header_type == 1 ? SYSFS_PCI_BRIDGE_RESOURCE_LINES
					     : SYSFS_PCI_RESOURCE_LINES;
	/* a bridge (header type 1) has two BARs, a card-bus bridge none */
	unsigned nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;

	for (unsigned i = 0; i < lines; i++) {
		const struct pci_bar *b = i < nbars ? &d->bar[i] : NULL;

		if (b && b->kind != PCI_BAR_NONE && b->size)
			resource_line(s, b->base, b->base + b->size - 1, sysfs_pci_bar_flags(b));
		else
			resource_line(s, 0, 0, 0);
	}
}

static void modalias(struct seqbuf *s, const struct pci_dev *d)
{
	seq_printf(s, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor, d->device,
		   d->subsys_vendor, d->subsys_id, d->class_code, d->subclass, d->prog_if);
}

void sysfs_pci_modalias_text(struct seqbuf *s, const struct pci_dev *d)
{
	modalias(s, d);
	seq_putc(s, '\n');
}

void sysfs_pci_uevent_text(struct seqbuf *s, const struct pci_dev *d)
{
	char slot[16];

	sysfs_pci_slot_name(slot, d);
	if (d->driver)
		seq_printf(s, "DRIVER=%s\n", d->driver->name);
	seq_printf(s, "PCI_CLASS=%04X\n", (unsigned)d->class_code << 16 | (unsigned)d->subclass << 8 | d->prog_if);
	seq_printf(s, "PCI_ID=%04X:%04X\n", d->vendor, d->device);
	seq_printf(s, "PCI_SUBSYS_ID=%04X:%04X\n", d->subsys_vendor, d->subsys_id);
	seq_printf(s, "PCI_SLOT_NAME=%s\nMODALIAS=", slot);
	modalias(s, d);
	seq_putc(s, '\n');
}

void sysfs_block_uevent_text(struct seqbuf *s, unsigned major, unsigned minor,
			     const char *name, unsigned partno)
{
	seq_printf(s, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=%s\n", major, minor, name,
		   partno ? "partition" : "disk");
	if (partno)
		seq_printf(s, "PARTN=%u\n", partno);
}
