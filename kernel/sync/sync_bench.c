/* Benchmarks of the lock primitives themselves: what an uncontended
 * mutex and spinlock cost, the floor under every path that takes one. */
#include <kernel/kbench.h>
#include <kernel/sync/mutex.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>

#define ROUNDS 100000

KBENCH(mutex_lock_unlock)
{
	static struct mutex m;
	uint64_t t0;

	mutex_init(&m, "bench");
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++) {
		if (mutex_lock(&m))
			return;
		mutex_unlock(&m);
	}
	kbench_report("mutex_lock_unlock", (time_ns() - t0) * 100 / ROUNDS, 2, "ns");
}

KBENCH(spinlock_irqsave)
{
	static struct spinlock l;
	uint64_t t0;

	spin_init(&l, "bench");
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t f = spin_lock_irqsave(&l);

		spin_unlock_irqrestore(&l, f);
	}
	kbench_report("spinlock_irqsave", (time_ns() - t0) * 100 / ROUNDS, 2, "ns");
}
