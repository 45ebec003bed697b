/* Host tests of the cosmfs tools as built (build/tools/mkfs.cosmfs,
 * fsck.cosmfs, cosmfs): each run as a program on image files in a
 * directory of its own, its exit status and output checked, and what it
 * made or changed read back through the format code. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include "cosmfs_test.h"
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char tools[PATH_MAX];       /* build/tools, from where this binary is */
static char work[PATH_MAX];        /* this test's directory under /tmp */

/* A path inside the work directory (a static buffer of four in turn). */
static const char *wpath(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 4];

	assert_true(snprintf(b, PATH_MAX, "%s/%s", work, name) < PATH_MAX);
	return b;
}

/* Runs tools/PROG with args (NULL-ended), stdin from in (or /dev/null);
 * its stdout in *out (malloc'ed, NUL-ended) when out is given. The exit
 * status, or -1 when it did not exit. */
static int run(char **out, const char *in, const char *prog, ...)
{
	char path[PATH_MAX], *argv[16];
	int outp[2], inp[2], status, argc = 0;
	va_list ap;
	pid_t pid;

	assert_true(snprintf(path, sizeof(path), "%s/%s", tools, prog) < (int)sizeof(path));
	argv[argc++] = path;
	va_start(ap, prog);
	while ((argv[argc] = va_arg(ap, char *)) && argc < 15)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	assert_int_equal(pipe(outp), 0);
	assert_int_equal(pipe(inp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(inp[0], 0);
		dup2(outp[1], 1);
		close(inp[1]);
		close(outp[0]);
		execv(path, argv);
		_exit(127);
	}
	close(inp[0]);
	close(outp[1]);
	if (in)
		assert_int_equal(write(inp[1], in, strlen(in)), (ssize_t)strlen(in));
	close(inp[1]);
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	assert_non_null(buf);
	while ((n = read(outp[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	buf[len] = 0;
	close(outp[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void host_file(const char *name, const void *data, size_t n, mode_t mode)
{
	int fd = open(wpath(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);   /* past the umask */
	close(fd);
}

/* ---- mounting a tool's image in this process ---- */

struct mounted {
	struct host_dev *dev;
	struct cfs_fs *fs;
};

static void open_image(struct mounted *m, const char *image)
{
	m->dev = host_dev_open(image, true, false, 0);
	assert_non_null(m->dev);
	assert_int_equal(cfs_mount(m->dev, NULL, CFS_MNT_RDONLY, &m->fs), 0);
}

static void close_image(struct mounted *m)
{
	assert_int_equal(cfs_unmount(m->fs), 0);
	assert_int_equal(host_dev_close(m->dev), 0);
}

/* The inode at path, which must be there. */
static struct cfs_inode at(struct mounted *m, const char *path)
{
	struct cfs_inode ip;
	int err = t_lookup(m->fs, path, &ip);

	if (err)
		fail_msg("%s: %d", path, err);
	return ip;
}

/* Type, mode bits, owner, size and mtime as the host's lstat of hpath. */
static void same_attrs(struct mounted *m, const char *path, const char *hpath)
{
	struct cfs_inode ip = at(m, path);
	struct stat st;

	assert_int_equal(lstat(hpath, &st), 0);
	if (ip.d.mode != (st.st_mode & (S_IFMT | 07777)))
		fail_msg("%s: mode %o, on the host %o", path, ip.d.mode, st.st_mode);
	assert_int_equal(ip.d.uid, st.st_uid);
	assert_int_equal(ip.d.gid, st.st_gid);
	if (!S_ISDIR(st.st_mode))
		assert_int_equal(ip.d.size, st.st_size);
	if (ip.d.mtime != st.st_mtim.tv_sec || ip.d.mtime_ns != (uint32_t)st.st_mtim.tv_nsec)
		fail_msg("%s: mtime %lld.%09u, on the host %lld.%09ld", path, (long long)ip.d.mtime,
			 ip.d.mtime_ns, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void set_mtime(const char *hpath, time_t sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

	assert_int_equal(utimensat(AT_FDCWD, hpath, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* The whole file at path compared with want. */
static void content_is(struct mounted *m, const char *path, const void *want, size_t n)
{
	struct cfs_inode ip = at(m, path);
	uint8_t *got = malloc(n + 1);

	assert_non_null(got);
	assert_int_equal(ip.d.size, n);
	assert_int_equal(t_read(m->fs, &ip, 0, got, n), (long)n);
	assert_memory_equal(got, want, n);
	free(got);
}

/* ---- mkfs.cosmfs -d ---- */

#define SPARSE_SIZE (3u << 20)

/* mkfs -d DIR: files (with a hole inside and one at the end), nested
 * directories, a symlink, a hard link, a FIFO, a socket, set-id and odd
 * modes, nanosecond times; as root also other owners and a device node.
 * Each is compared with the host's lstat, and the image is clean. */
static void test_mkfs_from_directory(void **state)
{
	static const char hello[] = "hello, cosmfs\n";
	static uint8_t tail[4096];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool root = geteuid() == 0;
	struct mounted m;
	char *out;
	int fd, s;

	(void)state;
	assert_int_equal(mkdir(wpath("src"), 0711), 0);
	assert_int_equal(chmod(wpath("src"), 0711), 0);
	host_file("src/hello.txt", hello, sizeof(hello) - 1, 0640);
	memset(tail, 'x', sizeof(tail));
	fd = open(wpath("src/sparse.bin"), O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, tail, sizeof(tail), 1 << 20), (ssize_t)sizeof(tail));
	assert_int_equal(ftruncate(fd, SPARSE_SIZE), 0);
	close(fd);
	assert_int_equal(mkdir(wpath("src/sub"), 0750), 0);
	assert_int_equal(chmod(wpath("src/sub"), 0750), 0);
	assert_int_equal(mkdir(wpath("src/sub/deep"), 0700), 0);
	host_file("src/sub/deep/file", "deep", 4, 04755);
	assert_int_equal(symlink("../hello.txt", wpath("src/sub/link")), 0);
	assert_int_equal(link(wpath("src/hello.txt"), wpath("src/sub/hard")), 0);
	assert_int_equal(mkfifo(wpath("src/fifo"), 0620), 0);
	assert_int_equal(chmod(wpath("src/fifo"), 0620), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", wpath("src/sock"));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	if (root) {
		assert_int_equal(chown(wpath("src/hello.txt"), 1234, 5678), 0);
		assert_int_equal(lchown(wpath("src/sub/link"), 42, 43), 0);
		assert_int_equal(mknod(wpath("src/null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	}
	set_mtime(wpath("src/hello.txt"), 1600000000, 123456789);
	set_mtime(wpath("src/sub/link"), 1500000000, 987654321);
	set_mtime(wpath("src/sub/deep"), 1400000000, 5);
	set_mtime(wpath("src/sub"), 1300000000, 7);

	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("img"), "16M", "-L", "fromdir", "-d", wpath("src"),
			     NULL), 0);
	if (!strstr(out, root ? "3 files (3145746 bytes), 2 directories, 4 other, 1 hard links from"
			      : "3 files (3145746 bytes), 2 directories, 3 other, 1 hard links from"))
		fail_msg("mkfs said: %s", out);
	free(out);
	assert_int_equal(run(&out, NULL, "fsck.cosmfs", "-n", wpath("img"), NULL), 0);
	free(out);

	open_image(&m, wpath("img"));
	assert_string_equal(m.fs->sb.label, "fromdir");
	same_attrs(&m, "/", wpath("src"));
	same_attrs(&m, "/hello.txt", wpath("src/hello.txt"));
	content_is(&m, "/hello.txt", hello, sizeof(hello) - 1);
	same_attrs(&m, "/sub", wpath("src/sub"));
	same_attrs(&m, "/sub/deep", wpath("src/sub/deep"));
	same_attrs(&m, "/sub/deep/file", wpath("src/sub/deep/file"));
	content_is(&m, "/sub/deep/file", "deep", 4);
	same_attrs(&m, "/fifo", wpath("src/fifo"));
	same_attrs(&m, "/sock", wpath("src/sock"));

	/* holes stay holes: one block of data in 3 MiB */
	same_attrs(&m, "/sparse.bin", wpath("src/sparse.bin"));
	{
		uint8_t *want = calloc(1, SPARSE_SIZE);
		struct cfs_inode ip = at(&m, "/sparse.bin");

		assert_non_null(want);
		memcpy(want + (1 << 20), tail, sizeof(tail));
		content_is(&m, "/sparse.bin", want, SPARSE_SIZE);
		assert_true(ip.d.blocks >= 1 && ip.d.blocks <= 2);
		free(want);
	}
	{
		char target[64];
		struct cfs_inode ip = at(&m, "/sub/link");

		same_attrs(&m, "/sub/link", wpath("src/sub/link"));
		assert_int_equal(cfs_readlink(m.fs, &ip, target, sizeof(target)), 12);
		assert_memory_equal(target, "../hello.txt", 12);
	}
	{
		struct cfs_inode a = at(&m, "/hello.txt"), b = at(&m, "/sub/hard");

		assert_int_equal(a.ino, b.ino);
		assert_int_equal(a.d.nlink, 2);
		/* directories: 2 + subdirectories */
		assert_int_equal(at(&m, "/").d.nlink, 3);
		assert_int_equal(at(&m, "/sub").d.nlink, 3);
	}
	if (root) {
		struct cfs_inode ip = at(&m, "/null");

		same_attrs(&m, "/null", wpath("src/null"));
		assert_int_equal(ip.d.rdev, 1u << 20 | 3);
	}
	close_image(&m);
}

/* A directory mkfs cannot copy (a symlink to it stands for a missing
 * one) fails with a message and status 1. */
static void test_mkfs_from_missing_directory(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("img"), "8M", "-d", wpath("nothing"), NULL), 1);
	free(out);
}

/* ---- mkfs.cosmfs options ---- */

static void df_of(const char *image, char **out)
{
	assert_int_equal(run(out, NULL, "cosmfs", image, "df", NULL), 0);
}

static unsigned long long df_field(const char *df, const char *after)
{
	const char *p = strstr(df, after);

	if (!p)
		fail_msg("no '%s' in: %s", after, df);
	return strtoull(p + strlen(after), NULL, 10);
}

/* SIZE, -L, -i and -J shape the image; bad ones are refused with 1. */
static void test_mkfs_options(void **state)
{
	char *df, *out;
	struct mounted m;

	(void)state;
	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("a"), "32M", "-L", "first", NULL), 0);
	free(out);
	df_of(wpath("a"), &df);
	if (!strstr(df, "label 'first', 8192 blocks of 4 KiB"))
		fail_msg("df: %s", df);
	unsigned long long inodes = df_field(df, "; ");
	free(df);
	struct stat st;
	assert_int_equal(stat(wpath("a"), &st), 0);
	assert_int_equal(st.st_size, 32 << 20);

	/* one inode per 4 KiB: more inodes than the default */
	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("b"), "32M", "-i", "4096", NULL), 0);
	free(out);
	df_of(wpath("b"), &df);
	unsigned long long many = df_field(df, "; ");
	free(df);
	if (many <= inodes || many < 8000)
		fail_msg("-i 4096: %llu inodes, the default %llu", many, inodes);

	/* -J: the journal's size in blocks */
	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("c"), "32M", "-J", "300", NULL), 0);
	free(out);
	open_image(&m, wpath("c"));
	assert_int_equal(m.fs->sb.journal_blocks, 300);
	close_image(&m);

	/* without SIZE: the file's own size, here an existing 16 MiB */
	assert_int_equal(truncate(wpath("a"), 16 << 20), 0);
	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("a"), NULL), 0);
	free(out);
	df_of(wpath("a"), &df);
	if (!strstr(df, "label '', 4096 blocks of 4 KiB"))
		fail_msg("df: %s", df);
	free(df);

	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", wpath("d"), "12Q", NULL), 1);
	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", wpath("d"), "64K", NULL), 1);
	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", wpath("d"), "8M", "-L",
			     "a label of more than thirty-two bytes", NULL), 1);
	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", wpath("d"), "8M", "-d", work, "-c", wpath("x"), NULL), 1);
	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", NULL), 1);
}

/* ---- mkfs.cosmfs -c: a cpio newc archive ---- */

static void cpio_add(FILE *f, const char *name, unsigned mode, unsigned ino, unsigned nlink, unsigned mtime,
		     const void *data, size_t n)
{
	static const char pad[4];
	size_t nl = strlen(name) + 1;

	fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino, mode, 7u, 8u, nlink,
		mtime, n, 0u, 0u, 0u, 0u, nl, 0u);
	fwrite(name, 1, nl, f);
	fwrite(pad, 1, (4 - (110 + nl) % 4) % 4, f);
	if (n)
		fwrite(data, 1, n, f);
	fwrite(pad, 1, (4 - n % 4) % 4, f);
}

/* A directory, a file and a hard link to it, a symlink, a file in a
 * directory the archive never names; owners and times as in the archive. */
static void test_mkfs_from_cpio(void **state)
{
	FILE *f = fopen(wpath("a.cpio"), "wb");
	struct mounted m;
	char *out, target[16];

	(void)state;
	assert_non_null(f);
	cpio_add(f, ".", 040755, 1, 2, 1000, NULL, 0);
	cpio_add(f, "etc", 040700, 2, 2, 1001, NULL, 0);
	cpio_add(f, "etc/motd", 0100644, 3, 2, 1002, "hi\n", 3);
	cpio_add(f, "etc/motd2", 0100644, 3, 2, 1002, "", 0);
	cpio_add(f, "ln", 0120777, 4, 1, 1003, "etc/motd", 8);
	cpio_add(f, "new/dir/file", 0100600, 5, 1, 1004, "abcde", 5);
	cpio_add(f, "TRAILER!!!", 0, 0, 1, 0, NULL, 0);
	fclose(f);
	assert_int_equal(run(&out, NULL, "mkfs.cosmfs", wpath("img"), "8M", "-c", wpath("a.cpio"), NULL), 0);
	if (!strstr(out, "2 files (8 bytes), 3 directories, 1 other, 1 hard links"))
		fail_msg("mkfs said: %s", out);
	free(out);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", wpath("img"), NULL), 0);
	open_image(&m, wpath("img"));
	struct cfs_inode etc = at(&m, "/etc"), motd = at(&m, "/etc/motd"), ln = at(&m, "/ln");
	assert_int_equal(etc.d.mode, CFS_S_IFDIR | 0700);
	assert_int_equal(etc.d.mtime, 1001);
	assert_int_equal(motd.d.uid, 7);
	assert_int_equal(motd.d.gid, 8);
	assert_int_equal(motd.d.nlink, 2);
	assert_int_equal(motd.d.mtime, 1002);
	assert_int_equal(at(&m, "/etc/motd2").ino, motd.ino);
	content_is(&m, "/etc/motd", "hi\n", 3);
	assert_int_equal(cfs_readlink(m.fs, &ln, target, sizeof(target)), 8);
	assert_memory_equal(target, "etc/motd", 8);
	assert_int_equal(at(&m, "/new/dir").d.mode, CFS_S_IFDIR | 0755);
	content_is(&m, "/new/dir/file", "abcde", 5);
	close_image(&m);
}

/* ---- the cosmfs image tool ---- */

static uint64_t fnv(const void *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 0x100000001b3ull;
	return h;
}

static void has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("'%s' not in:\n%s", want, out);
}

/* The line of ls output for name starts with start. */
static void line_is(const char *out, const char *name, const char *start)
{
	char end[64];

	snprintf(end, sizeof(end), " %s\n", name);
	for (const char *l = out; *l; l = strchr(l, '\n') + 1) {
		const char *nl = strchr(l, '\n');

		assert_non_null(nl);
		if ((size_t)(nl - l) >= strlen(end) - 1 && !strncmp(nl + 1 - strlen(end), end, strlen(end))) {
			if (strncmp(l, start, strlen(start)))
				fail_msg("ls: '%.*s', wanted '%s...'", (int)(nl - l), l, start);
			return;
		}
	}
	fail_msg("ls: no %s in:\n%s", name, out);
}

/* Every command, its output and its effect; errors give status 1, wrong
 * use 2; the image is clean after all of it. */
static void test_image_commands(void **state)
{
	static const char text[] = "some text for the image\n";
	char *out, line[128];
	struct mounted m;

	(void)state;
	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", wpath("img"), "8M", "-L", "tools", NULL), 0);
	df_of(wpath("img"), &out);
	unsigned long long used0 = df_field(out, "inodes: ");
	free(out);
	host_file("t.txt", text, sizeof(text) - 1, 0600);

	/* put: a new file keeps the host file's mode; over one, replaced */
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "mkdir", "/d", NULL), 0);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "put", wpath("t.txt"), "/d/t", NULL), 0);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "put", wpath("t.txt"), "/a", NULL), 0);
	host_file("short", "short", 5, 0644);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "put", wpath("short"), "/a", NULL), 0);

	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "ls", "/", NULL), 0);
	line_is(out, "a", "-0600     1     0     0            5 ");
	line_is(out, "d", "d0755     2     0     0 ");
	free(out);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "ls", "/d/t", NULL), 0);
	snprintf(line, sizeof(line), " %12zu ", sizeof(text) - 1);
	has(out, line);
	assert_true(!strncmp(out, "-0600 ", 6));
	free(out);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "cat", "/d/t", NULL), 0);
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "cat", "/a", NULL), 0);
	assert_string_equal(out, "short");
	free(out);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "get", "/d/t", wpath("got"), NULL), 0);
	{
		char buf[64] = { 0 };
		int fd = open(wpath("got"), O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(text) - 1);
		assert_string_equal(buf, text);
		close(fd);
	}
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "stat", "/d/t", NULL), 0);
	snprintf(line, sizeof(line), "type - mode 0600 links 1 uid 0 gid 0 size %zu ", sizeof(text) - 1);
	has(out, line);
	has(out, "mtime ");
	free(out);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "stat", "/d", NULL), 0);
	has(out, "type d mode 0755 links 2 ");
	has(out, "entries 1 parent 1\n");
	free(out);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "sum", "/d/t", "4", NULL), 0);
	snprintf(line, sizeof(line), "%zu %016llx\n", sizeof(text) - 1, (unsigned long long)fnv(text, 4));
	assert_string_equal(out, line);
	free(out);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "sums", "/d", NULL), 0);
	snprintf(line, sizeof(line), "t %zu %016llx\n", sizeof(text) - 1,
		 (unsigned long long)fnv(text, sizeof(text) - 1));
	assert_string_equal(out, line);
	free(out);
	df_of(wpath("img"), &out);
	has(out, "label 'tools', 2048 blocks of 4 KiB");
	assert_int_equal(df_field(out, "inodes: "), used0 + 3);
	free(out);

	/* read-only commands from stdin, each ended by its status */
	assert_int_equal(run(&out, "cat /a\nstat /nothing\nrm /a\nls /d\n", "cosmfs", wpath("img"), "-", NULL), 0);
	if (strncmp(out, "short-- 0\n-- 1\n-- 2\n-", 21) || !strstr(out, " t\n-- 0\n"))
		fail_msg("batch: %s", out);
	free(out);

	/* errors: 1 for what is not there or not possible, 2 for wrong use */
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "cat", "/nothing", NULL), 1);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "cat", "/d", NULL), 1);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "mkdir", "/d", NULL), 1);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "mkdir", "/x/y", NULL), 1);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "rm", "/d", NULL), 1);   /* not empty */
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "put", wpath("none"), "/n", NULL), 1);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "frobnicate", "/a", NULL), 2);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "sum", "/a", "x", NULL), 1);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "ls", NULL), 2);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("nothing.img"), "df", NULL), 1);

	/* rm: a file, then the directory it left empty */
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "rm", "/d/t", NULL), 0);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "rm", "/d", NULL), 0);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "cat", "/d/t", NULL), 1);
	df_of(wpath("img"), &out);
	assert_int_equal(df_field(out, "inodes: "), used0 + 1);
	free(out);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", "-n", wpath("img"), NULL), 0);
	df_of(wpath("img"), &out);
	open_image(&m, wpath("img"));
	{
		/* df's numbers are the file system's own */
		struct cfs_statfs st;
		unsigned long long b, bu, bf, i, iu, ifr;

		cfs_statfs(m.fs, &st);
		assert_int_equal(sscanf(out, "label 'tools', %llu blocks of 4 KiB: %llu used, %llu free; "
				       "%llu inodes: %llu used, %llu free", &b, &bu, &bf, &i, &iu, &ifr), 6);
		assert_true(b == st.blocks && bu == st.blocks - st.bfree && bf == st.bfree);
		assert_true(i == st.files && iu == st.files - st.ffree && ifr == st.ffree);
		free(out);
	}
	content_is(&m, "/a", "short", 5);
	assert_int_equal(at(&m, "/").d.nlink, 2);
	close_image(&m);
}

/* ---- fsck.cosmfs ---- */

static void read_all(const char *path, uint8_t **data, size_t *n)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0 && fstat(fd, &st) == 0);
	*n = (size_t)st.st_size;
	*data = malloc(*n);
	assert_non_null(*data);
	assert_int_equal(pread(fd, *data, *n, 0), (ssize_t)*n);
	close(fd);
}

/* Exit codes as e2fsck's: 0 clean, 4 found (and -n changed nothing), 1
 * fixed by -y, then 0 again; 8 for what is no cosmfs, 16 for wrong use. */
static void test_fsck_exit_codes(void **state)
{
	struct host_dev *dev;
	struct cfs_fs *fs;
	struct cfs_inode ip;
	uint8_t *before, *after;
	size_t n1, n2;
	char *out;

	(void)state;
	host_file("f", "data", 4, 0644);
	assert_int_equal(run(NULL, NULL, "mkfs.cosmfs", wpath("img"), "8M", NULL), 0);
	assert_int_equal(run(NULL, NULL, "cosmfs", wpath("img"), "put", wpath("f"), "/f", NULL), 0);
	assert_int_equal(run(&out, NULL, "fsck.cosmfs", wpath("img"), NULL), 0);
	has(out, "0 problems found, 0 fixed: clean\n");
	free(out);

	/* a wrong link count, written through the format code */
	dev = host_dev_open(wpath("img"), false, false, 0);
	assert_non_null(dev);
	assert_int_equal(cfs_mount(dev, NULL, 0, &fs), 0);
	assert_int_equal(t_lookup(fs, "/f", &ip), 0);
	ip.d.nlink = 3;
	assert_int_equal(cfs_write_inode(fs, &ip), 0);
	assert_int_equal(cfs_unmount(fs), 0);
	assert_int_equal(host_dev_close(dev), 0);

	read_all(wpath("img"), &before, &n1);
	assert_int_equal(run(&out, NULL, "fsck.cosmfs", "-n", wpath("img"), NULL), 4);
	has(out, "link count 3, should be 1");
	has(out, "1 problem found, 0 fixed");
	free(out);
	read_all(wpath("img"), &after, &n2);
	assert_int_equal(n1, n2);
	assert_true(memcmp(before, after, n1) == 0);
	free(before);
	free(after);
	assert_int_equal(run(&out, NULL, "fsck.cosmfs", "-y", wpath("img"), NULL), 1);
	has(out, "1 problem found, 1 fixed: repaired\n");
	free(out);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", "-n", wpath("img"), NULL), 0);
	assert_int_equal(run(&out, NULL, "cosmfs", wpath("img"), "cat", "/f", NULL), 0);
	assert_string_equal(out, "data");
	free(out);

	host_file("junk", "not a file system", 17, 0644);
	assert_int_equal(truncate(wpath("junk"), 8 << 20), 0);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", "-n", wpath("junk"), NULL), 8);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", "-n", wpath("nothing.img"), NULL), 8);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", "-q", wpath("img"), NULL), 16);
	assert_int_equal(run(NULL, NULL, "fsck.cosmfs", NULL), 16);
}

/* ---- set-up: a fresh directory for each test ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int fresh_dir(void **state)
{
	(void)state;
	snprintf(work, sizeof(work), "/tmp/cosmfs-tools-XXXXXX");
	return mkdtemp(work) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return nftw(work, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 1;
	self[n] = 0;
	/* BUILD/test/host/test_cosmfs_tools -> BUILD/tools */
	if (snprintf(tools, sizeof(tools), "%s/../../tools", dirname(self)) >= (int)sizeof(tools))
		return 1;
	if (snprintf(self, sizeof(self), "%s/cosmfs", tools) >= (int)sizeof(self) || access(self, X_OK)) {
		fprintf(stderr, "%s: no cosmfs tools there (make cosmfs-tools builds them)\n", tools);
		return 1;
	}
	setenv("COSMFS_QUIET", "1", 1);
	umask(022);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mkfs_from_directory, fresh_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_mkfs_from_missing_directory, fresh_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_mkfs_options, fresh_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_mkfs_from_cpio, fresh_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_image_commands, fresh_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_fsck_exit_codes, fresh_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
