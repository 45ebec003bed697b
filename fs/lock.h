/* Advisory file locks: POSIX record locks (fcntl F_GETLK/F_SETLK/F_SETLKW,
 * owned by a descriptor table, released when that owner closes any
 * descriptor of the file), open-file-description locks (F_OFD_*, owned by
 * the open file) and flock(2) locks (whole file, owned by the open file).
 * One mutex, the lock-table mutex, protects every inode's lock list. */
#ifndef FS_LOCK_H
#define FS_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/abi/fcntl.h>

struct file;

/* Who holds a record lock: the descriptor table (POSIX) or the file
 * (OFD), and the pid F_GETLK reports (-1 for OFD locks). */
struct lock_owner {
	const void *id;
	int pid;
};

#define FL_POSIX 0x1
#define FL_FLOCK 0x2
#define FL_OFD   0x4

struct file_lock {
	struct file_lock *next;        /* the inode's list (lock-table mutex) */
	struct lock_owner owner;
	const struct file *file;       /* flock and OFD locks: the file owning them */
	unsigned kind;                 /* FL_* */
	int type;                      /* F_RDLCK or F_WRLCK */
	uint64_t start, end;           /* inclusive byte range */
};

/* F_GETLK: fl (whence/start/len relative to f) in; out: the first lock
 * that would block it, or l_type F_UNLCK. 0 or -EINVAL/-EBADF. */
int vfs_lock_get(struct file *f, const struct lock_owner *o, unsigned kind, struct flock *fl);
/* F_SETLK (wait false: -EAGAIN on conflict) and F_SETLKW (waits;
 * -EDEADLK when waiting would close a cycle of POSIX owners, -EINTR when
 * a signal interrupts the wait: nothing changed then). kind:
 * FL_POSIX or FL_OFD. A read lock needs FMODE_READ, a write lock
 * FMODE_WRITE (-EBADF). */
int vfs_lock_set(struct file *f, const struct lock_owner *o, unsigned kind,
		 const struct flock *fl, bool wait);
/* flock(2): LOCK_SH, LOCK_EX, LOCK_UN, with LOCK_NB (-EWOULDBLOCK); a
 * wait ends with -EINTR on a signal (a lock being converted is gone
 * then, as on Linux). */
int vfs_flock(struct file *f, int op);
/* close(2) of any descriptor for f: owner o's POSIX locks on f's inode
 * go (sys/ calls this before dropping the descriptor's reference). */
void vfs_locks_close(struct file *f, const void *owner);
/* The last reference to f: its flock and OFD locks go (file_put). */
void vfs_locks_release_file(struct file *f);

#endif
