/* A process's file-system context: its root (chroot), its working
 * directory and its umask. CLONE_FS shares one; fork copies it. */
#ifndef FS_FS_CTX_H
#define FS_FS_CTX_H

#include <stdint.h>
#include <fs/mount.h>
#include <kernel/sync/spinlock.h>

struct fs_ctx {
	uint32_t refs;                 /* atomic */
	struct spinlock lock;          /* root, cwd, umask */
	struct path root, cwd;         /* references */
	uint32_t umask;
};

/* Root and cwd at the VFS root, umask 022. NULL: no memory. */
struct fs_ctx *fs_ctx_new(void);
/* A copy with its own references (fork without CLONE_FS). */
struct fs_ctx *fs_ctx_clone(struct fs_ctx *c);
struct fs_ctx *fs_ctx_get(struct fs_ctx *c);
void fs_ctx_put(struct fs_ctx *c);
/* The calling thread's (process->fs, or the kernel's for kernel threads
 * and processes that have none). Valid while the caller's process lives. */
struct fs_ctx *fs_ctx_current(void);
/* The kernel's own (kernel threads', and processes' without one). */
struct fs_ctx *fs_ctx_kernel(void);
/* Snapshots with references (path_put them). */
void fs_ctx_root(struct fs_ctx *c, struct path *out);
void fs_ctx_cwd(struct fs_ctx *c, struct path *out);
/* Replaces cwd or root (takes new references; drops the old ones). */
void fs_ctx_set_cwd(struct fs_ctx *c, const struct path *p);
void fs_ctx_set_root(struct fs_ctx *c, const struct path *p);
/* umask(2): sets the mask (& 0777) and returns the old one. */
uint32_t fs_ctx_set_umask(struct fs_ctx *c, uint32_t mask);
uint32_t fs_ctx_umask(struct fs_ctx *c);

#endif
