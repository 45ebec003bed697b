/* In-kernel tests of time and interrupt routing: the clock, HPET against
 * TSC, timer events (order, never early, cancel), vector allocation and a
 * self-IPI through the whole dispatch path, the RTC conversion. */
#include <drivers/pci.h>
#include <hal/pci_config.h>
#include <kernel/ktest.h>
#include <kernel/platform.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <hal/cpu.h>
#include <hal/hpet.h>
#include <hal/irq.h>
#include <hal/lapic.h>
#include <hal/rtc.h>
#include <cosmos/errno.h>

#define MS 1000000ULL

/* Timer callbacks bump a counter and wake this queue; the test thread
 * sleeps on it until the counter reaches what it waits for. */
static struct waitq test_wq;

static void wait_flag(volatile int *flag, int want, uint64_t limit_ns)
{
	waitq_wait_event(&test_wq, *flag >= want, limit_ns);
}

KTEST(time_is_monotonic)
{
	uint64_t prev = time_ns();

	for (int i = 0; i < 20000; i++) {
		uint64_t now = time_ns();
		KT_ASSERT(t, now >= prev);
		prev = now;
	}
	KT_EXPECT(t, prev > 0);
}

KTEST(time_hpet_agrees_with_tsc)
{
	uint64_t h0, h1, t0, t1, hpet_ns, tsc_ns;

	KT_ASSERT(t, hpet_present());
	h0 = hpet_counter();
	t0 = time_ns();
	while (time_ns() - t0 < 5 * MS)
		cpu_pause();
	h1 = hpet_counter();
	t1 = time_ns();
	hpet_ns = (h1 - h0) * hpet_period_fs() / 1000000;
	tsc_ns = t1 - t0;
	/* both are virtual clocks under TCG; 3% still catches a wrong scale */
	KT_EXPECT(t, hpet_ns > tsc_ns - tsc_ns / 33 && hpet_ns < tsc_ns + tsc_ns / 33);
}

struct order_log {
	volatile int n;
	int order[4];
	int early;
};


static struct timer_event order_ev[3];

static void log_order_index(struct timer_event *ev, void *ctx)
{
	struct order_log *l = ctx;
	int idx = (int)(ev - order_ev);

	if (time_ns() < ev->deadline)
		l->early++;
	if (l->n < 4)
		l->order[l->n] = idx;
	l->n++;
	waitq_wake_all(&test_wq);
}

KTEST(timer_events_run_in_order_never_early)
{
	struct order_log l = { 0, { -1, -1, -1, -1 }, 0 };
	uint64_t now = time_ns();

	waitq_init(&test_wq);
	timer_event_add(&order_ev[0], now + 3 * MS, log_order_index, &l);
	timer_event_add(&order_ev[1], now + 1 * MS, log_order_index, &l);
	timer_event_add(&order_ev[2], now + 2 * MS, log_order_index, &l);
	wait_flag(&l.n, 3, now + 500 * MS);
	KT_EXPECT_EQ(t, l.n, 3);
	KT_EXPECT_EQ(t, l.order[0], 1);
	KT_EXPECT_EQ(t, l.order[1], 2);
	KT_EXPECT_EQ(t, l.order[2], 0);
	KT_EXPECT_EQ(t, l.early, 0);
}

static void count_fire(struct timer_event *ev, void *ctx)
{
	(void)ev;
	(*(volatile int *)ctx)++;
	waitq_wake_all(&test_wq);
}

KTEST(timer_event_cancel)
{
	struct timer_event victim = { 0 }, waker = { 0 };
	volatile int fired = 0, woke = 0;
	uint64_t now = time_ns(), flags;

	waitq_init(&test_wq);
	flags = cpu_irq_save();   /* so it cannot fire before the cancel */
	timer_event_add(&victim, now + 1 * MS, count_fire, (void *)&fired);
	KT_EXPECT(t, timer_event_cancel(&victim));
	cpu_irq_restore(flags);
	KT_EXPECT(t, !timer_event_cancel(&victim));   /* not pending any more */
	timer_event_add(&waker, now + 3 * MS, count_fire, (void *)&woke);
	wait_flag(&woke, 1, now + 500 * MS);
	KT_EXPECT_EQ(t, woke, 1);
	KT_EXPECT_EQ(t, fired, 0);
}

struct ipi_probe {
	volatile int hits;
	void *seen_ctx;
};

static void on_ipi(void *ctx)
{
	struct ipi_probe *p = ctx;

	p->hits++;
	p->seen_ctx = ctx;
}

KTEST(irq_self_ipi_reaches_handler)
{
	struct ipi_probe p = { 0, 0 };
	int v = irq_request_vector(on_ipi, &p);
	uint64_t before, flags;

	KT_ASSERT(t, v >= IRQ_VECTOR_FIRST && v <= IRQ_VECTOR_LAST);
	before = irq_count((unsigned)v);
	flags = cpu_irq_save();
	lapic_send_self_ipi((uint8_t)v);
	for (int i = 0; i < 1000 && !p.hits; i++)
		cpu_wait_for_interrupt();
	cpu_irq_restore(flags);
	KT_EXPECT_EQ(t, p.hits, 1);
	KT_EXPECT(t, p.seen_ctx == &p);
	KT_EXPECT_EQ(t, irq_count((unsigned)v), before + 1);
	irq_free(v);
	/* a freed vector is handed out again */
	KT_EXPECT_EQ(t, irq_request_vector(on_ipi, &p), v);
	irq_free(v);
}

static void nothing(void *ctx) { (void)ctx; }

KTEST(irq_vectors_run_out_cleanly)
{
	int got[IRQ_VECTOR_LAST - IRQ_VECTOR_FIRST + 1], n = 0, v;

	while ((v = irq_request_vector(nothing, 0)) >= 0 && n < (int)(sizeof(got) / sizeof(got[0])))
		got[n++] = v;
	KT_EXPECT_EQ(t, v, -EBUSY);
	KT_EXPECT(t, n > 100);
	for (int i = 0; i < n; i++)
		irq_free(got[i]);
	v = irq_request_vector(nothing, 0);
	KT_EXPECT(t, v >= IRQ_VECTOR_FIRST);
	irq_free(v);
	KT_EXPECT_EQ(t, irq_request_legacy(16, nothing, 0), -EINVAL);
	KT_EXPECT_EQ(t, irq_request_vector(0, 0), -EINVAL);
}

KTEST(rtc_unix_conversion)
{
	struct rtc_time epoch = { 1970, 1, 1, 0, 0, 0 };
	struct rtc_time leap = { 2000, 3, 1, 0, 0, 0 };
	struct rtc_time y2038 = { 2038, 1, 19, 3, 14, 8 };

	KT_EXPECT_EQ(t, rtc_to_unix(&epoch), 0);
	KT_EXPECT_EQ(t, rtc_to_unix(&leap), 951868800);
	KT_EXPECT_EQ(t, rtc_to_unix(&y2038), 2147483648ULL);
	/* the boot reading is a plausible present */
	KT_EXPECT(t, platform_boot_unix_time() > 1700000000 && platform_boot_unix_time() < 4102444800LL);
}

/* The port fallback and ECAM must see the same configuration space. */
KTEST(pci_port_and_ecam_agree)
{
	KT_ASSERT(t, pci_count() > 0);
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);

		for (uint16_t off = 0; off < 0x40; off += 4) {
			if (off == 0x04)
				continue;   /* the status half may change between reads */
			KT_EXPECT_EQ(t, pci_cfg_port_read32(d->bus, d->dev, d->fn, off),
				     pci_cfg_read32(d->bus, d->dev, d->fn, off));
		}
	}
}
