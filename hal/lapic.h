/* The local APIC of the running CPU: x2APIC through MSRs when the CPU has
 * it, xAPIC through MMIO otherwise; EOI, NMI wiring and the timer. */
#ifndef HAL_LAPIC_H
#define HAL_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

#define LAPIC_SPURIOUS_VECTOR 0xff
#define LAPIC_ERROR_VECTOR    0xfe
#define LAPIC_TIMER_VECTOR    0xfd

/* mmio: kernel virtual address of the xAPIC page (unused in x2APIC mode). */
void lapic_init(volatile void *mmio);
bool lapic_x2apic(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Wires LINT0/1 as NMI with the MADT's polarity/trigger flags. */
void lapic_set_nmi(uint8_t lint, uint16_t flags);
uint32_t lapic_errors(void);
/* The other CPUs' local APICs: enables the running CPU's own, in the mode
 * and at the address the boot CPU's lapic_init chose. */
void lapic_init_ap(void);
/* IPIs by the interrupt command register: 0, or -ETIMEDOUT (logged) when
 * the xAPIC never accepts the command. Fixed delivery of vector to one
 * CPU; INIT and STARTUP (SIPI, at page << 12) to wake a CPU; NMI to every
 * CPU but this one. */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector) __must_check;
int lapic_send_init(uint32_t apic_id) __must_check;
int lapic_send_startup(uint32_t apic_id, uint8_t page) __must_check;
int lapic_send_nmi_others(void) __must_check;
/* 0, or -ETIMEDOUT (logged) when the xAPIC never accepts it. */
int lapic_send_self_ipi(uint8_t vector) __must_check;

/* Timer: measures its rate against the TSC; then one-shot countdowns. */
int lapic_timer_calibrate(void) __must_check;
uint64_t lapic_timer_hz(void);
/* Fires LAPIC_TIMER_VECTOR once after ns nanoseconds (clamped to the
 * counter's range); 0 stops it. */
void lapic_timer_oneshot(uint64_t ns);

#endif
