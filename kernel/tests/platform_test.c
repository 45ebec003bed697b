/* In-kernel tests of time and interrupt routing: the clock, checked against
 * the platform's reference clock, timer events (order, never early, cancel), vector allocation and a
 * self-IPI through the whole dispatch path, the RTC conversion. */
#include <drivers/pci.h>
#include <hal/pci_cfg.h>
#include <kernel/boot.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/percpu.h>
#include <hal/platform.h>
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

/* Reads both clocks back to back, with no interrupt (or thread switch)
 * between the two reads. */
static bool read_both(uint64_t *ref, uint64_t *clock)
{
	uint64_t flags = cpu_irq_save();
	bool ok = platform_reference_ns(ref);

	*clock = time_ns();
	cpu_irq_restore(flags);
	return ok;
}

KTEST(time_agrees_with_reference_clock)
{
	uint64_t r0, r1, t0, t1, ref_ns, clock_ns;

	KT_ASSERT(t, read_both(&r0, &t0));
	while (time_ns() - t0 < 5 * MS)
		cpu_pause();
	KT_ASSERT(t, read_both(&r1, &t1));
	ref_ns = r1 - r0;
	clock_ns = t1 - t0;
	kprintf("    # reference clock %llu ns, kernel clock %llu ns\n", (unsigned long long)ref_ns,
		(unsigned long long)clock_ns);
	/* both are virtual clocks under TCG; 3% still catches a wrong scale */
	KT_EXPECT(t, ref_ns > clock_ns - clock_ns / 33 && ref_ns < clock_ns + clock_ns / 33);
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

/* Three events queued out of order, 10 ms apart: they run in deadline
 * order and none early. Should the host hold this CPU up until the first
 * deadline has passed before the last is queued (so that it rightly runs
 * at once, out of order), the round is tried again, up to five. */
KTEST(timer_events_run_in_order_never_early)
{
	struct order_log l;
	uint64_t now, queued;

	waitq_init(&test_wq);
	for (int round = 0; round < 5; round++) {
		l = (struct order_log){ 0, { -1, -1, -1, -1 }, 0 };
		now = time_ns();
		timer_event_add(&order_ev[0], now + 30 * MS, log_order_index, &l);
		timer_event_add(&order_ev[1], now + 10 * MS, log_order_index, &l);
		timer_event_add(&order_ev[2], now + 20 * MS, log_order_index, &l);
		queued = time_ns();
		wait_flag(&l.n, 3, now + 500 * MS);
		if (queued < now + 10 * MS)
			break;
		kprintf("    # the host held the CPU %llu ms while the events were queued\n",
			(unsigned long long)((queued - now) / MS));
	}
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
	/* so it cannot fire here before the cancel; and far enough off that
	 * another CPU's interrupt cannot run it either, should the host hold
	 * this one up */
	flags = cpu_irq_save();
	timer_event_add(&victim, now + 100 * MS, count_fire, (void *)&fired);
	KT_EXPECT(t, timer_event_cancel(&victim));
	cpu_irq_restore(flags);
	KT_EXPECT(t, !timer_event_cancel(&victim));   /* not pending any more */
	timer_event_add(&waker, now + 150 * MS, count_fire, (void *)&woke);
	wait_flag(&woke, 1, now + 1000 * MS);
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
	KT_EXPECT_EQ(t, irq_raise_self(v), 0);
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
	KT_EXPECT_EQ(t, irq_raise_self(IRQ_VECTOR_LAST + 1), -EINVAL);
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

/* Two preempted threads reading different registers through the port
 * pair: the address write of one must never be paired with the data read
 * of the other (the pair is one shared register, hal/pci_cfg.c locks it). */
struct cfg_hammer {
	const struct pci_dev *d;
	uint32_t want;
	uint64_t until;
	unsigned long reads, wrong;
};

static void hammer_cfg_ports(void *arg)
{
	struct cfg_hammer *h = arg;

	while (time_ns() < h->until) {
		for (int i = 0; i < 100; i++) {
			if (pci_cfg_port_read32(h->d->bus, h->d->dev, h->d->fn, 0) != h->want)
				h->wrong++;
			h->reads++;
		}
	}
}

KTEST(pci_port_access_is_atomic_across_threads)
{
	struct cfg_hammer h[2];
	struct thread *th[2];

	KT_ASSERT(t, pci_count() >= 2);
	for (int i = 0; i < 2; i++) {
		const struct pci_dev *d = pci_get((unsigned)i);

		h[i] = (struct cfg_hammer){ d, d->vendor | (uint32_t)d->device << 16, time_ns() + 600 * MS, 0, 0 };
	}
	KT_ASSERT(t, h[0].want != h[1].want);
	for (int i = 0; i < 2; i++) {
		th[i] = thread_create("pcicfg", hammer_cfg_ports, &h[i], SCHED_PRIO_DEFAULT, 0);
		KT_ASSERT(t, th[i]);
	}
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_EQ(t, thread_join(th[i], 0), 0);
		KT_EXPECT(t, h[i].reads > 1000);
		KT_EXPECT_EQ(t, h[i].wrong, 0);
	}
}

/* Two preempted threads taking and giving back vectors: each vector is
 * handed to one of them at a time (hal/irq.c's table is under irq_lock). */
static volatile uint8_t vector_holder[256];

struct vec_hammer {
	int id;
	uint64_t until;
	unsigned long rounds, clashes, failures;
};

static void hammer_vectors(void *arg)
{
	struct vec_hammer *h = arg;

	while (time_ns() < h->until) {
		int v = irq_request_vector(nothing, 0);

		h->rounds++;
		if (v < 0) {
			h->failures++;
			continue;
		}
		if (__atomic_exchange_n(&vector_holder[v], (uint8_t)h->id, __ATOMIC_SEQ_CST))
			h->clashes++;
		for (volatile int i = 0; i < 50; i++)
			;
		__atomic_store_n(&vector_holder[v], 0, __ATOMIC_SEQ_CST);
		irq_free(v);
	}
}

KTEST(irq_vector_allocation_is_atomic_across_threads)
{
	struct vec_hammer h[2];
	struct thread *th[2];

	for (int i = 0; i < 2; i++) {
		h[i] = (struct vec_hammer){ i + 1, time_ns() + 300 * MS, 0, 0, 0 };
		th[i] = thread_create("irqvec", hammer_vectors, &h[i], SCHED_PRIO_DEFAULT, 0);
		KT_ASSERT(t, th[i]);
	}
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_EQ(t, thread_join(th[i], 0), 0);
		KT_EXPECT(t, h[i].rounds > 1000);
		KT_EXPECT_EQ(t, h[i].clashes, 0);
		KT_EXPECT_EQ(t, h[i].failures, 0);
	}
}

/* The boot CPU's per-CPU data carries the id hal reads from the hardware,
 * every CPU platform discovery counts is online (the ktest boot has no
 * maxcpus=), each with per-CPU data of its own. The test runs on the boot
 * CPU (with several, it could be on any and move between two reads). */
KTEST(percpu_boot_cpu_identity)
{
	unsigned n = sched_cpus_online();

	ktest_pin_boot_cpu(t);
	KT_EXPECT_EQ(t, percpu_self()->apic_id, percpu_hw_id());
	KT_EXPECT_EQ(t, percpu_self()->cpu_id, 0);
	KT_EXPECT_EQ(t, percpu_cpu_count(), n);
	KT_EXPECT_EQ(t, platform_cpu_count(), n);
	for (unsigned i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, percpu_get(i)->cpu_id, i);
		for (unsigned j = 0; j < i; j++)
			KT_EXPECT(t, percpu_get(i)->apic_id != percpu_get(j)->apic_id);
	}
}

/* BARs are sized on first use (drivers/pci.c). Sizing q35's SATA
 * controller then gives the bases its BAR registers hold, power-of-two
 * sizes, and leaves its command register as it was (decoding back on);
 * the VGA's (sized under the console lock) has the boot framebuffer in
 * BAR 0. */
KTEST(pci_bars_sized_on_first_use)
{
	struct pci_dev *sata = NULL, *vga = NULL;
	const struct boot_framebuffer *fb = &boot_info()->fb;
	const struct pci_bar *b;
	uint16_t cmd;
	unsigned found = 0;

	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_dev *d = pci_get(i);

		if (d->vendor == 0x8086 && d->device == 0x2922)
			sata = d;
		if (d->vendor == 0x1234 && d->device == 0x1111)
			vga = d;
	}
	KT_ASSERT(t, sata && !sata->driver && vga);
	cmd = pci_cfg_read16(sata->bus, sata->dev, sata->fn, 0x04);
	b = pci_bars(sata);
	KT_EXPECT(t, sata->bars_sized);
	KT_EXPECT_EQ(t, pci_cfg_read16(sata->bus, sata->dev, sata->fn, 0x04), cmd);
	for (unsigned i = 0; i < 6; i++) {
		uint32_t reg = pci_cfg_read32(sata->bus, sata->dev, sata->fn, (uint16_t)(0x10 + 4 * i));

		if (b[i].kind == PCI_BAR_NONE || b[i].kind == PCI_BAR_MEM64)
			continue;
		found++;
		KT_EXPECT_EQ(t, b[i].base, (uint64_t)(reg & (b[i].kind == PCI_BAR_IO ? ~3u : ~0xfu)));
		KT_EXPECT(t, b[i].size && (b[i].size & (b[i].size - 1)) == 0);
	}
	KT_EXPECT_EQ(t, found, 2u);   /* bar4 (I/O) and bar5 (AHCI registers) */
	KT_EXPECT(t, pci_bars(sata) == b && b[5].kind == PCI_BAR_MEM32);

	cmd = pci_cfg_read16(vga->bus, vga->dev, vga->fn, 0x04);
	b = pci_bars(vga);
	KT_EXPECT(t, vga->bars_sized && b[0].kind == PCI_BAR_MEM32 && b[0].prefetchable);
	KT_EXPECT_EQ(t, pci_cfg_read16(vga->bus, vga->dev, vga->fn, 0x04), cmd);
	KT_EXPECT(t, fb->phys >= b[0].base &&
		     fb->phys + (uint64_t)fb->pitch * fb->height <= b[0].base + b[0].size);
}
