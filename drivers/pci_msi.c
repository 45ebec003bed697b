/* MSI-X, MSI and INTx setup. The MSI-X table lives in a memory BAR named by
 * the capability; its size and offset come from the device and are checked
 * against that BAR before the table is mapped. */
#include <drivers/pci_msi.h>
#include <cosmos/errno.h>
#include <hal/mmio.h>
#include <hal/pci_cfg.h>
#include <kernel/log.h>

#define MSIX_CTRL_ENABLE   (1u << 15)
#define MSIX_CTRL_MASKALL  (1u << 14)
#define MSI_CTRL_ENABLE    1u
#define MSI_CTRL_64BIT     (1u << 7)
#define MSI_CTRL_MME_MASK  (7u << 4)
#define PCI_CMD            0x04
#define PCI_CMD_INTX_OFF   (1u << 10)

static uint16_t cfg16(struct pci_dev *d, uint16_t off)
{
	return pci_cfg_read16(d->bus, d->dev, d->fn, off);
}

static void set_intx_disabled(struct pci_dev *d, bool off)
{
	uint16_t cmd = cfg16(d, PCI_CMD);

	cmd = off ? (cmd | PCI_CMD_INTX_OFF) : (cmd & ~PCI_CMD_INTX_OFF);
	pci_cfg_write16(d->bus, d->dev, d->fn, PCI_CMD, cmd);
}

static int setup_msix(struct pci_dev *d, struct pci_irq *irq, irq_handler_fn fn, void *ctx)
{
	uint8_t c = d->cap_msix;
	uint16_t ctrl = cfg16(d, c + 2);
	uint32_t table = pci_cfg_read32(d->bus, d->dev, d->fn, c + 4);
	unsigned entries = (ctrl & 0x7ffu) + 1, bir = table & 7;
	uint64_t off = table & ~7u, addr;
	uint32_t data;
	struct pci_bar *bar;
	volatile uint32_t *t;
	int v;

	if (bir > 5 || (bar = &d->bar[bir])->kind < PCI_BAR_MEM32 ||
	    off + entries * 16ull > bar->size) {
		log_warn("pci: %02x:%02x.%x MSI-X table (BAR %u + %#llx, %u entries) lies outside its BAR",
			 d->bus, d->dev, d->fn, bir, (unsigned long long)off, entries);
		return -ENODEV;
	}
	t = mmio_map(bar->base + off, entries * 16u);
	if (!t)
		return -ENOMEM;
	v = irq_request_msi(fn, ctx, &addr, &data);
	if (v < 0) {
		mmio_unmap(t);
		return v;
	}
	/* function-masked while the entries are written; every entry but 0 masked */
	pci_cfg_write16(d->bus, d->dev, d->fn, c + 2, (uint16_t)(ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL));
	for (unsigned i = 1; i < entries; i++)
		t[i * 4 + 3] = 1;
	t[0] = (uint32_t)addr;
	t[1] = (uint32_t)(addr >> 32);
	t[2] = data;
	t[3] = 0;
	pci_cfg_write16(d->bus, d->dev, d->fn, c + 2, (uint16_t)((ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL));
	set_intx_disabled(d, true);
	irq->mode = PCI_IRQ_MSIX;
	irq->vector = v;
	irq->msix_table = t;
	irq->msix_entries = entries;
	return 0;
}

static int setup_msi(struct pci_dev *d, struct pci_irq *irq, irq_handler_fn fn, void *ctx)
{
	uint8_t c = d->cap_msi;
	uint16_t ctrl = cfg16(d, c + 2);
	uint64_t addr;
	uint32_t data;
	int v = irq_request_msi(fn, ctx, &addr, &data);

	if (v < 0)
		return v;
	pci_cfg_write32(d->bus, d->dev, d->fn, c + 4, (uint32_t)addr);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_cfg_write32(d->bus, d->dev, d->fn, c + 8, (uint32_t)(addr >> 32));
		pci_cfg_write16(d->bus, d->dev, d->fn, c + 12, (uint16_t)data);
	} else {
		pci_cfg_write16(d->bus, d->dev, d->fn, c + 8, (uint16_t)data);
	}
	/* one vector (MME = 0), then on */
	pci_cfg_write16(d->bus, d->dev, d->fn, c + 2, (uint16_t)((ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE));
	set_intx_disabled(d, true);
	irq->mode = PCI_IRQ_MSI;
	irq->vector = v;
	return 0;
}

/* The firmware wrote the routed line into irq_line; PCI INTx is level
 * triggered. */
static int setup_intx(struct pci_dev *d, struct pci_irq *irq, irq_handler_fn fn, void *ctx)
{
	int v;

	if (d->irq_pin == 0 || d->irq_line == 0xff || d->irq_line == 0)
		return -ENODEV;
	v = irq_request_gsi(d->irq_line, true, false, fn, ctx);
	if (v < 0)
		return v;
	set_intx_disabled(d, false);
	irq->mode = PCI_IRQ_INTX;
	irq->vector = v;
	return 0;
}

int pci_irq_setup(struct pci_dev *d, struct pci_irq *irq, unsigned allowed, irq_handler_fn fn, void *ctx)
{
	*irq = (struct pci_irq){ 0 };
	irq->vector = -1;
	if ((allowed & PCI_IRQ_ALLOW_MSIX) && d->cap_msix && setup_msix(d, irq, fn, ctx) == 0)
		return 0;
	if ((allowed & PCI_IRQ_ALLOW_MSI) && d->cap_msi && setup_msi(d, irq, fn, ctx) == 0)
		return 0;
	if ((allowed & PCI_IRQ_ALLOW_INTX) && setup_intx(d, irq, fn, ctx) == 0)
		return 0;
	return -ENODEV;
}

void pci_irq_release(struct pci_dev *d, struct pci_irq *irq)
{
	if (irq->mode == PCI_IRQ_MSIX) {
		uint16_t ctrl = cfg16(d, d->cap_msix + 2);

		pci_cfg_write16(d->bus, d->dev, d->fn, d->cap_msix + 2, (uint16_t)(ctrl & ~MSIX_CTRL_ENABLE));
		mmio_unmap(irq->msix_table);
	} else if (irq->mode == PCI_IRQ_MSI) {
		uint16_t ctrl = cfg16(d, d->cap_msi + 2);

		pci_cfg_write16(d->bus, d->dev, d->fn, d->cap_msi + 2, (uint16_t)(ctrl & ~MSI_CTRL_ENABLE));
	}
	if (irq->vector >= 0)
		irq_free(irq->vector);
	*irq = (struct pci_irq){ 0 };
	irq->vector = -1;
}

const char *pci_irq_mode_name(enum pci_irq_mode m)
{
	switch (m) {
	case PCI_IRQ_MSIX: return "MSI-X";
	case PCI_IRQ_MSI: return "MSI";
	case PCI_IRQ_INTX: return "INTx";
	default: return "none";
	}
}
