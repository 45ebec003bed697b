/* I/O APICs: route global system interrupts (GSIs) to CPU vectors. */
#ifndef HAL_IOAPIC_H
#define HAL_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

/* Registers one I/O APIC (from the MADT) and masks all its inputs. */
int ioapic_add(volatile void *regs, uint8_t id, uint32_t gsi_base) __must_check;
/* Routes gsi to vector on the CPU with apic_id; unmasked. */
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level, bool active_low) __must_check;
int ioapic_mask(uint32_t gsi, bool masked) __must_check;
unsigned ioapic_count(void);

#endif
