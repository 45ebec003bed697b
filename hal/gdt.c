/* The GDT, the TSS and the IST stacks. One CPU for now: per-CPU copies
 * come with SMP. */
#include <hal/gdt.h>
#include <lib/string.h>

#define PAGE 4096

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];          /* stacks for ring 0..2 entry from lower rings */
	uint64_t reserved1;
	uint64_t ist[7];          /* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;      /* past the limit: no I/O permission bitmap */
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

/* Descriptor bits (SDM vol. 3A 3.4.5). */
#define SEG_A     (1ULL << 40)  /* accessed: set here so the CPU never writes the GDT */
#define SEG_RW    (1ULL << 41)  /* readable code / writable data */
#define SEG_CODE  (1ULL << 43)
#define SEG_S     (1ULL << 44)  /* code or data, not system */
#define SEG_DPL3  (3ULL << 45)
#define SEG_P     (1ULL << 47)
#define SEG_L     (1ULL << 53)  /* 64-bit code */
#define SEG_DB    (1ULL << 54)  /* 32-bit default size */
#define SEG_G     (1ULL << 55)
#define SEG_FLAT  (0xffffULL | (0xfULL << 48) | SEG_G)   /* limit 4 GiB */

#define KERNEL_CODE (SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_A | SEG_L)
#define KERNEL_DATA (SEG_P | SEG_S | SEG_RW | SEG_A | SEG_FLAT | SEG_DB)
#define USER_CODE32 (SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_A | SEG_DPL3 | SEG_FLAT | SEG_DB)
#define USER_DATA   (KERNEL_DATA | SEG_DPL3)
#define USER_CODE   (KERNEL_CODE | SEG_DPL3)

/* Written once by gdt_init, then only the TSS busy bit by the CPU (ltr). */
static uint64_t gdt[8] __attribute__((aligned(16)));
/* rsp[0] changes on every switch to a user thread (gdt_set_kernel_stack). */
static struct tss tss __attribute__((aligned(16)));

/* Each IST area is a guard page followed by the stack; the guard is unmapped
 * at init so that an overflow faults instead of corrupting what lies below. */
#define IST_AREA(name) \
	uint8_t name[PAGE + IST_STACK_SIZE] \
	__attribute__((section(".bss.pagealigned"), aligned(PAGE)))
IST_AREA(ist_df_guard);
IST_AREA(ist_nmi_guard);
IST_AREA(ist_mce_guard);

static void gdt_set_tss(int slot, uint64_t base, uint32_t limit)
{
	gdt[slot] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
		    (0x9ULL << 40) /* available 64-bit TSS */ | SEG_P |
		    ((uint64_t)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[slot + 1] = base >> 32;
}

void gdt_set_kernel_stack(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}

void gdt_init(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = KERNEL_CODE;
	gdt[GDT_KERNEL_DS / 8] = KERNEL_DATA;
	gdt[GDT_USER_CS32 / 8] = USER_CODE32;
	gdt[GDT_USER_DS / 8] = USER_DATA;
	gdt[GDT_USER_CS / 8] = USER_CODE;

	memset(&tss, 0, sizeof(tss));
	tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(ist_df_guard + sizeof(ist_df_guard));
	tss.ist[IST_NMI - 1] = (uint64_t)(ist_nmi_guard + sizeof(ist_nmi_guard));
	tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)(ist_mce_guard + sizeof(ist_mce_guard));
	tss.iomap_base = sizeof(tss);
	gdt_set_tss(GDT_TSS / 8, (uint64_t)&tss, sizeof(tss) - 1);

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint64_t)gdt;
	/* CS can only be reloaded by a far transfer: push the new CS and a
	 * return address and lretq. The data segments are flat and unused in
	 * long mode but must hold valid selectors (iret checks SS). FS and GS
	 * get the null selector; their bases come from MSRs later. */
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs\n\t"
		"ltr %w3"
		: : "m"(gdtr), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(GDT_TSS)
		: "rax", "memory");
}
