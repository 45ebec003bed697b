/* The VFS's kernel API: one function per file call of the system-call
 * layer, with Linux's semantics and negative errno results. sys/ maps a
 * descriptor to a struct file (and dirfd to &file->path; AT_FDCWD to
 * NULL), copies strings and structures across the user boundary, and
 * calls these. Paths are NUL-terminated kernel strings.
 *
 * "dir" arguments: where a relative path starts; NULL is the caller's
 * working directory. With AT_EMPTY_PATH an empty path names dir itself
 * (which may then be any file). */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/limits.h>
#include <cosmos/abi/mount.h>
#include <cosmos/abi/stat.h>
#include <cosmos/abi/statfs.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/mount.h>

struct uio;

/* Boot: registers the file systems and mounts the root: with root=DEV the
 * cosmfs on DEV (true), else a tmpfs with the loader's initramfs unpacked
 * into it (false). */
bool vfs_init(void);

/* open, openat, creat (O_CREAT|O_WRONLY|O_TRUNC). mode: permission bits
 * for O_CREAT (umask applied). O_CLOEXEC is the caller's (a descriptor
 * flag); it is kept in f->flags for F_GETFL to hide. */
int vfs_openat(const struct path *dir, const char *path, uint32_t flags, uint32_t mode,
	       struct file **out);
/* Opens path for execve: a regular file with an x bit, on a mount
 * without noexec, readable by the caller. */
int vfs_open_exec(const struct path *dir, const char *path, unsigned at_flags, struct file **out);
/* The execve check on an open file (execveat with AT_EMPTY_PATH too):
 * 0 or -EACCES. */
int vfs_may_exec(const struct file *f);

/* read, write (at and advancing the file position; O_APPEND writes go to
 * the end atomically), pread64/pwrite64 and the vectored forms (u holds
 * the iovecs; preadv/pwritev with an offset). */
long vfs_read(struct file *f, struct uio *u);
long vfs_write(struct file *f, struct uio *u);
long vfs_pread(struct file *f, struct uio *u, int64_t off);
long vfs_pwrite(struct file *f, struct uio *u, int64_t off);
int64_t vfs_lseek(struct file *f, int64_t off, int whence);
/* ioctl after sys/ handled the generic commands (kbuf: see §2). */
long vfs_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf);
/* F_GETFL value (access mode and status flags as Linux reports them) and
 * F_SETFL (only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME
 * change). */
uint32_t vfs_getfl(const struct file *f);
int vfs_setfl(struct file *f, uint32_t flags);

/* stat family (Linux layouts). at_flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
 * AT_NO_AUTOMOUNT and the AT_STATX_SYNC bits. */
int vfs_fstat(struct file *f, struct stat *st);
int vfs_fstatat(const struct path *dir, const char *path, unsigned at_flags, struct stat *st);
int vfs_statx(const struct path *dir, const char *path, unsigned at_flags, unsigned mask,
	      struct statx *stx);
/* statx of an open file (AT_EMPTY_PATH on a descriptor: pipes too). */
int vfs_fstatx(struct file *f, unsigned mask, struct statx *stx);
int vfs_statfs(const struct path *dir, const char *path, struct statfs *sf);
int vfs_fstatfs(struct file *f, struct statfs *sf);

/* getdents64: whole linux_dirent64 records into u; returns bytes, 0 at
 * the end, -EINVAL if the first record does not fit, -ENOTDIR. */
long vfs_getdents64(struct file *f, struct uio *u);

/* Names. */
int vfs_mkdirat(const struct path *dir, const char *path, uint32_t mode);
/* mode: type (S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK; 0 = regular)
 * and permission bits; dev: kernel encoding (DEV_MAKE). Device nodes need
 * root. */
int vfs_mknodat(const struct path *dir, const char *path, uint32_t mode, uint32_t dev);
/* unlink, unlinkat, rmdir (flags AT_REMOVEDIR). */
int vfs_unlinkat(const struct path *dir, const char *path, unsigned flags);
/* link, linkat (flags AT_SYMLINK_FOLLOW, AT_EMPTY_PATH). */
int vfs_linkat(const struct path *odir, const char *opath, const struct path *ndir,
	       const char *npath, unsigned flags);
int vfs_symlinkat(const char *target, const struct path *dir, const char *path);
/* readlink, readlinkat: the target into u (not NUL-terminated); returns
 * its length, truncated to the buffer. -EINVAL if not a symlink. */
long vfs_readlinkat(const struct path *dir, const char *path, struct uio *u);
/* rename, renameat, renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE). */
int vfs_renameat2(const struct path *odir, const char *opath, const struct path *ndir,
		  const char *npath, unsigned flags);

/* Sizes and data. */
int vfs_truncate(const struct path *dir, const char *path, int64_t len);
int vfs_ftruncate(struct file *f, int64_t len);
int vfs_fallocate(struct file *f, int mode, int64_t off, int64_t len);
int vfs_fsync(struct file *f, bool datasync);
int vfs_sync(void) __must_check;    /* 0, or -EDEADLK where one may not sleep */
int vfs_syncfs(struct file *f);

/* Permissions and owners. access/faccessat/faccessat2: mode F_OK or
 * R_OK|W_OK|X_OK; flags AT_EACCESS, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH.
 * Without AT_EACCESS the real uid and gid are checked, as Linux does. */
int vfs_faccessat(const struct path *dir, const char *path, int mode, unsigned flags);
/* chmod, fchmodat (flags AT_SYMLINK_NOFOLLOW: -EOPNOTSUPP on a link). */
int vfs_fchmodat(const struct path *dir, const char *path, uint32_t mode, unsigned flags);
int vfs_fchmod(struct file *f, uint32_t mode);
/* chown, lchown, fchownat: uid or gid (uint32_t)-1 leaves it. */
int vfs_fchownat(const struct path *dir, const char *path, uint32_t uid, uint32_t gid,
		 unsigned flags);
int vfs_fchown(struct file *f, uint32_t uid, uint32_t gid);
/* utimensat: times NULL sets both to now; a nsec of UTIME_NOW or
 * UTIME_OMIT means what Linux says. A NULL path with a dir names dir
 * itself (futimens). */
int vfs_utimensat(const struct path *dir, const char *path, const struct vfs_time *times,
		  unsigned flags);
/* futimens: utimensat of an open file, also one outside the tree (a pipe). */
int vfs_futimens(struct file *f, const struct vfs_time *times);

/* Working directory and root of the calling process. */
int vfs_chdir(const char *path);
int vfs_fchdir(struct file *f);
int vfs_chroot(const char *path);
/* getcwd: the string and its NUL into buf; returns the length with the
 * NUL, or -ERANGE, or -ENOENT when the directory was removed. */
long vfs_getcwd(char *buf, size_t size);

/* mount(2): fstype and data as given (data is the option string);
 * MS_REMOUNT and MS_BIND as Linux. umount2 flags MNT_DETACH,
 * UMOUNT_NOFOLLOW (MNT_FORCE is accepted and means nothing here). */
int vfs_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data);
int vfs_umount(const char *target, int flags);

#endif
