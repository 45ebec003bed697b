/* Connects hal's interrupt routing to the kernel: interrupt vectors without
 * a kernel handler of their own go from the trap dispatcher to
 * irq_dispatch(), which runs the driver's handler and sends the one EOI.
 * Interrupts are enabled last. */
#include <kernel/interrupts.h>
#include <kernel/log.h>
#include <kernel/platform.h>
#include <kernel/timer.h>
#include <kernel/trap.h>
#include <hal/cpu.h>
#include <hal/ioapic.h>
#include <hal/irq.h>
#include <hal/lapic.h>

void interrupts_init(void)
{
	int err = irq_init(platform_madt());

	if (err) {
		log_err("irq: no local APIC (%d); running without interrupts", err);
		return;
	}
	trap_set_interrupt_fallback(irq_dispatch);
	log_info("irq: %s, boot CPU APIC id %u, %u I/O APICs, 8259 PICs masked",
		 lapic_x2apic() ? "x2APIC" : "xAPIC", lapic_id(), ioapic_count());
	timer_init();
	cpu_sti();
}
