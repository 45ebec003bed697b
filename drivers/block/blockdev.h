/* The block-device layer fs/ stands on: a registry of disks (vda, vdb...)
 * and their GPT partitions (vda1...), with checked reads, writes and
 * flushes of sector ranges, synchronous or with many requests in flight. */
#ifndef DRIVERS_BLOCK_BLOCKDEV_H
#define DRIVERS_BLOCK_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

#define BLOCKDEV_MAX 32
#define BLOCKDEV_MAX_TRANSFER (128u * 1024)   /* bytes per request */
#define BLOCKDEV_TIMEOUT_NS (5ull * 1000000000ull)

enum blockdev_op { BLOCKDEV_READ, BLOCKDEV_WRITE, BLOCKDEV_FLUSH };

/* One request. The caller owns it until done is set; status is then 0 or
 * a negative errno (-EIO for a device error). */
struct blockdev_req {
	enum blockdev_op op;
	uint64_t lba;                /* in the device's sectors; a partition's
					request is moved to its disk's sectors
					when submitted */
	uint32_t count;              /* sectors; 0 for a flush */
	void *buf;                   /* kernel virtual; need not be contiguous */
	volatile bool done;
	int status;
	/* for the driver */
	struct blockdev *dev;        /* the disk that carries it */
	unsigned slot;
};

struct blockdev;
struct blockdev_ops {
	/* Starts a checked request (whole disk, in range); may wait for room.
	 * Completion sets r->status, then r->done, possibly from an interrupt. */
	int (*submit)(struct blockdev *bd, struct blockdev_req *r);
	/* The request timed out: stop the device (no more DMA) and fail
	 * everything in flight. */
	void (*abort)(struct blockdev *bd);
};

struct blockdev {
	char name[16];
	uint32_t sector_size;        /* bytes, a power of two >= 512 */
	uint64_t sectors;
	bool read_only;
	const struct blockdev_ops *ops;   /* disks only */
	void *priv;
	struct blockdev *parent;     /* partitions: their disk */
	uint64_t start;              /* partitions: first sector on the disk */
	unsigned partno;             /* partitions: 1-based */
	/* disks, atomics the driver writes (blockdev_note_inflight): the
	 * requests it holds now, and the most it held at once since
	 * blockdev_take_inflight_peak last asked */
	uint32_t inflight, inflight_peak;
};

/* Registers a disk (ops, sector_size, sectors, read_only filled in) under
 * the next name "vd<letter>" and exposes its GPT partitions. 0 or -ENOSPC. */
int blockdev_register_disk(struct blockdev *disk) __must_check;
unsigned blockdev_count(void);
struct blockdev *blockdev_get(unsigned i);
struct blockdev *blockdev_find(const char *name);

/* Checks and starts a request: -EINVAL (empty, too large, beyond the end,
 * bad buffer), -EROFS (write to a read-only disk), else the driver's answer.
 * On 0 the request completes later: wait with blockdev_wait. */
int blockdev_submit(struct blockdev *bd, struct blockdev_req *r) __must_check;
/* Waits for a submitted request (timeout: the device is stopped, -EIO). */
int blockdev_wait(struct blockdev_req *r) __must_check;

int blockdev_read(struct blockdev *bd, uint64_t lba, uint32_t count, void *buf) __must_check;
int blockdev_write(struct blockdev *bd, uint64_t lba, uint32_t count, const void *buf) __must_check;
int blockdev_flush(struct blockdev *bd) __must_check;
/* Byte addressed: offset and length must be sector multiples (-EINVAL). */
int blockdev_read_at(struct blockdev *bd, uint64_t offset, size_t len, void *buf) __must_check;

/* Drivers: the disk now holds n requests (after each start and end). */
void blockdev_note_inflight(struct blockdev *disk, uint32_t n);
/* The most requests the disk (a partition's disk) held at once since the
 * last call; the count starts again from those it holds now. */
uint32_t blockdev_take_inflight_peak(struct blockdev *bd);

/* The one place a thread waits for a device: it sleeps until *done or the
 * timeout (0 or -ETIMEDOUT). The kernel installs the blocking wait and the
 * wake-up (its scheduler's wait queue), so drivers never call up into it. */
void blockdev_set_wait_ops(int (*wait)(volatile bool *done, uint64_t timeout_ns),
			   void (*wake)(void));
int blockdev_wait_done(volatile bool *done, uint64_t timeout_ns) __must_check;
/* Drivers call this (from their interrupt handler too) after setting done
 * flags, so that waiters look at their flags again. */
void blockdev_wake_waiters(void);

#endif
