/* PCI configuration space access: ECAM (memory-mapped, from the ACPI MCFG)
 * when available, the legacy 0xCF8/0xCFC ports otherwise. */
#ifndef HAL_PCI_CFG_H
#define HAL_PCI_CFG_H

#include <stdint.h>

/* Switches to ECAM for buses [bus_start, bus_end] of segment 0; base is a
 * kernel virtual address of the window for bus 0 (the MCFG base, already
 * offset so that bus b is at base + (b << 20)). */
void pci_cfg_use_ecam(volatile void *base, uint8_t bus_start, uint8_t bus_end);
const char *pci_cfg_method(void);

uint32_t pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
uint16_t pci_cfg_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
uint8_t pci_cfg_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
/* Always through the ports (the fallback), for comparing the two paths. */
uint32_t pci_cfg_port_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);
void pci_cfg_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint16_t v);

#endif
