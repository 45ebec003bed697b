/* Interrupts between CPUs (see ipi.h). A call is posted in the target's
 * one-request mailbox and announced with a fixed-vector IPI; the target
 * runs it and counts it done. Every loop that waits (for a mailbox to
 * empty, for the calls to finish) also serves this CPU's own mailbox, so
 * two CPUs calling each other with interrupts off cannot deadlock; and so
 * does a CPU spinning for a lock (ipi_poll, from kernel/sync/spinlock.c),
 * so a caller holding that lock with interrupts off, waiting for this
 * CPU's answer, cannot deadlock against it either.
 * Locking: the mailboxes are taken and filled with atomic exchanges; a
 * request lives on its sender's stack until its count reaches 0. */
#include <hal/ipi.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/lapic.h>
#include <hal/percpu.h>
#include <hal/smp.h>
#include <hal/tsc.h>

#define VEC_CALL    0xfc
#define VEC_RESCHED 0xfb

struct call_req {
	ipi_fn fn;
	void *arg;
	uint32_t pending;         /* CPUs that have not finished fn yet */
};

static struct call_req *mailbox[PERCPU_MAX];
static void (*resched_fn)(void);   /* set once by ipi_init */
static int stopping;               /* set once, by the CPU that stops the others */
/* CPUs halted by ipi_stop_here, bit n for CPU n: a CPU that stopped on its
 * own (it panicked second) and then takes the NMI too counts once. */
static uint64_t stopped;
/* IPIs sent, for tests and benchmarks: calls (one per target CPU) and
 * reschedule requests. Atomic adds, from every CPU. */
static uint64_t sent_calls, sent_resched;

uint64_t ipi_online_mask(void) { return smp_online_mask(); }

/* Set bits (no POPCNT in the kernel's baseline instruction set). */
static unsigned bits(uint64_t m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

static void serve_mailbox(void)
{
	unsigned me = percpu_self()->cpu_id;
	struct call_req *r;

	if (!__atomic_load_n(&mailbox[me], __ATOMIC_ACQUIRE))
		return;
	r = __atomic_exchange_n(&mailbox[me], 0, __ATOMIC_ACQ_REL);
	if (r) {
		r->fn(r->arg);
		__atomic_sub_fetch(&r->pending, 1, __ATOMIC_RELEASE);
	}
}

void ipi_poll(void)
{
	if (percpu_cpu_count())
		serve_mailbox();
}

static void on_call(void *ctx)
{
	(void)ctx;
	serve_mailbox();
}

static void on_resched(void *ctx)
{
	(void)ctx;
	if (resched_fn)
		resched_fn();
}

int ipi_init(void (*on_resched_fn)(void))
{
	int err;

	resched_fn = on_resched_fn;
	err = irq_set_system_handler(VEC_CALL, on_call, 0);
	if (!err)
		err = irq_set_system_handler(VEC_RESCHED, on_resched, 0);
	return err;
}

unsigned ipi_call_mask(uint64_t mask, ipi_fn fn, void *arg)
{
	struct call_req r = { fn, arg, 0 };
	unsigned me, n = 0;
	uint64_t f;

	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
		return 0;
	f = cpu_irq_save();
	me = percpu_self()->cpu_id;
	mask &= smp_online_mask() & ~(1ull << me);
	r.pending = bits(mask);
	for (unsigned c = 0; c < PERCPU_MAX; c++) {
		struct call_req *none = 0;

		if (!(mask & (1ull << c)))
			continue;
		while (!__atomic_compare_exchange_n(&mailbox[c], &none, &r, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE)) {
			none = 0;
			serve_mailbox();
			cpu_pause();
		}
		/* a wedged APIC is logged; the wait below would then hang,
		 * which is the truth: that CPU is not answering */
		(void)!lapic_send_ipi(percpu_get(c)->apic_id, VEC_CALL);
		__atomic_add_fetch(&sent_calls, 1, __ATOMIC_RELAXED);
		n++;
	}
	while (__atomic_load_n(&r.pending, __ATOMIC_ACQUIRE)) {
		serve_mailbox();
		cpu_pause();
	}
	cpu_irq_restore(f);
	return n;
}

unsigned ipi_call_others(ipi_fn fn, void *arg)
{
	return ipi_call_mask(~0ull, fn, arg);
}

void ipi_resched(unsigned cpu)
{
	if (cpu < PERCPU_MAX && (smp_online_mask() & (1ull << cpu))) {
		(void)!lapic_send_ipi(percpu_get(cpu)->apic_id, VEC_RESCHED);
		__atomic_add_fetch(&sent_resched, 1, __ATOMIC_RELAXED);
	}
}

uint64_t ipi_calls_sent(void) { return __atomic_load_n(&sent_calls, __ATOMIC_RELAXED); }
uint64_t ipi_resched_sent(void) { return __atomic_load_n(&sent_resched, __ATOMIC_RELAXED); }

unsigned ipi_stop_others(void)
{
	unsigned others = bits(smp_online_mask()) - 1;
	uint64_t end, me = 1ull << percpu_self()->cpu_id;

	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	if (!others)
		return 0;
	(void)!lapic_send_nmi_others();
	end = tsc_time_ns() + 100 * 1000 * 1000;
	while (bits(__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) & ~me) < others && tsc_time_ns() < end)
		cpu_pause();
	return bits(__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) & ~me);
}

bool ipi_stop_requested(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE) != 0;
}

void ipi_stop_here(void)
{
	cpu_cli();
	__atomic_or_fetch(&stopped, 1ull << percpu_self()->cpu_id, __ATOMIC_RELEASE);
	for (;;)
		cpu_hlt();
}
