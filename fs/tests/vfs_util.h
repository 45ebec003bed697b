/* Helpers for the VFS ktests: a scratch tmpfs per test, whole-file
 * reads and writes through the kernel API, and running a function as
 * another user in a process of its own. */
#ifndef FS_TESTS_VFS_UTIL_H
#define FS_TESTS_VFS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <kernel/ktest.h>

/* A fresh tmpfs (options opts, may be NULL) at /ktest/<name>. */
struct vt {
	char root[64];
};
int vt_setup(struct vt *v, const char *name, const char *opts);
/* Unmounts it: 0 when nothing kept it busy. */
int vt_teardown(struct vt *v);
/* root + "/" + rel, in one of a few rotating buffers. */
const char *vt_path(const struct vt *v, const char *rel);

/* Whole-file helpers (absolute paths); negative errno on failure. */
int vt_write_file(const char *path, const void *data, size_t len, uint32_t mode);
long vt_read_file(const char *path, void *buf, size_t size);
long vt_fd_write(struct file *f, const void *data, size_t len);
long vt_fd_read(struct file *f, void *buf, size_t size);
long vt_fd_pread(struct file *f, void *buf, size_t size, int64_t off);
long vt_fd_pwrite(struct file *f, const void *buf, size_t size, int64_t off);
int vt_stat(const char *path, struct stat *st);
int vt_lstat(const char *path, struct stat *st);
int vt_open(const char *path, uint32_t flags, uint32_t mode, struct file **out);

/* Runs fn(arg) in a new process with uid/gid (all four ids) and its own
 * fs_ctx (umask 022); waits for it. 0 or a negative errno. */
int vt_run_as(uint32_t uid, uint32_t gid, void (*fn)(void *), void *arg);

#define KT_EXPECT_ERR(t, expr, err) KT_EXPECT_EQ(t, (long)(expr), (long)(err))

#endif
