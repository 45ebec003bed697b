/* For tests that need another thread to be asleep in a wait before they
 * act (wake it, interrupt it): polls its state, yielding, for up to 2 s. */
#ifndef FS_TESTS_BLOCKED_H
#define FS_TESTS_BLOCKED_H

#include <stdbool.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>

static inline bool wait_until_blocked(struct thread *th)
{
	uint64_t end = time_ns() + 2000000000ull;

	while (time_ns() < end) {
		if (__atomic_load_n(&th->state, __ATOMIC_ACQUIRE) == THREAD_BLOCKED)
			return true;
		thread_yield();
	}
	return false;
}

#endif
