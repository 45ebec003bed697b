/* The kernel heap: kmalloc and friends. Sizes from 16 bytes to half a page
 * come from slab caches, larger ones are whole buddy blocks; every block is
 * naturally aligned (up to the page size). */
#ifndef KERNEL_MM_HEAP_H
#define KERNEL_MM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_CLASSES   8      /* 16, 32, ..., 2048 */
#define HEAP_MIN_CLASS 16

/* Debug checks (poisoning, red zones, double-free and overflow reports)
 * are chosen here from the command line: heapdebug=on|off, default on when
 * the kernel runs ktests (test boots) and off otherwise. */
void heap_init(void);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Returns NULL and leaves p alone if it cannot grow; krealloc(p, 0) frees. */
void *krealloc(void *p, size_t size);
void kfree(void *p);

/* Fault injection: fn is asked before every allocation and makes it
 * fail (NULL) by returning true. */
void heap_set_fail_hook(bool (*fn)(uintptr_t caller));

bool heap_debug_enabled(void);
/* Problems the debug checks have reported so far (tests compare it). */
uint64_t heap_debug_errors(void);

struct heap_class_stats {
	size_t size;            /* slot size */
	size_t objects;         /* objects in use */
	size_t bytes;           /* bytes in those objects (requested sizes in
				   debug mode, slot sizes otherwise) */
	size_t slabs;           /* slabs held, empty ones included */
	size_t empty_slabs;     /* of those, slabs with no object in use */
	size_t per_slab;        /* objects one slab holds */
	size_t slab_pages;      /* pages one slab takes */
};
struct heap_stats {
	struct heap_class_stats cls[HEAP_CLASSES];
	size_t large_objects, large_pages;
};
/* Objects in the CPUs' magazines (heap.c) are not counted as in use. */
void heap_get_stats(struct heap_stats *s);
/* With the debug checks on: calls fn (under the heap's lock: it must not
 * allocate or free) with the allocating caller and requested size of every
 * small object in use, for a census of the heap by call site; false, and
 * no call, with them off. Large objects are not visited. */
bool heap_census(void (*fn)(uintptr_t caller, size_t size, void *ctx), void *ctx);
void heap_report(void);
/* Gives this CPU's cached objects back to their slabs, then returns every
 * empty slab to the frame allocator. */
void heap_shrink(void);
/* How many times the heap's global lock has been taken: with the debug
 * checks off, small objects take it only to move a batch. */
uint64_t heap_lock_takes(void);

#endif
