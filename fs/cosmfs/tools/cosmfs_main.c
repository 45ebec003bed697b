/* cosmfs IMAGE COMMAND ...: reads and changes a cosmfs image without
 * booting. Paths inside the image are absolute; symlinks are not
 * followed.
 *   ls PATH            list a directory (or show one file)
 *   cat PATH           a file's contents to stdout
 *   get PATH HOSTFILE  copy a file out
 *   put HOSTFILE PATH  copy a file in (replacing its contents)
 *   rm PATH            remove a file, symlink or empty directory
 *   mkdir PATH         make a directory
 *   stat PATH          an inode's fields
 *   sums PATH          each regular file in a directory: name, size and
 *                      FNV-1a 64 of its bytes (the crash test compares them)
 *   sum PATH LEN       a file's size and the FNV-1a 64 of its first LEN bytes
 *   -                  read-only commands from stdin, one a line, each
 *                      output ended by a line "-- STATUS"
 *   df                 blocks and inodes, used and free */
#define _GNU_SOURCE
#include <fs/cosmfs/tools/tool.h>
#include <cosmos/errno.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int err_out(const char *path, int err)
{
	fprintf(stderr, "cosmfs: %s: %s\n", path, tool_strerror(err));
	return 1;
}

static char type_char(uint32_t mode)
{
	switch (mode & CFS_S_IFMT) {
	case CFS_S_IFDIR: return 'd';
	case CFS_S_IFLNK: return 'l';
	case CFS_S_IFCHR: return 'c';
	case CFS_S_IFBLK: return 'b';
	case CFS_S_IFIFO: return 'p';
	case CFS_S_IFSOCK: return 's';
	default: return '-';
	}
}

static void show(struct cfs_fs *fs, const char *name, size_t len, struct cfs_inode *ip)
{
	char target[CFS_SYMLINK_MAX + 1];
	long t = 0;

	if ((ip->d.mode & CFS_S_IFMT) == CFS_S_IFLNK)
		t = cfs_readlink(fs, ip, target, sizeof(target) - 1);
	printf("%c%04o %5u %5u %5u %12" PRIu64 " %8" PRIu64 " %.*s%s%.*s\n", type_char(ip->d.mode),
	       ip->d.mode & 07777, ip->d.nlink, ip->d.uid, ip->d.gid, ip->d.size, ip->ino, (int)len, name,
	       t > 0 ? " -> " : "", t > 0 ? (int)t : 0, target);
}

struct lsctx {
	struct cfs_fs *fs;
	int err;
};

static bool ls_one(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct lsctx *l = ctx;
	struct cfs_inode ip;
	int err = cfs_iget(l->fs, ino, &ip);

	(void)type;
	(void)next;
	if (err) {
		l->err = err;
		return false;
	}
	show(l->fs, name, len, &ip);
	return true;
}

static long to_fd(void *ctx, void *kbuf, size_t n)
{
	static const uint8_t zeros[CFS_BLOCK_SIZE];
	const uint8_t *p = kbuf ? kbuf : zeros;
	size_t done = 0;

	while (done < n) {
		size_t k = kbuf ? n - done : (n - done < sizeof(zeros) ? n - done : sizeof(zeros));
		ssize_t w = write(*(int *)ctx, p + (kbuf ? done : 0), k);

		if (w <= 0)
			return done ? (long)done : -EIO;
		done += (size_t)w;
	}
	return (long)n;
}

static long from_fd(void *ctx, void *kbuf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(*(int *)ctx, (uint8_t *)kbuf + done, n - done);

		if (r <= 0)
			return done ? (long)done : (r < 0 ? -EIO : 0);
		done += (size_t)r;
	}
	return (long)n;
}

static int cat_to(struct cfs_fs *fs, struct cfs_inode *ip, int fd)
{
	long n;

	if ((ip->d.mode & CFS_S_IFMT) != CFS_S_IFREG)
		return -EINVAL;
	n = cfs_file_read(fs, ip, 0, (size_t)ip->d.size, to_fd, &fd);
	return n < 0 ? (int)n : (uint64_t)n == ip->d.size ? 0 : -EIO;
}

static long to_hash(void *ctx, void *kbuf, size_t n)
{
	uint64_t *h = ctx;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ (kbuf ? ((uint8_t *)kbuf)[i] : 0)) * 0x100000001b3ull;
	return (long)n;
}

static bool sum_one(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct lsctx *l = ctx;
	struct cfs_inode ip;
	uint64_t h = 0xcbf29ce484222325ull;
	long n;

	(void)type;
	(void)next;
	l->err = cfs_iget(l->fs, ino, &ip);
	if (l->err)
		return false;
	if ((ip.d.mode & CFS_S_IFMT) != CFS_S_IFREG)
		return true;
	n = cfs_file_read(l->fs, &ip, 0, (size_t)ip.d.size, to_hash, &h);
	if (n < 0 || (uint64_t)n != ip.d.size) {
		l->err = n < 0 ? (int)n : -EIO;
		return false;
	}
	printf("%.*s %" PRIu64 " %016" PRIx64 "\n", (int)len, name, ip.d.size, h);
	return true;
}

static int run(struct cfs_fs *fs, int argc, char **argv)
{
	const char *cmd = argv[0], *last;
	struct cfs_inode dir, ip;
	size_t ll;
	int err;

	if (!strcmp(cmd, "df") && argc == 1) {
		struct cfs_statfs st;

		cfs_statfs(fs, &st);
		printf("label '%.*s', %" PRIu64 " blocks of 4 KiB: %" PRIu64 " used, %" PRIu64 " free; "
		       "%" PRIu64 " inodes: %" PRIu64 " used, %" PRIu64 " free\n",
		       (int)strnlen(fs->sb.label, CFS_LABEL_MAX), fs->sb.label, st.blocks, st.blocks - st.bfree,
		       st.bfree, st.files, st.files - st.ffree, st.ffree);
		return 0;
	}
	if (argc < 2)
		return -EINVAL;
	if (!strcmp(cmd, "put") && argc == 3) {
		struct cfs_newinode ni = { .mode = CFS_S_IFREG | 0644, .uid = 0, .gid = 0, .now = tool_now() };
		int fd = open(argv[1], O_RDONLY);
		struct stat st;
		long n;

		if (fd < 0 || fstat(fd, &st) < 0) {
			fprintf(stderr, "cosmfs: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		err = tool_resolve(fs, argv[2], &dir, &ip, &last, &ll);
		if (err == -ENOENT && last) {
			ni.mode = CFS_S_IFREG | (st.st_mode & 07777);
			err = cfs_create(fs, &dir, last, ll, &ni, NULL, 0, &ip);
		} else if (!err) {
			err = cfs_truncate(fs, &ip, 0);
		}
		if (!err) {
			n = cfs_file_write(fs, &ip, 0, (size_t)st.st_size, from_fd, &fd, tool_now());
			err = n < 0 ? (int)n : n == st.st_size ? 0 : -ENOSPC;
		}
		close(fd);
		return err ? err_out(argv[2], err) : 0;
	}
	err = tool_resolve(fs, argv[1], &dir, &ip, &last, &ll);
	if (!strcmp(cmd, "mkdir") && argc == 2) {
		struct cfs_newinode ni = { .mode = CFS_S_IFDIR | 0755, .now = tool_now() };

		if (err == -ENOENT && last)
			err = cfs_create(fs, &dir, last, ll, &ni, NULL, 0, &ip);
		else if (!err)
			err = -EEXIST;
		return err ? err_out(argv[1], err) : 0;
	}
	if (err)
		return err_out(argv[1], err);
	if (!strcmp(cmd, "ls") && argc == 2) {
		struct lsctx l = { fs, 0 };

		if ((ip.d.mode & CFS_S_IFMT) != CFS_S_IFDIR) {
			show(fs, last, ll, &ip);
			return 0;
		}
		err = cfs_dir_read(fs, &ip, 2, ls_one, &l);
		return err || l.err ? err_out(argv[1], err ? err : l.err) : 0;
	}
	if (!strcmp(cmd, "sums") && argc == 2) {
		struct lsctx l = { fs, 0 };

		if ((ip.d.mode & CFS_S_IFMT) != CFS_S_IFDIR)
			return err_out(argv[1], -ENOTDIR);
		err = cfs_dir_read(fs, &ip, 2, sum_one, &l);
		return err || l.err ? err_out(argv[1], err ? err : l.err) : 0;
	}
	if (!strcmp(cmd, "sum") && argc == 3) {
		uint64_t h = 0xcbf29ce484222325ull, len;
		char *end;
		long n;

		errno = 0;
		len = strtoull(argv[2], &end, 10);
		if (errno || *end || end == argv[2] || (ip.d.mode & CFS_S_IFMT) != CFS_S_IFREG)
			return err_out(argv[1], -EINVAL);
		if (len > ip.d.size)
			len = ip.d.size;
		n = cfs_file_read(fs, &ip, 0, (size_t)len, to_hash, &h);
		if (n < 0 || (uint64_t)n != len)
			return err_out(argv[1], n < 0 ? (int)n : -EIO);
		printf("%" PRIu64 " %016" PRIx64 "\n", ip.d.size, h);
		return 0;
	}
	if (!strcmp(cmd, "cat") && argc == 2) {
		err = cat_to(fs, &ip, 1);
		return err ? err_out(argv[1], err) : 0;
	}
	if (!strcmp(cmd, "get") && argc == 3) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0) {
			fprintf(stderr, "cosmfs: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		err = cat_to(fs, &ip, fd);
		close(fd);
		return err ? err_out(argv[1], err) : 0;
	}
	if (!strcmp(cmd, "rm") && argc == 2) {
		if (!*last)
			return err_out(argv[1], -EINVAL);
		err = cfs_unlink(fs, &dir, last, ll, &ip, tool_now());
		if (!err && ip.d.nlink == 0)
			err = cfs_evict(fs, &ip);
		return err ? err_out(argv[1], err) : 0;
	}
	if (!strcmp(cmd, "stat") && argc == 2) {
		printf("inode %" PRIu64 " type %c mode %04o links %u uid %u gid %u size %" PRIu64
		       " blocks %" PRIu64 " generation %u\n",
		       ip.ino, type_char(ip.d.mode), ip.d.mode & 07777, ip.d.nlink, ip.d.uid, ip.d.gid,
		       ip.d.size, ip.d.blocks, ip.d.generation);
		printf("atime %" PRId64 ".%09u mtime %" PRId64 ".%09u ctime %" PRId64 ".%09u crtime %" PRId64
		       ".%09u\n",
		       ip.d.atime, ip.d.atime_ns, ip.d.mtime, ip.d.mtime_ns, ip.d.ctime, ip.d.ctime_ns,
		       ip.d.crtime, ip.d.crtime_ns);
		if ((ip.d.mode & CFS_S_IFMT) == CFS_S_IFDIR)
			printf("entries %" PRIu64 " parent %" PRIu64 "\n", ip.d.entries, ip.d.parent);
		return 0;
	}
	return -EINVAL;
}

/* Read-only commands from stdin, one a line, on the one mount; after each
 * one's output a line "-- STATUS". */
static int run_batch(struct cfs_fs *fs)
{
	char line[512];

	while (fgets(line, sizeof(line), stdin)) {
		char *args[4], *save = NULL;
		int n = 0, code;

		for (char *w = strtok_r(line, " \t\n", &save); w && n < 4; w = strtok_r(NULL, " \t\n", &save))
			args[n++] = w;
		if (!n)
			continue;
		code = strcmp(args[0], "put") && strcmp(args[0], "rm") && strcmp(args[0], "mkdir") &&
				       strcmp(args[0], "get") ? run(fs, n, args) : -EINVAL;
		printf("-- %d\n", code < 0 ? 2 : code);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct host_dev *dev;
	struct cfs_fs *fs;
	bool rdonly;
	int err, code;

	if (argc < 3) {
		fprintf(stderr, "usage: cosmfs IMAGE ls|cat|stat|sums PATH | sum PATH LEN | get PATH HOSTFILE | "
				"put HOSTFILE PATH | rm|mkdir PATH | df | -\n");
		return 2;
	}
	rdonly = strcmp(argv[2], "put") && strcmp(argv[2], "rm") && strcmp(argv[2], "mkdir");
	dev = host_dev_open(argv[1], rdonly, false, 0);
	if (!dev) {
		fprintf(stderr, "cosmfs: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = cfs_mount(dev, NULL, rdonly ? CFS_MNT_RDONLY : 0, &fs);
	if (err) {
		host_dev_close(dev);
		return err_out(argv[1], err);
	}
	if (!strcmp(argv[2], "-"))
		code = run_batch(fs);
	else
		code = run(fs, argc - 2, argv + 2);
	if (code < 0) {
		fprintf(stderr, "cosmfs: unknown command or wrong arguments: %s\n", argv[2]);
		code = 2;
	}
	err = cfs_unmount(fs);
	if (!err)
		err = host_dev_close(dev);
	else
		host_dev_close(dev);
	if (err && !code)
		code = err_out(argv[1], err);
	return code;
}
