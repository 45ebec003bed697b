/* virtio-blk (virtio 1.x section 5.2): disks registered with the block
 * layer as vda, vdb... with read, write and flush, many requests in flight,
 * completion by interrupt. */
#ifndef DRIVERS_VIRTIO_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_VIRTIO_BLK_H

struct blockdev;
struct pci_dev;

/* Binds every virtio-blk PCI device. irq_allowed: PCI_IRQ_ALLOW_* bits
 * (MSI-X, MSI, INTx) to try, best first. */
void virtio_blk_init(unsigned irq_allowed);
/* Interrupts taken and requests completed so far, all disks together. */
unsigned long long virtio_blk_irq_count(void);
/* The PCI function behind a virtio-blk disk, or NULL for any other device. */
struct pci_dev *virtio_blk_pci(const struct blockdev *bd);

#endif
