/* PCI configuration access. The port mechanism reaches only the first 256
 * bytes of each function; ECAM reaches all 4 KiB (needed for extended
 * capabilities). Offsets are masked, never trusted to stay in range.
 * Locking: the port pair is one shared register (an address, then the data
 * it selects), so every port access holds port_lock from the address write
 * to the data access; threads are preemptive and interrupt handlers may
 * read configuration space. An ECAM access is one memory access and needs
 * no lock. ecam and its bus range are set once at boot, before threads. */
#include <hal/pci_cfg.h>
#include <hal/cpu.h>
#include <kernel/sync/spinlock.h>

static struct spinlock port_lock = SPINLOCK_INIT("pci-config-ports");

static volatile uint8_t *ecam;
static uint8_t ecam_first, ecam_last;

void pci_cfg_use_ecam(volatile void *base, uint8_t bus_start, uint8_t bus_end)
{
	ecam = base;
	ecam_first = bus_start;
	ecam_last = bus_end;
}

const char *pci_cfg_method(void)
{
	return ecam ? "ECAM" : "port 0xCF8";
}

static volatile void *ecam_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (!ecam || bus < ecam_first || bus > ecam_last)
		return 0;
	return ecam + ((uint64_t)bus << 20) + ((uint64_t)(dev & 31) << 15) +
	       ((uint64_t)(fn & 7) << 12) + (off & 0xfff);
}

static void port_select(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	outl(0xcf8, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(dev & 31) << 11 |
		    (uint32_t)(fn & 7) << 8 | (off & 0xfc));
}

uint32_t pci_cfg_port_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	uint64_t flags;
	uint32_t v;

	if (off >= 256)
		return 0xffffffff;
	flags = spin_lock_irqsave(&port_lock);
	port_select(bus, dev, fn, off);
	v = inl(0xcfc);
	spin_unlock_irqrestore(&port_lock, flags);
	return v;
}

uint32_t pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	volatile void *p = ecam_addr(bus, dev, fn, off & ~3);

	if (p)
		return *(volatile uint32_t *)p;
	return pci_cfg_port_read32(bus, dev, fn, off);
}

uint16_t pci_cfg_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return (uint16_t)(pci_cfg_read32(bus, dev, fn, off) >> ((off & 2) * 8));
}

uint8_t pci_cfg_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return (uint8_t)(pci_cfg_read32(bus, dev, fn, off) >> ((off & 3) * 8));
}

void pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	uint64_t flags;
	volatile void *p = ecam_addr(bus, dev, fn, off & ~3);

	if (p) {
		*(volatile uint32_t *)p = v;
		return;
	}
	if (off >= 256)
		return;
	flags = spin_lock_irqsave(&port_lock);
	port_select(bus, dev, fn, off);
	outl(0xcfc, v);
	spin_unlock_irqrestore(&port_lock, flags);
}

void pci_cfg_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint16_t v)
{
	uint64_t flags;
	volatile void *p = ecam_addr(bus, dev, fn, off & ~1);

	if (p) {
		*(volatile uint16_t *)p = v;
		return;
	}
	if (off >= 256)
		return;
	flags = spin_lock_irqsave(&port_lock);
	port_select(bus, dev, fn, off);
	outw(0xcfc + (off & 2), v);
	spin_unlock_irqrestore(&port_lock, flags);
}
