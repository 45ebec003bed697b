/* Interrupt routing: vector allocation, the handler table and the one EOI.
 * Locking: irq_lock (a spinlock: interrupts off) covers every change to the
 * table and the I/O APIC routing that goes with it, so two threads never
 * get the same vector. irq_dispatch, on any CPU, reads an entry's handler
 * without it: a vector is routed only after its handler is written, and a
 * routed vector is masked before it is freed. An entry's count is bumped
 * by atomic add, as two CPUs may take the same vector at once. madt,
 * boot_apic_id and ready are set once by irq_init before threads exist. */
#include <hal/irq.h>
#include <hal/cpu.h>
#include <hal/ioapic.h>
#include <hal/lapic.h>
#include <hal/mmio.h>
#include <hal/pic.h>
#include <hal/platform.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sync/spinlock.h>
#include <cosmos/errno.h>

struct vector {
	irq_handler_fn fn;
	void *ctx;
	int32_t gsi;             /* routed I/O APIC input, or -1 */
	uint64_t count;          /* atomic: bumped by every CPU */
};

static struct spinlock irq_lock = SPINLOCK_INIT("irq");
static struct vector vectors[256];
static const struct madt_info *madt;
static uint32_t boot_apic_id;
static bool ready;

/* Nothing to do, but the vector is expected (and never acknowledged). */
static void on_spurious(void *ctx) { (void)ctx; }
static void on_error(void *ctx) { (void)ctx; (void)lapic_errors(); }

int irq_init(void)
{
	const struct madt_info *m = platform_madt();
	volatile void *lapic_regs;

	for (unsigned v = 0; v < 256; v++)
		vectors[v].gsi = -1;
	pic_disable();
	madt = m;
	lapic_regs = mmio_map(m ? m->lapic_addr : 0xfee00000, 4096);
	if (!lapic_regs)
		return -ENODEV;
	lapic_init(lapic_regs);
	boot_apic_id = lapic_id();
	vectors[LAPIC_SPURIOUS_VECTOR].fn = on_spurious;
	vectors[LAPIC_ERROR_VECTOR].fn = on_error;
	for (unsigned i = 0; m && i < m->nioapics; i++) {
		volatile void *regs = mmio_map(m->ioapics[i].addr, 4096);

		if (!regs || ioapic_add(regs, m->ioapics[i].id, m->ioapics[i].gsi_base) != 0)
			log_warn("irq: I/O APIC %u at %#x unusable; its inputs stay unrouted",
				 m->ioapics[i].id, m->ioapics[i].addr);
	}
	for (unsigned i = 0; m && i < m->nnmis; i++)
		if (m->nmis[i].acpi_cpu == 0xff || m->nmis[i].acpi_cpu == 0xffffffff ||
		    m->nmis[i].acpi_cpu == 0)
			lapic_set_nmi(m->nmis[i].lint, m->nmis[i].flags);
	ready = true;
	log_info("irq: %s, boot CPU APIC id %u, %u I/O APICs, 8259 PICs masked",
		 lapic_x2apic() ? "x2APIC" : "xAPIC", boot_apic_id, ioapic_count());
	return 0;
}

/* Call with irq_lock held. */
static int alloc_vector_locked(irq_handler_fn fn, void *ctx)
{
	if (!ready || !fn)
		return -EINVAL;
	for (int v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++) {
		if (!vectors[v].fn) {
			vectors[v] = (struct vector){ fn, ctx, -1, 0 };
			return v;
		}
	}
	return -EBUSY;
}

static int alloc_vector(irq_handler_fn fn, void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&irq_lock);
	int v = alloc_vector_locked(fn, ctx);

	spin_unlock_irqrestore(&irq_lock, flags);
	return v;
}

int irq_request_gsi(uint32_t gsi, bool level, bool active_low, irq_handler_fn fn, void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&irq_lock);
	int v = alloc_vector_locked(fn, ctx);

	if (v >= 0 && ioapic_route(gsi, (uint8_t)v, boot_apic_id, level, active_low) != 0) {
		vectors[v].fn = 0;
		v = -EINVAL;
	} else if (v >= 0) {
		vectors[v].gsi = (int32_t)gsi;
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return v;
}

/* ISA IRQs are edge-triggered, active-high on GSI == IRQ unless the MADT
 * overrides them (MPS INTI flags: polarity bits 0-1, trigger bits 2-3). */
int irq_request_legacy(unsigned isa_irq, irq_handler_fn fn, void *ctx)
{
	uint32_t gsi = isa_irq;
	bool level = false, low = false;

	if (isa_irq > 15)
		return -EINVAL;
	for (unsigned i = 0; madt && i < madt->noverrides; i++) {
		const struct madt_override *o = &madt->overrides[i];
		if (o->bus == 0 && o->irq == isa_irq) {
			gsi = o->gsi;
			low = (o->flags & 3) == 3;
			level = ((o->flags >> 2) & 3) == 3;
		}
	}
	return irq_request_gsi(gsi, level, low, fn, ctx);
}

int irq_request_vector(irq_handler_fn fn, void *ctx)
{
	return alloc_vector(fn, ctx);
}

int irq_request_msi(irq_handler_fn fn, void *ctx, uint64_t *addr, uint32_t *data)
{
	int v = alloc_vector(fn, ctx);

	if (v < 0)
		return v;
	/* x86 MSI: address 0xFEE00000 | destination APIC ID << 12, physical
	 * mode; data = vector, fixed delivery, edge (SDM vol. 3A 11.11). */
	*addr = 0xfee00000ULL | ((uint64_t)(boot_apic_id & 0xff) << 12);
	*data = (uint32_t)v;
	return v;
}

int irq_set_system_handler(unsigned vector, irq_handler_fn fn, void *ctx)
{
	uint64_t flags;

	if (vector <= IRQ_VECTOR_LAST || vector >= LAPIC_ERROR_VECTOR)
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	vectors[vector].fn = fn;
	vectors[vector].ctx = ctx;
	spin_unlock_irqrestore(&irq_lock, flags);
	return 0;
}

void irq_free(int vector)
{
	uint64_t flags;

	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST)
		return;
	flags = spin_lock_irqsave(&irq_lock);
	/* the GSI was routed through an I/O APIC when the vector was taken */
	if (vectors[vector].gsi >= 0 && ioapic_mask((uint32_t)vectors[vector].gsi, true) != 0)
		panic("irq: vector %d holds GSI %d, which no I/O APIC owns", vector,
		      (int)vectors[vector].gsi);
	vectors[vector] = (struct vector){ 0, 0, -1, 0 };
	spin_unlock_irqrestore(&irq_lock, flags);
}

bool irq_dispatch(unsigned vector)
{
	struct vector *v = &vectors[vector & 0xff];
	irq_handler_fn fn = v->fn;

	__atomic_fetch_add(&v->count, 1, __ATOMIC_RELAXED);
	if (vector < IRQ_VECTOR_FIRST) {
		/* The masked PICs can still raise their spurious IRQ 7 or 15
		 * here; those went through no LAPIC: nothing to acknowledge. */
		return vector == 0x27 || vector == 0x2f;
	}
	if (fn)
		fn(v->ctx);
	/* The spurious vector must not be acknowledged; everything else that
	 * reached us through the LAPIC must be, handled or not (an EOI with
	 * nothing in service is ignored). */
	if (vector != LAPIC_SPURIOUS_VECTOR && ready)
		lapic_eoi();
	return fn != 0;
}

int irq_raise_self(int vector)
{
	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST || !ready)
		return -EINVAL;
	return lapic_send_self_ipi((uint8_t)vector);
}

uint64_t irq_count(unsigned vector)
{
	return __atomic_load_n(&vectors[vector & 0xff].count, __ATOMIC_RELAXED);
}
