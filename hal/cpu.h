/* x86-64 instruction wrappers: port I/O, control registers, MSRs, CPUID,
 * TSC and interrupt flag. The only place these instructions are spelled. */
#ifndef HAL_CPU_H
#define HAL_CPU_H

#include <stdint.h>
#include <stdbool.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(msr));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR(n) \
	static inline uint64_t read_cr##n(void) { uint64_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause"); }
static inline void cpu_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline uint64_t cpu_flags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; pop %0" : "=r"(f));
	return f;
}

/* A hardware random number, if the CPU has RDRAND and it delivers (it may
 * fail transiently, so it is retried a few times). */
static inline bool cpu_random(uint64_t *out)
{
	uint32_t r[4];
	unsigned char ok = 0;

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 30)))
		return false;
	for (int i = 0; i < 10 && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
	return ok;
}

/* 64 bits for seeding (stack canaries) before any entropy pool exists:
 * RDRAND when the CPU has it, mixed with the cycle counter. */
static inline uint64_t cpu_random_seed(void)
{
	uint64_t v = rdtsc() * 0x9e3779b97f4a7c15ULL, x;

	if (cpu_random(&x))
		v ^= x;
	return v;
}

/* Deliberate traps for the crash= tests; always inlined so the faulting
 * instruction sits in the caller, whose name the report must show. */
static inline __attribute__((always_inline)) void cpu_raise_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static inline __attribute__((always_inline)) void cpu_raise_breakpoint(void)
{
	__asm__ volatile("int3");
}

/* A flags word with interrupts enabled, for restoring into a fresh thread. */
#define CPU_FLAGS_IRQ_ON (1ull << 9)

/* Were interrupts enabled in a flags word from cpu_irq_save()? */
static inline int cpu_flags_irq_enabled(uint64_t flags) { return (flags >> 9) & 1; }

/* Disables interrupts and returns the previous state for cpu_irq_restore. */
static inline uint64_t cpu_irq_save(void)
{
	uint64_t f = cpu_flags();
	cpu_cli();
	return f;
}

static inline void cpu_irq_restore(uint64_t flags)
{
	if (flags & (1u << 9))
		cpu_sti();
}

/* Enables interrupts and halts until one arrives, atomically (an interrupt
 * between sti and hlt still ends the hlt), then disables them again. */
static inline void cpu_wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

#define MSR_EFER 0xc0000080

#endif
