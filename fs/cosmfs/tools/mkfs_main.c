/* mkfs.cosmfs IMAGE [SIZE] [-L label] [-d DIR] [-i bytes-per-inode]
 * [-J journal-blocks]: makes a cosmfs image (the file is created or
 * resized to SIZE when given), and with -d fills it from a directory as
 * mke2fs -d does: files (holes kept), directories, symlinks, device
 * nodes, FIFOs and sockets, with modes, owners, times and hard links. */
#define _GNU_SOURCE
#include <fs/cosmfs/tools/tool.h>
#include <cosmos/errno.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct link {                 /* a host inode already copied (hard links) */
	dev_t dev;
	ino_t ino;
	uint64_t cfs_ino;
};

struct fill {
	struct cfs_fs *fs;
	struct link *links;
	size_t nlinks, cap;
	unsigned files, dirs, others, hardlinks;
	uint64_t bytes;
};

static int fail(const char *what, const char *path, int err)
{
	fprintf(stderr, "mkfs.cosmfs: %s %s: %s\n", what, path, err < 0 ? tool_strerror(err) : strerror(err));
	return 1;
}

struct src {
	int fd;
	uint8_t *buf;
};

static long copy_from(void *ctx, void *kbuf, size_t n)
{
	struct src *s = ctx;

	memcpy(kbuf, s->buf, n);
	s->buf += n;
	return (long)n;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Copies a host file into ip, leaving all-zero blocks as holes. */
static int copy_data(struct fill *f, const char *path, struct cfs_inode *ip, off_t size)
{
	int fd = open(path, O_RDONLY);
	uint8_t *buf = malloc(1 << 20);
	off_t off = 0;
	int err = 0;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	while (off < size && !err) {
		ssize_t n = pread(fd, buf, 1 << 20, off);

		if (n <= 0) {
			err = -EIO;
			break;
		}
		for (ssize_t at = 0; at < n && !err; at += CFS_BLOCK_SIZE) {
			size_t len = (size_t)(n - at) < CFS_BLOCK_SIZE ? (size_t)(n - at) : CFS_BLOCK_SIZE;
			struct src s = { fd, buf + at };

			if (all_zero(buf + at, len))
				continue;
			long w = cfs_file_write(f->fs, ip, (uint64_t)(off + at), len, copy_from, &s, tool_now());
			if (w < 0)
				err = (int)w;
			else if ((size_t)w < len)
				err = -ENOSPC;
		}
		off += n;
	}
	close(fd);
	free(buf);
	if (!err && ip->d.size < (uint64_t)size)
		err = cfs_truncate(f->fs, ip, (uint64_t)size);   /* a hole at the end */
	f->bytes += (uint64_t)size;
	return err;
}

static void set_times(struct cfs_inode *ip, const struct stat *st)
{
	ip->d.atime = st->st_atim.tv_sec;
	ip->d.atime_ns = (uint32_t)st->st_atim.tv_nsec;
	ip->d.mtime = st->st_mtim.tv_sec;
	ip->d.mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	ip->d.ctime = st->st_ctim.tv_sec;
	ip->d.ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
}

static int fill_dir(struct fill *f, const char *path, struct cfs_inode *dir);

static int add_entry(struct fill *f, const char *dpath, struct cfs_inode *dir, const char *name)
{
	char *path;
	struct stat st;
	struct cfs_newinode ni;
	struct cfs_inode ip;
	char target[CFS_SYMLINK_MAX + 1];
	ssize_t tlen = 0;
	int err;

	if (asprintf(&path, "%s/%s", dpath, name) < 0)
		return fail("out of memory at", dpath, ENOMEM);
	if (lstat(path, &st) < 0) {
		err = fail("cannot stat", path, errno);
		free(path);
		return err;
	}
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		for (size_t i = 0; i < f->nlinks; i++)
			if (f->links[i].dev == st.st_dev && f->links[i].ino == st.st_ino) {
				err = cfs_iget(f->fs, f->links[i].cfs_ino, &ip);
				if (!err)
					err = cfs_link(f->fs, dir, name, strlen(name), &ip, tool_now());
				free(path);
				f->hardlinks++;
				return err ? fail("cannot link", name, err) : 0;
			}
	}
	ni.mode = st.st_mode & (CFS_S_IFMT | 07777);
	ni.uid = st.st_uid;
	ni.gid = st.st_gid;
	ni.rdev = (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			  ? (major(st.st_rdev) & 0xfff) << 20 | (minor(st.st_rdev) & 0xfffff)
			  : 0;
	ni.now = tool_now();
	if (S_ISLNK(st.st_mode)) {
		tlen = readlink(path, target, sizeof(target));
		if (tlen <= 0 || tlen > (ssize_t)CFS_SYMLINK_MAX) {
			err = fail("cannot read the link", path, tlen < 0 ? errno : ENAMETOOLONG);
			free(path);
			return err;
		}
	}
	err = cfs_create(f->fs, dir, name, strlen(name), &ni, target, (size_t)tlen, &ip);
	if (err) {
		err = fail("cannot create", path, err);
		free(path);
		return err;
	}
	if (S_ISREG(st.st_mode)) {
		f->files++;
		err = copy_data(f, path, &ip, st.st_size);
		if (err) {
			err = fail("cannot copy", path, err);
			free(path);
			return err;
		}
		if (st.st_nlink > 1) {
			struct link *n = realloc(f->links, (f->nlinks + 1) * sizeof(*n));

			if (n) {
				f->links = n;
				f->links[f->nlinks++] = (struct link){ st.st_dev, st.st_ino, ip.ino };
			}
		}
	} else if (S_ISDIR(st.st_mode)) {
		f->dirs++;
		if ((err = fill_dir(f, path, &ip))) {
			free(path);
			return err;
		}
	} else {
		f->others++;
	}
	set_times(&ip, &st);
	err = cfs_write_inode(f->fs, &ip);
	free(path);
	return err ? fail("cannot write the inode of", name, err) : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries in name order, so that images come out the same each time. */
static int fill_dir(struct fill *f, const char *path, struct cfs_inode *dir)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (!d)
		return fail("cannot open", path, errno);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				err = fail("out of memory at", path, ENOMEM);
				break;
			}
			names = nn;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!err)
			err = add_entry(f, path, dir, names[i]);
		free(names[i]);
	}
	free(names);
	return err;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkfs.cosmfs IMAGE [SIZE] [-L label] [-d DIR] [-i bytes-per-inode] "
			"[-J journal-blocks]\n"
			"  SIZE in bytes with K, M, G or T; without it, the image's size\n");
}

int main(int argc, char **argv)
{
	struct cfs_mkfs_opts o = { 0 };
	const char *image = NULL, *size_arg = NULL, *from = NULL;
	uint64_t size = 0, v;
	struct host_dev *dev;
	struct stat st;
	int opt, err, fd;

	o.time = tool_now().sec;
	/* GNU getopt moves the options before IMAGE and SIZE */
	while ((opt = getopt(argc, argv, "L:d:i:J:")) != -1) {
		switch (opt) {
		case 'L':
			if (strlen(optarg) > CFS_LABEL_MAX) {
				fprintf(stderr, "mkfs.cosmfs: the label has more than %u bytes\n", CFS_LABEL_MAX);
				return 1;
			}
			strcpy(o.label, optarg);
			break;
		case 'd': from = optarg; break;
		case 'i':
			if (!tool_parse_size(optarg, &o.inode_ratio)) {
				usage();
				return 1;
			}
			break;
		case 'J':
			if (!tool_parse_size(optarg, &v) || v > CFS_MAX_JOURNAL) {
				usage();
				return 1;
			}
			o.journal_blocks = (uint32_t)v;
			break;
		default: usage(); return 1;
		}
	}
	if (optind < argc)
		image = argv[optind++];
	if (optind < argc)
		size_arg = argv[optind++];
	if (optind < argc) {
		usage();
		return 1;
	}
	if (!image || (size_arg && !tool_parse_size(size_arg, &size))) {
		usage();
		return 1;
	}
	fd = open(image, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail("cannot open", image, errno);
	if (size_arg && !S_ISBLK(st.st_mode) && ftruncate(fd, (off_t)size) < 0)
		return fail("cannot size", image, errno);
	if (!size_arg)
		size = (uint64_t)st.st_size;
	close(fd);
	o.blocks = size / CFS_BLOCK_SIZE;
	dev = host_dev_open(image, false, false, o.blocks);
	if (!dev)
		return fail("cannot open", image, errno);
	err = cfs_mkfs(dev, &o);
	if (err == -EINVAL) {
		fprintf(stderr, "mkfs.cosmfs: %s: a size of %llu bytes (or these options) cannot hold a "
				"cosmfs (at least %u blocks of 4 KiB)\n", image, (unsigned long long)size,
			CFS_MIN_BLOCKS);
		host_dev_close(dev);
		return 1;
	}
	if (!err && from) {
		struct fill f = { 0 };
		struct cfs_inode root;
		struct stat rs;

		err = cfs_mount(dev, NULL, 0, &f.fs);
		if (!err) {
			err = cfs_iget(f.fs, CFS_ROOT_INO, &root);
			if (!err && stat(from, &rs) == 0) {
				err = fill_dir(&f, from, &root) ? -EIO : 0;
				if (!err) {
					/* the root takes the directory's attributes */
					root.d.mode = CFS_S_IFDIR | (rs.st_mode & 07777);
					root.d.uid = rs.st_uid;
					root.d.gid = rs.st_gid;
					set_times(&root, &rs);
					err = cfs_write_inode(f.fs, &root);
				}
			} else if (!err) {
				err = fail("cannot stat", from, errno) ? -EIO : 0;
			}
			int e2 = cfs_unmount(f.fs);
			if (!err)
				err = e2;
		}
		if (!err)
			printf("%s: %u files (%llu bytes), %u directories, %u other, %u hard links from %s\n",
			       image, f.files, (unsigned long long)f.bytes, f.dirs, f.others, f.hardlinks, from);
		free(f.links);
	}
	int e3 = host_dev_close(dev);
	if (!err)
		err = e3;
	if (err) {
		fprintf(stderr, "mkfs.cosmfs: %s: %s\n", image, tool_strerror(err));
		return 1;
	}
	return 0;
}
