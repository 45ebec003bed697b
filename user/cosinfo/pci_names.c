/* Names for PCI numbers, for cosinfo: class and subclass codes (the PCI
 * Code and ID Assignment Specification), a few common vendors, and
 * capability IDs (PCI Local Bus and PCI Express specifications). */
#include "cosinfo.h"

struct name {
	unsigned id;
	const char *name;
};

static const char *lookup(const struct name *t, size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}
#define LOOKUP(table, id) lookup(table, sizeof table / sizeof table[0], id)

static const struct name base_classes[] = {
	{ 0x00, "Unclassified device" },
	{ 0x01, "Mass storage controller" },
	{ 0x02, "Network controller" },
	{ 0x03, "Display controller" },
	{ 0x04, "Multimedia controller" },
	{ 0x05, "Memory controller" },
	{ 0x06, "Bridge" },
	{ 0x07, "Communication controller" },
	{ 0x08, "Generic system peripheral" },
	{ 0x09, "Input device controller" },
	{ 0x0a, "Docking station" },
	{ 0x0b, "Processor" },
	{ 0x0c, "Serial bus controller" },
	{ 0x0d, "Wireless controller" },
	{ 0x0e, "Intelligent controller" },
	{ 0x0f, "Satellite communications controller" },
	{ 0x10, "Encryption controller" },
	{ 0x11, "Signal processing controller" },
	{ 0x12, "Processing accelerators" },
	{ 0x13, "Non-Essential Instrumentation" },
	{ 0x40, "Coprocessor" },
	{ 0xff, "Unassigned class" },
};

/* Keyed by base class << 8 | subclass. */
static const struct name subclasses[] = {
	{ 0x0001, "VGA-compatible unclassified device" }, { 0x0100, "SCSI storage controller" },
	{ 0x0101, "IDE interface" }, { 0x0102, "Floppy disk controller" },
	{ 0x0104, "RAID bus controller" }, { 0x0105, "ATA controller" },
	{ 0x0106, "SATA controller" }, { 0x0107, "Serial Attached SCSI controller" },
	{ 0x0108, "Non-Volatile memory controller" },
	{ 0x0109, "Universal Flash Storage controller" }, { 0x0200, "Ethernet controller" },
	{ 0x0207, "InfiniBand controller" }, { 0x0208, "Fabric controller" },
	{ 0x0300, "VGA compatible controller" }, { 0x0301, "XGA compatible controller" },
	{ 0x0302, "3D controller" }, { 0x0400, "Multimedia video controller" },
	{ 0x0401, "Multimedia audio controller" }, { 0x0403, "Audio device" },
	{ 0x0500, "RAM memory" }, { 0x0501, "FLASH memory" }, { 0x0600, "Host bridge" },
	{ 0x0601, "ISA bridge" }, { 0x0602, "EISA bridge" }, { 0x0604, "PCI bridge" },
	{ 0x0605, "PCMCIA bridge" }, { 0x0607, "CardBus bridge" },
	{ 0x0609, "Semi-transparent PCI-to-PCI bridge" }, { 0x0700, "Serial controller" },
	{ 0x0701, "Parallel controller" }, { 0x0702, "Multiport serial controller" },
	{ 0x0703, "Modem" }, { 0x0800, "PIC" }, { 0x0801, "DMA controller" }, { 0x0802, "Timer" },
	{ 0x0803, "RTC" }, { 0x0804, "PCI hot-plug controller" }, { 0x0805, "SD Host controller" },
	{ 0x0806, "IOMMU" }, { 0x0900, "Keyboard controller" }, { 0x0902, "Mouse controller" },
	{ 0x0c00, "FireWire (IEEE 1394)" }, { 0x0c03, "USB controller" },
	{ 0x0c04, "Fibre Channel" }, { 0x0c05, "SMBus" }, { 0x0c06, "InfiniBand" },
	{ 0x0c07, "IPMI interface" },
};

const char *pci_class_name(unsigned base, unsigned sub)
{
	const char *n = LOOKUP(subclasses, base << 8 | sub);
	if (n)
		return n;
	n = LOOKUP(base_classes, base);
	return n ? n : "Unknown class";
}

static const struct name vendors[] = {
	{ 0x1000, "Broadcom / LSI" }, { 0x1002, "AMD/ATI" }, { 0x1022, "AMD" },
	{ 0x106b, "Apple" }, { 0x10de, "NVIDIA" }, { 0x10ec, "Realtek" },
	{ 0x1106, "VIA" }, { 0x1234, "QEMU (Bochs display)" }, { 0x1414, "Microsoft" },
	{ 0x144d, "Samsung" }, { 0x14e4, "Broadcom" }, { 0x15ad, "VMware" },
	{ 0x15b3, "Mellanox" }, { 0x168c, "Qualcomm Atheros" }, { 0x1af4, "Red Hat (virtio)" },
	{ 0x1b21, "ASMedia" }, { 0x1b36, "Red Hat (QEMU)" }, { 0x1b4b, "Marvell" },
	{ 0x1d0f, "Amazon" }, { 0x80ee, "VirtualBox" }, { 0x8086, "Intel" },
};

const char *pci_vendor_name(unsigned vendor)
{
	return LOOKUP(vendors, vendor);
}

static const struct name caps[] = {
	{ 0x01, "Power Management" }, { 0x02, "AGP" }, { 0x03, "Vital Product Data" },
	{ 0x04, "Slot ID" }, { 0x05, "MSI" }, { 0x06, "CompactPCI Hot Swap" },
	{ 0x07, "PCI-X" }, { 0x08, "HyperTransport" }, { 0x09, "Vendor Specific" },
	{ 0x0a, "Debug port" }, { 0x0b, "CompactPCI resource control" }, { 0x0c, "Hot-plug" },
	{ 0x0d, "Bridge subsystem vendor ID" }, { 0x0e, "AGP 8x" }, { 0x0f, "Secure Device" },
	{ 0x10, "PCI Express" }, { 0x11, "MSI-X" }, { 0x12, "SATA configuration" },
	{ 0x13, "Advanced Features" }, { 0x14, "Enhanced Allocation" },
	{ 0x15, "Flattening Portal Bridge" },
};

const char *pci_cap_name(unsigned id)
{
	const char *n = LOOKUP(caps, id);
	return n ? n : "unknown";
}

static const struct name ext_caps[] = {
	{ 0x01, "Advanced Error Reporting" }, { 0x02, "Virtual Channel" },
	{ 0x03, "Device Serial Number" }, { 0x04, "Power Budgeting" },
	{ 0x05, "Root Complex Link Declaration" }, { 0x06, "Root Complex Internal Link Control" },
	{ 0x07, "Root Complex Event Collector" }, { 0x08, "Multi-Function VC Arbitration" },
	{ 0x09, "Virtual Channel (MFVC)" }, { 0x0a, "RCRB Header" }, { 0x0b, "Vendor Specific" },
	{ 0x0c, "Configuration Access Correlation" }, { 0x0d, "Access Control Services" },
	{ 0x0e, "Alternative Routing-ID" }, { 0x0f, "Address Translation Services" },
	{ 0x10, "SR-IOV" }, { 0x11, "MR-IOV" }, { 0x12, "Multicast" }, { 0x13, "Page Request" },
	{ 0x15, "Resizable BAR" }, { 0x16, "Dynamic Power Allocation" }, { 0x17, "TPH Requester" },
	{ 0x18, "Latency Tolerance Reporting" }, { 0x19, "Secondary PCI Express" },
	{ 0x1a, "Protocol Multiplexing" }, { 0x1b, "Process Address Space ID" },
	{ 0x1c, "LN Requester" }, { 0x1d, "Downstream Port Containment" },
	{ 0x1e, "L1 PM Substates" }, { 0x1f, "Precision Time Measurement" },
	{ 0x21, "FRS Queueing" }, { 0x22, "Readiness Time Reporting" },
	{ 0x23, "Designated Vendor-Specific" }, { 0x24, "VF Resizable BAR" },
	{ 0x25, "Data Link Feature" }, { 0x26, "Physical Layer 16.0 GT/s" },
	{ 0x27, "Lane Margining at the Receiver" }, { 0x28, "Hierarchy ID" },
	{ 0x29, "Native PCIe Enclosure Management" }, { 0x2a, "Physical Layer 32.0 GT/s" },
	{ 0x2b, "Alternate Protocol" }, { 0x2c, "System Firmware Intermediary" },
	{ 0x2e, "Data Object Exchange" }, { 0x30, "Integrity and Data Encryption" },
};

const char *pci_ext_cap_name(unsigned id)
{
	const char *n = LOOKUP(ext_caps, id);
	return n ? n : "unknown";
}
