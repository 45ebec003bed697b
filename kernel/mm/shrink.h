/* Memory pressure: caches that can give frames back (the block cache)
 * register a shrinker, and the frame allocator and the heap call them when
 * an allocation would fail or the free frames fall under a low mark.
 *
 * The rule that keeps this free of deadlocks: a shrinker is only entered
 * by a thread that holds no spinlock, has interrupts on and is not in an
 * interrupt handler, and by one thread at a time (a thread already
 * shrinking, or racing one that is, is told 0). The allocating thread may
 * still hold mutexes, the shrinker's own among them, so a shrinker never
 * sleeps and never waits for a lock: it takes its locks with
 * mutex_trylock and frees nothing (returns 0) when one is busy. */
#ifndef KERNEL_MM_SHRINK_H
#define KERNEL_MM_SHRINK_H

#include <stdbool.h>
#include <stdint.h>

struct shrinker {
	const char *name;
	/* Frees up to n pages; how many it freed. */
	uint64_t (*scan)(uint64_t n);
	struct shrinker *next;   /* written once, before it is published */
	uint64_t calls, freed;   /* atomics: for the ktests and the log */
};

/* Adds s for the rest of the kernel's life (there is no unregistering:
 * the caches that shrink are never torn down). */
void shrinker_register(struct shrinker *s);
/* Asks the shrinkers, in registration order, for up to n pages if the
 * calling context allows it (see above); how many they freed. */
uint64_t shrink_memory(uint64_t n);
/* Whether the calling context may run the shrinkers (see above). */
bool shrink_allowed(void);
/* How many shrink_memory calls ran the shrinkers (tests). */
uint64_t shrink_runs(void);

#endif
