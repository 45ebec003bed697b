/* Fuzz target for split-virtqueue bookkeeping (drivers/virtio/virtqueue.c)
 * against a hostile device. Input: the queue size (1 << n), then a list of
 * operations: the driver adds a chain of 1..size+1 segments, or takes a
 * completion; the device completes an available chain honestly, writes any
 * id and length into any used-ring entry, sets the used index or flags to
 * anything, or scribbles over the descriptor table and the available ring (all of it
 * is shared memory it can write).
 * Checked against the harness's own model of the requests in flight: each
 * add succeeds or fails exactly as the free count says and writes a
 * well-formed chain of fresh descriptors; a completion hands back only a
 * request that is in flight, once; free and in-flight counts always add up;
 * whatever the device writes, the driver answers -EIO at worst. */
#include "fuzz.h"

#include <cosmos/errno.h>
#include <drivers/virtio/virtqueue.h>

#define MAX_OPS 2048

enum { OP_ADD, OP_GET, OP_DEV_COMPLETE, OP_DEV_USED_ENTRY, OP_DEV_USED_IDX, OP_DEV_USED_FLAGS,
       OP_DEV_SCRIBBLE, OP_COUNT };

struct model {
	unsigned size, num_free, in_flight;
	bool busy[VIRTQ_MAX_SIZE];        /* per request token: handed to the queue */
	uint16_t segs[VIRTQ_MAX_SIZE];     /* its descriptor count */
	uint16_t dev_avail;                /* the device's next avail entry */
	uint16_t dev_used;                 /* what the honest device wrote last */
};

static char tokens[VIRTQ_MAX_SIZE];      /* request cookies: &tokens[i] */

static void check_counts(const struct virtq *q, const struct model *m)
{
	FUZZ_CHECK(virtq_num_free(q) == m->num_free, "%u free, model says %u", virtq_num_free(q), m->num_free);
	FUZZ_CHECK(virtq_in_flight(q) == m->in_flight, "%u in flight, model says %u",
		   virtq_in_flight(q), m->in_flight);
}

static void add(struct virtq *q, struct model *m, struct fuzz_in *in)
{
	struct virtq_seg segs[VIRTQ_MAX_SIZE + 1];
	unsigned n = 1 + fuzz_u16(in) % (m->size + 1), tok = VIRTQ_MAX_SIZE;
	uint32_t shape = fuzz_u32(in);     /* bit i: segment i is device-writable */
	bool seen[VIRTQ_MAX_SIZE] = { false }, bad = false;
	uint16_t head, d;
	int r, want;

	for (unsigned i = 0; i < VIRTQ_MAX_SIZE; i++)
		if (!m->busy[i]) {
			tok = i;
			break;
		}
	/* usually well-formed (readable segments first, no empty one), so the
	 * queue fills up; bit 31 asks for any shape and any lengths */
	for (unsigned i = 0; i < n; i++) {
		bool w = shape & 0x80000000u ? (shape >> (i % 31)) & 1 : i >= (shape & 0xff);
		uint32_t len = shape & 0x80000000u ? (shape >> (i % 29)) & 7 : 1 + i;

		segs[i] = (struct virtq_seg){ 0x1000 * (i + 1), len, w };
		bad |= len == 0 || (i && segs[i - 1].device_writes && !w);
	}
	want = n > m->size || bad ? -EINVAL : n > m->num_free ? -ENOSPC : 0;
	r = virtq_add(q, segs, n, &tokens[tok]);
	FUZZ_CHECK(r == want, "add of %u segments with %u free: %d, expected %d", n, m->num_free, r, want);
	if (r)
		return;
	/* the chain the device will see */
	head = q->avail->ring[(uint16_t)(q->avail_idx - 1) & (m->size - 1)];
	FUZZ_CHECK(q->avail->idx == q->avail_idx, "avail index not published");
	d = head;
	for (unsigned i = 0; i < n; i++) {
		FUZZ_CHECK(d < m->size && !seen[d], "chain reuses or leaves the table at %u", d);
		seen[d] = true;
		FUZZ_CHECK(q->desc[d].addr == segs[i].addr && q->desc[d].len == segs[i].len,
			   "descriptor %u does not hold segment %u", d, i);
		FUZZ_CHECK(!!(q->desc[d].flags & VIRTQ_DESC_F_WRITE) == segs[i].device_writes,
			   "write flag of segment %u", i);
		FUZZ_CHECK(!!(q->desc[d].flags & VIRTQ_DESC_F_NEXT) == (i + 1 < n), "next flag of segment %u", i);
		d = q->desc[d].next;
	}
	/* the device's NO_NOTIFY hint is only a hint: any flags word is fine */
	FUZZ_CHECK(virtq_should_notify(q) == !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY), "notify hint");
	m->busy[tok] = true;
	m->segs[tok] = (uint16_t)n;
	m->num_free -= n;
	m->in_flight++;
}

static void get(struct virtq *q, struct model *m)
{
	void *cookie = NULL;
	uint32_t len;
	int r = virtq_get(q, &cookie, &len);

	FUZZ_CHECK(r == 0 || r == 1 || r == -EIO, "get returned %d", r);
	if (r != 1)
		return;
	FUZZ_CHECK((char *)cookie >= tokens && (char *)cookie < tokens + VIRTQ_MAX_SIZE,
		   "a cookie that was never given");
	unsigned tok = (unsigned)((char *)cookie - tokens);
	FUZZ_CHECK(m->busy[tok], "request %u completed twice or never added", tok);
	m->busy[tok] = false;
	m->num_free += m->segs[tok];
	m->in_flight--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	unsigned qsize = 1u << (fuzz_u8(&in) % 9);
	struct virtq *q = calloc(1, sizeof(*q));
	size_t bytes = virtq_bytes((uint16_t)qsize);
	void *mem = aligned_alloc(4096, bytes);
	struct model *m = calloc(1, sizeof(*m));

	if (!q || !mem || !m)
		abort();
	memset(mem, 0, bytes);
	FUZZ_CHECK(virtq_init(q, (uint16_t)qsize, mem, 0x100000) == 0, "init of size %u", qsize);
	m->size = m->num_free = qsize;
	for (unsigned ops = 0; in.left && ops < MAX_OPS; ops++) {
		switch (fuzz_u8(&in) % OP_COUNT) {
		case OP_ADD:
			add(q, m, &in);
			break;
		case OP_GET:
			get(q, m);
			break;
		case OP_DEV_COMPLETE:
			/* the honest device: next available chain to the next used slot */
			if (m->dev_avail != q->avail->idx) {
				uint16_t head = q->avail->ring[m->dev_avail++ & (qsize - 1)];

				q->used->ring[q->used->idx & (qsize - 1)].id = head;
				q->used->ring[q->used->idx & (qsize - 1)].len = fuzz_u32(&in);
				q->used->idx++;
			}
			break;
		case OP_DEV_USED_ENTRY: {
			uint16_t slot = fuzz_u16(&in) & (qsize - 1);

			q->used->ring[slot].id = fuzz_u32(&in);
			q->used->ring[slot].len = fuzz_u32(&in);
			break;
		}
		case OP_DEV_USED_IDX:
			q->used->idx = fuzz_u16(&in);
			break;
		case OP_DEV_USED_FLAGS:
			q->used->flags = fuzz_u16(&in);
			break;
		case OP_DEV_SCRIBBLE: {
			/* anywhere in the descriptor table and the available ring */
			size_t span = (size_t)16 * qsize + 6 + 2 * qsize;
			size_t at = fuzz_u32(&in) % span;

			((volatile uint8_t *)mem)[at] = fuzz_u8(&in);
			break;
		}
		}
		check_counts(q, m);
		FUZZ_CHECK(m->num_free <= qsize, "model broken");
	}
	free(m);
	free(mem);
	free(q);
	return 0;
}
