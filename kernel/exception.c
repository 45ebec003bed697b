/* The kernel's exception policy, called by hal for every vector. Faults in
 * the kernel are bugs: they end in panic with the full report, except a
 * fault on user memory inside the user-copy primitives, which the address
 * space may resolve and which otherwise ends the copy short. Faults in
 * ring 3 and the way back there go to the process layer's hooks. */
#include <kernel/exception.h>
#include <hal/ipi.h>
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <hal/usermode.h>
#include <kernel/interrupts.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <lib/fmt.h>

/* No lock: the hooks are set at boot by mm, and by tests that run alone
 * and put them back; a pointer store is atomic, so a trap sees the old or
 * the new hook. breakpoints counts on the one CPU with interrupts off (a
 * trap gate keeps them as they were, and #BP comes only from code under
 * test). */
static exception_page_fault_fn page_fault_hook;
static bool (*stack_guard_hook)(uint64_t va);
static uint64_t breakpoints;
static const struct exception_user_ops *user_ops;   /* set once at boot */

exception_page_fault_fn exception_set_page_fault_hook(exception_page_fault_fn fn)
{
	exception_page_fault_fn old = page_fault_hook;

	page_fault_hook = fn;
	return old;
}

void exception_set_stack_guard_hook(bool (*fn)(uint64_t va)) { stack_guard_hook = fn; }
void exception_set_user_ops(const struct exception_user_ops *ops) { user_ops = ops; }
uint64_t exception_breakpoint_count(void) { return breakpoints; }

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

static void __attribute__((noreturn)) fatal(struct trap_frame *f)
{
	/* A #DF saves an undefined RIP; the fault it escalated from is what
	 * the fault address and RSP describe, so the overflow check looks at
	 * both. */
	uint64_t addr = trap_page_fault_info(f).addr;
	bool overflow = (f->vector == TRAP_DF || f->vector == TRAP_PF) &&
			(stack_guard_hit(addr) || stack_guard_hit(f->rsp) || stack_guard_hit(f->rsp - 8));
	char sym[96];

	panic_begin();
	kprintf("%s in %s mode at %s\n", trap_name(f->vector),
		trap_from_user(f) ? "user" : "kernel", symbolize(f->rip, sym, sizeof(sym)));
	if (overflow)
		kprintf("kernel stack overflow: RSP %016llx, fault address %016llx hit a stack guard page\n",
			(unsigned long long)f->rsp, (unsigned long long)addr);
	trap_dump(f, kprintf);
	panic_backtrace(f->rip, f->rbp);
	panic_end();
}

/* A fault of a user-copy primitive: let the address space try (demand
 * paging, copy-on-write, stack growth), else resume at the primitive's
 * fixup. Interrupts go on for the attempt when the copy had them on. */
static bool usercopy_fault(struct trap_frame *f)
{
	if (!usercopy_fault_ip(f->rip))
		return false;
	if (f->vector == TRAP_PF && user_ops) {
		struct trap_page_fault pf = trap_page_fault_info(f);

		if (pf.addr < USERMODE_TOP && cpu_flags_irq_enabled(f->rflags)) {
			int err;

			cpu_irq_restore(CPU_FLAGS_IRQ_ON);
			err = user_ops->resolve(&pf);
			(void)cpu_irq_save();
			if (err == 0)
				return true;
		}
	}
	return usercopy_fixup(f);
}

static void kernel_trap(struct trap_frame *f)
{
	/* another CPU panicked and stops this one */
	if (f->vector == TRAP_NMI && ipi_stop_requested())
		ipi_stop_here();
	if (f->vector >= TRAP_EXCEPTIONS) {
		interrupts_dispatch(f);
		if (trap_from_user(f) && user_ops)
			user_ops->ret(f);
		return;
	}
	if (trap_from_user(f) && user_ops && f->vector != TRAP_NMI && f->vector != TRAP_MC) {
		user_ops->fault(f);   /* turns interrupts on, as ring 3 had them */
		user_ops->ret(f);
		return;
	}
	if ((f->vector == TRAP_PF || f->vector == TRAP_GP) && usercopy_fault(f))
		return;
	if (f->vector == TRAP_PF && page_fault_hook) {
		struct trap_page_fault pf = trap_page_fault_info(f);

		if (page_fault_hook(f, &pf))
			return;
	}
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
	/* Whatever reaches this point is a kernel bug. */
	fatal(f);
}

void exception_init(void)
{
	trap_init();
	trap_set_handler(kernel_trap);
	log_info("trap: GDT, TSS (IST stacks for #DF, NMI, #MC) and IDT loaded");
}
