/* PCI: enumeration of every bus, device and function, BARs with sizes,
 * capabilities, readable class names, and matching drivers by ID table. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_DEVICES 128
#define PCI_MAX_VNDR_CAPS 8

enum pci_bar_kind { PCI_BAR_NONE = 0, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	uint64_t base;
	uint64_t size;
	uint8_t kind;            /* enum pci_bar_kind */
	bool prefetchable;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;     /* without the multi-function bit */
	uint8_t irq_line, irq_pin;
	struct pci_bar bar[6];   /* the upper half of a 64-bit BAR is PCI_BAR_NONE;
				  * valid once pci_bars(d) has returned (a probe
				  * is called with them read) */
	bool bars_sized;         /* bar[] is read (pci.c's bars_lock) */
	uint8_t cap_msi, cap_msix, cap_pcie; /* config offsets; 0 = absent */
	uint8_t vndr_caps[PCI_MAX_VNDR_CAPS];/* vendor-specific capability offsets */
	uint8_t nvndr_caps;
	const struct pci_driver *driver;
};

struct pci_id {
	uint16_t vendor, device; /* PCI_ANY matches everything */
};
#define PCI_ANY 0xffff
#define PCI_CLASS_DISPLAY 0x03

struct pci_driver {
	const char *name;
	const struct pci_id *ids;    /* ends with {0, 0} */
	int (*probe)(struct pci_dev *d, const struct pci_id *id);
};

/* Walks every bus from bus 0 through bridges and logs what it found
 * (BARs are sized later, on first use). */
void pci_init(void);
unsigned pci_count(void);
struct pci_dev *pci_get(unsigned i);
/* d's BARs, sized the first time they are asked for (a display
 * controller's under the console lock: drivers/pci.c). */
const struct pci_bar *pci_bars(struct pci_dev *d);
/* Offers every unclaimed matching device to drv->probe (0 = claimed). */
void pci_register_driver(const struct pci_driver *drv);
/* Enables memory/IO decoding and bus mastering for a claimed device. */
void pci_enable(struct pci_dev *d);
/* Turns bus mastering off: from then on the device can neither read nor
 * write memory (nor send MSIs), whatever state it is in. */
void pci_stop_dma(struct pci_dev *d);
bool pci_dma_enabled(const struct pci_dev *d);

/* Decodes one BAR from its original value and the value read back after
 * writing all ones (hi_* for the upper half of a 64-bit BAR). Returns how
 * many BAR registers it used (1 or 2). Pure: host-tested. */
int pci_bar_decode(uint32_t lo, uint32_t lo_mask, uint32_t hi, uint32_t hi_mask, struct pci_bar *out);
/* "mass storage / SCSI" style name for a class and subclass. */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);

#endif
