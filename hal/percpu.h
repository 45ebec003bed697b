/* Per-CPU data reached through the GS base: each CPU's struct percpu is
 * found with one %gs-relative load, so no lock is needed to ask "who am I". */
#ifndef HAL_PERCPU_H
#define HAL_PERCPU_H

#define PERCPU_MAX 64

/* Offsets the entry code (hal/syscall.S, hal/isr.S) uses; checked against
 * the structure below. */
#define PERCPU_KSTACK_TOP 40
#define PERCPU_USER_RSP   48

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* Only its own CPU writes these fields (interrupts off where an interrupt
 * handler could race), so they need no lock. */
struct percpu {
	struct percpu *self;      /* offset 0: %gs:0 gives the structure */
	void *current;            /* offset 8: the running thread (kernel/sched) */
	uint32_t cpu_id;          /* dense index, 0 for the boot CPU */
	uint32_t apic_id;
	void *sched;              /* the CPU's run queue (kernel/sched) */
	int locks_held;           /* spinlocks this CPU holds (debug checks) */
	int in_interrupt;         /* > 0 inside an interrupt handler */
	/* The running user thread's kernel stack top: syscall entry switches
	 * to it (the TSS's rsp0 holds the same for interrupts from ring 3). */
	uint64_t kstack_top;
	uint64_t user_rsp;        /* syscall entry's scratch for the user's rsp */
	uint64_t user_fs;         /* the FS base loaded for user code (hal/usermode.c) */
	uint64_t user_gs;         /* the user GS base waiting in KERNEL_GS_BASE */
	/* The page tables loaded (hal/paging.c), read by other CPUs to
	 * choose whom a TLB shootdown concerns (hal/tlb.c). Bit 0
	 * (PERCPU_ROOT_LAZY) is set while this CPU runs only kernel code on
	 * them (hal/tlb.h's lazy mode). */
	uint64_t root;
	/* Set by another CPU whose shootdown in root's user half left this
	 * one out while it was lazy: flush before user code runs on root. */
	uint32_t tlb_stale;
};

#define PERCPU_ROOT_LAZY 1ull

_Static_assert(offsetof(struct percpu, kstack_top) == PERCPU_KSTACK_TOP, "hal/syscall.S");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "hal/syscall.S");

/* Points this CPU's GS base (and KERNEL_GS_BASE, for swapgs later) at pc. */
void percpu_install(struct percpu *pc, uint32_t cpu_id, uint32_t apic_id);
/* The boot CPU's structure, installed by percpu_init_boot. */
void percpu_init_boot(uint32_t apic_id);
/* The running CPU's hardware id (its local APIC id on a PC), the value
 * percpu_init_boot and percpu_install take. */
uint32_t percpu_hw_id(void);
/* Highest cpu_id installed, plus one: written by percpu_install only.
 * Inline because every spinlock asks (a call costs more than the load). */
extern uint32_t percpu_ncpus;

static inline uint32_t percpu_cpu_count(void)
{
	return __atomic_load_n(&percpu_ncpus, __ATOMIC_ACQUIRE);
}
/* CPU cpu's structure (cpu < PERCPU_MAX), to be installed by that CPU. */
struct percpu *percpu_get(uint32_t cpu);

static inline struct percpu *percpu_self(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline void *percpu_current(void)
{
	void *t;

	__asm__ volatile("movq %%gs:8, %0" : "=r"(t));
	return t;
}

/* The two counters a thread asks about with interrupts on read with one
 * %gs-relative load each: through a percpu_self() pointer the thread could
 * be moved to another CPU between the two loads and read that CPU's. */
static inline int percpu_locks_held(void)
{
	int n;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(n) : "i"(offsetof(struct percpu, locks_held)));
	return n;
}

static inline int percpu_in_interrupt(void)
{
	int n;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(n) : "i"(offsetof(struct percpu, in_interrupt)));
	return n;
}

static inline void percpu_set_current(void *t)
{
	__asm__ volatile("movq %0, %%gs:8" : : "r"(t) : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
