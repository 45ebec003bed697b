/* Starting the other CPUs (see smp.h). The trampoline's code and data
 * live in hal/smp_trampoline.S; this file copies them below 1 MiB, builds
 * the page tables that take a CPU from real mode to the kernel, and sends
 * the start-up IPIs. Locking: only the boot CPU starts CPUs, one at a
 * time, during boot (kmain, before other threads run); the started CPU
 * reads what it is given and answers through `arrived`. */
#include <hal/smp.h>
#include <cosmos/boot_info.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <hal/fpu.h>
#include <hal/gdt.h>
#include <hal/idt.h>
#include <hal/lapic.h>
#include <hal/percpu.h>
#include <hal/tsc.h>
#include <hal/usermode.h>
#include <lib/string.h>

#define PAGE 4096
#define MSR_EFER 0xc0000080
#define EFER_LMA (1ull << 10)
#define PTE_P  1ull
#define PTE_W  2ull
#define PTE_PS (1ull << 7)

/* The trampoline's parameter block (offsets in hal/smp_trampoline.S). */
struct tramp_params {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t jump_to;
	uint16_t jump_sel;
	uint16_t pad1;
	uint32_t cr3;
	uint32_t efer;
	uint64_t stack;
	uint64_t kernel_cr3;
	uint64_t arg;
	uint64_t entry;
} __attribute__((packed));

_Static_assert(offsetof(struct tramp_params, jump_to) == 8 &&
	       offsetof(struct tramp_params, cr3) == 16 &&
	       offsetof(struct tramp_params, stack) == 24 &&
	       offsetof(struct tramp_params, entry) == 48, "hal/smp_trampoline.S");

extern const uint8_t smp_trampoline_start[], smp_trampoline_end[], smp_trampoline_params[];
extern const uint8_t smp_trampoline_gdt[], smp_trampoline_long64[];
void smp_ap_entry(void);
void smp_ap_main(const struct smp_cpu_start *s);

static uint64_t tramp_phys;         /* 0: no trampoline, no other CPU */
/* The boot CPU's control registers, which every CPU copies. */
static uint64_t boot_cr0, boot_cr4, boot_efer;
/* The CPU being started: its copy of the caller's request, and the answer
 * (its cpu_id once its tables are loaded). */
static struct smp_cpu_start starting;
static volatile uint32_t arrived;
/* Bit n: CPU n is online. Set by each CPU itself, atomically. */
static uint64_t online_mask = 1;

uint64_t smp_online_mask(void) { return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE); }

static void *phys_ptr(uint64_t phys) { return (void *)(phys + BOOT_HHDM_BASE); }

int smp_set_trampoline(uint64_t phys, uint64_t pages)
{
	uint64_t code_len = (uint64_t)(smp_trampoline_end - smp_trampoline_start);

	if (pages < 4 || (phys & (PAGE - 1)) || phys + 4 * PAGE > 0x100000 || code_len > PAGE)
		return -EINVAL;
	tramp_phys = phys;
	return 0;
}

/* Page 0: the code; 1: a PML4 with this page's first 2 MiB at their own
 * address (entry 0) and the kernel's half copied from kernel_root; 2 and
 * 3: the PDPT and the PD for that first 2 MiB (one large page). */
static void build_trampoline(const struct smp_cpu_start *s)
{
	uint8_t *code = phys_ptr(tramp_phys);
	uint64_t *pml4 = phys_ptr(tramp_phys + PAGE), *pdpt = phys_ptr(tramp_phys + 2 * PAGE);
	uint64_t *pd = phys_ptr(tramp_phys + 3 * PAGE);
	const uint64_t *kernel = phys_ptr(s->kernel_root & ~(uint64_t)(PAGE - 1));
	struct tramp_params *p;

	memcpy(code, smp_trampoline_start, (size_t)(smp_trampoline_end - smp_trampoline_start));
	memset(pml4, 0, PAGE);
	memset(pdpt, 0, PAGE);
	memset(pd, 0, PAGE);
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (tramp_phys + 3 * PAGE) | PTE_P | PTE_W;
	pml4[0] = (tramp_phys + 2 * PAGE) | PTE_P | PTE_W;
	for (int i = 256; i < 512; i++)
		pml4[i] = kernel[i];

	p = (struct tramp_params *)(code + (smp_trampoline_params - smp_trampoline_start));
	p->gdt_limit = 3 * 8 - 1;
	p->gdt_base = (uint32_t)(tramp_phys + (uint64_t)(smp_trampoline_gdt - smp_trampoline_start));
	p->jump_to = (uint32_t)(tramp_phys + (uint64_t)(smp_trampoline_long64 - smp_trampoline_start));
	p->jump_sel = 0x08;
	p->cr3 = (uint32_t)(tramp_phys + PAGE);
	p->efer = (uint32_t)(boot_efer & ~EFER_LMA);
	p->stack = (uint64_t)s->stack_top;
	p->kernel_cr3 = s->kernel_root;
	p->arg = (uint64_t)&starting;
	p->entry = (uint64_t)smp_ap_entry;
}

static void delay_ns(uint64_t ns)
{
	uint64_t end = tsc_time_ns() + ns;

	while (tsc_time_ns() < end)
		cpu_pause();
}

int smp_start_cpu(const struct smp_cpu_start *s, uint64_t timeout_ns, uint64_t *took_ns)
{
	uint64_t t0, deadline;
	int err;

	*took_ns = 0;
	if (!tramp_phys)
		return -ENODEV;
	if (s->cpu_id == 0 || s->cpu_id >= PERCPU_MAX)
		return -EINVAL;
	boot_cr0 = read_cr0();
	boot_cr4 = read_cr4();
	boot_efer = rdmsr(MSR_EFER);
	starting = *s;
	__atomic_store_n(&arrived, 0, __ATOMIC_RELEASE);
	build_trampoline(s);

	t0 = tsc_time_ns();
	err = lapic_send_init(s->apic_id);
	if (!err) {
		delay_ns(10 * 1000 * 1000);
		err = lapic_send_startup(s->apic_id, (uint8_t)(tramp_phys >> 12));
	}
	if (!err) {
		delay_ns(200 * 1000);
		if (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) != s->cpu_id)
			err = lapic_send_startup(s->apic_id, (uint8_t)(tramp_phys >> 12));
	}
	deadline = tsc_time_ns() + timeout_ns;
	while (!err && __atomic_load_n(&arrived, __ATOMIC_ACQUIRE) != s->cpu_id) {
		if (tsc_time_ns() > deadline) {
			err = -ETIMEDOUT;
			/* back to waiting for STARTUP, so that it cannot run on
			 * the next CPU's parameters */
			if (lapic_send_init(s->apic_id) != 0)
				err = -EIO;   /* logged by hal/lapic.c */
			break;
		}
		cpu_pause();
	}
	*took_ns = tsc_time_ns() - t0;
	return err;
}

/* On the new CPU, on its first stack, the kernel's tables loaded. */
void smp_ap_main(const struct smp_cpu_start *s)
{
	void (*entry)(void *) = s->entry;
	void *arg = s->arg;
	uint32_t cpu = s->cpu_id;

	write_cr0(boot_cr0);
	write_cr4(boot_cr4);
	wrmsr(MSR_EFER, boot_efer & ~EFER_LMA);
	gdt_init_cpu(cpu, s->ist_top);
	idt_load();
	percpu_install(percpu_get(cpu), cpu, s->apic_id);
	lapic_init_ap();
	fpu_init_cpu();
	usermode_init_cpu();
	percpu_self()->root = s->kernel_root;
	__atomic_or_fetch(&online_mask, 1ull << cpu, __ATOMIC_ACQ_REL);
	__atomic_store_n(&arrived, cpu, __ATOMIC_RELEASE);
	entry(arg);
}
