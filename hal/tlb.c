/* TLB shootdown (see tlb.h) over hal/ipi.c's calls. Whom to ask: each
 * CPU publishes the tables it loads (percpu->root, stored before the load);
 * the caller's edit is in memory before it reads them (a full fence), so a
 * CPU it does not see loading root will walk the edited tables anyway.
 * A lazy CPU (root with PERCPU_ROOT_LAZY) is asked nothing for the user
 * half: the caller sets its tlb_stale, then looks at its root again. The
 * lazy CPU clears the bit, then takes tlb_stale (both sequentially
 * consistent), so either it sees the flag and flushes before user code
 * runs, or the caller sees it no longer lazy and sends the IPI. */
#include <hal/tlb.h>
#include <hal/cpu.h>
#include <hal/ipi.h>
#include <hal/paging.h>
#include <hal/percpu.h>

#define PAGE 4096ull
#define KERNEL_HALF 0xffff800000000000ull
/* More pages than this and one full flush is cheaper than invlpg each. */
#define INVLPG_MAX 32

struct range { uint64_t va, len; };

static uint64_t remote_flushes;   /* atomic */

static void flush_here(const struct range *r)
{
	uint64_t first = r->va & ~(PAGE - 1), pages = (r->va + r->len - first + PAGE - 1) / PAGE;

	if (pages > INVLPG_MAX) {
		if (r->va >= KERNEL_HALF)
			paging_flush_all();        /* global entries too */
		else
			write_cr3(read_cr3());     /* every entry but the global ones */
		return;
	}
	for (uint64_t i = 0; i < pages; i++)
		cpu_invlpg(first + i * PAGE);
}

static void flush_remote(void *arg)
{
	flush_here(arg);
	__atomic_add_fetch(&remote_flushes, 1, __ATOMIC_RELAXED);
}

void tlb_flush_range(uint64_t root, uint64_t va, uint64_t len)
{
	struct range r = { va, len };
	uint64_t mask = 0, online;

	if (!len)
		return;
	flush_here(&r);
	if (!percpu_cpu_count())
		return;                            /* before per-CPU data: one CPU */
	online = ipi_online_mask();
	if (online == 1ull << percpu_self()->cpu_id)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	root &= ~(PAGE - 1);
	for (unsigned c = 0; c < PERCPU_MAX; c++) {
		struct percpu *pc = percpu_get(c);
		uint64_t w;

		if (!(online & (1ull << c)))
			continue;
		if (va >= KERNEL_HALF) {
			mask |= 1ull << c;
			continue;
		}
		w = __atomic_load_n(&pc->root, __ATOMIC_SEQ_CST);
		if ((w & ~PERCPU_ROOT_LAZY) != root)
			continue;
		if (w & PERCPU_ROOT_LAZY) {
			__atomic_store_n(&pc->tlb_stale, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&pc->root, __ATOMIC_SEQ_CST) & PERCPU_ROOT_LAZY)
				continue;   /* still lazy: it sees tlb_stale when it leaves */
		}
		mask |= 1ull << c;
	}
	if (mask & ~(1ull << percpu_self()->cpu_id))
		ipi_call_mask(mask, flush_remote, &r);
}

static void forget_here(void *arg)
{
	const uint64_t *roots = arg;

	if (paging_active() == roots[0])
		paging_activate(roots[1]);
}

void tlb_forget_root(uint64_t root, uint64_t other)
{
	uint64_t roots[2] = { root & ~(PAGE - 1), other }, mask = 0, online;

	forget_here(roots);
	if (!percpu_cpu_count())
		return;
	online = ipi_online_mask();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned c = 0; c < PERCPU_MAX; c++)
		if ((online & (1ull << c)) && c != percpu_self()->cpu_id &&
		    (__atomic_load_n(&percpu_get(c)->root, __ATOMIC_SEQ_CST) & ~PERCPU_ROOT_LAZY) ==
			    roots[0])
			mask |= 1ull << c;
	if (mask)
		ipi_call_mask(mask, forget_here, roots);
}

void tlb_lazy_enter(void)
{
	struct percpu *pc;

	if (!percpu_cpu_count())
		return;
	pc = percpu_self();
	if (!(pc->root & PERCPU_ROOT_LAZY))
		__atomic_store_n(&pc->root, pc->root | PERCPU_ROOT_LAZY, __ATOMIC_SEQ_CST);
}

void tlb_lazy_leave(void)
{
	struct percpu *pc;

	if (!percpu_cpu_count())
		return;
	pc = percpu_self();
	if (!(pc->root & PERCPU_ROOT_LAZY))
		return;
	__atomic_store_n(&pc->root, pc->root & ~PERCPU_ROOT_LAZY, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&pc->tlb_stale, 0, __ATOMIC_SEQ_CST))
		write_cr3(read_cr3());   /* every entry but the global (kernel) ones */
}

uint64_t tlb_remote_flushes(void) { return __atomic_load_n(&remote_flushes, __ATOMIC_RELAXED); }
