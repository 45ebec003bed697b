/* The virtio PCI transport: virtio 1.x devices through their vendor
 * capabilities (common, notify, ISR, device configuration), legacy and
 * transitional devices through the I/O BAR; the status handshake and
 * feature negotiation shared by every virtio driver. */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <drivers/pci.h>
#include <drivers/pci_msi.h>
#include <drivers/virtio/virtqueue.h>
#include <cosmos/compiler.h>

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_F_VERSION_1 32

#define VIRTIO_NO_VECTOR 0xffff

struct virtio_dev {
	struct pci_dev *pci;
	bool modern;
	/* modern: mapped structures */
	volatile uint8_t *common, *notify, *isr, *devcfg;
	uint32_t notify_mul, notify_len, devcfg_len;
	/* legacy: I/O port base of BAR0 */
	uint16_t io;
	bool msix_on;                /* legacy: moves the device config by 4 */
	struct pci_irq irq;
	uint64_t features;           /* negotiated */
};

/* Finds the transport, resets the device and says ACKNOWLEDGE | DRIVER.
 * 0, or -ENODEV with a log line for a malformed device. */
int virtio_pci_open(struct virtio_dev *v, struct pci_dev *d, const char *name) __must_check;
/* Accepts offered & wanted (VERSION_1 is added for modern devices); for
 * modern devices sets FEATURES_OK and checks that the device kept it.
 * 0, or -ENODEV when the device refuses. */
int virtio_negotiate(struct virtio_dev *v, uint64_t wanted, const char *name) __must_check;
bool virtio_has(const struct virtio_dev *v, unsigned feature);
/* Sets up queue idx with at most max_size entries (legacy devices dictate
 * their size). Allocates the ring memory; routes it to MSI-X entry vector
 * (VIRTIO_NO_VECTOR for none). 0 or a negative errno. */
int virtio_queue_setup(struct virtio_dev *v, unsigned idx, struct virtq *q, uint16_t max_size,
		       uint16_t vector) __must_check;
/* Routes configuration-change interrupts (MSI-X entry or NO_VECTOR). */
void virtio_config_vector(struct virtio_dev *v, uint16_t vector);
void virtio_notify(struct virtio_dev *v, unsigned idx);
/* Reads and so clears the ISR status (INTx: bit 0 queue, bit 1 config). */
uint8_t virtio_isr(struct virtio_dev *v);
void virtio_driver_ok(struct virtio_dev *v);
/* Writes status 0 (the device stops all DMA) and waits until it reads 0;
 * 0 or -EIO. */
int virtio_pci_reset(struct virtio_dev *v) __must_check;
/* Marks the device FAILED (after an error in setup). */
void virtio_fail(struct virtio_dev *v);
uint8_t virtio_status(struct virtio_dev *v);

/* Device-specific configuration; off is checked against its length. */
uint32_t virtio_cfg_read32(struct virtio_dev *v, unsigned off);
uint64_t virtio_cfg_read64(struct virtio_dev *v, unsigned off);

#endif
