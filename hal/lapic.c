/* Local APIC driver. Register offsets are the xAPIC MMIO ones; in x2APIC mode
 * register r lives in MSR 0x800 + r/16 (SDM vol. 3A, 11.12.1.2). */
#include <hal/lapic.h>
#include <hal/cpu.h>
#include <hal/percpu.h>
#include <hal/tsc.h>
#include <cosmos/errno.h>
#include <kernel/log.h>

#define MSR_APIC_BASE   0x1b
#define APIC_BASE_EN    (1ULL << 11)
#define APIC_BASE_X2    (1ULL << 10)

#define REG_ID          0x020
#define REG_VERSION     0x030
#define REG_TPR         0x080
#define REG_EOI         0x0b0
#define REG_SVR         0x0f0
#define REG_ESR         0x280
#define REG_ICR_LOW     0x300
#define REG_ICR_HIGH    0x310
#define REG_LVT_TIMER   0x320
#define REG_LVT_LINT0   0x350
#define REG_LVT_LINT1   0x360
#define REG_LVT_ERROR   0x370
#define REG_TIMER_INIT  0x380
#define REG_TIMER_CUR   0x390
#define REG_TIMER_DIV   0x3e0

#define LVT_MASKED      (1u << 16)
#define LVT_NMI         (4u << 8)
#define LVT_LEVEL       (1u << 15)
#define LVT_ACTIVE_LOW  (1u << 13)
#define SVR_ENABLE      (1u << 8)
#define ICR_SELF        (1u << 18)
#define ICR_PENDING     (1u << 12)
#define ICR_NMI         (4u << 8)    /* delivery modes (SDM vol. 3A 11.6.1) */
#define ICR_INIT        (5u << 8)
#define ICR_STARTUP     (6u << 8)
#define ICR_ASSERT      (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_WAIT_POLLS  1000000u   /* far beyond the microsecond an IPI takes */

/* Set by the boot CPU's lapic_init, before the other CPUs start; every CPU
 * has its own local APIC at the same address, in the same mode. */
static volatile uint8_t *xapic;
static bool x2;
/* Each CPU measures its own timer's rate and writes only its own slot
 * (index: hal/percpu.h's cpu_id, 0 before per-CPU data exists). The timers
 * of one package usually count the same clock, but nothing promises it
 * (a hypervisor's vCPUs, or a system with several packages), and a CPU
 * armed with another's rate would fire early or late. */
static uint64_t timer_hz_of[PERCPU_MAX];

static uint64_t *my_timer_hz(void)
{
	return &timer_hz_of[percpu_cpu_count() ? percpu_self()->cpu_id : 0];
}

static uint32_t rd(unsigned reg)
{
	if (x2)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *(volatile uint32_t *)(xapic + reg);
}

static void wr(unsigned reg, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		*(volatile uint32_t *)(xapic + reg) = v;
}

/* Enables the running CPU's local APIC with every local interrupt masked
 * but the error one. */
static void enable_local(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	base |= APIC_BASE_EN;
	wrmsr(MSR_APIC_BASE, base);
	if (x2)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2);

	wr(REG_TPR, 0);                        /* accept every priority */
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	wr(REG_LVT_ERROR, LAPIC_ERROR_VECTOR);
	wr(REG_ESR, 0);                        /* writing arms the error register */
	wr(REG_ESR, 0);
	wr(REG_SVR, SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	lapic_eoi();                           /* drop anything left pending */
}

void lapic_init(volatile void *mmio)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	x2 = (r[2] >> 21) & 1;
	xapic = mmio;
	enable_local();
}

bool lapic_x2apic(void) { return x2; }

uint32_t lapic_id(void)
{
	return x2 ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

void lapic_set_nmi(uint8_t lint, uint16_t flags)
{
	uint32_t v = LVT_NMI;

	/* MPS INTI flags: polarity bits 0-1 (3 = active low), trigger 2-3 (3 = level) */
	if ((flags & 3) == 3)
		v |= LVT_ACTIVE_LOW;
	if (((flags >> 2) & 3) == 3)
		v |= LVT_LEVEL;
	wr(lint ? REG_LVT_LINT1 : REG_LVT_LINT0, v);
}

/* Fixed-delivery interrupt to this CPU through the "self" shorthand. The
 * xAPIC's send-pending bit clears within a few bus cycles on working
 * hardware; one that stays set means a wedged APIC, which is reported
 * instead of spinning for ever. */
int lapic_send_self_ipi(uint8_t vector)
{
	if (x2) {
		wrmsr(0x83f, vector);              /* x2APIC SELF IPI register */
		return 0;
	}
	wr(REG_ICR_HIGH, 0);
	wr(REG_ICR_LOW, ICR_SELF | vector);
	for (unsigned i = 0; i < ICR_WAIT_POLLS; i++) {
		if (!(rd(REG_ICR_LOW) & ICR_PENDING))
			return 0;
		cpu_pause();
	}
	log_err("lapic: ICR still send-pending after %u polls (IPI to vector %u)", ICR_WAIT_POLLS, vector);
	return -ETIMEDOUT;
}

/* Writes the ICR (interrupts off: an interrupt handler sending its own IPI
 * between the two xAPIC writes would mix the halves) and waits for the
 * xAPIC to accept it. */
static int send_icr(uint32_t dest, uint32_t low)
{
	uint64_t f = cpu_irq_save();
	int err = 0;

	if (x2) {
		wrmsr(0x800 + (REG_ICR_LOW >> 4), ((uint64_t)dest << 32) | low);
	} else {
		unsigned i;

		wr(REG_ICR_HIGH, dest << 24);
		wr(REG_ICR_LOW, low);
		for (i = 0; i < ICR_WAIT_POLLS && (rd(REG_ICR_LOW) & ICR_PENDING); i++)
			cpu_pause();
		if (i == ICR_WAIT_POLLS)
			err = -ETIMEDOUT;
	}
	cpu_irq_restore(f);
	if (err)
		log_err("lapic: ICR still send-pending after %u polls (IPI %#x to %u)", ICR_WAIT_POLLS,
			low, dest);
	return err;
}

int lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	return send_icr(apic_id, vector);
}

int lapic_send_init(uint32_t apic_id)
{
	return send_icr(apic_id, ICR_INIT | ICR_ASSERT);
}

int lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	return send_icr(apic_id, ICR_STARTUP | page);
}

int lapic_send_nmi_others(void)
{
	return send_icr(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
}

void lapic_init_ap(void)
{
	enable_local();
}

uint32_t lapic_errors(void)
{
	wr(REG_ESR, 0);
	return rd(REG_ESR);
}

/* One reading of the count, bracketed by TSC reads: *tsc is the middle of
 * the bracket, the return value its width (how uncertain *tsc is: a
 * register access can take long when a virtual machine's host is busy). */
static uint64_t read_count(uint32_t *count, uint64_t *tsc)
{
	uint64_t before = rdtsc(), after;

	*count = rd(REG_TIMER_CUR);
	after = rdtsc();
	*tsc = before + (after - before) / 2;
	return after - before;
}

/* Measures the count rate (divider 16) against the TSC, calibrated by
 * then, over a window that starts at 1 ms and doubles up to 10 ms. Both
 * ends are counter reads bracketed by the TSC, so a delay in one access
 * cannot skew the rate. A try counts when its brackets together stay
 * within 0.1% of its window and it saw at least 10,000 counts (the
 * accuracy the 10 ms window always had); after six tries (35 ms at most) the one with
 * the narrowest brackets for its window counts. */
int lapic_timer_calibrate(void)
{
	uint64_t ms = tsc_hz() / 1000, best_width = 1, best_window = 0, rate = 0;
	uint64_t *timer_hz = my_timer_hz();

	if (!ms)
		return -1;
	wr(REG_TIMER_DIV, 0x3);                /* divide by 16 */
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	for (int try = 0; try < 6; try++) {
		uint64_t window = try < 4 ? ms << try : 10 * ms;   /* 1, 2, 4, 8, then 10 ms */
		uint32_t c0, c1;
		uint64_t t0, t1, width;

		wr(REG_TIMER_INIT, 0xffffffff);
		width = read_count(&c0, &t0);
		while (rdtsc() - t0 < window)
			cpu_pause();
		width += read_count(&c1, &t1);
		if (c1 >= c0 || t1 <= t0)
			continue;
		if (best_window && width * best_window >= best_width * (t1 - t0))
			continue;
		best_width = width;
		best_window = t1 - t0;
		rate = (uint64_t)(c0 - c1) * tsc_hz() / (t1 - t0);
		if (best_width <= best_window / 1000 && c0 - c1 >= 10000)
			break;
	}
	wr(REG_TIMER_INIT, 0);
	/* another CPU whose measurement fails keeps the boot CPU's rate */
	*timer_hz = rate ? rate : timer_hz_of[0];
	return rate ? 0 : -1;
}

uint64_t lapic_timer_hz(void) { return *my_timer_hz(); }

void lapic_timer_oneshot(uint64_t ns)
{
	uint64_t ticks, timer_hz = *my_timer_hz();

	if (!ns || !timer_hz) {
		wr(REG_TIMER_INIT, 0);
		return;
	}
	if (ns > 3600ULL * 1000000000ULL)
		ns = 3600ULL * 1000000000ULL;   /* keeps the product in 64 bits */
	ticks = ns / 1000 * timer_hz / 1000000 + (ns % 1000) * timer_hz / 1000000000;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR);   /* one-shot, unmasked */
	wr(REG_TIMER_INIT, (uint32_t)ticks);
}
