/* Write-back on cosmfs, seen from outside: a write left without fsync is
 * on the disk within the flush thread's 5 s (/proc/meminfo's Dirty, the
 * block cache's changes a power cut would lose, falls back), sync and
 * fsync write at once, and the write-back of a large file keeps several
 * requests in flight on the disk (/sys/block/<disk>/inflight_peak). On
 * another file system (the tmpfs the usertests boot runs in) there is
 * no disk and the cases only say so; the system case cosmfs_usertests
 * runs them on cosmfs. */
#include "tests.h"
#include <sys/statfs.h>

#define COSMFS_MAGIC 0x4d534f43
#define FLUSH_S 5            /* the flush thread's period (fs/cosmfs/kmount.h) */
#define BIG (256 * 1024)

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static bool on_cosmfs(const char *name)
{
	struct statfs sf;
	CHECK_OK(statfs(".", &sf));
	if (sf.f_type == COSMFS_MAGIC)
		return true;
	printf("# %s: not on cosmfs, no disk to check\n", name);
	return false;
}

static long meminfo_kib(const char *field)
{
	static char text[8192];
	read_text("/proc/meminfo", text, sizeof text);
	const char *p = strstr(text, field);
	if (!p)
		UT_FAIL("no %s in /proc/meminfo", field);
	return atol(p + strlen(field));
}

static void write_big(const char *path, int seed)
{
	static char data[BIG];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 31 + (size_t)seed);
	int fd = CHECK_OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(write(fd, data, sizeof data), (ssize_t)sizeof data);
	CHECK_OK(close(fd));
}

/* Writes BIG bytes without fsync until Dirty shows them (the flush thread
 * may run between the write and the look: then once more). */
static void write_dirty(const char *path)
{
	for (int i = 0;; i++) {
		write_big(path, i);
		if (meminfo_kib("Dirty:") >= BIG / 1024)
			return;
		if (i == 3)
			UT_FAIL("Dirty stays under %d kB after writes of %d kB", BIG / 1024, BIG / 1024);
	}
}

TEST(fs_writeback_timer_reaches_disk)
{
	if (!on_cosmfs("fs_writeback_timer_reaches_disk"))
		return;
	write_dirty("f");
	long long t0 = now_ns(), waited;
	long dirty;
	/* polled until it falls, for at most the period and 3 s more */
	while ((dirty = meminfo_kib("Dirty:")) >= BIG / 1024) {
		waited = now_ns() - t0;
		if (waited > (FLUSH_S + 3) * 1000000000LL)
			UT_FAIL("Dirty still %ld kB %lld ms after a write", dirty, waited / 1000000);
		usleep(20000);
	}
	printf("# fs_writeback_timer_reaches_disk: on the disk %lld ms after the write\n",
	       (now_ns() - t0) / 1000000);
	CHECK_OK(unlink("f"));
}

TEST(fs_writeback_sync_and_fsync_write_at_once)
{
	if (!on_cosmfs("fs_writeback_sync_and_fsync_write_at_once"))
		return;
	write_dirty("f");
	sync();
	CHECK(meminfo_kib("Dirty:") < BIG / 1024);
	write_dirty("f");
	int fd = CHECK_OK(open("f", O_RDONLY));
	CHECK_OK(fsync(fd));
	CHECK_OK(close(fd));
	CHECK(meminfo_kib("Dirty:") < BIG / 1024);
	CHECK_OK(unlink("f"));
}

/* The most requests any disk held at once since the last call (reading
 * a disk's inflight_peak starts its count again). The root mounted at
 * boot names no device in /proc/mounts, so every disk is asked. */
static long inflight_peak(void)
{
	long peak = 0;
	DIR *dp = CHECK_OK(opendir("/sys/block"));
	struct dirent *e;
	while ((e = readdir(dp))) {
		char path[300], text[32];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/block/%s/inflight_peak", e->d_name);
		long n = atol(read_text(path, text, sizeof text));
		if (n > peak)
			peak = n;
	}
	CHECK_OK(closedir(dp));
	return peak;
}

TEST(fs_writeback_keeps_requests_in_flight)
{
	if (!on_cosmfs("fs_writeback_keeps_requests_in_flight"))
		return;
	/* 4 MiB in one file: its write-back is 32 requests of 128 KiB (if
	 * the flush thread wrote it before the fsync, once more) */
	static char data[1 << 20];
	memset(data, 'w', sizeof data);
	int fd = CHECK_OK(open("f", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	long peak = 0;
	for (int round = 0; round < 3 && peak < 2; round++) {
		CHECK_OK(lseek(fd, 0, SEEK_SET));
		for (int i = 0; i < 4; i++)
			CHECK_EQ(write(fd, data, sizeof data), (ssize_t)sizeof data);
		inflight_peak();   /* the counts start here */
		CHECK_OK(fsync(fd));
		peak = inflight_peak();
	}
	printf("# fs_writeback_keeps_requests_in_flight: at most %ld requests in flight\n", peak);
	CHECK(peak >= 2);
	CHECK_OK(close(fd));
	CHECK_OK(unlink("f"));
}
