/* Builds and loads the IDT. Every vector has a gate, so nothing reaches the
 * CPU's "no handler" path: vectors nobody claimed are reported by the
 * dispatcher instead of becoming a #GP or a triple fault. */
#include <hal/idt.h>
#include <hal/gdt.h>
#include <hal/trap.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;              /* bits 0-2: IST slot, 0 = no stack switch */
	uint8_t type_attr;        /* P, DPL, type */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

#define GATE_INTERRUPT 0x8e   /* present, DPL 0, 64-bit interrupt gate (IF cleared) */
#define GATE_DPL3      0x60   /* int3/into may be used from ring 3 */

extern const uint64_t isr_stub_table[256];

/* Written once by idt_init. */
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void idt_set(int vec, uint64_t handler, int ist, uint8_t attr)
{
	idt[vec] = (struct idt_gate){
		.offset_lo = handler & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = ist,
		.type_attr = attr,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = handler >> 32,
	};
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		idt_set(v, isr_stub_table[v], 0, GATE_INTERRUPT);
	idt[TRAP_BP].type_attr |= GATE_DPL3;
	idt[TRAP_OF].type_attr |= GATE_DPL3;
	idt[TRAP_DF].ist = IST_DOUBLE_FAULT;
	idt[TRAP_NMI].ist = IST_NMI;
	idt[TRAP_MC].ist = IST_MACHINE_CHECK;

	idt_load();
}

void idt_load(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;

	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
