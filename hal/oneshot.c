/* The one-shot event timer over the local APIC timer (hal/lapic.c). */
#include <hal/oneshot.h>
#include <hal/irq.h>
#include <hal/lapic.h>
#include <hal/percpu.h>
#include <cosmos/errno.h>
#include <kernel/log.h>

int oneshot_init(void (*fn)(void *ctx), void *ctx)
{
	int err;

	if (lapic_timer_calibrate() != 0) {
		log_err("timer: the LAPIC timer does not count");
		return -ENODEV;
	}
	err = irq_set_system_handler(LAPIC_TIMER_VECTOR, fn, ctx);
	if (err)
		return err;
	log_info("timer: LAPIC timer %llu kHz, one-shot deadlines",
		 (unsigned long long)(lapic_timer_hz() / 1000));
	return 0;
}

void oneshot_arm(uint64_t ns)
{
	lapic_timer_oneshot(ns ? ns : 1);
}

void oneshot_cancel(void)
{
	lapic_timer_oneshot(0);
}

int oneshot_init_cpu(void)
{
	if (lapic_timer_calibrate() != 0) {
		log_err("timer: CPU %u's LAPIC timer could not be measured; it assumes the boot CPU's rate",
			percpu_self()->cpu_id);
		return -ENODEV;
	}
	log_info("timer: CPU %u's LAPIC timer %llu kHz", percpu_self()->cpu_id,
		 (unsigned long long)(lapic_timer_hz() / 1000));
	return 0;
}
