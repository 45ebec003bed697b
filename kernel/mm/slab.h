/* Slab caches: fixed-size objects carved out of naturally aligned page
 * blocks from a page source. Portable (host-tested); the caller locks. */
#ifndef KERNEL_MM_SLAB_H
#define KERNEL_MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLAB_PAGE 4096u

/* Where slabs come from: blocks of (SLAB_PAGE << order) bytes, aligned to
 * their size (the slab is found from an object by masking its address). */
struct slab_source {
	void *(*alloc)(unsigned order, void *ctx);
	void (*free)(void *block, unsigned order, void *ctx);
	void *ctx;
};

/* Debug mode: each slot ends in a trailer; the bytes between the requested
 * size and the trailer are a red zone, and free slots are poisoned. */
struct slab_trailer {
	uint32_t magic;      /* SLAB_TRAILER_ALLOC or SLAB_TRAILER_FREE */
	uint32_t size;       /* bytes requested */
	uintptr_t caller;    /* who allocated it (or freed it, once free) */
};
#define SLAB_TRAILER_ALLOC 0xa110c8edu
#define SLAB_TRAILER_FREE  0xf7eef7eeu
#define SLAB_REDZONE_MIN   8u
#define SLAB_DEBUG_OVERHEAD (sizeof(struct slab_trailer) + SLAB_REDZONE_MIN)
#define SLAB_POISON_FREE   0x6b
#define SLAB_POISON_RED    0xbb

enum slab_error {
	SLAB_OK = 0,
	SLAB_BAD_POINTER,    /* not the start of a slot of this cache */
	SLAB_DOUBLE_FREE,
	SLAB_OVERFLOW,       /* red zone overwritten: a write past the end */
	SLAB_USE_AFTER_FREE, /* poison of a free slot overwritten */
};

struct slab_report {
	enum slab_error error;
	const void *obj;
	size_t size;         /* requested size, when known */
	size_t offset;       /* first damaged byte, from obj */
	uintptr_t owner;     /* the allocating (or earlier freeing) caller */
	uintptr_t caller;    /* the caller that ran into the problem */
};

struct slab;

struct slab_cache {
	const char *name;
	size_t size;              /* slot size: a power of two >= 16 */
	unsigned order;           /* slab = SLAB_PAGE << order bytes */
	unsigned first_slot;      /* slots taken by the slab header */
	unsigned slots;           /* slots per slab, header included */
	bool debug;
	struct slab *partial, *full, *empty;
	size_t nempty, nslabs;
	size_t objects;           /* objects in use */
	size_t requested;         /* bytes requested by those objects (debug mode only) */
	struct slab_source src;
	void (*report)(const struct slab_report *r);
};

/* size must be a power of two from 16 up to (SLAB_PAGE << order) / 2. */
void slab_cache_init(struct slab_cache *c, const char *name, size_t size, unsigned order,
		     bool debug, const struct slab_source *src,
		     void (*report)(const struct slab_report *r));
/* The largest request a slot can hold (less than size in debug mode). */
size_t slab_cache_capacity(const struct slab_cache *c);
/* NULL when the page source is exhausted or size exceeds the capacity. */
void *slab_alloc(struct slab_cache *c, size_t size, uintptr_t caller);
/* Returns SLAB_OK, or the error found (already reported); on a bad pointer
 * or double free nothing is freed. */
/* Is obj the start of a slot of one of c's slabs (allocated or not)? The
 * slab must not be freed meanwhile: the caller holds an object in it. */
bool slab_owns(const struct slab_cache *c, const void *obj);
enum slab_error slab_free(struct slab_cache *c, void *obj, uintptr_t caller);
/* The requested size of obj in debug mode, its slot size otherwise. */
size_t slab_obj_size(const struct slab_cache *c, const void *obj);
/* Gives every empty slab back to the page source. */
void slab_shrink(struct slab_cache *c);
/* Walks every slab checking counts, free lists and (debug) poison; returns
 * 0 or a negative line number. */
int slab_check(const struct slab_cache *c);
/* Debug mode only (nothing otherwise): calls fn with the allocating caller
 * and requested size of every object in use. */
void slab_for_each_object(const struct slab_cache *c,
			  void (*fn)(uintptr_t caller, size_t size, void *ctx), void *ctx);

#endif
