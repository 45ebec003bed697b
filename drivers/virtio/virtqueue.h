/* Split virtqueues (virtio 1.x section 2.7): descriptor table, available and
 * used rings, free-descriptor list. Pure bookkeeping over memory the caller
 * provides, so it compiles on the host for tests; any virtio device uses it. */
#ifndef DRIVERS_VIRTIO_VIRTQUEUE_H
#define DRIVERS_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

#define VIRTQ_MAX_SIZE 256           /* the largest ring we drive */

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2         /* the device writes this buffer */
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* One buffer of a request, by bus address. */
struct virtq_seg {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

/* The rings live in shared memory (device-visible); everything else is the
 * driver's own copy, which the device cannot corrupt. Not locked here: the
 * owning driver serialises all calls on one queue. */
struct virtq {
	uint16_t size;
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint64_t desc_phys, avail_phys, used_phys;
	uint16_t free_head;                 /* first free descriptor */
	uint16_t num_free;
	uint16_t avail_idx;                 /* our copy of avail->idx */
	uint16_t last_used;                 /* next used entry to read */
	uint16_t next[VIRTQ_MAX_SIZE];      /* chain and free-list links */
	uint16_t chain_len[VIRTQ_MAX_SIZE]; /* per head: descriptors in its chain */
	void *cookie[VIRTQ_MAX_SIZE];       /* per head: the caller's request, NULL when idle */
};

/* Bytes of shared memory for a ring of `size` entries in the legacy layout
 * (used ring on the next 4 KiB boundary), which modern devices accept too. */
size_t virtq_bytes(uint16_t size);
/* mem: zeroed, 4 KiB aligned, virtq_bytes(size) long at bus address phys.
 * 0, or -EINVAL when size is not a power of two in 1..VIRTQ_MAX_SIZE. */
int virtq_init(struct virtq *q, uint16_t size, void *mem, uint64_t phys) __must_check;
/* Chains n segments (device-readable ones first) and makes the chain
 * available. 0, -EINVAL (bad n, NULL cookie, zero length, readable after
 * writable) or -ENOSPC (not enough free descriptors: wait for completions). */
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, void *cookie) __must_check;
/* After adding: does the device want a notification? */
bool virtq_should_notify(struct virtq *q);
/* Takes one completed chain off the used ring: 1 with *cookie and *len
 * (bytes the device says it wrote), 0 if none is pending, -EIO if the device
 * reported an id it does not own or moved its index impossibly far. */
int virtq_get(struct virtq *q, void **cookie, uint32_t *len) __must_check;
unsigned virtq_num_free(const struct virtq *q);
/* Chains outstanding at the device. */
unsigned virtq_in_flight(const struct virtq *q);

#endif
