/* The signal each ring-3 CPU exception becomes (see fault.h), as Linux
 * x86-64 sends them: si_code from the FPU or debug status, si_addr the
 * instruction where Linux gives one. */
#include <kernel/proc/fault.h>
#include <cosmos/abi/signal.h>

static int fpe_code(enum fpu_exception e)
{
	switch (e) {
	case FPU_EXC_INVALID:
		return FPE_FLTINV;
	case FPU_EXC_DIVZERO:
		return FPE_FLTDIV;
	case FPU_EXC_OVERFLOW:
		return FPE_FLTOVF;
	case FPU_EXC_UNDERFLOW:
		return FPE_FLTUND;
	case FPU_EXC_INEXACT:
		return FPE_FLTRES;
	case FPU_EXC_NONE:
		break;
	}
	return 0;
}

static int trap_code(enum trap_debug_cause c)
{
	switch (c) {
	case TRAP_DEBUG_STEP:
		return TRAP_TRACE;
	case TRAP_DEBUG_HWBKPT:
		return TRAP_HWBKPT;
	case TRAP_DEBUG_OTHER:   /* icebp (int1) */
		break;
	}
	return TRAP_BRKPT;
}

struct fault_signal fault_signal_of(const struct user_fault *u)
{
	switch (u->vector) {
	case TRAP_DE:
		return (struct fault_signal){ SIGFPE, FPE_INTDIV, u->ip };
	case TRAP_MF:
	case TRAP_XM: {
		int code = fpe_code(u->fpu);

		/* a trap with no unmasked exception flagged is spurious:
		 * Linux sends nothing */
		return code ? (struct fault_signal){ SIGFPE, code, u->ip } : (struct fault_signal){ 0 };
	}
	case TRAP_UD:
		return (struct fault_signal){ SIGILL, ILL_ILLOPN, u->ip };
	case TRAP_DB:
		return (struct fault_signal){ SIGTRAP, trap_code(u->debug), u->ip };
	case TRAP_BP:   /* int3: Linux's plain force_sig, SI_KERNEL and no address */
		return (struct fault_signal){ SIGTRAP, SI_KERNEL, 0 };
	case TRAP_AC:
		return (struct fault_signal){ SIGBUS, BUS_ADRALN, 0 };
	case TRAP_SS:
	case TRAP_NP:
		return (struct fault_signal){ SIGBUS, BUS_ADRERR, 0 };
	default:   /* #GP, #OF, #BR, #TS, #NM, #CP and the rest */
		return (struct fault_signal){ SIGSEGV, SI_KERNEL, 0 };
	}
}
