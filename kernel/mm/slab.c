/* Slab allocator: each slab is a naturally aligned block whose first slot(s)
 * hold its header, so objects keep natural alignment and a free needs only
 * the address. Free slots are linked through their first word. */
#include <kernel/mm/slab.h>
#include <lib/string.h>

#define SLAB_MAGIC 0x51ab51ab

struct slab {
	uint32_t magic;
	uint32_t inuse;
	struct slab_cache *cache;
	struct slab *next, *prev;
	void *free;              /* first free slot */
	struct slab **list;      /* which cache list it is on */
};

static size_t slab_bytes(const struct slab_cache *c) { return (size_t)SLAB_PAGE << c->order; }

static void list_add(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
	s->list = head;
}

static void list_del(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*s->list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	s->list = NULL;
}

static struct slab_trailer *trailer(const struct slab_cache *c, const void *obj)
{
	return (struct slab_trailer *)((uintptr_t)obj + c->size - sizeof(struct slab_trailer));
}

/* Poisoned bytes of a free slot: all but the free-list link and trailer. */
static void poison(const struct slab_cache *c, void *obj)
{
	memset((char *)obj + sizeof(void *), SLAB_POISON_FREE,
	       c->size - sizeof(void *) - sizeof(struct slab_trailer));
}

static size_t find_not(const void *p, size_t from, size_t to, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = from; i < to; i++)
		if (b[i] != v)
			return i;
	return to;
}

void slab_cache_init(struct slab_cache *c, const char *name, size_t size, unsigned order,
		     bool debug, const struct slab_source *src,
		     void (*report)(const struct slab_report *r))
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->size = size;
	c->order = order;
	c->debug = debug;
	c->src = *src;
	c->report = report;
	c->slots = (unsigned)(slab_bytes(c) / size);
	c->first_slot = (unsigned)((sizeof(struct slab) + size - 1) / size);
}

size_t slab_cache_capacity(const struct slab_cache *c)
{
	if (!c->debug)
		return c->size;
	return c->size > SLAB_DEBUG_OVERHEAD ? c->size - SLAB_DEBUG_OVERHEAD : 0;
}

static struct slab *slab_new(struct slab_cache *c)
{
	struct slab *s = c->src.alloc(c->order, c->src.ctx);
	char *base = (char *)s;

	if (!s)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->inuse = 0;
	s->cache = c;
	s->free = NULL;
	/* link the slots so that the lowest address is handed out first */
	for (unsigned i = c->slots; i-- > c->first_slot;) {
		void *obj = base + (size_t)i * c->size;

		*(void **)obj = s->free;
		s->free = obj;
		if (c->debug) {
			poison(c, obj);
			*trailer(c, obj) = (struct slab_trailer){ SLAB_TRAILER_FREE, 0, 0 };
		}
	}
	c->nslabs++;
	return s;
}

static void report(const struct slab_cache *c, enum slab_error e, const void *obj, size_t size,
		   size_t offset, uintptr_t owner, uintptr_t caller)
{
	struct slab_report r = { e, obj, size, offset, owner, caller };

	if (c->report)
		c->report(&r);
}

void *slab_alloc(struct slab_cache *c, size_t size, uintptr_t caller)
{
	struct slab *s;
	void *obj;

	if (size > slab_cache_capacity(c))
		return NULL;
	if (c->partial) {
		s = c->partial;
	} else if (c->empty) {
		s = c->empty;
		list_del(s);
		c->nempty--;
		list_add(&c->partial, s);
	} else {
		s = slab_new(c);
		if (!s)
			return NULL;
		list_add(&c->partial, s);
	}
	obj = s->free;
	s->free = *(void **)obj;
	if (++s->inuse == c->slots - c->first_slot) {
		list_del(s);
		list_add(&c->full, s);
	}
	c->objects++;
	if (c->debug) {
		struct slab_trailer *t = trailer(c, obj);
		size_t end = c->size - sizeof(struct slab_trailer);
		size_t bad = find_not(obj, sizeof(void *), end, SLAB_POISON_FREE);

		if (bad != end)
			report(c, SLAB_USE_AFTER_FREE, obj, 0, bad, t->caller, caller);
		memset((char *)obj + size, SLAB_POISON_RED, end - size);
		*t = (struct slab_trailer){ SLAB_TRAILER_ALLOC, (uint32_t)size, caller };
		c->requested += size;
	}
	return obj;
}

static struct slab *slab_of(const struct slab_cache *c, const void *obj)
{
	return (struct slab *)((uintptr_t)obj & ~(uintptr_t)(slab_bytes(c) - 1));
}

bool slab_owns(const struct slab_cache *c, const void *obj)
{
	const struct slab *s = slab_of(c, obj);
	uintptr_t off = (uintptr_t)obj - (uintptr_t)s;

	return s->magic == SLAB_MAGIC && s->cache == c && off % c->size == 0 &&
	       off / c->size >= c->first_slot;
}

enum slab_error slab_free(struct slab_cache *c, void *obj, uintptr_t caller)
{
	struct slab *s = slab_of(c, obj);
	uintptr_t off = (uintptr_t)obj - (uintptr_t)s;
	enum slab_error result = SLAB_OK;

	if (s->magic != SLAB_MAGIC || s->cache != c || off % c->size ||
	    off / c->size < c->first_slot) {
		report(c, SLAB_BAD_POINTER, obj, 0, 0, 0, caller);
		return SLAB_BAD_POINTER;
	}
	if (c->debug) {
		struct slab_trailer *t = trailer(c, obj);
		size_t end = c->size - sizeof(struct slab_trailer), bad;

		if (t->magic == SLAB_TRAILER_FREE) {
			report(c, SLAB_DOUBLE_FREE, obj, 0, 0, t->caller, caller);
			return SLAB_DOUBLE_FREE;
		}
		if (t->magic != SLAB_TRAILER_ALLOC || t->size > end) {
			/* the trailer itself was overwritten: a write past the end */
			report(c, SLAB_OVERFLOW, obj, 0, end, 0, caller);
			return SLAB_OVERFLOW;
		}
		bad = find_not(obj, t->size, end, SLAB_POISON_RED);
		if (bad != end) {
			report(c, SLAB_OVERFLOW, obj, t->size, bad, t->caller, caller);
			result = SLAB_OVERFLOW;
		}
		c->requested -= t->size;
		poison(c, obj);
		*t = (struct slab_trailer){ SLAB_TRAILER_FREE, 0, caller };
	}
	*(void **)obj = s->free;
	s->free = obj;
	c->objects--;
	if (s->inuse-- == c->slots - c->first_slot) {
		list_del(s);
		list_add(&c->partial, s);
	}
	if (s->inuse == 0) {
		list_del(s);
		if (c->nempty >= 1) {
			/* keep one empty slab to absorb alloc/free ping-pong */
			s->magic = 0;
			c->nslabs--;
			c->src.free(s, c->order, c->src.ctx);
		} else {
			list_add(&c->empty, s);
			c->nempty++;
		}
	}
	return result;
}

size_t slab_obj_size(const struct slab_cache *c, const void *obj)
{
	return c->debug ? trailer(c, obj)->size : c->size;
}

void slab_shrink(struct slab_cache *c)
{
	while (c->empty) {
		struct slab *s = c->empty;

		list_del(s);
		s->magic = 0;
		c->nempty--;
		c->nslabs--;
		c->src.free(s, c->order, c->src.ctx);
	}
}

static int check_list(const struct slab_cache *c, struct slab *head, struct slab *const *which,
		      size_t *slabs, size_t *objects)
{
	for (struct slab *s = head; s; s = s->next) {
		unsigned nfree = 0;

		if (s->magic != SLAB_MAGIC || s->cache != c || s->list != which)
			return -__LINE__;
		for (void *o = s->free; o; o = *(void **)o) {
			uintptr_t off = (uintptr_t)o - (uintptr_t)s;

			if (slab_of(c, o) != s || off % c->size || off / c->size < c->first_slot)
				return -__LINE__;
			if (c->debug) {
				size_t end = c->size - sizeof(struct slab_trailer);
				if (trailer(c, o)->magic != SLAB_TRAILER_FREE ||
				    find_not(o, sizeof(void *), end, SLAB_POISON_FREE) != end)
					return -__LINE__;
			}
			if (++nfree > c->slots)
				return -__LINE__;
		}
		if (s->inuse + nfree != c->slots - c->first_slot)
			return -__LINE__;
		if ((which == &c->full) != (nfree == 0) || (which == &c->empty) != (s->inuse == 0))
			return -__LINE__;
		(*slabs)++;
		*objects += s->inuse;
	}
	return 0;
}

int slab_check(const struct slab_cache *c)
{
	size_t slabs = 0, objects = 0, nonempty;
	int r;

	if ((r = check_list(c, c->partial, &c->partial, &slabs, &objects)) ||
	    (r = check_list(c, c->full, &c->full, &slabs, &objects)))
		return r;
	nonempty = slabs;
	if ((r = check_list(c, c->empty, &c->empty, &slabs, &objects)))
		return r;
	if (slabs - nonempty != c->nempty || slabs != c->nslabs || objects != c->objects)
		return -__LINE__;
	return 0;
}

static void visit_list(const struct slab_cache *c, struct slab *head,
		       void (*fn)(uintptr_t caller, size_t size, void *ctx), void *ctx)
{
	for (struct slab *s = head; s; s = s->next)
		for (unsigned i = c->first_slot; i < c->slots; i++) {
			const struct slab_trailer *t = trailer(c, (char *)s + (size_t)i * c->size);

			if (t->magic == SLAB_TRAILER_ALLOC)
				fn(t->caller, t->size, ctx);
		}
}

void slab_for_each_object(const struct slab_cache *c,
			  void (*fn)(uintptr_t caller, size_t size, void *ctx), void *ctx)
{
	if (!c->debug)
		return;
	visit_list(c, c->partial, fn, ctx);
	visit_list(c, c->full, fn, ctx);
}
