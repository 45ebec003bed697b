/* blktest=: block-layer checks driven by the system tests, which attach
 * pattern disks and check the images afterwards. Word k of each 512-byte
 * sector s of a pattern disk is (tag << 56) | (s << 8) | k; the runner
 * writes disks with tag 'A' for vda, 'B' for vdb...; the kernel writes tag
 * 'W'. Modes (comma list): read, read-data (512-byte sectors 64 up to the
 * last 34, leaving out both GPT copies, which the firmware may rewrite), write,
 * ioerr (vdc has an injected read error), abort (stops vdc), inflight, ro,
 * range, parts. */
#include <kernel/blk.h>
#include <drivers/block/blockdev.h>
#include <drivers/pci.h>
#include <drivers/virtio/virtio_blk.h>
#include <cosmos/errno.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vmm.h>
#include <lib/cmdline.h>
#include <lib/string.h>

#define BUF_BYTES (256u * 1024)
#define WRITE_FIRST 64        /* 512-byte sectors: where write= puts its pattern */
#define WRITE_COUNT 300

static int failures;

static void result(const char *what, const char *dev, int ok, const char *fmt_detail, long long v)
{
	if (!ok)
		failures++;
	log_info("blktest: %s %s %s (%s %lld)", what, dev, ok ? "ok" : "FAIL", fmt_detail, v);
}

static uint64_t pattern_word(char tag, uint64_t byte_off)
{
	return (uint64_t)(uint8_t)tag << 56 | (byte_off / 512) << 8 | (byte_off % 512) / 8;
}

static void fill(void *buf, size_t len, char tag, uint64_t disk_off)
{
	uint64_t *w = buf;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern_word(tag, disk_off + i * 8);
}

/* Returns the byte offset of the first mismatch, or -1. */
static long long check(const void *buf, size_t len, char tag, uint64_t disk_off)
{
	const uint64_t *w = buf;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(tag, disk_off + i * 8))
			return (long long)(disk_off + i * 8);
	return -1;
}

static unsigned disk_index(struct blockdev *bd)
{
	return (unsigned)(bd->name[2] - 'a');
}

/* Every whole disk holds its pattern; read in uneven pieces so that
 * requests of many sizes and buffer offsets go to the device. */
static void test_read(uint8_t *buf, uint64_t first512, uint64_t tail512)
{
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *bd = blockdev_get(i);
		char tag = (char)('A' + disk_index(bd));
		uint64_t lba = first512 * 512 / bd->sector_size;
		uint64_t end = bd->sectors - tail512 * 512 / bd->sector_size;
		long long bad = -1;
		int e = 0;
		unsigned piece = 1;

		if (bd->parent)
			continue;
		while (lba < end && bad < 0 && e == 0) {
			uint32_t n = piece;
			uint8_t *b = buf + (piece % 7) * 8;   /* not sector- or page-aligned */

			if (n > BLOCKDEV_MAX_TRANSFER / bd->sector_size)
				n = BLOCKDEV_MAX_TRANSFER / bd->sector_size;
			if (n > end - lba)
				n = (uint32_t)(end - lba);
			e = blockdev_read(bd, lba, n, b);
			if (e == 0)
				bad = check(b, (size_t)n * bd->sector_size, tag, lba * bd->sector_size);
			lba += n;
			piece = piece % 255 + 17;
		}
		if (e)
			result("read", bd->name, 0, "error", e);
		else
			result("read", bd->name, bad < 0, bad < 0 ? "sectors" : "mismatch at byte",
			       bad < 0 ? (long long)(end - first512 * 512 / bd->sector_size) : bad);
	}
}

/* Writes the 'W' pattern to vda at sectors WRITE_FIRST.., flushes, reads it
 * back; the runner checks the image after QEMU exits. */
static void test_write(uint8_t *buf)
{
	struct blockdev *bd = blockdev_find("vda");
	uint32_t ss, first, count, done = 0;
	int e = 0;

	if (!bd) {
		result("write", "vda", 0, "no disk", 0);
		return;
	}
	ss = bd->sector_size;
	first = WRITE_FIRST * 512 / ss;
	count = WRITE_COUNT * 512 / ss;
	while (done < count && e == 0) {
		uint32_t n = count - done < 37 ? count - done : 37;
		uint8_t *b = buf + 24;

		fill(b, (size_t)n * ss, 'W', (uint64_t)(first + done) * ss);
		e = blockdev_write(bd, first + done, n, b);
		done += n;
	}
	if (e == 0)
		e = blockdev_flush(bd);
	if (e) {
		result("write", bd->name, 0, "error", e);
		return;
	}
	memset(buf, 0, (size_t)count * ss);
	e = blockdev_read(bd, first, count, buf);
	long long bad = e ? 0 : check(buf, (size_t)count * ss, 'W', (uint64_t)first * ss);
	result("write", bd->name, e == 0 && bad < 0, e ? "error" : bad < 0 ? "sectors" : "mismatch at byte",
	       e ? e : bad < 0 ? (long long)count : bad);
}

/* More single-sector reads in flight than the ring has room for: the
 * driver must wait for room and complete every one of them. */
static void test_inflight(uint8_t *buf)
{
	enum { N = 200 };
	struct blockdev *bd = blockdev_find("vda");
	struct blockdev_req *reqs = kzalloc(N * sizeof(*reqs));
	int bad = 0, e = 0;

	if (!bd || !reqs) {
		result("inflight", "vda", 0, "no disk or memory", 0);
		kfree(reqs);
		return;
	}
	for (int i = 0; i < N && e == 0; i++) {
		reqs[i] = (struct blockdev_req){ .op = BLOCKDEV_READ, .lba = (uint64_t)(i * 7) % bd->sectors, .count = 1,
					    .buf = buf + (size_t)i * bd->sector_size };
		e = blockdev_submit(bd, &reqs[i]);
	}
	for (int i = 0; i < N && e == 0; i++) {
		e = blockdev_wait(&reqs[i]);
		if (e == 0 && check(reqs[i].buf, bd->sector_size, 'A', reqs[i].lba * bd->sector_size) >= 0)
			bad++;
	}
	result("inflight", bd->name, e == 0 && bad == 0, e ? "error" : "bad sectors", e ? e : bad);
	kfree(reqs);
}

/* The first read-only disk refuses writes but still reads. */
static void test_ro(uint8_t *buf)
{
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *bd = blockdev_get(i);
		struct blockdev_req r = { .op = BLOCKDEV_WRITE, .lba = 0, .count = 1, .buf = buf };
		int e1, e2, e3;

		if (!bd->read_only || bd->parent)
			continue;
		e1 = blockdev_write(bd, 0, 1, buf);
		e2 = blockdev_submit(bd, &r);
		e3 = blockdev_read(bd, 0, 1, buf);
		result("ro", bd->name, e1 == -EROFS && e2 == -EROFS && e3 == 0, "write error", e1);
		return;
	}
	result("ro", "-", 0, "no read-only disk", 0);
}

/* Out-of-range and misaligned requests fail before reaching the device,
 * and the disk keeps working. */
static void test_range(uint8_t *buf)
{
	struct blockdev *bd = blockdev_find("vda");
	struct blockdev_req big = { .op = BLOCKDEV_READ, .lba = 0, .count = BLOCKDEV_MAX_TRANSFER / 512 + 1, .buf = buf };
	unsigned long long irqs;
	int ok = 1;

	if (!bd) {
		result("range", "vda", 0, "no disk", 0);
		return;
	}
	irqs = virtio_blk_irq_count();
	ok &= blockdev_read(bd, bd->sectors, 1, buf) == -EINVAL;
	ok &= blockdev_read(bd, bd->sectors - 1, 2, buf) == -EINVAL;
	ok &= blockdev_read(bd, ~0ull, 1, buf) == -EINVAL;
	ok &= blockdev_read(bd, 0, 0, buf) == -EINVAL;
	ok &= blockdev_write(bd, bd->sectors, 1, buf) == -EINVAL;
	ok &= blockdev_read_at(bd, 100, bd->sector_size, buf) == -EINVAL;
	ok &= blockdev_read_at(bd, 0, 100, buf) == -EINVAL;
	ok &= blockdev_submit(bd, &big) == -EINVAL;
	ok &= virtio_blk_irq_count() == irqs;   /* nothing reached the device */
	result("range", bd->name, ok, "refused before the device", 1);
	ok = blockdev_read(bd, bd->sectors - 1, 1, buf) == 0 &&
	     check(buf, bd->sector_size, 'A', (bd->sectors - 1) * bd->sector_size) < 0;
	result("after-range", bd->name, ok, "last sector", (long long)(bd->sectors - 1));
}

/* vdc is attached through QEMU's blkdebug with a read error injected at
 * 512-byte sector 2040 (in the tail read-data leaves out): the device's
 * error is -EIO, and the disk goes on. */
static void test_ioerr(uint8_t *buf)
{
	struct blockdev *bd = blockdev_find("vdc");
	int e1, e2;

	if (!bd) {
		result("ioerr", "vdc", 0, "no disk", 0);
		return;
	}
	e1 = blockdev_read_at(bd, 2040 * 512, bd->sector_size, buf);
	e2 = blockdev_read(bd, 0, 1, buf);
	result("ioerr", bd->name, e1 == -EIO && e2 == 0 && check(buf, bd->sector_size, 'C', 0) < 0,
	       "error", e1);
}

/* Stopping a disk with a request in flight (what a request timeout does):
 * the request fails (or had completed), bus mastering is off so the device
 * can no longer write into the buffer it was given, and the disk refuses
 * further requests. Runs last on vdc, which it leaves dead. */
static void test_abort(uint8_t *buf)
{
	struct blockdev *bd = blockdev_find("vdc");
	struct pci_dev *p = bd ? virtio_blk_pci(bd) : 0;
	struct blockdev_req r = { .op = BLOCKDEV_READ, .lba = 0, .count = 1, .buf = buf };
	int e, again;
	bool dma;

	if (!bd || !p) {
		result("abort", "vdc", 0, "no virtio disk", 0);
		return;
	}
	e = blockdev_submit(bd, &r);
	bd->ops->abort(bd);
	if (e == 0)
		e = blockdev_wait(&r);
	dma = pci_dma_enabled(p);
	again = blockdev_read(bd, 0, 1, buf);
	if (dma)
		result("abort", bd->name, 0, "bus mastering still on, request", e);
	else
		result("abort", bd->name, (e == 0 || e == -EIO) && again == -EIO, "request then retry",
		       (long long)e * 100 + again);
}

/* Partitions map onto their disk: sector 0 of each is the disk's sector
 * at its start, and a partition refuses to reach beyond its end. */
static void test_parts(uint8_t *buf)
{
	int n = 0;

	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *p = blockdev_get(i);
		int e, ok;

		if (!p->parent)
			continue;
		n++;
		e = blockdev_read(p, 0, 1, buf);
		ok = e == 0 && blockdev_read(p->parent, p->start, 1, buf + 4096) == 0 &&
		     memcmp(buf, buf + 4096, p->sector_size) == 0 &&
		     blockdev_read(p, p->sectors, 1, buf) == -EINVAL;
		result("part", p->name, ok, "start", (long long)p->start);
	}
	log_info("blktest: %d partitions", n);
}

void blk_test_from_cmdline(void)
{
	const char *modes = cmdline_get(boot_cmdline(), "blktest");
	uint8_t *buf;

	if (!modes)
		return;
	buf = vmm_alloc(BUF_BYTES);   /* virtually contiguous only: exercises segment splitting */
	if (!buf) {
		log_err("blktest: no buffer");
		return;
	}
	failures = 0;
	if (cmdline_list_has(modes, "read"))
		test_read(buf, 0, 0);
	if (cmdline_list_has(modes, "read-data"))
		test_read(buf, WRITE_FIRST, 34);
	if (cmdline_list_has(modes, "inflight"))
		test_inflight(buf);
	if (cmdline_list_has(modes, "range"))
		test_range(buf);
	if (cmdline_list_has(modes, "ro"))
		test_ro(buf);
	if (cmdline_list_has(modes, "ioerr"))
		test_ioerr(buf);
	if (cmdline_list_has(modes, "parts"))
		test_parts(buf);
	if (cmdline_list_has(modes, "abort"))
		test_abort(buf);
	if (cmdline_list_has(modes, "write"))
		test_write(buf);
	vmm_free(buf);
	log_info("blktest: done, %d failed", failures);
}
