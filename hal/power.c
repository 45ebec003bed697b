/* Power-off and reset: ACPI first (values from the FADT and \_S5), then the
 * classic fallbacks (keyboard-controller pulse, triple fault). */
#include <hal/power.h>
#include <hal/cpu.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4

static struct power_acpi acpi;

void power_set_acpi(const struct power_acpi *p)
{
	acpi = *p;
}

void power_halt(void)
{
	for (;;) {
		cpu_cli();
		cpu_hlt();
	}
}

void power_qemu_exit(uint8_t code)
{
	outl(QEMU_DEBUG_EXIT_PORT, code);
}

void power_off(void)
{
	cpu_cli();
	if (acpi.have_s5 && acpi.pm1a_cnt) {
		/* SLP_TYP in bits 10-12, SLP_EN bit 13 */
		outw(acpi.pm1a_cnt, (uint16_t)((acpi.slp_typa << 10) | (1 << 13)));
		if (acpi.pm1b_cnt)
			outw(acpi.pm1b_cnt, (uint16_t)((acpi.slp_typb << 10) | (1 << 13)));
		for (volatile int i = 0; i < 10000000; i++)
			;
	}
	power_halt();
}

void power_reset(void)
{
	static const struct { uint16_t limit; uint64_t base; } __attribute__((packed)) no_idt = { 0, 0 };

	cpu_cli();
	if (acpi.have_reset && acpi.reset_space == 1 && acpi.reset_addr <= 0xffff)
		outb((uint16_t)acpi.reset_addr, acpi.reset_value);
	/* 8042 reset line */
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		;
	outb(0x64, 0xfe);
	for (volatile int i = 0; i < 10000000; i++)
		;
	/* last resort: an interrupt with no IDT triple-faults */
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	power_halt();
}
