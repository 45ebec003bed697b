/* Connects hal's interrupt routing to the kernel: a vector with a kernel
 * handler of its own runs it; every other vector goes to irq_dispatch(),
 * which runs the driver's handler and sends the one EOI. Interrupts are
 * enabled last, once the timer is ready.
 * Locking: the handler table is set at boot and by tests that run alone
 * and clear their entries again; a pointer store is atomic, so a vector
 * sees the old or the new handler. unexpected is bumped by atomic add, as
 * every CPU takes interrupts. */
#include <kernel/interrupts.h>
#include <cosmos/errno.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sched/sched.h>
#include <kernel/timer.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/percpu.h>

static interrupts_vector_fn vector_handlers[256];
static uint64_t unexpected;
/* Each CPU's interrupt in progress (written and read by that CPU only). */
static struct trap_frame *in_progress[PERCPU_MAX];

uint64_t interrupts_unexpected_count(void)
{
	return __atomic_load_n(&unexpected, __ATOMIC_RELAXED);
}

int interrupts_set_vector_handler(unsigned vector, interrupts_vector_fn fn)
{
	if (vector < TRAP_EXCEPTIONS || vector > 255)
		return -EINVAL;
	if (fn && vector_handlers[vector] && vector_handlers[vector] != fn)
		return -EBUSY;
	vector_handlers[vector] = fn;
	return 0;
}

/* Interrupts are on before the boot CPU's per-CPU data is installed
 * (sched_init): until then there is only CPU 0. */
static unsigned this_cpu(void)
{
	return percpu_cpu_count() ? percpu_self()->cpu_id : 0;
}

const struct trap_frame *interrupts_current_frame(void)
{
	return in_progress[this_cpu()];
}

void interrupts_dispatch(struct trap_frame *f)
{
	unsigned cpu = this_cpu();

	in_progress[cpu] = f;
	sched_interrupt_enter();
	if (vector_handlers[f->vector & 255]) {
		vector_handlers[f->vector & 255](f);
	} else if (!irq_dispatch((unsigned)f->vector)) {
		/* Nothing has claimed this vector: say so rather than drop it
		 * silently. */
		__atomic_fetch_add(&unexpected, 1, __ATOMIC_RELAXED);
		log_warn("trap: unexpected interrupt vector %llu at %016llx",
			 (unsigned long long)f->vector, (unsigned long long)f->rip);
	}
	/* The handler is done and the EOI sent: the safe point to switch
	 * threads if the interrupt asked for it. */
	in_progress[cpu] = 0;
	sched_interrupt_exit();
}

void interrupts_init(void)
{
	int err = irq_init();

	if (err)
		panic("irq: no usable interrupt controller (%d): no device or timer could interrupt", err);
	err = timer_init();
	if (err)
		panic("timer: no event timer (%d): every sleep and time slice would hang", err);
	cpu_sti();
}
