/* The GDT, the TSS and the IST stacks, one set per CPU: a TSS is per CPU
 * (its busy bit, its rsp0 and IST stacks), and so the GDT that holds it. */
#include <hal/gdt.h>
#include <hal/percpu.h>
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

/* CPU n's are written once by its gdt_init_cpu, then only the TSS busy bit
 * by the CPU (ltr) and rsp[0] by the CPU itself on every switch to a user
 * thread (gdt_set_kernel_stack): no lock. */
static uint64_t gdts[PERCPU_MAX][8] __attribute__((aligned(16)));
static struct tss tsss[PERCPU_MAX] __attribute__((aligned(16)));

/* The boot CPU's: each IST area is a guard page followed by the stack; the guard is unmapped
 * at init so that an overflow faults instead of corrupting what lies below. */
#define IST_AREA(name) \
	uint8_t name[PAGE + IST_STACK_SIZE] \
	__attribute__((section(".bss.pagealigned"), aligned(PAGE)))
IST_AREA(ist_df_guard);
IST_AREA(ist_nmi_guard);
IST_AREA(ist_mce_guard);

static void gdt_set_tss(uint64_t *gdt, int slot, uint64_t base, uint32_t limit)
{
	gdt[slot] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
		    (0x9ULL << 40) /* available 64-bit TSS */ | SEG_P |
		    ((uint64_t)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[slot + 1] = base >> 32;
}

void gdt_set_kernel_stack(uint64_t rsp0)
{
	tsss[percpu_self()->cpu_id].rsp[0] = rsp0;
}

void gdt_init(void)
{
	const uint64_t ist[3] = {
		(uint64_t)(ist_df_guard + sizeof(ist_df_guard)),
		(uint64_t)(ist_nmi_guard + sizeof(ist_nmi_guard)),
		(uint64_t)(ist_mce_guard + sizeof(ist_mce_guard)),
	};

	gdt_init_cpu(0, ist);
}

void gdt_init_cpu(unsigned cpu, const uint64_t ist_top[3])
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr;
	uint64_t *gdt = gdts[cpu];
	struct tss *t = &tsss[cpu];

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = KERNEL_CODE;
	gdt[GDT_KERNEL_DS / 8] = KERNEL_DATA;
	gdt[GDT_USER_CS32 / 8] = USER_CODE32;
	gdt[GDT_USER_DS / 8] = USER_DATA;
	gdt[GDT_USER_CS / 8] = USER_CODE;

	memset(t, 0, sizeof(*t));
	t->ist[IST_DOUBLE_FAULT - 1] = ist_top[0];
	t->ist[IST_NMI - 1] = ist_top[1];
	t->ist[IST_MACHINE_CHECK - 1] = ist_top[2];
	t->iomap_base = sizeof(*t);
	gdt_set_tss(gdt, GDT_TSS / 8, (uint64_t)t, sizeof(*t) - 1);

	gdtr.limit = sizeof(gdts[cpu]) - 1;
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
