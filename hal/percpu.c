/* Per-CPU structures and the GS base that points at them. The array is
 * static so the boot CPU has one before the heap exists. */
#include <hal/percpu.h>
#include <hal/cpu.h>
#include <hal/lapic.h>

#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* Written once per CPU at its bring-up (one CPU starts at a time, the boot
 * CPU waiting for it), read-only afterwards but for what struct percpu
 * says each CPU writes of its own. */
static struct percpu cpus[PERCPU_MAX];
uint32_t percpu_ncpus;

void percpu_install(struct percpu *pc, uint32_t cpu_id, uint32_t apic_id)
{
	pc->self = pc;
	pc->cpu_id = cpu_id;
	pc->apic_id = apic_id;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	/* swapgs exchanges these on the way to and from user mode; until the
	 * first user thread runs (hal/usermode.c loads its GS base) both name
	 * the kernel's structure, so a stray swapgs is harmless. */
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)pc);
	if (cpu_id + 1 > percpu_ncpus)
		__atomic_store_n(&percpu_ncpus, cpu_id + 1, __ATOMIC_RELEASE);
}

struct percpu *percpu_get(uint32_t cpu)
{
	return cpu < PERCPU_MAX ? &cpus[cpu] : 0;
}

void percpu_init_boot(uint32_t apic_id)
{
	percpu_install(&cpus[0], 0, apic_id);
	cpus[0].root = read_cr3() & ~0xfffull;
}

uint32_t percpu_hw_id(void)
{
	return lapic_id();
}
