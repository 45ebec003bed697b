/* crashload DIR [OPS]: the workload of the crash-consistency test
 * (test/system/cosmfs_cases.py, case cosmfs_crash), a program changing a
 * cosmfs mounted at DIR whose disk QEMU records (blklogwrites): files
 * replaced by rename (their new content written and fsynced, or stored
 * through a shared mapping and msync'ed), removed, a file appended with
 * fsync, trees made and removed. It logs
 * what a program may rely on, each tied to the number of flushes the
 * device had finished when the call returned (cosmfs's ioctl
 * COSMFS_IOC_FLUSHES):
 *
 *   crash: ok PATH F SIZE HASH    from flush F on, PATH holds exactly this
 *   crash: ok PATH F absent       ... or does not exist
 *   crash: begin PATH F           an atomic change of PATH (rename, unlink)
 *                                 started with F flushes done: until the
 *                                 next "ok", either state may be seen
 *   crash: prefix PATH F SIZE HASH  PATH only grows: its first SIZE bytes
 *                                 are these from flush F on
 *
 * HASH is FNV-1a 64 of the bytes. The host replays the write log cut at
 * every flush and between flushes (test/system/crash_replay.py) and checks
 * all of it, and fsck, on every crash state. */
#define _GNU_SOURCE
#include <cosmos/abi/ioctl-cosmfs.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NFILES 24                  /* names f0..f23 the mix reuses */
#define MAXLEN (48u * 1024)
#define FNV0 0xcbf29ce484222325ull

static const char *root;
static int root_fd;
static uint8_t buf[64 * 1024];
static uint32_t seed = 12345;
static bool exists[NFILES];
static uint64_t big, big_hash = FNV0;

static _Noreturn void die(const char *what, const char *path)
{
	printf("crash: workload failed: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static unsigned long flushes(void)
{
	int n = ioctl(root_fd, COSMFS_IOC_FLUSHES);
	if (n < 0)
		die("ioctl COSMFS_IOC_FLUSHES", root);
	return (unsigned long)n;
}

/* A line of the log, out before the next call changes anything. */
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void fill(size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)rnd();
}

static void path_of(char *p, size_t size, const char *rel)
{
	if ((size_t)snprintf(p, size, "%s/%s", root, rel) >= size) {
		errno = ENAMETOOLONG;
		die("path", rel);
	}
}

/* Writes n bytes of buf at the end (append) or into a new file, then
 * fsyncs it. */
static void write_sync(const char *path, size_t n, bool append)
{
	int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
	if (fd < 0)
		die("open", path);
	if (write(fd, buf, n) != (ssize_t)n)
		die("write", path);
	if (fsync(fd))
		die("fsync", path);
	close(fd);
}

/* The same through a shared mapping: the file sized, the bytes stored
 * into the map, msync(MS_SYNC) the only thing that makes them durable. */
static void map_sync(const char *path, size_t n)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)n))
		die("open+ftruncate", path);
	char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap", path);
	close(fd);
	memcpy(m, buf, n);
	if (msync(m, n, MS_SYNC))
		die("msync", path);
	munmap(m, n);
}

static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsync(fd))
		die("fsync", path);
	close(fd);
}

/* A new content for fi, made whole in a temporary file (written, or
 * stored through a mapping) and renamed over. */
static void replace(unsigned i, bool mapped)
{
	char path[256], tmp[256], dir[256], rel[16];
	size_t n = rnd() % MAXLEN;

	snprintf(rel, sizeof rel, "d/f%u", i);
	path_of(path, sizeof path, rel);
	path_of(tmp, sizeof tmp, "tmp");
	path_of(dir, sizeof dir, "d");
	fill(n);
	if (mapped && n)
		map_sync(tmp, n);
	else
		write_sync(tmp, n, false);
	say("crash: begin %s %lu\n", path, flushes());
	if (rename(tmp, path))
		die("rename", path);
	sync_dir(dir);
	exists[i] = true;
	say("crash: ok %s %lu %zu %016llx\n", path, flushes(), n, (unsigned long long)fnv(FNV0, buf, n));
}

static void remove_file(unsigned i)
{
	char path[256], dir[256], rel[16];

	snprintf(rel, sizeof rel, "d/f%u", i);
	path_of(path, sizeof path, rel);
	path_of(dir, sizeof dir, "d");
	say("crash: begin %s %lu\n", path, flushes());
	if (unlink(path))
		die("unlink", path);
	sync_dir(dir);
	exists[i] = false;
	say("crash: ok %s %lu absent\n", path, flushes());
}

static void append(void)
{
	char path[256];
	size_t n = 1 + rnd() % (64u * 1024 - 1);

	if (n > MAXLEN)
		n = MAXLEN;
	path_of(path, sizeof path, "big");
	fill(n);
	write_sync(path, n, true);
	big += n;
	big_hash = fnv(big_hash, buf, n);
	say("crash: prefix %s %lu %llu %016llx\n", path, flushes(), (unsigned long long)big,
	    (unsigned long long)big_hash);
}

/* A tree made and removed with no fsync: only fsck judges it. */
static void tree(unsigned k)
{
	char path[256], rel[32];

	snprintf(rel, sizeof rel, "t%u", k);
	path_of(path, sizeof path, rel);
	if (mkdir(path, 0755))
		die("mkdir", path);
	for (unsigned i = 0; i < 12; i++) {
		snprintf(rel, sizeof rel, "t%u/n%u", k, i);
		path_of(path, sizeof path, rel);
		fill(3000);
		int fd = open(path, O_WRONLY | O_CREAT, 0600);
		if (fd < 0 || write(fd, buf, 100 + i * 250) < 0)
			die("write", path);
		close(fd);
	}
	if (!(k & 1))
		return;
	for (unsigned i = 0; i < 12; i++) {
		snprintf(rel, sizeof rel, "t%u/n%u", k, i);
		path_of(path, sizeof path, rel);
		if (unlink(path))
			die("unlink", path);
	}
	snprintf(rel, sizeof rel, "t%u", k);
	path_of(path, sizeof path, rel);
	if (rmdir(path))
		die("rmdir", path);
}

int main(int argc, char **argv)
{
	char dir[256];
	unsigned ops = argc > 2 ? (unsigned)atoi(argv[2]) : 120;

	if (argc < 2) {
		fprintf(stderr, "usage: crashload DIR [OPS]\n");
		return 2;
	}
	root = argv[1];
	root_fd = open(root, O_RDONLY | O_DIRECTORY);
	if (root_fd < 0)
		die("open", root);
	path_of(dir, sizeof dir, "d");
	if (mkdir(dir, 0755))
		die("mkdir", dir);
	sync_dir(root);
	for (unsigned op = 0; op < ops; op++) {
		unsigned what = rnd() % 10, i = rnd() % NFILES;

		if (what < 5)
			replace(i, what == 4);
		else if (what < 7)
			exists[i] ? remove_file(i) : replace(i, false);
		else if (what < 9)
			append();
		else
			tree(op);
	}
	say("crash: done\n");
	return 0;
}
