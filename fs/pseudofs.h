/* Synthetic file systems (procfs, sysfs): trees described by
 * tables. A file's text is generated when it is opened (so one open sees
 * one consistent snapshot, as Linux's seq_file files do), a symlink's
 * target when it is read, and a directory's children may come from a list
 * the kernel keeps (processes, PCI functions, disks) instead of a table.
 *
 * Every node carries a 64-bit argument: a family child gets its own (the
 * pid, the device index), a table child inherits its parent's, so
 * /proc/42/stat's generator is called with 42. */
#ifndef FS_PSEUDOFS_H
#define FS_PSEUDOFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/limits.h>
#include <fs/seqbuf.h>
#include <fs/super.h>

struct pseudo_entry;

/* Children that come from a kernel list. Names are at most NAME_MAX. */
struct pseudo_family {
	/* The first child whose cursor is above *cursor (start with 0):
	 * false at the end; else its name, its argument, and *cursor moved
	 * to its (non-zero, increasing) cursor value. */
	bool (*next)(uint64_t parent_arg, uint64_t *cursor, char *name, uint64_t *arg);
	/* The child called name: true and its argument, or false. */
	bool (*find)(uint64_t parent_arg, const char *name, uint64_t *arg);
	const struct pseudo_entry *entry;   /* what every child is */
};

#define PSEUDO_WRITE_MAX 4096

struct pseudo_entry {
	const char *name;               /* NULL ends a table */
	uint32_t mode;                  /* S_IFREG, S_IFDIR or S_IFLNK and permission bits */
	/* Regular files, one of: */
	int (*show)(struct seqbuf *s, uint64_t arg);    /* the whole text; -errno refuses the open */
	long (*read)(uint64_t arg, uint64_t off, void *buf, size_t len);  /* bytes at off (binary files) */
	uint64_t (*size)(uint64_t arg);  /* st_size (default 0, as Linux's generated files) */
	/* Writable generated files (a sysctl under /proc/sys): one write at
	 * offset 0 of at most PSEUDO_WRITE_MAX bytes is the new value; the
	 * bytes taken or -errno. Who may open for writing is the mode's
	 * business (the VFS checks it). */
	long (*write)(uint64_t arg, const char *buf, size_t len);
	/* Symlinks: the target. */
	int (*link)(struct seqbuf *s, uint64_t arg);
	/* Directories: a table of children, then a family. */
	const struct pseudo_entry *children;
	const struct pseudo_family *family;
	/* Owner of this node (default root); false if the thing the
	 * argument names is gone (the node then refuses lookups and opens). */
	bool (*owner)(uint64_t arg, uint32_t *uid, uint32_t *gid);
};

/* A file-system type whose tree starts at root (a directory entry).
 * The type's name and magic go to /proc/filesystems and statfs. */
struct pseudo_fs {
	struct file_system_type type;
	const struct pseudo_entry *root;
	uint64_t magic;
};

/* Registers the type (fills type.mount); 0 or fs_register's error. */
int pseudofs_register(struct pseudo_fs *fs);

#endif
