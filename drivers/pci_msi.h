/* Interrupts for PCI drivers: one vector through MSI-X (entry 0), MSI, or the
 * legacy INTx pin, in that order of preference, on top of hal/irq.h. */
#ifndef DRIVERS_PCI_MSI_H
#define DRIVERS_PCI_MSI_H

#include <stdint.h>
#include <drivers/pci.h>
#include <hal/irq.h>
#include <cosmos/compiler.h>

enum pci_irq_mode { PCI_IRQ_NONE = 0, PCI_IRQ_MSIX, PCI_IRQ_MSI, PCI_IRQ_INTX };

/* Bits of `allowed` for pci_irq_setup. */
#define PCI_IRQ_ALLOW_MSIX (1u << PCI_IRQ_MSIX)
#define PCI_IRQ_ALLOW_MSI  (1u << PCI_IRQ_MSI)
#define PCI_IRQ_ALLOW_INTX (1u << PCI_IRQ_INTX)
#define PCI_IRQ_ALLOW_ALL  (PCI_IRQ_ALLOW_MSIX | PCI_IRQ_ALLOW_MSI | PCI_IRQ_ALLOW_INTX)

struct pci_irq {
	enum pci_irq_mode mode;
	int vector;                  /* CPU vector from hal/irq */
	volatile uint32_t *msix_table;
	unsigned msix_entries;
};

/* Routes one interrupt of d to fn(ctx) by the best allowed mechanism.
 * 0 (irq->mode says which) or -ENODEV when none works. For MSI-X the
 * device's own vector registers (e.g. virtio's) must name entry 0. */
int pci_irq_setup(struct pci_dev *d, struct pci_irq *irq, unsigned allowed, irq_handler_fn fn, void *ctx) __must_check;
void pci_irq_release(struct pci_dev *d, struct pci_irq *irq);
const char *pci_irq_mode_name(enum pci_irq_mode m);

#endif
