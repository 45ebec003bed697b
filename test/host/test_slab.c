/* Host tests for kernel/mm/slab.c over a fake page source with a budget:
 * exhaustion and giving every slab back, natural alignment, random
 * sequences against a model, and the debug checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/mm/slab.h>

/* The fake page source: aligned blocks from libc, at most `budget` pages. */
struct pages {
	long budget, outstanding;
};

static void *src_alloc(unsigned order, void *ctx)
{
	struct pages *p = ctx;
	size_t bytes = (size_t)SLAB_PAGE << order;
	void *b;

	if (p->outstanding + (1l << order) > p->budget)
		return NULL;
	b = aligned_alloc(bytes, bytes);
	assert_non_null(b);
	memset(b, 0xcc, bytes); /* the slab must not rely on zeroed pages */
	p->outstanding += 1l << order;
	return b;
}

static void src_free(void *b, unsigned order, void *ctx)
{
	struct pages *p = ctx;

	assert_int_equal((uintptr_t)b % ((size_t)SLAB_PAGE << order), 0);
	p->outstanding -= 1l << order;
	free(b);
}

static struct slab_report last;
static int reports;

static void on_report(const struct slab_report *r)
{
	last = *r;
	reports++;
}

static struct pages pages;

static void init(struct slab_cache *c, size_t size, unsigned order, bool debug, long budget)
{
	struct slab_source src = { src_alloc, src_free, &pages };

	pages.budget = budget;
	pages.outstanding = 0;
	reports = 0;
	slab_cache_init(c, "test", size, order, debug, &src, on_report);
}

/* Gives every slab back; all objects must have been freed. */
static void finish(struct slab_cache *c)
{
	assert_int_equal(c->objects, 0);
	assert_int_equal(slab_check(c), 0);
	slab_shrink(c);
	assert_int_equal(pages.outstanding, 0);
}

static const struct { size_t size; unsigned order; } classes[] = {
	{ 16, 0 }, { 32, 0 }, { 64, 0 }, { 128, 0 }, { 256, 0 }, { 512, 0 }, { 1024, 1 }, { 2048, 2 },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

static void test_exhaust_and_give_back(void **state)
{
	(void)state;
	for (int debug = 0; debug < 2; debug++)
		for (unsigned k = 0; k < NCLASSES; k++) {
			struct slab_cache c;
			void **objs = malloc(64 * SLAB_PAGE * sizeof(void *));
			size_t n = 0, cap;
			void *o;

			init(&c, classes[k].size, classes[k].order, debug, 64);
			cap = slab_cache_capacity(&c);
			if (cap == 0) {
				free(objs);
				continue; /* 16-byte slots hold nothing with debug trailers */
			}
			while ((o = slab_alloc(&c, cap, 0x1234))) {
				assert_int_equal((uintptr_t)o % c.size, 0); /* natural alignment */
				memset(o, 0xab, cap);
				objs[n++] = o;
			}
			assert_int_equal(pages.outstanding, 64 - 64 % (1 << classes[k].order));
			assert_int_equal(n, (64 >> c.order) * (c.slots - c.first_slot));
			assert_int_equal(c.objects, n);
			assert_int_equal(slab_check(&c), 0);
			for (size_t i = 0; i < n; i += 2)
				assert_int_equal(slab_free(&c, objs[i], 1), SLAB_OK);
			for (size_t i = 1; i < n; i += 2)
				assert_int_equal(slab_free(&c, objs[i], 1), SLAB_OK);
			assert_int_equal(c.objects, 0);
			assert_int_equal(slab_check(&c), 0);
			slab_shrink(&c);
			assert_int_equal(pages.outstanding, 0);
			assert_int_equal(c.nslabs, 0);
			assert_int_equal(reports, 0);
			free(objs);
		}
}

static void test_capacity_limits(void **state)
{
	(void)state;
	struct slab_cache c;
	void *a;

	init(&c, 64, 0, false, 4);
	assert_null(slab_alloc(&c, 65, 0));
	assert_non_null(a = slab_alloc(&c, 64, 0));
	slab_free(&c, a, 0);
	finish(&c);
	init(&c, 64, 0, true, 4);
	assert_int_equal(slab_cache_capacity(&c), 64 - SLAB_DEBUG_OVERHEAD);
	assert_null(slab_alloc(&c, 64 - SLAB_DEBUG_OVERHEAD + 1, 0));
	assert_non_null(a = slab_alloc(&c, 64 - SLAB_DEBUG_OVERHEAD, 0));
	assert_int_equal(c.requested, 64 - SLAB_DEBUG_OVERHEAD);
	slab_free(&c, a, 0);
	assert_int_equal(c.requested, 0);
	finish(&c);
}

/* Random allocations and frees; every live object is filled with its own
 * byte and must still hold it when freed (no two objects overlap). */
static void test_random_against_model(void **state)
{
	(void)state;
	enum { LIVE = 3000 };
	static struct { unsigned char *p; size_t n; unsigned char fill; } live[LIVE];

	for (int debug = 0; debug < 2; debug++) {
		struct slab_cache c;
		unsigned nlive = 0;

		init(&c, 128, 0, debug, 200);
		srand(77 + debug);
		for (int step = 0; step < 100000; step++) {
			if (nlive < LIVE && (rand() % 100 < 52 || nlive == 0)) {
				size_t n = 1 + (size_t)rand() % slab_cache_capacity(&c);
				unsigned char *p = slab_alloc(&c, n, 0x42);

				if (!p) {
					assert_int_equal(pages.outstanding, 200);
					assert_null(c.partial);
					continue;
				}
				assert_int_equal((uintptr_t)p % 128, 0);
				live[nlive].p = p;
				live[nlive].n = n;
				live[nlive].fill = (unsigned char)rand();
				memset(p, live[nlive].fill, n);
				nlive++;
			} else {
				unsigned i = (unsigned)rand() % nlive;

				for (size_t k = 0; k < live[i].n; k++)
					assert_int_equal(live[i].p[k], live[i].fill);
				if (debug)
					assert_int_equal(slab_obj_size(&c, live[i].p), live[i].n);
				assert_int_equal(slab_free(&c, live[i].p, 0x43), SLAB_OK);
				live[i] = live[--nlive];
			}
			assert_int_equal(c.objects, nlive);
			if (step % 2000 == 0)
				assert_int_equal(slab_check(&c), 0);
		}
		while (nlive)
			assert_int_equal(slab_free(&c, live[--nlive].p, 0), SLAB_OK);
		assert_int_equal(slab_check(&c), 0);
		slab_shrink(&c);
		assert_int_equal(pages.outstanding, 0);
		assert_int_equal(reports, 0);
	}
}

static void test_debug_double_free(void **state)
{
	(void)state;
	struct slab_cache c;
	void *a;

	init(&c, 64, 0, true, 4);
	a = slab_alloc(&c, 10, 0x1000);
	assert_int_equal(slab_free(&c, a, 0x2000), SLAB_OK);
	assert_int_equal(slab_free(&c, a, 0x3000), SLAB_DOUBLE_FREE);
	assert_int_equal(reports, 1);
	assert_int_equal(last.error, SLAB_DOUBLE_FREE);
	assert_ptr_equal(last.obj, a);
	assert_int_equal(last.caller, 0x3000);
	assert_int_equal(last.owner, 0x2000); /* who freed it first */
	finish(&c);
}

static void test_debug_overflow(void **state)
{
	(void)state;
	struct slab_cache c;
	unsigned char *a;

	init(&c, 64, 0, true, 4);
	a = slab_alloc(&c, 10, 0x1000);
	memset(a, 0, 10);
	assert_int_equal(slab_free(&c, a, 0x2000), SLAB_OK);
	a = slab_alloc(&c, 10, 0x1000);
	a[10] = 0;
	assert_int_equal(slab_free(&c, a, 0x2000), SLAB_OVERFLOW);
	assert_int_equal(reports, 1);
	assert_int_equal(last.offset, 10);
	assert_int_equal(last.size, 10);
	assert_int_equal(last.owner, 0x1000);
	assert_int_equal(last.caller, 0x2000);
	/* the object was still freed */
	finish(&c);
}

static void test_debug_use_after_free_and_bad_pointer(void **state)
{
	(void)state;
	struct slab_cache c;
	unsigned char *a, *b;

	init(&c, 64, 0, true, 4);
	a = slab_alloc(&c, 30, 0x1000);
	assert_int_equal(slab_free(&c, a, 0x2000), SLAB_OK);
	a[20] = 1;
	b = slab_alloc(&c, 30, 0x3000);
	assert_ptr_equal(a, b);
	assert_int_equal(reports, 1);
	assert_int_equal(last.error, SLAB_USE_AFTER_FREE);
	assert_int_equal(last.offset, 20);
	assert_int_equal(slab_free(&c, b + 8, 0x4000), SLAB_BAD_POINTER);
	assert_int_equal(reports, 2);
	assert_int_equal(last.error, SLAB_BAD_POINTER);
	assert_int_equal(slab_free(&c, b, 0x4000), SLAB_OK);
	finish(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exhaust_and_give_back),
		cmocka_unit_test(test_capacity_limits),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_debug_double_free),
		cmocka_unit_test(test_debug_overflow),
		cmocka_unit_test(test_debug_use_after_free_and_bad_pointer),
	};
	return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
