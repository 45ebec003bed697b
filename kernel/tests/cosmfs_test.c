/* In-kernel tests of cosmfs and the block cache on memory disks: the cache
 * (reads, write-back, forgetting, read-ahead), files written, unmounted,
 * mounted again and read back byte for byte, a 1 GiB sparse file, ENOSPC
 * with the file system intact afterwards, a bad checksum giving -EUCLEAN
 * and a read-only file system, and the flush thread committing. */
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <fs/bcache.h>
#include <fs/cosmfs/kmount.h>
#include <kernel/ktest.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/shrink.h>
#include <kernel/mm/vmm.h>
#include <kernel/time.h>
#include <lib/string.h>

#define MB (1024u * 1024u)

struct mem {
	uint8_t *p;
	size_t size;
};

static bool mem_make(struct mem *m, size_t size)
{
	m->size = size;
	m->p = vmm_alloc(size);
	if (m->p)
		memset(m->p, 0, size);
	return m->p != NULL;
}

static int mkfs_mem(struct mem *m)
{
	struct blockdev *bd = bcache_memdisk_create(m->p, m->size, false);
	struct cfs_mkfs_opts o = { .blocks = m->size / CFS_BLOCK_SIZE, .time = 1700000000 };
	int err;

	if (!bd)
		return -ENOMEM;
	err = cosmfs_kmkfs(bd, &o);
	bcache_memdisk_destroy(bd);
	return err;
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

struct kbuf {
	uint8_t *p;
};

static long copy_in(void *ctx, void *kbuf, size_t n)
{
	struct kbuf *b = ctx;

	memcpy(kbuf, b->p, n);
	b->p += n;
	return (long)n;
}

static long copy_out(void *ctx, void *kbuf, size_t n)
{
	struct kbuf *b = ctx;

	if (kbuf)
		memcpy(b->p, kbuf, n);
	else
		memset(b->p, 0, n);
	b->p += n;
	return (long)n;
}

static struct cfs_time now(void)
{
	struct cfs_time t;

	cfs_env_time(&t.sec, &t.nsec);
	return t;
}

/* The core calls below run under the file system's lock, as the VFS glue
 * makes them. */
static int create(struct cosmfs_mount *m, struct cfs_inode *dir, const char *name, uint32_t mode,
		  struct cfs_inode *ip)
{
	struct cfs_newinode ni = { .mode = mode, .now = now() };
	int err;

	cosmfs_lock(m);
	err = cfs_create(m->fs, dir, name, strlen(name), &ni, NULL, 0, ip);
	cosmfs_unlock(m);
	return err;
}

static long fwrite_at(struct cosmfs_mount *m, struct cfs_inode *ip, uint64_t off, const void *p, size_t n)
{
	struct kbuf b = { (uint8_t *)p };
	long r;

	cosmfs_lock(m);
	r = cfs_file_write(m->fs, ip, off, n, copy_in, &b, now());
	cosmfs_unlock(m);
	return r;
}

static long fread_at(struct cosmfs_mount *m, struct cfs_inode *ip, uint64_t off, void *p, size_t n)
{
	struct kbuf b = { p };
	long r;

	cosmfs_lock(m);
	r = cfs_file_read(m->fs, ip, off, n, copy_out, &b);
	cosmfs_unlock(m);
	return r;
}

static int lookup(struct cosmfs_mount *m, struct cfs_inode *dir, const char *name, struct cfs_inode *ip)
{
	uint64_t ino;
	int err;

	cosmfs_lock(m);
	err = cfs_dir_lookup(m->fs, dir, name, strlen(name), &ino, NULL);
	if (!err)
		err = cfs_iget(m->fs, ino, ip);
	cosmfs_unlock(m);
	return err;
}

static int root_of(struct cosmfs_mount *m, struct cfs_inode *root)
{
	int err;

	cosmfs_lock(m);
	err = cfs_iget(m->fs, CFS_ROOT_INO, root);
	cosmfs_unlock(m);
	return err;
}

KTEST(bcache_read_write_forget_readahead)
{
	struct mem m;
	struct blockdev *bd;
	struct bcache_dev *d;
	struct bcache_buf *b;
	struct bcache_stats s0, s1;

	KT_ASSERT(t, mem_make(&m, MB));
	pattern(m.p + 5 * 4096, 4096, 5);
	bd = bcache_memdisk_create(m.p, m.size, false);
	KT_ASSERT(t, bd != NULL);
	d = bcache_dev_create(bd);
	KT_ASSERT(t, d != NULL);
	KT_EXPECT_EQ(t, bcache_dev_blocks(d), 256);
	/* a read brings the block; a change reaches the disk at write-back */
	KT_ASSERT(t, bcache_get(d, 5, true, &b) == 0);
	KT_EXPECT(t, memcmp(b->data, m.p + 5 * 4096, 4096) == 0);
	b->data[10] ^= 0xff;
	bcache_dirty(b, false);
	KT_EXPECT(t, m.p[5 * 4096 + 10] != b->data[10]);
	bcache_put(b);
	KT_EXPECT_EQ(t, bcache_dirty_count(d), 1);
	KT_EXPECT_EQ(t, bcache_writeback(d, true), 0);        /* data only: not this one */
	KT_EXPECT_EQ(t, bcache_dirty_count(d), 1);
	KT_EXPECT_EQ(t, bcache_writeback(d, false), 1);
	KT_EXPECT_EQ(t, bcache_dirty_count(d), 0);
	{
		uint8_t want[4096];

		pattern(want, 4096, 5);
		want[10] ^= 0xff;
		KT_EXPECT(t, memcmp(m.p + 5 * 4096, want, 4096) == 0);
	}
	/* a pinned block stays home-less; a forgotten dirty block never goes */
	KT_ASSERT(t, bcache_get(d, 6, false, &b) == 0);
	memset(b->data, 0x66, 4096);
	bcache_pin(b);
	bcache_dirty(b, false);
	KT_EXPECT_EQ(t, bcache_writeback(d, false), 0);
	KT_EXPECT_EQ(t, m.p[6 * 4096], 0);
	bcache_unpin(b);
	bcache_put(b);
	bcache_forget(d, 6, 1);
	KT_EXPECT_EQ(t, bcache_writeback(d, false), 0);
	KT_EXPECT_EQ(t, m.p[6 * 4096], 0);
	/* read-ahead fills the cache: the reads that follow are hits */
	bcache_get_stats(&s0);
	bcache_readahead(d, 100, 64);
	for (uint64_t blk = 100; blk < 164; blk++) {
		KT_ASSERT(t, bcache_get(d, blk, true, &b) == 0);
		bcache_put(b);
	}
	bcache_get_stats(&s1);
	KT_EXPECT_EQ(t, s1.readahead - s0.readahead, 64);
	KT_EXPECT_EQ(t, s1.hits - s0.hits, 64);
	KT_EXPECT_EQ(t, bcache_get(d, 256, true, &b), -EIO);   /* past the end */
	bcache_dev_destroy(d);
	bcache_memdisk_destroy(bd);
	vmm_free(m.p);
}

/* Shrinking the cache (what memory pressure asks for) frees clean unused
 * blocks only: a held block and a dirty one stay, the dirty change still
 * reaches the disk, and a freed block is read again from the disk. */
KTEST(bcache_shrink_frees_only_clean_unused)
{
	struct mem m;
	struct blockdev *bd;
	struct bcache_dev *d;
	struct bcache_buf *held, *b;
	struct bcache_stats s0, s1;

	KT_ASSERT(t, mem_make(&m, MB));
	pattern(m.p + 7 * 4096, 4096, 7);
	bd = bcache_memdisk_create(m.p, m.size, false);
	KT_ASSERT(t, bd != NULL);
	d = bcache_dev_create(bd);
	KT_ASSERT(t, d != NULL);
	KT_ASSERT(t, bcache_get(d, 7, true, &b) == 0);       /* clean, unused after the put */
	bcache_put(b);
	KT_ASSERT(t, bcache_get(d, 8, false, &b) == 0);      /* dirty */
	memset(b->data, 0x88, 4096);
	bcache_dirty(b, false);
	bcache_put(b);
	KT_ASSERT(t, bcache_get(d, 9, false, &held) == 0);   /* held */
	memset(held->data, 0x99, 4096);
	bcache_get_stats(&s0);
	KT_EXPECT(t, bcache_shrink(~0ull) >= 1);
	bcache_get_stats(&s1);
	KT_EXPECT(t, s1.evictions > s0.evictions);
	KT_EXPECT_EQ(t, bcache_dirty_count(d), 1);
	bcache_put(held);
	/* the held block is still the cache's (a hit, its contents), the
	 * freed one comes back from the disk (a miss, the disk's bytes) */
	pattern(m.p + 7 * 4096, 4096, 70);
	KT_ASSERT(t, bcache_get(d, 9, true, &b) == 0);
	KT_EXPECT_EQ(t, b->data[0], 0x99);
	bcache_put(b);
	KT_ASSERT(t, bcache_get(d, 7, true, &b) == 0);
	KT_EXPECT(t, memcmp(b->data, m.p + 7 * 4096, 4096) == 0);
	bcache_put(b);
	bcache_get_stats(&s0);
	KT_EXPECT_EQ(t, s0.misses - s1.misses, 1);
	KT_EXPECT_EQ(t, bcache_writeback(d, false), 1);
	KT_EXPECT_EQ(t, m.p[8 * 4096], 0x88);
	bcache_dev_destroy(d);
	bcache_memdisk_destroy(bd);
	vmm_free(m.p);
}

/* Read-ahead over the ktest boot's virtio disk (vda, 2 MiB) keeps more
 * than one request in flight in the driver, and the blocks then read are
 * the disk's. How many are in flight at once also depends on how fast QEMU
 * answers: with 8 vCPUs on a small host the submitting vCPU can be held up
 * while each request completes. So a fresh cache tries up to READAHEAD_TRIES
 * times, and one try above one request shows the driver keeps several in
 * flight (a driver limited to one never gets there). */
#define READAHEAD_TRIES 20

/* One try on a fresh cache: the peak number of requests in flight while
 * read-ahead reads the whole disk (0 after a failure, already reported). */
static uint32_t readahead_peak(struct ktest_ctx *t, struct blockdev *bd, uint8_t *direct)
{
	struct bcache_dev *d = bcache_dev_create(bd);
	struct bcache_buf *b;
	uint64_t n;
	uint32_t peak = 0;

	if (!d) {
		ktest_fail(t, __FILE__, __LINE__, "no block cache for vda");
		return 0;
	}
	n = bcache_dev_blocks(d);
	if (n < 2 * 32) {
		ktest_fail(t, __FILE__, __LINE__, "vda has %llu blocks", (unsigned long long)n);
		goto out;
	}
	blockdev_take_inflight_peak(bd);     /* the count starts here */
	bcache_readahead(d, 0, (uint32_t)n);
	for (uint64_t blk = 0; blk < n; blk++) {
		if (bcache_get(d, blk, true, &b) != 0) {
			ktest_fail(t, __FILE__, __LINE__, "block %llu unreadable", (unsigned long long)blk);
			goto out;
		}
		if (blk == n - 1) {
			KT_EXPECT(t, bcache_read_direct(d, blk, direct) == 0);
			KT_EXPECT(t, memcmp(b->data, direct, 4096) == 0);
		}
		bcache_put(b);
	}
	peak = blockdev_take_inflight_peak(bd);
	log_info("bcache read-ahead: %llu blocks, at most %u requests in flight", (unsigned long long)n, peak);
out:
	bcache_dev_destroy(d);
	return peak;
}

KTEST(bcache_readahead_keeps_requests_in_flight)
{
	struct blockdev *bd = blockdev_find("vda");
	uint8_t *direct = kmalloc(4096);
	uint32_t peak = 0;

	KT_ASSERT(t, bd != NULL && direct != NULL);
	for (int i = 0; i < READAHEAD_TRIES && peak < 2 && !t->failures; i++)
		peak = readahead_peak(t, bd, direct);
	KT_EXPECT(t, peak >= 2);
	kfree(direct);
}

/* Memory pressure: a 16 MiB file read into the cache (clean blocks), then
 * every free frame taken until pmm_alloc fails. The cache's shrinker gives
 * most of the file's frames to the taker (without it the taker would stop
 * at the free count), and the file still reads back byte for byte. */
#define PRESSURE_FILE (16u * MB)

static bool pressure_read(struct cosmfs_mount *mnt, struct cfs_inode *f, uint8_t *want, uint8_t *got)
{
	for (unsigned i = 0; i < PRESSURE_FILE / MB; i++) {
		pattern(want, MB, 100 + i);
		if (fread_at(mnt, f, (uint64_t)i * MB, got, MB) != MB || memcmp(want, got, MB))
			return false;
	}
	return true;
}

KTEST(bcache_shrinks_under_memory_pressure)
{
	struct mem m;
	struct cosmfs_mount *mnt;
	struct cfs_inode root, f;
	struct bcache_stats s0, s1;
	uint8_t *want = kmalloc(MB), *got = kmalloc(MB);
	uint64_t free0, taken = 0, runs0, list = 0;

	KT_ASSERT(t, want && got && mem_make(&m, 24 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, create(mnt, &root, "big", CFS_S_IFREG | 0644, &f) == 0);
	for (unsigned i = 0; i < PRESSURE_FILE / MB; i++) {
		pattern(want, MB, 100 + i);
		KT_ASSERT(t, fwrite_at(mnt, &f, (uint64_t)i * MB, want, MB) == MB);
	}
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	/* read-only: no flush thread that could find the memory gone */
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, CFS_MNT_RDONLY, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, lookup(mnt, &root, "big", &f) == 0);
	KT_EXPECT(t, pressure_read(mnt, &f, want, got));
	bcache_get_stats(&s0);
	KT_EXPECT(t, s0.cached >= PRESSURE_FILE / 4096);
	free0 = pmm_free_pages();
	runs0 = shrink_runs();
	/* take every frame there is, chained through their first words */
	for (uint64_t pa; (pa = pmm_alloc(0)) != 0; taken++) {
		*(uint64_t *)PHYS_TO_VIRT(pa) = list;
		list = pa;
	}
	while (list) {
		uint64_t next = *(uint64_t *)PHYS_TO_VIRT(list);

		pmm_free(list, 0);
		list = next;
	}
	bcache_get_stats(&s1);
	log_info("bcache pressure: free %llu frames, cached %llu blocks; took %llu frames, cache left %llu",
	       (unsigned long long)free0, (unsigned long long)s0.cached, (unsigned long long)taken,
	       (unsigned long long)s1.cached);
	KT_EXPECT(t, shrink_runs() > runs0);
	/* at least three quarters of the file's blocks came back as frames */
	KT_EXPECT(t, taken >= free0 + PRESSURE_FILE / 4096 * 3 / 4);
	KT_EXPECT(t, s1.cached + PRESSURE_FILE / 4096 * 3 / 4 <= s0.cached);
	KT_EXPECT(t, pressure_read(mnt, &f, want, got));
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	vmm_free(m.p);
	kfree(want);
	kfree(got);
}

/* The mount of a clean file system waits for no device flush (its
 * not-clean superblock write is ordered by the first commit's flush) and
 * reads through the cache only the group table; the unmount, which marks
 * the disk clean, flushes once. */
KTEST(cosmfs_mount_flushes_nothing_unmount_once)
{
	struct mem m;
	struct cosmfs_mount *mnt;
	struct bcache_stats s0, s1, s2;
	uint32_t gdt_blocks;

	KT_ASSERT(t, mem_make(&m, 8 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	bcache_get_stats(&s0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	bcache_get_stats(&s1);
	gdt_blocks = mnt->fs->sb.gdt_blocks;
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	bcache_get_stats(&s2);
	KT_EXPECT_EQ(t, s1.flushes - s0.flushes, 0);
	KT_EXPECT_EQ(t, s1.reads - s0.reads, gdt_blocks);
	KT_EXPECT_EQ(t, s2.flushes - s1.flushes, 1);
	/* the not-clean write reached the disk: the mount count is 1 */
	KT_EXPECT_EQ(t, ((struct cfs_super *)m.p)->mount_count, 1);
	KT_EXPECT_EQ(t, ((struct cfs_super *)m.p)->state & CFS_STATE_CLEAN, CFS_STATE_CLEAN);
	vmm_free(m.p);
}

/* Files of awkward sizes, written, unmounted, mounted again, compared. */
KTEST(cosmfs_data_survives_remount)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 100000, MB + 123 };
	struct mem m;
	struct cosmfs_mount *mnt;
	struct cfs_inode root, dir, f;
	uint8_t *want = kmalloc(2 * MB), *got = kmalloc(2 * MB);
	char name[16];

	KT_ASSERT(t, want && got && mem_make(&m, 32 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, create(mnt, &root, "d", CFS_S_IFDIR | 0755, &dir) == 0);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		name[0] = 'f';
		name[1] = (char)('0' + i);
		name[2] = 0;
		pattern(want, sizes[i], i);
		KT_ASSERT(t, create(mnt, &dir, name, CFS_S_IFREG | 0644, &f) == 0);
		KT_EXPECT_EQ(t, fwrite_at(mnt, &f, 0, want, sizes[i]), sizes[i]);
	}
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	/* the disk is all there is now */
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, lookup(mnt, &root, "d", &dir) == 0);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		name[0] = 'f';
		name[1] = (char)('0' + i);
		name[2] = 0;
		pattern(want, sizes[i], i);
		KT_ASSERT(t, lookup(mnt, &dir, name, &f) == 0);
		KT_EXPECT_EQ(t, f.d.size, sizes[i]);
		KT_EXPECT_EQ(t, fread_at(mnt, &f, 0, got, 2 * MB), sizes[i]);
		KT_EXPECT(t, memcmp(want, got, sizes[i]) == 0);
	}
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	vmm_free(m.p);
	kfree(want);
	kfree(got);
}

KTEST(cosmfs_sparse_1g)
{
	const uint64_t G = 1ull << 30;
	struct mem m;
	struct cosmfs_mount *mnt;
	struct cfs_inode root, f;
	uint8_t a[64], b[4096];

	KT_ASSERT(t, mem_make(&m, 8 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, create(mnt, &root, "sparse", CFS_S_IFREG | 0644, &f) == 0);
	pattern(a, sizeof(a), 9);
	KT_EXPECT_EQ(t, fwrite_at(mnt, &f, G - sizeof(a), a, sizeof(a)), sizeof(a));
	KT_EXPECT_EQ(t, f.d.size, G);
	KT_EXPECT_EQ(t, f.d.blocks, 1);            /* one block of 262144 */
	KT_EXPECT_EQ(t, fread_at(mnt, &f, G / 2, b, sizeof(b)), sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i]) {
			KT_EXPECT_EQ(t, b[i], 0);
			break;
		}
	KT_EXPECT_EQ(t, fread_at(mnt, &f, G - sizeof(a), b, 100), sizeof(a));
	KT_EXPECT(t, memcmp(a, b, sizeof(a)) == 0);
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	vmm_free(m.p);
}

KTEST(cosmfs_enospc_leaves_it_intact)
{
	struct mem m;
	struct cosmfs_mount *mnt;
	struct cfs_inode root, f, keep;
	uint8_t *buf = kmalloc(MB), *got = kmalloc(8192);
	uint64_t total = 0;
	long n;
	int err = 0, files = 0;

	KT_ASSERT(t, buf && got && mem_make(&m, 8 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	pattern(buf, 8192, 1);
	KT_ASSERT(t, create(mnt, &root, "keep", CFS_S_IFREG | 0644, &keep) == 0);
	KT_EXPECT_EQ(t, fwrite_at(mnt, &keep, 0, buf, 8192), 8192);
	KT_ASSERT(t, create(mnt, &root, "fill", CFS_S_IFREG | 0644, &f) == 0);
	while ((n = fwrite_at(mnt, &f, total, buf, MB)) == (long)MB)
		total += MB;
	KT_EXPECT(t, n == -ENOSPC || (n >= 0 && n < (long)MB));
	KT_EXPECT_EQ(t, fwrite_at(mnt, &f, total + (n > 0 ? (uint64_t)n : 0), buf, 4096), -ENOSPC);
	while (!err && files < 10000) {
		struct cfs_inode x;
		char name[8] = { 'n', (char)('a' + files / 676), (char)('a' + files / 26 % 26),
				 (char)('a' + files % 26), 0 };

		err = create(mnt, &root, name, CFS_S_IFDIR | 0755, &x);
		files++;
	}
	KT_EXPECT_EQ(t, err, -ENOSPC);
	KT_EXPECT(t, !mnt->fs->rdonly);
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	/* mounted again: what was written is there, and space comes back */
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, lookup(mnt, &root, "keep", &keep) == 0);
	KT_EXPECT_EQ(t, fread_at(mnt, &keep, 0, got, 8192), 8192);
	KT_EXPECT(t, memcmp(got, buf, 8192) == 0);
	KT_ASSERT(t, lookup(mnt, &root, "fill", &f) == 0);
	cosmfs_lock(mnt);
	KT_EXPECT_EQ(t, cfs_truncate(mnt->fs, &f, 0), 0);
	cosmfs_unlock(mnt);
	KT_EXPECT_EQ(t, fwrite_at(mnt, &f, 0, buf, MB), MB);
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	vmm_free(m.p);
	kfree(buf);
	kfree(got);
}

static bool went_ro;

static void note_ro(struct cosmfs_mount *m)
{
	(void)m;
	went_ro = true;
}

KTEST(cosmfs_bad_checksum_euclean_readonly)
{
	struct mem m;
	struct cosmfs_mount *mnt;
	struct cfs_inode root, f;
	uint64_t blk, ino;
	uint32_t run;

	KT_ASSERT(t, mem_make(&m, 8 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, create(mnt, &root, "a", CFS_S_IFREG | 0644, &f) == 0);
	cosmfs_lock(mnt);
	KT_EXPECT_EQ(t, cfs_bmap(mnt->fs, &root, 0, &blk, &run), 0);
	cosmfs_unlock(mnt);
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	m.p[blk * CFS_BLOCK_SIZE + 100] ^= 1;       /* the root directory's block */
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	went_ro = false;
	mnt->went_rdonly = note_ro;
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	cosmfs_lock(mnt);
	KT_EXPECT_EQ(t, cfs_dir_lookup(mnt->fs, &root, "a", 1, &ino, NULL), -EUCLEAN);
	KT_EXPECT(t, mnt->fs->rdonly);
	KT_EXPECT_EQ(t, cfs_write_inode(mnt->fs, &root), -EROFS);
	cosmfs_unlock(mnt);
	KT_EXPECT(t, went_ro);
	cosmfs_kumount(mnt);
	/* recorded on the disk, and the bad block left as it was */
	KT_EXPECT(t, ((struct cfs_super *)m.p)->state & CFS_STATE_ERRORS);
	KT_EXPECT_EQ(t, ((struct cfs_super *)m.p)->last_error_block, blk);
	vmm_free(m.p);
}

KTEST(cosmfs_flush_thread_commits)
{
	struct mem m;
	struct cosmfs_mount *mnt;
	struct cfs_inode root, f;
	uint64_t commits, rounds, deadline;

	KT_ASSERT(t, mem_make(&m, 8 * MB));
	KT_ASSERT(t, mkfs_mem(&m) == 0);
	KT_ASSERT(t, cosmfs_kmount_mem(m.p, m.size, 0, &mnt) == 0);
	KT_ASSERT(t, root_of(mnt, &root) == 0);
	KT_ASSERT(t, create(mnt, &root, "a", CFS_S_IFREG | 0644, &f) == 0);
	commits = mnt->fs->j.commits;
	rounds = __atomic_load_n(&mnt->flushes, __ATOMIC_ACQUIRE);
	KT_EXPECT(t, mnt->fs->j.nbufs > 0);
	cosmfs_kick(mnt);
	deadline = time_ns() + 3000000000ull;
	while (__atomic_load_n(&mnt->flushes, __ATOMIC_ACQUIRE) == rounds && time_ns() < deadline)
		thread_yield();
	KT_EXPECT(t, __atomic_load_n(&mnt->flushes, __ATOMIC_ACQUIRE) > rounds);
	KT_EXPECT(t, mnt->fs->j.commits > commits);
	KT_EXPECT_EQ(t, mnt->fs->j.nbufs, 0);
	KT_EXPECT_EQ(t, cosmfs_kumount(mnt), 0);
	vmm_free(m.p);
}
