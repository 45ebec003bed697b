/* Which signal a CPU exception in ring 3 becomes, Linux's choices, as a
 * function of what the trap reported: kept apart from the trap path so
 * the ktests can feed it exceptions QEMU's TCG cannot raise (#XM, #AC). */
#ifndef KERNEL_PROC_FAULT_H
#define KERNEL_PROC_FAULT_H

#include <stdint.h>
#include <hal/fpu.h>
#include <hal/trap.h>

/* What a trap from ring 3 reported, beyond its vector and address. */
struct user_fault {
	uint64_t vector;                /* TRAP_* (not TRAP_PF, which vm_fault resolves) */
	uint64_t ip;                    /* the instruction (or the next, for a trap) */
	enum fpu_exception fpu;         /* #MF, #XM: the exception the FPU state shows */
	enum trap_debug_cause debug;    /* #DB: DR6's cause */
};

/* The signal to send: sig 0 for none (a spurious #MF/#XM). */
struct fault_signal {
	int sig, code;
	uint64_t addr;
};

struct fault_signal fault_signal_of(const struct user_fault *u);

#endif
