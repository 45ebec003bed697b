/* Block benchmarks on vda (make bench attaches a 512 MiB scratch disk):
 * sequential read and write MiB/s with 1 and 32 requests in flight (64 KiB
 * each), and 4 KiB random-read IOPS at the same depths. Writes destroy the
 * disk's contents. */
#include <drivers/block/blockdev.h>
#include <kernel/kbench.h>
#include <kernel/log.h>
#include <kernel/mm/vmm.h>
#include <kernel/time.h>

#define BENCH_DISK_BYTES (64ull << 20)
#define SEQ_REQ_BYTES    (64u * 1024)
#define MAX_DEPTH        32
#define RAND_TIME_NS     500000000ull

/* Keeps `depth` requests in flight over `total` requests; next(i) gives the
 * i-th request's sector. Returns elapsed ns, or 0 after an error. */
static uint64_t run(struct blockdev *bd, enum blockdev_op op, unsigned depth, uint32_t req_bytes, uint64_t total,
		    uint64_t (*next)(struct blockdev *bd, uint64_t i, uint32_t req_bytes), uint8_t *buf,
		    uint64_t deadline_ns, uint64_t *done_out)
{
	struct blockdev_req reqs[MAX_DEPTH];
	uint64_t t0 = time_ns(), issued = 0, done = 0;
	int e = 0;

	while (done < issued || (issued < total && e == 0)) {
		/* top up, then wait for the oldest */
		while (issued < total && issued - done < depth && e == 0 &&
		       (!deadline_ns || time_ns() < deadline_ns)) {
			struct blockdev_req *r = &reqs[issued % depth];

			*r = (struct blockdev_req){ .op = op, .lba = next(bd, issued, req_bytes),
					       .count = req_bytes / bd->sector_size,
					       .buf = buf + (issued % depth) * (size_t)req_bytes };
			e = blockdev_submit(bd, r);
			if (e == 0)
				issued++;
		}
		if (done == issued)
			break;
		if (blockdev_wait(&reqs[done % depth]) != 0)
			e = -1;
		done++;
	}
	if (op == BLOCKDEV_WRITE && e == 0)
		e = blockdev_flush(bd);
	if (e) {
		log_warn("blk bench: request failed");
		return 0;
	}
	*done_out = done;
	return time_ns() - t0;
}

static uint64_t seq_next(struct blockdev *bd, uint64_t i, uint32_t req_bytes)
{
	return i * (req_bytes / bd->sector_size);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rand_next(struct blockdev *bd, uint64_t i, uint32_t req_bytes)
{
	uint64_t slots = BENCH_DISK_BYTES / req_bytes;

	(void)i;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng % slots) * (req_bytes / bd->sector_size);
}

static void seq(struct blockdev *bd, uint8_t *buf, enum blockdev_op op, unsigned depth, const char *name)
{
	uint64_t n, ns = run(bd, op, depth, SEQ_REQ_BYTES, BENCH_DISK_BYTES / SEQ_REQ_BYTES, seq_next, buf, 0, &n);

	if (ns)
		kbench_report(name, (BENCH_DISK_BYTES >> 20) * 10ull * 1000000000ull / ns, 1, "MiB/s");
}

static void rnd(struct blockdev *bd, uint8_t *buf, unsigned depth, const char *name)
{
	uint64_t n, ns = run(bd, BLOCKDEV_READ, depth, 4096, ~0ull, rand_next, buf, time_ns() + RAND_TIME_NS, &n);

	if (ns)
		kbench_report(name, n * 1000000000ull / ns, 0, "IOPS");
}

KBENCH(blk)
{
	struct blockdev *bd = blockdev_find("vda");
	uint8_t *buf;

	if (!bd || bd->read_only || bd->sectors * bd->sector_size < BENCH_DISK_BYTES || bd->sector_size > 4096) {
		log_info("blk bench: needs a writable vda of at least 64 MiB; skipped");
		return;
	}
	buf = vmm_alloc((size_t)MAX_DEPTH * SEQ_REQ_BYTES);
	if (!buf)
		return;
	seq(bd, buf, BLOCKDEV_WRITE, 1, "blk_seq_write_qd1");
	seq(bd, buf, BLOCKDEV_WRITE, 32, "blk_seq_write_qd32");
	seq(bd, buf, BLOCKDEV_READ, 1, "blk_seq_read_qd1");
	seq(bd, buf, BLOCKDEV_READ, 32, "blk_seq_read_qd32");
	rnd(bd, buf, 1, "blk_rand_read_4k_qd1");
	rnd(bd, buf, 32, "blk_rand_read_4k_qd32");
	vmm_free(buf);
}
