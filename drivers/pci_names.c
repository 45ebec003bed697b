/* Readable names for the PCI classes a person is likely to meet. */
#include <drivers/pci.h>

struct class_name {
	uint8_t class_code, subclass;  /* subclass 0xff: any */
	const char *name;
};

static const struct class_name names[] = {
	{ 0x00, 0xff, "unclassified" },
	{ 0x01, 0x00, "SCSI controller" },
	{ 0x01, 0x01, "IDE controller" },
	{ 0x01, 0x06, "SATA controller" },
	{ 0x01, 0x08, "NVMe controller" },
	{ 0x01, 0xff, "mass storage controller" },
	{ 0x02, 0x00, "Ethernet controller" },
	{ 0x02, 0xff, "network controller" },
	{ 0x03, 0x00, "VGA controller" },
	{ 0x03, 0xff, "display controller" },
	{ 0x04, 0x01, "audio device" },
	{ 0x04, 0x03, "HD audio controller" },
	{ 0x04, 0xff, "multimedia controller" },
	{ 0x05, 0xff, "memory controller" },
	{ 0x06, 0x00, "host bridge" },
	{ 0x06, 0x01, "ISA bridge" },
	{ 0x06, 0x04, "PCI-to-PCI bridge" },
	{ 0x06, 0xff, "bridge" },
	{ 0x07, 0x00, "serial controller" },
	{ 0x07, 0xff, "communication controller" },
	{ 0x08, 0xff, "system peripheral" },
	{ 0x09, 0xff, "input controller" },
	{ 0x0c, 0x03, "USB controller" },
	{ 0x0c, 0x05, "SMBus controller" },
	{ 0x0c, 0xff, "serial bus controller" },
	{ 0x0d, 0xff, "wireless controller" },
	{ 0xff, 0xff, "vendor-specific device" },
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].class_code == class_code &&
		    (names[i].subclass == subclass || names[i].subclass == 0xff))
			return names[i].name;
	return "unknown device";
}
