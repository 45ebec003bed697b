/* TSC calibration and the boot-relative nanosecond clock. Until calibration
 * runs the clock reads 0, so early log lines show time zero. */
#include <hal/tsc.h>
#include <hal/cpu.h>
#include <kernel/time.h>

static uint64_t entry_tsc;
static uint64_t hz;       /* 0 until calibrated */

void tsc_early_init(void)
{
	entry_tsc = rdtsc();
}

uint64_t tsc_at_entry(void) { return entry_tsc; }
uint64_t tsc_hz(void) { return hz; }

uint64_t tsc_to_ns(uint64_t ticks)
{
	if (!hz)
		return 0;
	/* split to avoid overflowing 64 bits for long uptimes */
	return ticks / hz * 1000000000ULL + ticks % hz * 1000000000ULL / hz;
}

/* PIT channel 2 gated through port 0x61, counting down ~10 ms once. */
static uint64_t calibrate_pit(void)
{
	const uint32_t pit_hz = 1193182, count = pit_hz / 100;
	uint64_t t0, t1;
	uint8_t gate = inb(0x61);
	long spins = 0;

	outb(0x61, (gate & ~0x02) | 0x01);   /* speaker off, gate on */
	outb(0x43, 0xb0);                    /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	/* restart the gate so counting starts now */
	outb(0x61, inb(0x61) & ~0x01);
	outb(0x61, inb(0x61) | 0x01);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20)) {
		if (++spins > 100000000L)
			return 0;          /* no PIT: leave the clock uncalibrated */
	}
	t1 = rdtsc();
	outb(0x61, gate);
	return (t1 - t0) * 100;
}

void tsc_calibrate(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2]) {
			hz = (uint64_t)r[2] * r[1] / r[0];
			return;
		}
	}
	hz = calibrate_pit();
}

uint64_t time_ns(void)
{
	return tsc_to_ns(rdtsc() - entry_tsc);
}
