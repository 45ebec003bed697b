/* Host tests for kernel/mm/buddy.c over fake frames (metadata only; the
 * allocator never touches the frames): exhaustion and full coalescing,
 * alignment, holes, bad frees, and random sequences against a model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <kernel/mm/buddy.h>

struct fixture {
	struct buddy_zone z;
	struct buddy_frame *meta;
	uint64_t base, n;
};

/* An unaligned base and a size that is no power of two, so edge blocks
 * are partial and alignment is tested in absolute frame numbers. */
#define BASE 0x1003
#define NPAGES 9000

static struct fixture *make(uint64_t base, uint64_t n)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->meta = calloc(n, sizeof(struct buddy_frame));
	f->base = base;
	f->n = n;
	buddy_zone_init(&f->z, base, n, f->meta);
	return f;
}

static int setup(void **state)
{
	struct fixture *f = make(BASE, NPAGES);

	assert_int_equal(buddy_add_range(&f->z, BASE, NPAGES), NPAGES);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->meta);
	free(f);
	return 0;
}

static void assert_block_ok(struct fixture *f, uint64_t pfn, unsigned order)
{
	assert_int_not_equal(pfn, BUDDY_ALLOC_FAIL);
	assert_int_equal(pfn & ((1ull << order) - 1), 0);
	assert_true(pfn >= f->base);
	assert_true(pfn + (1ull << order) <= f->base + f->n);
}

static void test_initial_state_is_coalesced(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(buddy_check(&f->z), 0);
	assert_int_equal(f->z.free_pages, NPAGES);
	/* everything that can be a 4 MiB block is one */
	assert_true(f->z.free_blocks[BUDDY_MAX_ORDER] >= (NPAGES - 2 * 1024) / 1024);
	/* adding again adds nothing */
	assert_int_equal(buddy_add_range(&f->z, BASE, NPAGES), 0);
}

static void test_exhaust_then_free_all(void **state)
{
	struct fixture *f = *state;
	uint64_t *got = malloc(NPAGES * sizeof(uint64_t)), n = 0, pfn;
	uint64_t blocks[BUDDY_MAX_ORDER + 1];
	char *seen = calloc(NPAGES, 1);

	memcpy(blocks, f->z.free_blocks, sizeof(blocks));
	while ((pfn = buddy_alloc(&f->z, 0)) != BUDDY_ALLOC_FAIL) {
		assert_block_ok(f, pfn, 0);
		assert_false(seen[pfn - BASE]);
		seen[pfn - BASE] = 1;
		got[n++] = pfn;
	}
	assert_int_equal(n, NPAGES);
	assert_int_equal(f->z.free_pages, 0);
	assert_int_equal(buddy_check(&f->z), 0);
	/* free in a scrambled order */
	for (uint64_t i = n; i > 1; i--) {
		uint64_t j = (uint64_t)rand() % i, tmp = got[i - 1];
		got[i - 1] = got[j];
		got[j] = tmp;
	}
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(buddy_free(&f->z, got[i], 0), 0);
	assert_int_equal(f->z.free_pages, NPAGES);
	assert_int_equal(buddy_check(&f->z), 0);
	/* full coalescing: exactly the same blocks as before */
	assert_memory_equal(blocks, f->z.free_blocks, sizeof(blocks));
	free(got);
	free(seen);
}

static void test_every_order_aligned(void **state)
{
	struct fixture *f = *state;

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		uint64_t list[NPAGES], n = 0, pfn;

		while ((pfn = buddy_alloc(&f->z, o)) != BUDDY_ALLOC_FAIL) {
			assert_block_ok(f, pfn, o);
			list[n++] = pfn;
		}
		assert_true(n > 0);
		assert_int_equal(buddy_check(&f->z), 0);
		while (n)
			assert_int_equal(buddy_free(&f->z, list[--n], o), 0);
		assert_int_equal(f->z.free_pages, NPAGES);
	}
	assert_int_equal(buddy_alloc(&f->z, BUDDY_MAX_ORDER + 1), BUDDY_ALLOC_FAIL);
}

static void test_bad_frees_are_refused(void **state)
{
	struct fixture *f = *state;
	uint64_t a = buddy_alloc(&f->z, 2), b = buddy_alloc(&f->z, 0);

	assert_int_equal(buddy_free(&f->z, a, 1), -EINVAL);      /* wrong order */
	assert_int_equal(buddy_free(&f->z, a + 1, 0), -EINVAL);  /* inside a block */
	assert_int_equal(buddy_free(&f->z, BASE - 1, 0), -EINVAL); /* outside */
	assert_int_equal(buddy_free(&f->z, a, 2), 0);
	assert_int_equal(buddy_free(&f->z, a, 2), -EINVAL);      /* double free */
	assert_int_equal(buddy_free(&f->z, b, 0), 0);
	assert_int_equal(buddy_free(&f->z, b, 0), -EINVAL);
	assert_int_equal(f->z.free_pages, NPAGES);
	assert_int_equal(buddy_check(&f->z), 0);
}

static void test_holes_are_never_handed_out(void **state)
{
	(void)state;
	struct fixture *f = make(0, 4096);
	uint64_t pfn, n = 0;

	/* usable: [0,1000) and [2000,4096) minus frame 0 and [3000,3010) */
	assert_int_equal(buddy_add_range(&f->z, 0, 1000), 1000);
	assert_int_equal(buddy_add_range(&f->z, 2000, 2096), 2096);
	assert_int_equal(buddy_remove_range(&f->z, 0, 1), 1);
	assert_int_equal(buddy_remove_range(&f->z, 3000, 10), 10);
	assert_int_equal(buddy_remove_range(&f->z, 1500, 10), 0); /* hole: nothing */
	assert_int_equal(buddy_check(&f->z), 0);
	assert_int_equal(f->z.free_pages, 999 + 2086);
	while ((pfn = buddy_alloc(&f->z, 0)) != BUDDY_ALLOC_FAIL) {
		assert_true(pfn != 0);
		assert_false(pfn >= 1000 && pfn < 2000);
		assert_false(pfn >= 3000 && pfn < 3010);
		n++;
	}
	assert_int_equal(n, 999 + 2086);
	assert_int_equal(buddy_free(&f->z, 1500, 0), -EINVAL);
	free(f->meta);
	free(f);
}

/* Random allocations and frees of random orders, checked against a model
 * that knows which frames are handed out. */
static void test_random_against_model(void **state)
{
	struct fixture *f = *state;
	struct { uint64_t pfn; unsigned order; } live[4096];
	unsigned nlive = 0;
	char *owned = calloc(NPAGES, 1);
	uint64_t used = 0;

	srand(12345);
	for (int step = 0; step < 200000; step++) {
		if (nlive < 4096 && (rand() % 100 < 55 || nlive == 0)) {
			unsigned o = (unsigned)(rand() % 100 < 80 ? rand() % 3 : rand() % (BUDDY_MAX_ORDER + 1));
			uint64_t pfn = buddy_alloc(&f->z, o);

			if (pfn == BUDDY_ALLOC_FAIL) {
				/* only allowed when no free block of that order exists */
				for (unsigned k = o; k <= BUDDY_MAX_ORDER; k++)
					assert_int_equal(f->z.free_blocks[k], 0);
				continue;
			}
			assert_block_ok(f, pfn, o);
			for (uint64_t k = 0; k < (1ull << o); k++) {
				assert_false(owned[pfn - BASE + k]);
				owned[pfn - BASE + k] = 1;
			}
			used += 1ull << o;
			live[nlive].pfn = pfn;
			live[nlive++].order = o;
		} else {
			unsigned i = (unsigned)rand() % nlive;

			assert_int_equal(buddy_free(&f->z, live[i].pfn, live[i].order), 0);
			for (uint64_t k = 0; k < (1ull << live[i].order); k++)
				owned[live[i].pfn - BASE + k] = 0;
			used -= 1ull << live[i].order;
			live[i] = live[--nlive];
		}
		assert_int_equal(f->z.free_pages, NPAGES - used);
		if (step % 5000 == 0)
			assert_int_equal(buddy_check(&f->z), 0);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(buddy_free(&f->z, live[nlive].pfn, live[nlive].order), 0);
	}
	assert_int_equal(f->z.free_pages, NPAGES);
	assert_int_equal(buddy_check(&f->z), 0);
	free(owned);
}

/* A claimed reserved frame is an allocated block of order 0: freed, it
 * joins its free neighbours; a frame that is free, allocated or claimed
 * already, or outside the zone, is refused and left as it was. */
static void test_claim_reserved(void **state)
{
	struct fixture *f = make(0x2000, 1024);
	uint64_t pfn;

	(void)state;
	/* all but frame 0x2005 free */
	assert_int_equal(buddy_add_range(&f->z, 0x2000, 5), 5);
	assert_int_equal(buddy_add_range(&f->z, 0x2006, 1024 - 6), 1024 - 6);
	assert_int_equal(f->z.free_pages, 1023);
	assert_int_equal(buddy_claim(&f->z, 0x2004), -EINVAL);          /* free */
	assert_int_equal(buddy_claim(&f->z, 0x2000 + 1024), -EINVAL);   /* outside */
	assert_int_equal(buddy_claim(&f->z, 0x2005), 0);
	assert_int_equal(buddy_frame_of(&f->z, 0x2005)->state, BUDDY_USED_HEAD);
	assert_int_equal(buddy_claim(&f->z, 0x2005), -EINVAL);          /* claimed already */
	assert_int_equal(f->z.free_pages, 1023);                         /* not counted free */
	assert_int_equal(buddy_check(&f->z), 0);
	pfn = buddy_alloc(&f->z, 0);
	assert_int_not_equal(pfn, BUDDY_ALLOC_FAIL);
	assert_int_not_equal(pfn, 0x2005);
	assert_int_equal(buddy_claim(&f->z, pfn), -EINVAL);              /* allocated */
	assert_int_equal(buddy_free(&f->z, pfn, 0), 0);
	/* freed, the claimed frame completes the zone's one 4 MiB block */
	assert_int_equal(buddy_free(&f->z, 0x2005, 0), 0);
	assert_int_equal(f->z.free_pages, 1024);
	assert_int_equal(f->z.free_blocks[BUDDY_MAX_ORDER], 1);
	assert_int_equal(buddy_check(&f->z), 0);
	free(f->meta);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_state_is_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_then_free_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_order_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frees_are_refused, setup, teardown),
		cmocka_unit_test(test_holes_are_never_handed_out),
		cmocka_unit_test(test_claim_reserved),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};
	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
