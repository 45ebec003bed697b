/* TSC calibration and the boot-relative nanosecond clock. Until calibration
 * runs the clock reads 0, so early log lines show time zero. A later, better
 * calibration (against the HPET) rebases the clock so it never goes back. */
#include <hal/tsc.h>
#include <hal/cpu.h>
#include <hal/hpet.h>
#include <hal/vdso/clock_scale.h>

/* No lock: written only during boot, by tsc_early_init, tsc_calibrate
 * (kmain) and tsc_calibrate_hpet (platform discovery), all before
 * interrupts are enabled and before the first thread or second CPU exists;
 * read-only afterwards, so any reader sees one consistent calibration. */
static uint64_t entry_tsc;
static uint64_t base_tsc;     /* now = base_ns + ticks since base_tsc */
static uint64_t base_ns;
static uint64_t hz;           /* 0 until calibrated */
static uint64_t mult;         /* clock_scale_mult(hz): 0 until calibrated */
static const char *source = "none";

void tsc_early_init(void)
{
	entry_tsc = rdtsc();
}

uint64_t tsc_at_entry(void) { return entry_tsc; }
const char *tsc_source(void) { return source; }
uint64_t tsc_hz(void) { return hz; }

/* The vDSO computes the same (hal/vdso/clock_scale.h): no division, which
 * costs a slow helper call per instruction under TCG. */
uint64_t tsc_to_ns(uint64_t ticks)
{
	return clock_scale(ticks, mult, CLOCK_SCALE_SHIFT);
}

/* Sets the rate, and with it the multiplier the clock uses. */
static void set_hz(uint64_t new_hz)
{
	hz = new_hz;
	mult = clock_scale_mult(hz);
}

/* PIT channel 2 gated through port 0x61, counting down 2 ms once: +-1 PIT
 * tick is 0.04%, good enough for log timestamps until the HPET (or a
 * longer measurement) refines it. */
static uint64_t calibrate_pit(void)
{
	const uint32_t pit_hz = 1193182, count = pit_hz / 500;
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
	return (t1 - t0) * pit_hz / count;
}

void tsc_calibrate(void)
{
	uint32_t r[4];

	base_tsc = entry_tsc;
	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2]) {
			set_hz((uint64_t)r[2] * r[1] / r[0]);
			source = "CPUID";
			return;
		}
	}
	set_hz(calibrate_pit());
	source = hz ? "PIT" : "none";
}

/* One HPET reading, bracketed by TSC reads: *tsc is the middle of the
 * bracket, the return value its width (an emulated HPET read can take long
 * when a virtual machine's host is busy, and the TSC runs on meanwhile). */
static uint64_t hpet_bracketed(uint64_t *h, uint64_t *tsc)
{
	uint64_t before = rdtsc(), after;

	*h = hpet_counter();
	after = rdtsc();
	*tsc = before + (after - before) / 2;
	return after - before;
}

/* HPET ticks against the TSC over a window that starts at 1 ms and
 * doubles up to 10 ms, both ends bracketed by TSC reads. A try counts when
 * its brackets together stay within 0.1% of its window (the accuracy the
 * 10 ms window always had); a short window passes as often as a long one
 * on a quiet machine, and the boot waits 1 ms instead of 10. After six
 * tries (35 ms at most, less than the five 10 ms tries before) the one with the
 * narrowest brackets for its window counts. */
int tsc_calibrate_hpet(void)
{
	uint64_t period = hpet_period_fs(), ms, new_hz = 0, now;
	uint64_t best_width = 1, best_window = 0;   /* best_width / best_window: how uncertain */

	if (!hpet_present())
		return -1;
	ms = 1000000000000ULL / period;      /* 1 ms in ticks */
	for (int try = 0; try < 6; try++) {
		uint64_t want = try < 4 ? ms << try : 10 * ms;   /* 1, 2, 4, 8, then 10 ms */
		uint64_t h0, h1, t0, t1, width, elapsed_ns, rate;
		long spins = 0;

		width = hpet_bracketed(&h0, &t0);
		do {
			if (++spins > 100000000L)
				return -1;     /* the HPET does not count */
		} while (hpet_counter() - h0 < want);
		width += hpet_bracketed(&h1, &t1);
		/* ticks per second = dTSC * 1e9 / elapsed ns; in 64 bits for
		 * TSCs up to ~1.8 THz over a 10 ms window */
		elapsed_ns = (h1 - h0) * period / 1000000ULL;
		if (!elapsed_ns || t1 <= t0)
			continue;
		rate = (t1 - t0) * 1000000000ULL / elapsed_ns;
		if (!rate)
			continue;
		if (best_window && width * best_window >= best_width * (t1 - t0))
			continue;
		best_width = width;
		best_window = t1 - t0;
		new_hz = rate;
		if (best_width <= best_window / 1000)   /* 0.1% of the window */
			break;
	}
	if (!new_hz)
		return -1;
	now = rdtsc();
	base_ns = base_ns + tsc_to_ns(now - base_tsc);
	base_tsc = now;
	set_hz(new_hz);
	source = "HPET";
	return 0;
}

void tsc_clock_params(uint64_t *base, uint64_t *base_at, uint64_t *scale_mult)
{
	*base = base_tsc;
	*base_at = base_ns;
	*scale_mult = mult;
}

uint64_t tsc_time_ns(void)
{
	return base_ns + tsc_to_ns(rdtsc() - base_tsc);
}
