/* Starting the other CPUs (application processors): the trampoline below
 * 1 MiB, INIT-SIPI-SIPI, and each new CPU's own tables (GDT, TSS with its
 * IST stacks, IDT, local APIC, FPU, syscall MSRs, per-CPU data) before it
 * runs the kernel's entry. One CPU starts at a time. */
#ifndef HAL_SMP_H
#define HAL_SMP_H

#include <stdint.h>
#include <cosmos/compiler.h>

struct smp_cpu_start {
	uint32_t cpu_id;          /* dense index (hal/percpu.h), 1..PERCPU_MAX-1 */
	uint32_t apic_id;         /* its local APIC id, from the MADT */
	void *stack_top;          /* the CPU's first stack */
	uint64_t ist_top[3];      /* IST stacks: double fault, NMI, machine check */
	uint64_t kernel_root;     /* the kernel's page tables */
	void (*entry)(void *arg); /* run on the new CPU, interrupts off; never returns */
	void *arg;
};

/* The pages the loader reserved below 1 MiB (at least 4: code, then three
 * page-table pages). 0, or -EINVAL when they do not fit that. */
int smp_set_trampoline(uint64_t phys, uint64_t pages) __must_check;
/* Starts one CPU, from the boot CPU: INIT, 10 ms, STARTUP, 200 us,
 * STARTUP (SDM vol. 3A 8.4.4.1), then waits up to timeout_ns for it to
 * reach entry; *took_ns says how long it took from INIT. 0; -ETIMEDOUT
 * (the CPU is sent INIT again, which parks it; -EIO if even that failed); -ENODEV with no
 * trampoline; -EINVAL for a bad cpu_id. */
int smp_start_cpu(const struct smp_cpu_start *s, uint64_t timeout_ns, uint64_t *took_ns) __must_check;

/* Bit n set: CPU n has its tables loaded and takes interrupts. */
uint64_t smp_online_mask(void);

#endif
