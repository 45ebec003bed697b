/* The allocation-failure sweep: runs a workload again and again, failing
 * its first allocation, then its second, and so on, until a run makes no
 * allocation that fails (or, in the 1-in-K mode, failing allocations at
 * random, with a different seed each run); each failed run must end in a clean -ENOMEM, give
 * back every frame and heap object it took, and leave the heap's debug
 * checks (red zones, poisoning) nothing to report. */
#ifndef KERNEL_FAILINJECT_SWEEP_H
#define KERNEL_FAILINJECT_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/failinject.h>

struct failinject_sweep {
	/* Set by the caller: */
	const char *name;
	/* Does its work and undoes it: 0, or -ENOMEM when an allocation
	 * failed (anything else is reported as a wrong error). It must wait
	 * for every thread and process it starts. */
	int (*workload)(void *ctx);
	void *ctx;
	unsigned kinds;             /* FAILINJECT_HEAP | FAILINJECT_FRAME */
	/* Which allocations count: without prepare, the sweeping thread's;
	 * with it, those of the process prepare makes before each run (it
	 * returns that process's pid, or a negative errno, which ends the
	 * sweep), so the workload can run in a process of its own: it is
	 * armed before the process has a thread. */
	int (*prepare)(void *ctx);
	/* Or, with by_session, the workload arms the injector itself once it
	 * knows the session its program runs in (failinject_sweep_arm_session),
	 * so a program and every process it forks count. */
	bool by_session;
	uint64_t max_points;        /* give up after this many */
	/* The 1-in-K mode: with one_in set, instead of failing allocation
	 * 1, 2, 3 ..., each of `seeds` runs (seeds 1..seeds) fails every
	 * counted allocation with chance 1/one_in, so several may fail in
	 * one run; each run must end in 0 (none failed) or -ENOMEM. */
	uint32_t one_in;
	unsigned seeds;
	/* Filled in: */
	uint64_t points;            /* runs with an allocation failed */
	uint64_t allocations;       /* counted allocations of the untouched run */
	unsigned wrong_errors;      /* runs that did not end in -ENOMEM */
	unsigned leaks;             /* runs that did not give everything back */
	unsigned heap_errors;       /* runs the heap's debug checks complained about */
	unsigned untouched_failed;  /* the untouched run did not return 0 */
	struct failinject_config pending;   /* by_session: what arm_session arms */
};

/* For a by_session workload: arms this run's failure for session sid,
 * before the session's first process runs. */
void failinject_sweep_arm_session(struct failinject_sweep *s, int sid);

/* Runs the sweep, logging each problem with the failed allocation's
 * caller and stack; 0 when every run was clean, else -EIO. */
int failinject_sweep_run(struct failinject_sweep *s);

#endif
