/* TLB shootdown, named for the job: after changing or removing mappings,
 * make every CPU forget the old translations before going on. */
#ifndef HAL_TLB_H
#define HAL_TLB_H

#include <stdint.h>

/* Flushes [va, va + len) of the address space whose top table is root
 * from this CPU's TLB and from every other CPU that may cache it: those
 * with root loaded (but for lazy ones, below), or every online CPU when
 * the range is in the kernel's half (which all tables share). One IPI per CPU, whatever the length;
 * long ranges flush the whole TLB. Returns once every CPU has flushed.
 * Callable with interrupts off. */
void tlb_flush_range(uint64_t root, uint64_t va, uint64_t len);
/* Before the tables under root are freed: every CPU that still has them
 * loaded (lazily: a kernel thread runs on whatever tables were loaded)
 * loads other instead; returns once all have. No thread may be about to
 * load root again. Callable with interrupts off, as tlb_flush_range. */
void tlb_forget_root(uint64_t root, uint64_t other);
/* Lazy mode, Linux's lazy TLB: a CPU that goes on to run only kernel code
 * (a kernel thread, its idle thread) keeps the tables it has loaded, with
 * no flush, but shootdowns in their user half leave it out (no IPI; they
 * note that it missed one). tlb_lazy_leave, before user code of those
 * tables runs there again, flushes this CPU's TLB if it missed any.
 * tlb_forget_root still reaches a lazy CPU (it has the tables loaded).
 * Both with interrupts off; loading other tables (paging_activate) ends
 * lazy mode too. */
void tlb_lazy_enter(void);
void tlb_lazy_leave(void);
/* How many CPUs the last shootdowns reached, for tests: bumped by each
 * CPU that flushed on another's request. */
uint64_t tlb_remote_flushes(void);

#endif
