/* TLB shootdown, named for the job: after changing or removing mappings,
 * make every CPU forget the old translations before going on. */
#ifndef HAL_TLB_H
#define HAL_TLB_H

#include <stdint.h>

/* Flushes [va, va + len) of the address space whose top table is root
 * from this CPU's TLB and from every other CPU that may cache it: those
 * with root loaded, or every online CPU when the range is in the kernel's
 * half (which all tables share). One IPI per CPU, whatever the length;
 * long ranges flush the whole TLB. Returns once every CPU has flushed.
 * Callable with interrupts off. */
void tlb_flush_range(uint64_t root, uint64_t va, uint64_t len);
/* Before the tables at root are freed: every other CPU that still has
 * them loaded (a CPU keeps the last program's tables while it runs kernel
 * threads or idles) loads kernel_root instead. Nothing may run on root any
 * more. Returns once all have switched. */
void tlb_unload_root(uint64_t root, uint64_t kernel_root);
/* How many CPUs the last shootdowns reached, for tests: bumped by each
 * CPU that flushed on another's request. */
uint64_t tlb_remote_flushes(void);

#endif
