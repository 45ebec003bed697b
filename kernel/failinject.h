/* Fault injection, in the spirit of Linux's failslab and fail_page_alloc:
 * makes chosen heap (kmalloc) or frame (pmm_alloc) allocations fail, so
 * that error paths run in tests. The allocators ask through hooks
 * (heap_set_fail_hook, pmm_set_fail_hook); with nothing armed that costs
 * one load per allocation. docs/hardening.md says how to use it. */
#ifndef KERNEL_FAILINJECT_H
#define KERNEL_FAILINJECT_H

#include <stdbool.h>
#include <stdint.h>

#define FAILINJECT_HEAP  1u   /* kmalloc, kzalloc, krealloc */
#define FAILINJECT_FRAME 2u   /* pmm_alloc and pmm_alloc_zeroed */

#define FAILINJECT_TRACE 8   /* frames kept of the last failure's stack */

struct thread;

/* Which allocations count, and which of them fail. Only allocations made
 * by a thread (never in an interrupt handler) that match the restrictions
 * are counted, so what other threads do leaves the count alone. */
struct failinject_config {
	unsigned kinds;             /* FAILINJECT_HEAP | FAILINJECT_FRAME */
	uint64_t nth;               /* fail the nth counted allocation (from 1), once */
	uint32_t one_in;            /* or, when nth is 0: each one with chance 1/one_in */
	uint64_t seed;              /* of the one_in choices: the same seed fails the
				       same allocations of the same workload */
	int pid;                    /* only this process's threads; -1: any */
	int sid;                    /* only processes of this session (a program
				       and what it forks); 0: any */
	const struct thread *thread;/* only this thread; NULL: any */
};

/* Boot: reads failslab=N|1in:K (heap), failpage=N|1in:K (frames),
 * failinject.pid=P and failinject.seed=S, arms if asked, and installs the
 * hooks. Before the first allocation. */
void failinject_init(void);

/* Starts counting afresh with c (replacing what was armed). */
void failinject_arm(const struct failinject_config *c);
/* Stops; allocations succeed as usual again. */
void failinject_disarm(void);

struct failinject_stats {
	uint64_t counted;           /* allocations that matched since arming */
	uint64_t failed;            /* of them, failed on purpose */
	uintptr_t last_caller;      /* who asked for the last one failed */
	unsigned last_kind;         /* and its kind */
	uint64_t trace[FAILINJECT_TRACE];   /* return addresses at that failure */
	int trace_len;
};
void failinject_get_stats(struct failinject_stats *s);

/* Asked by the allocators (through their hooks): must this allocation
 * fail? caller is the allocator's caller, for reports. */
bool failinject_should_fail(unsigned kind, uintptr_t caller);

#endif
