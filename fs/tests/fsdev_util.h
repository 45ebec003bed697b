/* Helpers for the ktests of devfs, procfs and sysfs: each mounted once per
 * boot under /ktest, and searching the text their files give. */
#ifndef FS_TESTS_FSDEV_UTIL_H
#define FS_TESTS_FSDEV_UTIL_H

#include <cosmos/abi/dirent.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>
#include "vfs_util.h"

/* Mounts fstype at /ktest/<name> unless its file `probe` is already
 * there. 0 or a negative errno. */
static inline int special_mount(const char *name, const char *fstype, const char *probe)
{
	char dir[64], path[128];
	struct stat st;
	int err;

	fmt_snprintf(dir, sizeof(dir), "/ktest/%s", name);
	fmt_snprintf(path, sizeof(path), "%s/%s", dir, probe);
	if (vfs_fstatat(NULL, path, AT_SYMLINK_NOFOLLOW, &st) == 0)
		return 0;
	err = vfs_mkdirat(NULL, "/ktest", 0755);
	if (err && err != -EEXIST)
		return err;
	err = vfs_mkdirat(NULL, dir, 0755);
	if (err && err != -EEXIST)
		return err;
	return vfs_mount(fstype, dir, fstype, 0, NULL);
}

/* The whole file as a NUL-terminated string; its length or -errno. */
static inline long read_text(const char *path, char *buf, size_t size)
{
	long n = vt_read_file(path, buf, size - 1);

	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* Every name in the directory but "." and "..", each followed by '\n';
 * the count or -errno. */
static inline int dir_names(const char *path, char *out, size_t size)
{
	char rec[512];
	struct file *f;
	size_t used = 0;
	int n = 0, err = vt_open(path, O_RDONLY | O_DIRECTORY, 0, &f);

	if (err)
		return err;
	out[0] = 0;
	for (;;) {
		struct uio u;
		long got;

		uio_init_kernel(&u, rec, sizeof(rec));
		got = vfs_getdents64(f, &u);
		if (got <= 0) {
			err = (int)got;
			break;
		}
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(rec + off);
			size_t len = strlen(d->d_name);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			if (used + len + 2 > size) {
				file_put(f);
				return -ENOSPC;
			}
			memcpy(out + used, d->d_name, len);
			used += len;
			out[used++] = '\n';
			out[used] = 0;
			n++;
		}
	}
	file_put(f);
	return err ? err : n;
}

/* Does text contain needle? */
static inline bool text_has(const char *text, const char *needle)
{
	size_t n = strlen(needle);

	for (; *text; text++)
		if (strncmp(text, needle, n) == 0)
			return true;
	return false;
}

/* The decimal number after the first occurrence of key (spaces and tabs
 * skipped); -1 if absent. */
static inline int64_t number_after(const char *text, const char *key)
{
	size_t n = strlen(key);
	int64_t v = -1;

	for (; *text; text++) {
		if (strncmp(text, key, n) != 0)
			continue;
		text += n;
		while (*text == ' ' || *text == '\t')
			text++;
		for (v = 0; *text >= '0' && *text <= '9'; text++)
			v = v * 10 + (*text - '0');
		return v;
	}
	return v;
}

#endif
