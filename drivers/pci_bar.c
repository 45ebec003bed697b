/* BAR decoding, kept free of hardware access so the host tests can feed it
 * every kind of BAR. */
#include <drivers/pci.h>

int pci_bar_decode(uint32_t lo, uint32_t lo_mask, uint32_t hi, uint32_t hi_mask, struct pci_bar *out)
{
	*out = (struct pci_bar){ .kind = PCI_BAR_NONE };
	if (lo & 1) {
		uint32_t mask = lo_mask & ~3u;

		/* An I/O BAR decodes at most 16 bits on x86; unimplemented
		 * upper bits read back as zero, so only the low word counts. */
		mask |= 0xffff0000u;
		if (!(lo_mask & ~3u))
			return 1;
		out->kind = PCI_BAR_IO;
		out->base = lo & ~3u;
		out->size = (uint32_t)(~mask + 1) & 0xffff;
		if (!out->size)
			out->kind = PCI_BAR_NONE;
		return 1;
	}
	switch ((lo >> 1) & 3) {
	case 0: {
		uint32_t mask = lo_mask & ~0xfu;
		if (!mask)
			return 1;   /* unimplemented BAR */
		out->kind = PCI_BAR_MEM32;
		out->base = lo & ~0xfu;
		out->size = (uint32_t)(~mask + 1);
		out->prefetchable = (lo >> 3) & 1;
		return 1;
	}
	case 2: {
		uint64_t mask = ((uint64_t)hi_mask << 32) | (lo_mask & ~0xfu);
		if (!mask)
			return 2;
		out->kind = PCI_BAR_MEM64;
		out->base = ((uint64_t)hi << 32) | (lo & ~0xfu);
		out->size = ~mask + 1;
		out->prefetchable = (lo >> 3) & 1;
		return 2;
	}
	default:
		return 1;   /* reserved type: ignored */
	}
}
