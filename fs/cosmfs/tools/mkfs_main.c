/* mkfs.cosmfs IMAGE [SIZE] [-L label] [-d DIR] [-c ARCHIVE]
 * [-i bytes-per-inode] [-J journal-blocks]: makes a cosmfs image (the file
 * is created or resized to SIZE when given), and fills it from a directory
 * as mke2fs -d does (-d: files with their holes, directories, symlinks,
 * device nodes, FIFOs and sockets, with modes, owners, times and hard
 * links), or from a cpio newc archive such as the initramfs (-c, read by
 * the kernel's own reader, fs/cpio.c). */
#define _GNU_SOURCE
#include <fs/cosmfs/tools/tool.h>
#include <cosmos/errno.h>
#include <fs/cpio.h>
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

/* ---- filling from a cpio archive (the initramfs: build/disk.img) ---- */

/* The directory for a path's parent, made (0755, root) where missing;
 * *last and *len the final component. */
static int parent_of(struct fill *f, const char *path, size_t plen, struct cfs_inode *dir,
		     const char **last, size_t *len)
{
	const char *p = path, *end = path + plen;
	int err = cfs_iget(f->fs, CFS_ROOT_INO, dir);

	while (!err) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		uint64_t ino;

		if (!slash) {
			*last = p;
			*len = (size_t)(end - p);
			return 0;
		}
		err = cfs_dir_lookup(f->fs, dir, p, (size_t)(slash - p), &ino, NULL);
		if (err == -ENOENT) {
			struct cfs_newinode ni = { .mode = CFS_S_IFDIR | 0755, .now = tool_now() };
			struct cfs_inode sub;

			err = cfs_create(f->fs, dir, p, (size_t)(slash - p), &ni, NULL, 0, &sub);
			*dir = sub;
			f->dirs++;
		} else if (!err) {
			err = cfs_iget(f->fs, ino, dir);
			if (!err && (dir->d.mode & CFS_S_IFMT) != CFS_S_IFDIR)
				err = -ENOTDIR;
		}
		p = slash + 1;
	}
	return err;
}

struct cpio_link {            /* an inode number of the archive, made already */
	unsigned archive;
	uint32_t ino;
	uint64_t cfs_ino;
};

struct dirtime {              /* set last: filling a directory changes its times */
	uint64_t ino;
	int64_t mtime;
};

static int fill_cpio(struct fill *f, const char *archive)
{
	struct cpio_alloc mem = { malloc, free };
	struct cpio_reader *r = malloc(sizeof(*r));
	struct cpio_link *links = NULL;
	struct dirtime *times = NULL;
	size_t nlinks = 0, ntimes = 0;
	uint8_t *buf = NULL;
	long len;
	FILE *in = fopen(archive, "rb");
	int err = 0;

	if (!in || !r || fseek(in, 0, SEEK_END) || (len = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)len + 1)) || fread(buf, 1, (size_t)len, in) != (size_t)len) {
		err = fail("cannot read", archive, errno ? errno : EIO);
		goto out;
	}
	cpio_reader_init(r, buf, (size_t)len, &mem);
	for (;;) {
		struct cpio_entry e;
		struct cpio_error ce;
		struct cfs_inode dir, ip;
		struct cfs_newinode ni;
		const char *last;
		size_t llen;
		int rc = cpio_next(r, &e, &ce);

		if (rc == CPIO_END)
			break;
		if (rc == CPIO_SKIP) {
			fprintf(stderr, "mkfs.cosmfs: %s: entry at %zu (%s) skipped: %s\n", archive, ce.offset,
				ce.name, ce.why);
			continue;
		}
		if (rc != CPIO_ENTRY) {
			fprintf(stderr, "mkfs.cosmfs: %s: broken at %zu (%s): %s\n", archive, ce.offset, ce.name,
				rc == CPIO_NOMEM ? "out of memory" : ce.why);
			err = 1;
			break;
		}
		if (e.name_len == 1 && e.name[0] == '.')
			continue;                /* the root */
		ni.mode = e.mode & (CFS_S_IFMT | 07777);
		ni.uid = e.uid;
		ni.gid = e.gid;
		ni.rdev = (e.rdev_major & 0xfff) << 20 | (e.rdev_minor & 0xfffff);
		ni.now = (struct cfs_time){ e.mtime, 0 };
		err = parent_of(f, e.name, e.name_len, &dir, &last, &llen);
		/* the members of a hard-link group share an inode number */
		if (!err && (ni.mode & CFS_S_IFMT) == CFS_S_IFREG && e.nlink > 1)
			for (size_t i = 0; i < nlinks; i++)
				if (links[i].archive == e.archive && links[i].ino == e.ino) {
					err = cfs_iget(f->fs, links[i].cfs_ino, &ip);
					if (!err)
						err = cfs_link(f->fs, &dir, last, llen, &ip, ni.now);
					f->hardlinks++;
					goto data;
				}
		if (!err)
			err = cfs_create(f->fs, &dir, last, llen, &ni, (const char *)e.data,
					 (ni.mode & CFS_S_IFMT) == CFS_S_IFLNK ? e.size : 0, &ip);
		if (!err && (ni.mode & CFS_S_IFMT) == CFS_S_IFREG && e.nlink > 1) {
			struct cpio_link *n = realloc(links, (nlinks + 1) * sizeof(*n));

			if (!n) {
				err = -ENOMEM;
			} else {
				links = n;
				links[nlinks++] = (struct cpio_link){ e.archive, e.ino, ip.ino };
			}
		}
		if ((ni.mode & CFS_S_IFMT) == CFS_S_IFDIR) {
			struct dirtime *n = realloc(times, (ntimes + 1) * sizeof(*n));

			if (!n)
				err = -ENOMEM;
			else
				(times = n)[ntimes++] = (struct dirtime){ ip.ino, e.mtime };
			f->dirs++;
		}
		else if ((ni.mode & CFS_S_IFMT) == CFS_S_IFREG)
			f->files++;
		else
			f->others++;
	data:
		if (!err && (ni.mode & CFS_S_IFMT) == CFS_S_IFREG && e.size) {
			struct src s = { -1, (uint8_t *)e.data };
			long w = cfs_file_write(f->fs, &ip, 0, e.size, copy_from, &s, ni.now);

			err = w < 0 ? (int)w : (size_t)w == e.size ? 0 : -ENOSPC;
			f->bytes += e.size;
		}
		if (!err) {
			ip.d.atime = ip.d.mtime = ip.d.ctime = e.mtime;
			ip.d.atime_ns = ip.d.mtime_ns = ip.d.ctime_ns = 0;
			err = cfs_write_inode(f->fs, &ip);
		}
		if (err) {
			fprintf(stderr, "mkfs.cosmfs: %s: %s: %s\n", archive, e.name, tool_strerror(err));
			break;
		}
	}
	cpio_reader_destroy(r);
	for (size_t i = 0; i < ntimes && !err; i++) {
		struct cfs_inode ip;

		err = cfs_iget(f->fs, times[i].ino, &ip);
		if (!err) {
			ip.d.atime = ip.d.mtime = ip.d.ctime = times[i].mtime;
			ip.d.atime_ns = ip.d.mtime_ns = ip.d.ctime_ns = 0;
			err = cfs_write_inode(f->fs, &ip);
		}
	}
out:
	if (in)
		fclose(in);
	free(r);
	free(buf);
	free(links);
	free(times);
	return err ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkfs.cosmfs IMAGE [SIZE] [-L label] [-d DIR | -c ARCHIVE] "
			"[-i bytes-per-inode] [-J journal-blocks]\n"
			"  SIZE in bytes with K, M, G or T; without it, the image's size\n");
}

int main(int argc, char **argv)
{
	struct cfs_mkfs_opts o = { 0 };
	const char *image = NULL, *size_arg = NULL, *from = NULL, *archive = NULL;
	uint64_t size = 0, v;
	struct host_dev *dev;
	struct stat st;
	int opt, err, fd;

	o.time = tool_now().sec;
	/* GNU getopt moves the options before IMAGE and SIZE */
	while ((opt = getopt(argc, argv, "L:d:c:i:J:")) != -1) {
		switch (opt) {
		case 'L':
			if (strlen(optarg) > CFS_LABEL_MAX) {
				fprintf(stderr, "mkfs.cosmfs: the label has more than %u bytes\n", CFS_LABEL_MAX);
				return 1;
			}
			strcpy(o.label, optarg);
			break;
		case 'd': from = optarg; break;
		case 'c': archive = optarg; break;
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
	if (!image || (size_arg && !tool_parse_size(size_arg, &size)) || (from && archive)) {
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
	if (!err && (from || archive)) {
		struct fill f = { 0 };
		struct cfs_inode root;
		struct stat rs;

		err = cfs_mount(dev, NULL, 0, &f.fs);
		if (!err && archive) {
			err = fill_cpio(&f, archive) ? -EIO : 0;
		} else if (!err) {
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
		}
		if (f.fs) {
			int e2 = cfs_unmount(f.fs);

			if (!err)
				err = e2;
		}
		if (!err)
			printf("%s: %u files (%llu bytes), %u directories, %u other, %u hard links from %s\n",
			       image, f.files, (unsigned long long)f.bytes, f.dirs, f.others, f.hardlinks,
			       archive ? archive : from);
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
