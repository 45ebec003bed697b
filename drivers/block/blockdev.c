/* Block-device registry, request checks, partition translation and the
 * completion wait. Registry state (devices, ndevices, parts) is written only
 * during driver probing at boot, before any reader exists; requests are
 * serialised by their driver. */
#include <drivers/block/blockdev.h>
#include <drivers/block/gpt.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <hal/dma.h>
#include <kernel/log.h>
#include <lib/fmt.h>
#include <lib/string.h>

static struct blockdev *devices[BLOCKDEV_MAX];
static unsigned ndevices, ndisks;
static struct blockdev parts[BLOCKDEV_MAX];
static unsigned nparts;
static int (*wait_fn)(volatile bool *done, uint64_t timeout_ns);
static void (*wake_fn)(void);

void blockdev_set_wait_ops(int (*wait)(volatile bool *done, uint64_t timeout_ns),
			   void (*wake)(void))
{
	wait_fn = wait;
	wake_fn = wake;
}

int blockdev_wait_done(volatile bool *done, uint64_t timeout_ns)
{
	if (*done)
		return 0;
	if (!wait_fn)
		return -EAGAIN;   /* the kernel has not installed its blocking wait */
	return wait_fn(done, timeout_ns);
}

void blockdev_wake_waiters(void)
{
	if (wake_fn)
		wake_fn();
}

unsigned blockdev_count(void)
{
	return ndevices;
}

struct blockdev *blockdev_get(unsigned i)
{
	return i < ndevices ? devices[i] : 0;
}

struct blockdev *blockdev_find(const char *name)
{
	for (unsigned i = 0; i < ndevices; i++)
		if (strcmp(devices[i]->name, name) == 0)
			return devices[i];
	return 0;
}

static bool range_ok(struct blockdev *bd, uint64_t lba, uint32_t count)
{
	return count > 0 && lba < bd->sectors && count <= bd->sectors - lba &&
	       (uint64_t)count * bd->sector_size <= BLOCKDEV_MAX_TRANSFER;
}

int blockdev_submit(struct blockdev *bd, struct blockdev_req *r)
{
	struct blockdev *disk = bd->parent ? bd->parent : bd;

	r->done = false;
	r->status = 0;
	if (r->op == BLOCKDEV_FLUSH) {
		r->lba = 0;
		r->count = 0;
	} else if (r->op != BLOCKDEV_READ && r->op != BLOCKDEV_WRITE) {
		return -EINVAL;
	} else {
		if (!r->buf || !range_ok(bd, r->lba, r->count))
			return -EINVAL;
		if (r->op == BLOCKDEV_WRITE && bd->read_only)
			return -EROFS;
		r->lba += bd->start;
	}
	r->dev = disk;
	return disk->ops->submit(disk, r);
}

void blockdev_note_inflight(struct blockdev *disk, uint32_t n)
{
	uint32_t peak = __atomic_load_n(&disk->inflight_peak, __ATOMIC_RELAXED);

	__atomic_store_n(&disk->inflight, n, __ATOMIC_RELAXED);
	while (n > peak && !__atomic_compare_exchange_n(&disk->inflight_peak, &peak, n, false,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

uint32_t blockdev_take_inflight_peak(struct blockdev *bd)
{
	struct blockdev *disk = bd->parent ? bd->parent : bd;

	return __atomic_exchange_n(&disk->inflight_peak, __atomic_load_n(&disk->inflight, __ATOMIC_RELAXED),
				   __ATOMIC_RELAXED);
}

int blockdev_wait(struct blockdev_req *r)
{
	if (blockdev_wait_done(&r->done, BLOCKDEV_TIMEOUT_NS) != 0) {
		log_err("%s: request (op %d, sector %llu) timed out; stopping the device", r->dev->name,
			r->op, (unsigned long long)r->lba);
		r->dev->ops->abort(r->dev);
		return -EIO;
	}
	return r->status;
}

static int transfer(struct blockdev *bd, enum blockdev_op op, uint64_t lba, uint32_t count, void *buf)
{
	uint32_t per = BLOCKDEV_MAX_TRANSFER / bd->sector_size;

	if (count == 0 || !buf || lba >= bd->sectors || count > bd->sectors - lba)
		return -EINVAL;
	while (count) {
		struct blockdev_req r = { .op = op, .lba = lba, .count = count < per ? count : per, .buf = buf };
		int e = blockdev_submit(bd, &r);

		if (e == 0)
			e = blockdev_wait(&r);
		if (e != 0)
			return e;
		lba += r.count;
		count -= r.count;
		buf = (char *)buf + (size_t)r.count * bd->sector_size;
	}
	return 0;
}

int blockdev_read(struct blockdev *bd, uint64_t lba, uint32_t count, void *buf)
{
	return transfer(bd, BLOCKDEV_READ, lba, count, buf);
}

int blockdev_write(struct blockdev *bd, uint64_t lba, uint32_t count, const void *buf)
{
	if (bd->read_only)
		return -EROFS;
	return transfer(bd, BLOCKDEV_WRITE, lba, count, (void *)buf);
}

int blockdev_flush(struct blockdev *bd)
{
	struct blockdev_req r = { .op = BLOCKDEV_FLUSH };
	int e;

	if (bd->read_only)
		return 0;
	e = blockdev_submit(bd, &r);
	return e ? e : blockdev_wait(&r);
}

static int bytes_to_sectors(struct blockdev *bd, uint64_t offset, size_t len, uint64_t *lba, uint32_t *count)
{
	uint64_t n = len / bd->sector_size;

	if ((offset | len) & (bd->sector_size - 1) || n == 0 || n > 0xffffffffu)
		return -EINVAL;
	*lba = offset / bd->sector_size;
	*count = (uint32_t)n;
	return 0;
}

int blockdev_read_at(struct blockdev *bd, uint64_t offset, size_t len, void *buf)
{
	uint64_t lba;
	uint32_t count;
	int e = bytes_to_sectors(bd, offset, len, &lba, &count);

	return e ? e : blockdev_read(bd, lba, count, buf);
}

static int gpt_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	return blockdev_read(ctx, lba, count, buf);
}

static void scan_partitions(struct blockdev *disk)
{
	size_t scratch_len = disk->sector_size + GPT_MAX_ARRAY_BYTES;
	struct gpt_part found[GPT_MAX_PARTS / 4];
	const char *why;
	uint64_t phys;
	void *scratch = dma_alloc(scratch_len, &phys);
	int n;

	if (!scratch) {
		log_warn("%s: no memory to read the partition table", disk->name);
		return;
	}
	n = gpt_parse(gpt_read, disk, disk->sector_size, disk->sectors, scratch, found,
		      sizeof(found) / sizeof(found[0]), &why);
	dma_free(scratch, scratch_len);
	if (n == -ENOENT)
		return;
	if (n < 0) {
		log_warn("%s: GPT ignored (%s%s%d); the whole disk stays usable", disk->name, why,
			 *why ? ", " : "error ", n);
		return;
	}
	log_info("%s: GPT with %d partition%s", disk->name, n, n == 1 ? "" : "s");
	for (int i = 0; i < n; i++) {
		struct blockdev *p;

		if (nparts >= BLOCKDEV_MAX || ndevices >= BLOCKDEV_MAX) {
			log_warn("%s: too many block devices; partition %u not exposed", disk->name,
				 found[i].index);
			continue;
		}
		p = &parts[nparts++];
		*p = (struct blockdev){ 0 };
		fmt_snprintf(p->name, sizeof(p->name), "%s%u", disk->name, found[i].index);
		p->sector_size = disk->sector_size;
		p->sectors = found[i].last_lba - found[i].first_lba + 1;
		p->start = found[i].first_lba;
		p->read_only = disk->read_only;
		p->parent = disk;
		p->partno = found[i].index;
		devices[ndevices++] = p;
		log_info("%s: sectors %llu..%llu (%llu KiB) \"%s\"", p->name,
			 (unsigned long long)found[i].first_lba, (unsigned long long)found[i].last_lba,
			 (unsigned long long)(p->sectors * p->sector_size / 1024), found[i].name);
	}
}

int blockdev_register_disk(struct blockdev *disk)
{
	if (ndevices >= BLOCKDEV_MAX || ndisks >= 26)
		return -ENOSPC;
	fmt_snprintf(disk->name, sizeof(disk->name), "vd%c", 'a' + ndisks);
	ndisks++;
	disk->parent = 0;
	disk->start = 0;
	devices[ndevices++] = disk;
	log_info("%s: %llu sectors of %u bytes (%llu MiB)%s", disk->name, (unsigned long long)disk->sectors,
		 disk->sector_size, (unsigned long long)(disk->sectors * disk->sector_size >> 20),
		 disk->read_only ? ", read-only" : "");
	scan_partitions(disk);
	return 0;
}
