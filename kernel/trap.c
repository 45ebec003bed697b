/* The kernel's trap policy, called by hal for every vector. Faults in the
 * kernel are bugs: they end in panic with the full report. */
#include <kernel/trap.h>
#include <cosmos/errno.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sched/sched.h>
#include <lib/fmt.h>

/* Hooks and counters below: set at init or by tests; single CPU with
 * interrupts off for now, so no lock. */
static trap_page_fault_hook_fn page_fault_hook;
static bool (*stack_guard_hook)(uint64_t va);
static uint64_t breakpoints, unexpected;
static trap_vector_fn vector_handlers[256];
static bool (*interrupt_fallback)(unsigned vector);

trap_page_fault_hook_fn trap_set_page_fault_hook(trap_page_fault_hook_fn fn)
{
	trap_page_fault_hook_fn old = page_fault_hook;

	page_fault_hook = fn;
	return old;
}

void trap_set_stack_guard_hook(bool (*fn)(uint64_t va)) { stack_guard_hook = fn; }
uint64_t trap_breakpoint_count(void) { return breakpoints; }
uint64_t trap_unexpected_count(void) { return unexpected; }

int trap_set_vector_handler(unsigned vector, trap_vector_fn fn)
{
	if (vector < TRAP_EXCEPTIONS || vector > 255)
		return -EINVAL;
	if (fn && vector_handlers[vector] && vector_handlers[vector] != fn)
		return -EBUSY;
	vector_handlers[vector] = fn;
	return 0;
}

void trap_set_interrupt_fallback(bool (*fn)(unsigned vector))
{
	interrupt_fallback = fn;
}

static bool stack_guard_hit(uint64_t va)
{
	return trap_stack_guard_hit(va) || (stack_guard_hook && stack_guard_hook(va));
}

/* "function+0xoff", or the bare address outside the kernel's text. */
static const char *symbolize(uint64_t addr, char *buf, size_t size)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		fmt_snprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
	else
		fmt_snprintf(buf, size, "%016llx", (unsigned long long)addr);
	return buf;
}

static void __attribute__((noreturn)) trap_fatal(struct trap_frame *f)
{
	/* A #DF saves an undefined RIP; the fault it escalated from is what
	 * CR2 and RSP describe, so the overflow check looks at both. */
	bool overflow = (f->vector == TRAP_DF || f->vector == TRAP_PF) &&
			(stack_guard_hit(f->cr2) || stack_guard_hit(f->rsp) ||
			 stack_guard_hit(f->rsp - 8));
	char sym[96];

	panic_begin();
	kprintf("%s in %s mode at %s\n", trap_name(f->vector),
		trap_from_user(f) ? "user" : "kernel", symbolize(f->rip, sym, sizeof(sym)));
	if (overflow)
		kprintf("kernel stack overflow: RSP %016llx, CR2 %016llx hit a stack guard page\n",
			(unsigned long long)f->rsp, (unsigned long long)f->cr2);
	trap_dump(f, kprintf);
	panic_backtrace(f->rip, f->rbp);
	panic_end();
}

static void kernel_trap(struct trap_frame *f)
{
	if (f->vector >= TRAP_EXCEPTIONS) {
		sched_interrupt_enter();
		if (vector_handlers[f->vector & 255]) {
			vector_handlers[f->vector & 255](f);
		} else if (!interrupt_fallback || !interrupt_fallback((unsigned)f->vector)) {
			/* Nothing has claimed this vector: say so rather than
			 * drop it silently. */
			unexpected++;
			log_warn("trap: unexpected interrupt vector %llu at %016llx",
				 (unsigned long long)f->vector, (unsigned long long)f->rip);
		}
		/* The handler is done and the EOI sent: the safe point to
		 * switch threads if the interrupt asked for it. */
		sched_interrupt_exit();
		return;
	}
	if (f->vector == TRAP_PF && page_fault_hook && page_fault_hook(f, f->cr2))
		return;
	if (trap_catch_claim(f))
		return;
	if (f->vector == TRAP_BP) {
		char sym[96];

		/* #BP is a trap: RIP is already past the one-byte int3 */
		breakpoints++;
		log_info("trap: breakpoint at %s", symbolize(f->rip - 1, sym, sizeof(sym)));
		return;
	}
	if (f->vector == TRAP_NMI) {
		log_warn("trap: NMI at %016llx", (unsigned long long)f->rip);
		return;
	}
	/* No user mode yet: the process layer will take user faults (signal or
	 * kill) before this point once it exists. */
	trap_fatal(f);
}

void trap_init(void)
{
	hal_trap_init();
	hal_trap_set_handler(kernel_trap);
	log_info("trap: GDT, TSS (IST stacks for #DF, NMI, #MC) and IDT loaded");
}
