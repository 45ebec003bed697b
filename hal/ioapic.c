/* I/O APIC driver: indirect register access through IOREGSEL/IOWIN; each
 * input has a 64-bit redirection entry at registers 0x10 + 2n.
 * Locking: the select/window pair is shared state; callers hold the irq
 * lock (hal/irq.c). */
#include <hal/ioapic.h>
#include <cosmos/errno.h>

#define IOAPIC_MAX   8
#define REG_VER      0x01
#define RED_MASKED   (1u << 16)
#define RED_LEVEL    (1u << 15)
#define RED_LOW      (1u << 13)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	unsigned inputs;
	uint8_t id;
};

static struct ioapic ioapics[IOAPIC_MAX];
static unsigned nioapics;

static uint32_t rd(struct ioapic *a, uint32_t reg)
{
	a->regs[0] = reg;
	return a->regs[4];
}

static void wr(struct ioapic *a, uint32_t reg, uint32_t v)
{
	a->regs[0] = reg;
	a->regs[4] = v;
}

int ioapic_add(volatile void *regs, uint8_t id, uint32_t gsi_base)
{
	struct ioapic *a;
	uint32_t ver;

	if (nioapics == IOAPIC_MAX)
		return -ENOSPC;
	a = &ioapics[nioapics];
	a->regs = regs;
	ver = rd(a, REG_VER);
	if (ver == 0xffffffff)
		return -ENODEV;
	a->inputs = ((ver >> 16) & 0xff) + 1;
	a->gsi_base = gsi_base;
	a->id = id;
	for (unsigned i = 0; i < a->inputs; i++) {
		wr(a, 0x10 + 2 * i, RED_MASKED);
		wr(a, 0x11 + 2 * i, 0);
	}
	nioapics++;
	return 0;
}

unsigned ioapic_count(void) { return nioapics; }

static struct ioapic *owner(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < nioapics; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].inputs) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	}
	return 0;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level, bool active_low)
{
	unsigned pin;
	struct ioapic *a = owner(gsi, &pin);

	if (!a)
		return -EINVAL;
	/* destination first, then the low word that unmasks */
	wr(a, 0x11 + 2 * pin, apic_id << 24);
	wr(a, 0x10 + 2 * pin, vector | (level ? RED_LEVEL : 0) | (active_low ? RED_LOW : 0));
	return 0;
}

int ioapic_mask(uint32_t gsi, bool masked)
{
	unsigned pin;
	struct ioapic *a = owner(gsi, &pin);
	uint32_t lo;

	if (!a)
		return -EINVAL;
	lo = rd(a, 0x10 + 2 * pin);
	wr(a, 0x10 + 2 * pin, masked ? lo | RED_MASKED : lo & ~RED_MASKED);
	return 0;
}
