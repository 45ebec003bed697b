/* Split virtqueue bookkeeping. The only memory-ordering rules that matter:
 * descriptors and the ring entry are visible before avail->idx moves; the
 * used entry is read only after used->idx was seen to move; and the
 * NO_NOTIFY flag is read after our idx store is globally visible. */
#include <drivers/virtio/virtqueue.h>
#include <cosmos/errno.h>

#define virtq_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define virtq_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtq_full_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#define VIRTQ_ALIGN 4096u

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t virtq_used_offset(uint16_t size)
{
	return align_up(16u * size + 6u + 2u * size, VIRTQ_ALIGN);
}

size_t virtq_bytes(uint16_t size)
{
	return virtq_used_offset(size) + align_up(6u + 8u * size, VIRTQ_ALIGN);
}

int virtq_init(struct virtq *q, uint16_t size, void *mem, uint64_t phys)
{
	char *base = mem;

	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)) || !mem)
		return -EINVAL;
	q->size = size;
	q->desc = (volatile struct virtq_desc *)base;
	q->avail = (volatile struct virtq_avail *)(base + 16u * size);
	q->used = (volatile struct virtq_used *)(base + virtq_used_offset(size));
	q->desc_phys = phys;
	q->avail_phys = phys + 16u * size;
	q->used_phys = phys + virtq_used_offset(size);
	q->free_head = 0;
	q->num_free = size;
	q->avail_idx = 0;
	q->last_used = 0;
	for (uint16_t i = 0; i < size; i++) {
		q->next[i] = (uint16_t)(i + 1 < size ? i + 1 : 0);
		q->chain_len[i] = 0;
		q->cookie[i] = 0;
	}
	q->avail->flags = 0;
	q->avail->idx = 0;
	return 0;
}

int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, void *cookie)
{
	uint16_t head, d, prev = 0;
	bool seen_writable = false;

	if (n == 0 || n > q->size || !cookie)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (segs[i].len == 0 || (seen_writable && !segs[i].device_writes))
			return -EINVAL;
		seen_writable |= segs[i].device_writes;
	}
	if (n > q->num_free)
		return -ENOSPC;

	head = d = q->free_head;
	for (unsigned i = 0; i < n; i++) {
		uint16_t flags = segs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		q->desc[d].addr = segs[i].addr;
		q->desc[d].len = segs[i].len;
		q->desc[d].flags = flags;
		q->desc[d].next = q->next[d];
		prev = d;
		d = q->next[d];
	}
	q->free_head = d;
	q->num_free = (uint16_t)(q->num_free - n);
	q->desc[prev].next = 0;
	q->chain_len[head] = (uint16_t)n;
	q->cookie[head] = cookie;

	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	virtq_release();
	q->avail_idx++;
	q->avail->idx = q->avail_idx;
	return 0;
}

bool virtq_should_notify(struct virtq *q)
{
	virtq_full_barrier();
	return !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

int virtq_get(struct virtq *q, void **cookie, uint32_t *len)
{
	uint16_t used_idx = q->used->idx, head, last;
	uint32_t id;

	if (used_idx == q->last_used)
		return 0;
	if ((uint16_t)(used_idx - q->last_used) > virtq_in_flight(q))
		return -EIO;
	virtq_acquire();
	id = q->used->ring[q->last_used & (q->size - 1)].id;
	if (id >= q->size || !q->cookie[id])
		return -EIO;
	head = (uint16_t)id;
	*cookie = q->cookie[head];
	*len = q->used->ring[q->last_used & (q->size - 1)].len;
	q->last_used++;

	/* return the chain to the free list, following our own links */
	last = head;
	for (uint16_t i = 1; i < q->chain_len[head]; i++)
		last = q->next[last];
	q->next[last] = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + q->chain_len[head]);
	q->chain_len[head] = 0;
	q->cookie[head] = 0;
	return 1;
}

unsigned virtq_num_free(const struct virtq *q)
{
	return q->num_free;
}

unsigned virtq_in_flight(const struct virtq *q)
{
	return (uint16_t)(q->avail_idx - q->last_used);
}
