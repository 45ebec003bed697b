/* Open files (open file descriptions): what a descriptor names. Every
 * kind of file (regular, directory, pipe, device, socket) is a struct
 * file with its own file_ops; docs/processes-and-files.md §6. */
#ifndef FS_FILE_H
#define FS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fs/mount.h>
#include <kernel/proc/handle.h>
#include <kernel/sync/mutex.h>
#include <kernel/sync/spinlock.h>

struct dir_ctx;
struct file;
struct inode;
struct poll_table;
struct uio;

struct file_ops {
	/* Called by vfs_open before the file is visible (special files swap
	 * in their own ops here); NULL: nothing to do. */
	int (*open)(struct inode *ino, struct file *f);
	/* *pos is the file position to use and advance (the VFS holds
	 * pos_lock for seekable files). Return bytes moved or -errno. */
	long (*read)(struct file *f, struct uio *u, uint64_t *pos);
	long (*write)(struct file *f, struct uio *u, uint64_t *pos);
	int64_t (*seek)(struct file *f, int64_t off, int whence);   /* NULL: -ESPIPE */
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg, void *kbuf); /* NULL: -ENOTTY */
	unsigned (*poll)(struct file *f, struct poll_table *pt);    /* NULL: always ready */
	int (*readdir)(struct file *f, struct dir_ctx *ctx);
	int (*fsync)(struct file *f, bool datasync);
	/* The page at byte offset off (page aligned) for a mapping of this
	 * file: a frame the caller maps (sys/mem.c takes the mapping's
	 * reference), or a negative errno (-ENXIO at or past the end). The
	 * file drops its own reference on truncate, and the truncation takes
	 * the page out of every mapping (vm_unmap_backing). */
	int (*getpage)(struct file *f, uint64_t off, uint64_t *phys);
	/* The last reference went (no lock held). */
	void (*release)(struct file *f);
	/* O_ASYNC is being set (on) or cleared (F_SETFL, FIOASYNC): the file
	 * starts or stops sending SIGIO to its owner (file_send_sigio) when
	 * it becomes ready. 0 or -ENOMEM (the flag stays as it was). NULL:
	 * O_ASYNC is only kept. */
	int (*fasync)(struct file *f, bool on);
};

/* fmode: what this open file may do, fixed at open. */
#define FMODE_READ   0x1
#define FMODE_WRITE  0x2
#define FMODE_PATH   0x4     /* O_PATH: a name only, no I/O */
#define FMODE_SEEK   0x8     /* has a position: reads and writes take pos_lock */
#define FMODE_EXEC   0x10
#define FMODE_WRITER 0x20    /* holds its inode's write access (inode_get_write) */

struct file {
	struct kobject obj;            /* one reference per descriptor and per user */
	const struct file_ops *ops;
	struct inode *inode;           /* a reference; pipes and sockets an anonymous one */
	struct path path;              /* references; empty for anonymous files */
	uint64_t pos;                  /* under pos_lock */
	struct mutex pos_lock;
	uint32_t flags;                /* O_ access mode and status flags; F_SETFL writes it
					  atomically, readers take one snapshot */
	unsigned fmode;                /* FMODE_*, fixed at open */
	void *priv;                    /* the file system's or driver's */
	/* F_SETOWN: who hears SIGIO (a pid, -pgid for a group, 0 nobody),
	 * and the setter's uid and euid for Linux's permission rule; under
	 * owner_lock. */
	struct spinlock owner_lock;
	int owner;
	uint32_t owner_uid, owner_euid;
	bool owner_tid;                /* F_OWNER_TID: owner is one thread's id */
	int owner_sig;                 /* F_SETSIG: 0 is SIGIO without details */
	int owner_fd;                  /* the descriptor of the last F_SETFL/F_SETSIG: si_fd */
};

/* A new file with one reference; takes over the caller's reference to
 * ino (NULL: a file fstat and friends answer -EBADF for). NULL: no memory. */
struct file *file_alloc(const struct file_ops *ops, struct inode *ino, uint32_t flags);
/* Drops a reference (NULL: nothing); inline, as every call on a
 * descriptor ends with one. */
static inline void file_put(struct file *f)
{
	if (f)
		kobject_put(&f->obj);
}
/* fcntl F_SETOWN (0, or -ESRCH when no such process or group is alive)
 * and F_GETOWN. */
int file_set_owner(struct file *f, int who);
int file_get_owner(struct file *f);
/* F_SETOWN_EX with F_OWNER_TID: one thread (-ESRCH when none is alive);
 * tid reports whether the owner is one. */
int file_set_owner_tid(struct file *f, int tid);
int file_get_owner_ex(struct file *f, bool *tid);
/* F_SETSIG (0 or a signal; -EINVAL otherwise) and F_GETSIG; fd is what
 * si_fd will say, also recorded by file_note_fd when O_ASYNC is set. */
int file_set_sig(struct file *f, int sig, int fd);
int file_get_sig(struct file *f);
void file_note_fd(struct file *f, int fd);
/* SIGIO to f's owner, if it has one and the setter may signal it. */
void file_send_sigio(struct file *f);
/* The file behind a kobject the handle table returned. */
static inline struct file *file_from_kobject(struct kobject *o)
{
	return o && o->type == KOBJ_FILE ? (struct file *)((char *)o - offsetof(struct file, obj)) : NULL;
}

/* Directory reading: the file system calls dir_emit for each entry from
 * ctx->pos on; pos values are the file system's cookies (0 and 1 are "."
 * and ".."), and next is where to resume after this entry. */
struct dir_ctx {
	/* false: the caller's buffer is full, the entry was not taken. */
	bool (*actor)(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		      unsigned dtype, uint64_t next);
	uint64_t pos;
};
static inline bool dir_emit(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
			    unsigned dtype, uint64_t next)
{
	if (!ctx->actor(ctx, name, len, ino, dtype, next))
		return false;
	ctx->pos = next;
	return true;
}
/* Emits "." and ".." for positions 0 and 1; false when the buffer filled. */
bool dir_emit_dots(struct file *f, struct dir_ctx *ctx);

/* Generic seek for files with a size (SEEK_SET/CUR/END; SEEK_DATA and
 * SEEK_HOLE treat the whole file as data). Caller holds pos_lock. */
int64_t generic_file_seek(struct file *f, int64_t off, int whence);

#endif
