/* Descriptor tables: the small integers (descriptors, or handles) a
 * process uses to name counted kernel objects, each with rights and
 * descriptor flags. A table is counted too, so clone(CLONE_FILES) can
 * share one; fork copies it. docs/processes-and-files.md §5. */
#ifndef KERNEL_PROC_HANDLE_H
#define KERNEL_PROC_HANDLE_H

#include <stdint.h>
#include <cosmos/compiler.h>

/* A counted kernel object; one reference per descriptor and per user. */
struct kobject {
	uint32_t type;
	volatile uint32_t refs;               /* atomic */
	void (*release)(struct kobject *o);   /* at the last reference */
};

/* Object types. Everything a descriptor names is a struct file (fs/). */
#define KOBJ_FILE 1u

void kobject_init(struct kobject *o, uint32_t type, void (*release)(struct kobject *o));
void kobject_get(struct kobject *o);
/* The last reference (0 left: release) or one too many (wrapped: panic). */
void kobject_put_last(struct kobject *o, uint32_t left);
/* Inline: every system call on a descriptor ends with one. */
static inline void kobject_put(struct kobject *o)
{
	uint32_t left = __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);

	if (__builtin_expect(left == 0 || left == ~0u, 0))
		kobject_put_last(o, left);
}

/* What a descriptor allows on its object. A descriptor's rights never
 * grow: dup copies them, handle_restrict takes some away. */
#define RIGHT_READ     (1u << 0)
#define RIGHT_WRITE    (1u << 1)
#define RIGHT_TRANSFER (1u << 2)    /* may be passed to another process */
#define RIGHT_DUP      (1u << 3)    /* may be duplicated (dup, dup2, fcntl) */
#define RIGHTS_ALL     (RIGHT_READ | RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUP)

/* Descriptor flags; the value is Linux's FD_CLOEXEC, so sys/ passes
 * fcntl(F_GETFD/F_SETFD) values through. */
#define HANDLE_CLOEXEC 1u

/* RLIMIT_NOFILE: descriptors are below a table's limit, which is at most
 * HANDLE_LIMIT_MAX. */
#define HANDLE_LIMIT_DEFAULT 1024u
#define HANDLE_LIMIT_MAX     65536u

struct handle_table;

/* An empty table with one reference and the given limit; NULL on no
 * memory or a limit above HANDLE_LIMIT_MAX. */
struct handle_table *handle_table_create(unsigned limit) __must_check;
void handle_table_get(struct handle_table *t);
/* Drops a reference; the last one closes every descriptor. */
void handle_table_put(struct handle_table *t);
/* fork: a new table (one reference) with the same descriptors, rights,
 * flags and limit; every object gets one more reference. NULL on no
 * memory. */
struct handle_table *handle_table_clone(struct handle_table *t) __must_check;
/* setrlimit(RLIMIT_NOFILE): descriptors already above it stay open. 0 or
 * -EINVAL (above HANDLE_LIMIT_MAX). */
int handle_table_set_limit(struct handle_table *t, unsigned limit);
/* exec: closes every descriptor that has HANDLE_CLOEXEC. */
void handle_table_close_on_exec(struct handle_table *t);

/* Adds a reference to o under the lowest free descriptor >= min_fd and
 * returns it; -EMFILE when none is below the limit, -EINVAL for min_fd
 * outside 0..limit-1 or bad rights or flags, -ENOMEM. */
int handle_install(struct handle_table *t, struct kobject *o, uint32_t rights,
		   unsigned fdflags, int min_fd) __must_check;
/* The same at descriptor fd, closing what was there (dup2); fd, or
 * -EBADF for fd outside 0..limit-1, -EINVAL, -ENOMEM. */
int handle_install_at(struct handle_table *t, int fd, struct kobject *o, uint32_t rights,
		      unsigned fdflags) __must_check;
/* dup / fcntl(F_DUPFD): fd's object and rights under the lowest free
 * descriptor >= min_fd, with fdflags. The new descriptor, or -EBADF,
 * -EPERM (fd lacks RIGHT_DUP), -EMFILE, -EINVAL, -ENOMEM. */
int handle_dup(struct handle_table *t, int fd, int min_fd, unsigned fdflags) __must_check;
/* dup2 / dup3: the same at newfd, closing what was there; newfd == fd
 * leaves everything as it is. newfd, or -EBADF, -EPERM, -EINVAL, -ENOMEM. */
int handle_dup_at(struct handle_table *t, int fd, int newfd, unsigned fdflags) __must_check;
/* The object behind fd with a new reference (the caller puts it), if fd
 * is open, of the type (0: any) and has all the rights asked; else NULL. */
struct kobject *handle_get(struct handle_table *t, int fd, uint32_t type,
			   uint32_t rights) __must_check;
/* The object behind fd with a new reference and its rights in *rights
 * (handle passing needs both at one instant); NULL if fd is not open. */
struct kobject *handle_get_rights(struct handle_table *t, int fd,
				  uint32_t *rights) __must_check;
/* handle_get_rights for a caller whose process has no other thread: when
 * no other process shares t either, nobody else can change t, and the
 * lookup takes no lock (a system call's usual case). */
struct kobject *handle_get_rights_sole(struct handle_table *t, int fd,
				       uint32_t *rights) __must_check;
/* The object behind fd without a new reference, for a caller whose
 * process has no other thread, while it runs: when no other process
 * shares t, nothing but the caller can close fd, so the table's own
 * reference holds it until the caller returns to its program. NULL when
 * fd is not open or t is shared (then take a reference). */
struct kobject *handle_borrow_sole(struct handle_table *t, int fd, uint32_t *rights);
/* Closes fd (its object loses the table's reference). 0 or -EBADF. */
int handle_close(struct handle_table *t, int fd);
/* 0 if a descriptor is free below the limit, else -EMFILE: open asks
 * before it creates a file, as Linux takes its descriptor first (a thread
 * sharing the table may still take the last one in between). */
int handle_free_check(struct handle_table *t);
/* The lowest open descriptor >= fd, or -1 when none is (close_range). */
int handle_next_open(struct handle_table *t, int fd);
/* fcntl(F_GETFD): the flags, or -EBADF. */
int handle_get_flags(struct handle_table *t, int fd);
/* fcntl(F_SETFD): 0, -EBADF, or -EINVAL for an unknown flag. */
int handle_set_flags(struct handle_table *t, int fd, unsigned fdflags);
/* Leaves fd with only the given rights: 0; -EBADF; -EPERM when rights
 * names one fd does not have (nothing changes then). */
int handle_restrict(struct handle_table *t, int fd, uint32_t rights);

#endif
