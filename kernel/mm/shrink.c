/* Shrinkers (kernel/mm/shrink.h): a list that only grows, read without a
 * lock, and a gate that lets one thread at a time run the shrinkers. */
#include <kernel/mm/shrink.h>
#include <kernel/sync/spinlock.h>
#include <hal/cpu.h>
#include <hal/percpu.h>

static struct spinlock register_lock = SPINLOCK_INIT("shrinkers");
static struct shrinker *head;    /* atomic loads; stores under register_lock */
static int busy;                 /* atomic: a thread is running the shrinkers */
static uint64_t runs;            /* atomic */

void shrinker_register(struct shrinker *s)
{
	uint64_t f = spin_lock_irqsave(&register_lock);
	struct shrinker **pp = &head;

	/* appended, so that the order is the registration order */
	while (*pp)
		pp = &(*pp)->next;
	s->next = NULL;
	__atomic_store_n(pp, s, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&register_lock, f);
}

/* No spinlock held, interrupts on, not in a handler: the shrinkers may
 * take the heap's and the frame allocator's locks. The registered list
 * is checked first: before the per-CPU areas exist it is empty. */
bool shrink_allowed(void)
{
	uint64_t f;

	if (!__atomic_load_n(&head, __ATOMIC_ACQUIRE) || !percpu_cpu_count() || percpu_in_interrupt() ||
	    percpu_locks_held())
		return false;
	f = cpu_irq_save();
	cpu_irq_restore(f);
	return cpu_flags_irq_enabled(f);
}

uint64_t shrink_memory(uint64_t n)
{
	uint64_t freed = 0;

	if (!shrink_allowed())
		return 0;
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_add_fetch(&runs, 1, __ATOMIC_RELAXED);
	for (struct shrinker *s = __atomic_load_n(&head, __ATOMIC_ACQUIRE); s && freed < n;
	     s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE)) {
		uint64_t got = s->scan(n - freed);

		__atomic_add_fetch(&s->calls, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&s->freed, got, __ATOMIC_RELAXED);
		freed += got;
	}
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return freed;
}

uint64_t shrink_runs(void)
{
	return __atomic_load_n(&runs, __ATOMIC_RELAXED);
}
