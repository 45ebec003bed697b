/* Ending the machine: ACPI power-off and reset, and QEMU's debug-exit port
 * so tests can end a run with a result. */
#ifndef HAL_POWER_H
#define HAL_POWER_H

#include <stdint.h>

/* Called once the kernel's ACPI reader has found the FADT values; until
 * then only the fallbacks are used. */
struct power_acpi {
	uint16_t pm1a_cnt, pm1b_cnt;  /* I/O ports; 0 = absent */
	uint16_t slp_typa, slp_typb;  /* \_S5 sleep types */
	uint8_t reset_space;          /* 1 = I/O port (the only kind used) */
	uint64_t reset_addr;
	uint8_t reset_value;
	int have_s5, have_reset;
};
void power_set_acpi(const struct power_acpi *p);

void power_off(void) __attribute__((noreturn));
void power_reset(void) __attribute__((noreturn));
/* Exits QEMU with status (code << 1) | 1 when isa-debug-exit is present;
 * returns if it is not. */
void power_qemu_exit(uint8_t code);
/* Halts this CPU forever with interrupts off. */
void power_halt(void) __attribute__((noreturn));

#endif
