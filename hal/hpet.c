/* HPET: read the capabilities, check them against the spec's limits, and
 * start the main counter. Comparators are not used (the LAPIC timer gives
 * deadlines); the counter serves as a calibration reference. */
#include <hal/hpet.h>
#include <cosmos/errno.h>

#define HPET_CAP        0x000
#define HPET_CONFIG     0x010
#define HPET_COUNTER    0x0f0
#define HPET_ENABLE     1ULL
#define HPET_MAX_PERIOD 100000000ULL   /* 100 ns, the spec's upper bound */

/* Written once at boot. */
static volatile uint8_t *hpet;
static uint64_t period;
static unsigned ntimers;

static uint64_t rd(unsigned off) { return *(volatile uint64_t *)(hpet + off); }
static void wr(unsigned off, uint64_t v) { *(volatile uint64_t *)(hpet + off) = v; }

int hpet_init(volatile void *regs)
{
	uint64_t cap;

	hpet = regs;
	cap = rd(HPET_CAP);
	period = cap >> 32;
	if (period == 0 || period > HPET_MAX_PERIOD || cap == ~0ULL) {
		hpet = 0;
		return -ENODEV;
	}
	ntimers = (unsigned)((cap >> 8) & 0x1f) + 1;
	wr(HPET_CONFIG, rd(HPET_CONFIG) | HPET_ENABLE);
	return 0;
}

bool hpet_present(void) { return hpet != 0; }
uint64_t hpet_counter(void) { return hpet ? rd(HPET_COUNTER) : 0; }
uint64_t hpet_period_fs(void) { return period; }
unsigned hpet_timers(void) { return ntimers; }
