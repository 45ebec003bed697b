/* Linux's /sys text formats for PCI functions and block devices, from the
 * kernel's own records (drivers/pci.h, block numbers), host-tested. The
 * one-value attributes (vendor, class, size, ro ...) are one printf each
 * and live in fs/sysfs.c; what has structure is here. */
#ifndef FS_SYSFS_TEXT_H
#define FS_SYSFS_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <drivers/pci.h>
#include <fs/seqbuf.h>

/* Linux's resource flags (include/linux/ioport.h). */
#define IORESOURCE_IO        0x00000100
#define IORESOURCE_MEM       0x00000200
#define IORESOURCE_PREFETCH  0x00002000
#define IORESOURCE_SIZEALIGN 0x00040000
#define IORESOURCE_MEM_64    0x00100000

/* Lines in "resource": the 6 BARs, the ROM and the 6 SR-IOV BARs of a
 * kernel built with CONFIG_PCI_IOV (Debian's), then 4 bridge windows for
 * bridges. */
#define SYSFS_PCI_RESOURCE_LINES        13
#define SYSFS_PCI_BRIDGE_RESOURCE_LINES 17

/* "0000:00:02.0" */
void sysfs_pci_slot_name(char buf[16], const struct pci_dev *d);
/* The flags Linux gives a decoded BAR (0 for an absent one). */
uint64_t sysfs_pci_bar_flags(const struct pci_bar *b);
/* "resource": one "0x%016llx 0x%016llx 0x%016llx" line (start, end,
 * flags) per resource; what CosmOS does not decode (the ROM, SR-IOV BARs,
 * bridge windows) shows as an unassigned resource, all zeros. */
void sysfs_pci_resource_text(struct seqbuf *s, const struct pci_dev *d);
/* "modalias": pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X */
void sysfs_pci_modalias_text(struct seqbuf *s, const struct pci_dev *d);
/* "uevent": DRIVER (when bound), PCI_CLASS, PCI_ID, PCI_SUBSYS_ID,
 * PCI_SLOT_NAME, MODALIAS; busybox lspci reads exactly this file. */
void sysfs_pci_uevent_text(struct seqbuf *s, const struct pci_dev *d);

/* A block device's "uevent": partno 0 for a whole disk. */
void sysfs_block_uevent_text(struct seqbuf *s, unsigned major, unsigned minor,
			     const char *name, unsigned partno);

#endif
