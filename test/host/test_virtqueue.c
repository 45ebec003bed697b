/* Host tests of split-virtqueue bookkeeping over fake shared memory, with a
 * small fake device that consumes the available ring and fills the used one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <drivers/virtio/virtqueue.h>

#define FAKE_PHYS 0x100000ull

struct fake {
	struct virtq q;
	void *mem;
	uint16_t dev_avail;   /* the device's next avail entry */
};

static struct fake *fake_new(uint16_t size)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = aligned_alloc(4096, virtq_bytes(size));
	assert_non_null(f->mem);
	memset(f->mem, 0, virtq_bytes(size));
	assert_int_equal(virtq_init(&f->q, size, f->mem, FAKE_PHYS), 0);
	return f;
}

static void fake_free(struct fake *f)
{
	free(f->mem);
	free(f);
}

/* The device takes the next available chain, checks its shape against the
 * expected segment count and completes it with `written` bytes. Returns
 * the head id. */
static uint16_t device_complete_next(struct fake *f, unsigned want_segs, uint32_t written)
{
	struct virtq *q = &f->q;
	uint16_t head, d;
	unsigned n = 0;

	assert_true(f->dev_avail != q->avail->idx);
	head = q->avail->ring[f->dev_avail & (q->size - 1)];
	f->dev_avail++;
	assert_true(head < q->size);
	d = head;
	for (;;) {
		n++;
		assert_true(n <= q->size);
		if (!(q->desc[d].flags & VIRTQ_DESC_F_NEXT))
			break;
		d = q->desc[d].next;
		assert_true(d < q->size);
	}
	assert_int_equal(n, want_segs);
	q->used->ring[q->used->idx & (q->size - 1)].id = head;
	q->used->ring[q->used->idx & (q->size - 1)].len = written;
	q->used->idx++;
	return head;
}

static void test_layout(void **state)
{
	struct fake *f = fake_new(256);

	(void)state;
	/* 256 entries: 4096 desc + 518 avail -> used at 8192, 2054 bytes -> 12 KiB */
	assert_int_equal(virtq_bytes(256), 12288);
	assert_int_equal(f->q.desc_phys, FAKE_PHYS);
	assert_int_equal(f->q.avail_phys, FAKE_PHYS + 4096);
	assert_int_equal(f->q.used_phys, FAKE_PHYS + 8192);
	assert_int_equal(virtq_num_free(&f->q), 256);
	fake_free(f);
}

static void test_bad_sizes(void **state)
{
	struct virtq q;
	static char mem[65536] __attribute__((aligned(4096)));

	(void)state;
	assert_int_equal(virtq_init(&q, 0, mem, 0), -EINVAL);
	assert_int_equal(virtq_init(&q, 3, mem, 0), -EINVAL);
	assert_int_equal(virtq_init(&q, 512, mem, 0), -EINVAL);
	assert_int_equal(virtq_init(&q, 8, NULL, 0), -EINVAL);
	assert_int_equal(virtq_init(&q, 1, mem, 0), 0);
}

static void test_chain_shape(void **state)
{
	struct fake *f = fake_new(8);
	struct virtq_seg s[3] = {
		{ 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true },
	};
	int tag;
	void *cookie;
	uint32_t len;
	uint16_t head, d;

	(void)state;
	assert_int_equal(virtq_add(&f->q, s, 3, &tag), 0);
	assert_int_equal(f->q.avail->idx, 1);
	assert_int_equal(virtq_num_free(&f->q), 5);
	assert_int_equal(virtq_in_flight(&f->q), 1);
	head = f->q.avail->ring[0];
	d = head;
	assert_int_equal(f->q.desc[d].addr, 0x1000);
	assert_int_equal(f->q.desc[d].len, 16);
	assert_int_equal(f->q.desc[d].flags, VIRTQ_DESC_F_NEXT);
	d = f->q.desc[d].next;
	assert_int_equal(f->q.desc[d].addr, 0x2000);
	assert_int_equal(f->q.desc[d].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	d = f->q.desc[d].next;
	assert_int_equal(f->q.desc[d].addr, 0x3000);
	assert_int_equal(f->q.desc[d].flags, VIRTQ_DESC_F_WRITE);

	assert_int_equal(virtq_get(&f->q, &cookie, &len), 0);
	device_complete_next(f, 3, 513);
	assert_int_equal(virtq_get(&f->q, &cookie, &len), 1);
	assert_ptr_equal(cookie, &tag);
	assert_int_equal(len, 513);
	assert_int_equal(virtq_num_free(&f->q), 8);
	assert_int_equal(virtq_in_flight(&f->q), 0);
	assert_int_equal(virtq_get(&f->q, &cookie, &len), 0);
	fake_free(f);
}

static void test_bad_requests(void **state)
{
	struct fake *f = fake_new(4);
	struct virtq_seg s[5] = {
		{ 1, 1, false }, { 2, 1, false }, { 3, 1, false }, { 4, 1, false }, { 5, 1, false },
	};
	struct virtq_seg order[2] = { { 1, 1, true }, { 2, 1, false } };
	struct virtq_seg empty = { 1, 0, false };
	int tag;

	(void)state;
	assert_int_equal(virtq_add(&f->q, s, 0, &tag), -EINVAL);
	assert_int_equal(virtq_add(&f->q, s, 5, &tag), -EINVAL);
	assert_int_equal(virtq_add(&f->q, s, 1, NULL), -EINVAL);
	assert_int_equal(virtq_add(&f->q, order, 2, &tag), -EINVAL);
	assert_int_equal(virtq_add(&f->q, &empty, 1, &tag), -EINVAL);
	assert_int_equal(virtq_add(&f->q, s, 3, &tag), 0);
	assert_int_equal(virtq_add(&f->q, s, 2, &tag), -ENOSPC);
	assert_int_equal(virtq_add(&f->q, s, 1, &tag), 0);
	assert_int_equal(virtq_num_free(&f->q), 0);
	assert_int_equal(virtq_add(&f->q, s, 1, &tag), -ENOSPC);
	fake_free(f);
}

/* Fill the ring, complete out of order, refill many times: the free list
 * must never lose or duplicate a descriptor, and the 16-bit indices wrap. */
static void test_out_of_order_and_wrap(void **state)
{
	struct fake *f = fake_new(16);
	struct virtq_seg s[2] = { { 0x1000, 8, false }, { 0x2000, 8, true } };
	int tags[8];
	int done[8] = { 0 };
	void *cookie;
	uint32_t len;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		unsigned inflight = 0;

		for (int i = 0; i < 8; i++) {
			assert_int_equal(virtq_add(&f->q, s, 2, &tags[i]), 0);
			inflight++;
		}
		assert_int_equal(virtq_num_free(&f->q), 0);
		assert_int_equal(virtq_add(&f->q, s, 1, &tags[0]), -ENOSPC);
		/* the device completes them in reverse order by swapping ring slots */
		for (int i = 0; i < 8; i++) {
			uint16_t a = (uint16_t)(f->dev_avail + i);
			uint16_t b = (uint16_t)(f->dev_avail + 7 - i);

			if (i < 4) {
				uint16_t t = f->q.avail->ring[a & 15];
				f->q.avail->ring[a & 15] = f->q.avail->ring[b & 15];
				f->q.avail->ring[b & 15] = t;
			}
		}
		for (int i = 0; i < 8; i++)
			device_complete_next(f, 2, 8);
		memset(done, 0, sizeof(done));
		while (virtq_get(&f->q, &cookie, &len) == 1) {
			int k = (int *)cookie - tags;

			assert_true(k >= 0 && k < 8);
			assert_int_equal(done[k], 0);
			done[k] = 1;
			inflight--;
		}
		assert_int_equal(inflight, 0);
		assert_int_equal(virtq_num_free(&f->q), 16);
	}
	/* 160000 chains went through: the 16-bit indices have wrapped twice */
	assert_int_equal(f->q.avail_idx, (uint16_t)160000);
	fake_free(f);
}

static void test_lying_device(void **state)
{
	struct fake *f = fake_new(8);
	struct virtq_seg s = { 0x1000, 8, true };
	int tag;
	void *cookie;
	uint32_t len;

	(void)state;
	assert_int_equal(virtq_add(&f->q, &s, 1, &tag), 0);
	/* an id that is out of range */
	f->q.used->ring[0].id = 200;
	f->q.used->idx = 1;
	assert_int_equal(virtq_get(&f->q, &cookie, &len), -EIO);
	/* an id in range that is not an outstanding head */
	f->q.used->ring[0].id = (f->q.avail->ring[0] + 1) & 7;
	assert_int_equal(virtq_get(&f->q, &cookie, &len), -EIO);
	/* the index jumped further than what is in flight */
	f->q.used->ring[0].id = f->q.avail->ring[0];
	f->q.used->idx = 5;
	assert_int_equal(virtq_get(&f->q, &cookie, &len), -EIO);
	/* an honest completion still works afterwards */
	f->q.used->idx = 1;
	assert_int_equal(virtq_get(&f->q, &cookie, &len), 1);
	assert_ptr_equal(cookie, &tag);
	fake_free(f);
}

static void test_notify_flag(void **state)
{
	struct fake *f = fake_new(4);

	(void)state;
	assert_true(virtq_should_notify(&f->q));
	f->q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_false(virtq_should_notify(&f->q));
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_chain_shape),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_out_of_order_and_wrap),
		cmocka_unit_test(test_lying_device),
		cmocka_unit_test(test_notify_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
