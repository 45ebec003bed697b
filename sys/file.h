/* Descriptors and path arguments as sys/ sees them: the open file behind
 * a descriptor, and a path copied in with the directory it is relative
 * to (the *at() calls). */
#ifndef SYS_FILE_H
#define SYS_FILE_H

#include <kernel/proc/handle.h>
#include <sys/usercopy.h>

struct file;
struct path;

/* The file open as fd in the calling process, with a reference the caller
 * puts (file_put), if the descriptor has all the rights asked (RIGHT_*,
 * kernel/proc/handle.h; 0 for a use that needs none: fstat, lseek, a
 * directory for *at()): 0, or -EBADF when fd is not open or lacks one, as
 * Linux answers a write on a descriptor not open for writing. Every use
 * of a descriptor in sys/ comes through here, so a handle restricted by
 * handle_restrict or passed in a message with fewer rights is held to
 * them. */
int sys_file_get(int fd, uint32_t rights, struct file **out);
/* The same with the descriptor's rights in *rights, for uses whose need
 * depends on them (mmap: a shared writable mapping). */
int sys_file_get_rights(int fd, struct file **out, uint32_t *rights);

/* A path argument and the directory it is relative to. A path shorter
 * than SYS_AT_INLINE bytes is copied into inline_path (no heap: a 4 KiB
 * kmalloc is a frame allocation); a longer one into PATH_MAX bytes of
 * heap. */
#define SYS_AT_INLINE 256
struct sys_at {
	char *path;           /* inline_path or kmalloc'd, NUL-terminated */
	struct file *dir;     /* NULL: the working directory (AT_FDCWD or an absolute path) */
	char inline_path[SYS_AT_INLINE];
};

/* Copies upath in and looks dirfd up when the path is relative: 0,
 * -EFAULT, -ENAMETOOLONG, -EBADF or -ENOMEM. sys_at_put undoes it. */
long sys_at_get(struct sys_at *a, int dirfd, uptr_t upath);
/* What the VFS takes as dir: NULL for the working directory. */
const struct path *sys_at_dir(const struct sys_at *a);
void sys_at_put(struct sys_at *a);

/* pipe2 and channel_create: the two new files a and b become the caller's
 * lowest free descriptors (fdflags HANDLE_*), whose numbers are written to
 * the int[2] at ufds. The references to a and b are the table's or gone
 * afterwards either way; on an error no descriptor is left: 0, -EMFILE,
 * -ENOMEM or -EFAULT. */
long sys_install_pair(struct file *a, struct file *b, unsigned fdflags, uptr_t ufds);

#endif
