/* cosmfs benchmarks on the first virtio disk (vda), which they format:
 * mount time, sequential write + fsync and cold sequential read (MiB/s),
 * create + write 4 KiB + close + unlink, and 1,000 files created and
 * stat'ed (microseconds each). `make bench` attaches a scratch disk. */
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <fs/cosmfs/kmount.h>
#include <kernel/kbench.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define MB (1024u * 1024u)
#define SEQ_BYTES (64u * MB)
#define CHUNK (1u * MB)

static long copy_in(void *ctx, void *kbuf, size_t n)
{
	memcpy(kbuf, ctx, n);
	return (long)n;
}

static long copy_out(void *ctx, void *kbuf, size_t n)
{
	if (kbuf)
		memcpy(ctx, kbuf, n);
	return (long)n;
}

static struct cfs_time now(void)
{
	struct cfs_time t;

	cfs_env_time(&t.sec, &t.nsec);
	return t;
}

static uint64_t mib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? bytes * 1000000000ull / ns * 100 / MB : 0;   /* two decimals */
}

KBENCH(cosmfs)
{
	struct blockdev *bd = blockdev_find("vda");
	struct cfs_mkfs_opts o = { .time = 1700000000 };
	struct cosmfs_mount *m;
	struct cfs_inode root, dir, f;
	struct cfs_newinode ni = { .mode = CFS_S_IFREG | 0644 };
	uint8_t *buf = kmalloc(CHUNK);
	uint64_t t0, ns, commits;
	struct bcache_stats s0, s1;
	char name[16];
	int err;

	if (!bd || !buf || bd->read_only || bd->sectors * bd->sector_size < 4ull * SEQ_BYTES) {
		log_warn("kbench: cosmfs needs a writable scratch disk vda of 256 MiB or more");
		kfree(buf);
		return;
	}
	memset(buf, 0x5a, CHUNK);
	o.blocks = bd->sectors * bd->sector_size / CFS_BLOCK_SIZE;
	err = cosmfs_kmkfs(bd, &o);
	if (!err) {
		t0 = time_ns();
		err = cosmfs_kmount(bd, 0, &m);
		ns = time_ns() - t0;
	}
	if (err) {
		log_warn("kbench: cosmfs: cannot make or mount vda (error %d)", err);
		kfree(buf);
		return;
	}
	kbench_report("cosmfs_mount", ns / 1000, 0, "us");
	cosmfs_lock(m);
	err = cfs_iget(m->fs, CFS_ROOT_INO, &root);
	ni.now = now();
	if (!err)
		err = cfs_create(m->fs, &root, "seq", 3, &ni, NULL, 0, &f);
	/* sequential write, then fsync: the data and the commit on the disk */
	bcache_get_stats(&s0);
	commits = m->fs->j.commits;
	t0 = time_ns();
	for (uint64_t off = 0; !err && off < SEQ_BYTES; off += CHUNK)
		if (cfs_file_write(m->fs, &f, off, CHUNK, copy_in, buf, now()) != (long)CHUNK)
			err = -EIO;
	if (!err)
		err = cfs_sync(m->fs, false);
	ns = time_ns() - t0;
	cosmfs_unlock(m);
	if (!err) {
		uint64_t mib = SEQ_BYTES / MB;

		bcache_get_stats(&s1);
		kbench_report("cosmfs_seq_write_fsync", mib_per_s(SEQ_BYTES, ns), 2, "MiB/s");
		/* the profile per MiB written: blocks and requests to the
		 * device, cache flushes, journal commits (x100) */
		kbench_report("cosmfs_seq_write_blocks_per_mib", (s1.writes - s0.writes) * 100 / mib, 2, "blocks");
		kbench_report("cosmfs_seq_write_reqs_per_mib", (s1.write_reqs - s0.write_reqs) * 100 / mib, 2, "requests");
		kbench_report("cosmfs_seq_write_flushes_per_mib", (s1.flushes - s0.flushes) * 100 / mib, 2, "flushes");
		kbench_report("cosmfs_seq_write_commits_per_mib", (m->fs->j.commits - commits) * 100 / mib, 2, "commits");
	}
	/* cold read: unmounted and mounted again, so nothing is cached */
	if (!err)
		err = cosmfs_kumount(m);
	if (!err)
		err = cosmfs_kmount(bd, 0, &m);
	if (err) {
		log_warn("kbench: cosmfs: error %d", err);
		kfree(buf);
		return;
	}
	cosmfs_lock(m);
	err = cfs_iget(m->fs, CFS_ROOT_INO, &root);
	if (!err) {
		uint64_t ino;

		err = cfs_dir_lookup(m->fs, &root, "seq", 3, &ino, NULL);
		if (!err)
			err = cfs_iget(m->fs, ino, &f);
	}
	t0 = time_ns();
	for (uint64_t off = 0; !err && off < SEQ_BYTES; off += CHUNK)
		if (cfs_file_read(m->fs, &f, off, CHUNK, copy_out, buf) != (long)CHUNK)
			err = -EIO;
	ns = time_ns() - t0;
	if (!err)
		kbench_report("cosmfs_cold_seq_read", mib_per_s(SEQ_BYTES, ns), 2, "MiB/s");
	/* create + write 4 KiB + close + unlink */
	enum { ROUNDS = 500, FILES = 1000 };
	t0 = time_ns();
	for (int i = 0; i < ROUNDS && !err; i++) {
		ni.now = now();
		err = cfs_create(m->fs, &root, "tmp", 3, &ni, NULL, 0, &f);
		if (!err && cfs_file_write(m->fs, &f, 0, 4096, copy_in, buf, now()) != 4096)
			err = -EIO;
		if (!err)
			err = cfs_unlink(m->fs, &root, "tmp", 3, &f, now());
		if (!err)
			err = cfs_evict(m->fs, &f);
	}
	ns = time_ns() - t0;
	if (!err)
		kbench_report("cosmfs_create_write4k_unlink", ns / ROUNDS / 10, 2, "us");
	/* 1,000 files created, then stat'ed (looked up and read) */
	ni.mode = CFS_S_IFDIR | 0755;
	if (!err)
		err = cfs_create(m->fs, &root, "many", 4, &ni, NULL, 0, &dir);
	ni.mode = CFS_S_IFREG | 0644;
	t0 = time_ns();
	for (int i = 0; i < FILES && !err; i++) {
		int len = fmt_snprintf(name, sizeof(name), "file%d", i);

		err = cfs_create(m->fs, &dir, name, (size_t)len, &ni, NULL, 0, &f);
	}
	ns = time_ns() - t0;
	if (!err)
		kbench_report("cosmfs_create_1000", ns / FILES / 10, 2, "us");
	t0 = time_ns();
	for (int i = 0; i < FILES && !err; i++) {
		int len = fmt_snprintf(name, sizeof(name), "file%d", i);
		uint64_t ino;

		err = cfs_dir_lookup(m->fs, &dir, name, (size_t)len, &ino, NULL);
		if (!err)
			err = cfs_iget(m->fs, ino, &f);
	}
	ns = time_ns() - t0;
	if (!err)
		kbench_report("cosmfs_stat_1000", ns / FILES / 10, 2, "us");
	cosmfs_unlock(m);
	if (err)
		log_warn("kbench: cosmfs: error %d", err);
	cosmfs_kumount(m);
	kfree(buf);
}
