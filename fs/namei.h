/* The path walk: a path string to a (mount, dentry), from the caller's
 * root and working directory or a given directory, with ".", "..", mount
 * crossings, symlinks (40 at most: -ELOOP), the length limits
 * (-ENAMETOOLONG) and search permission on every directory passed. */
#ifndef FS_NAMEI_H
#define FS_NAMEI_H

#include <stdbool.h>
#include <stddef.h>
#include <cosmos/abi/limits.h>
#include <fs/mount.h>

/* flags */
#define LOOKUP_FOLLOW    0x1   /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 0x2   /* the result must be a directory (-ENOTDIR) */
#define LOOKUP_EMPTY     0x4   /* "" names the start directory (AT_EMPTY_PATH) */

/* Resolves path; relative paths start at dir (NULL: the working
 * directory). On success out holds references (path_put it). A trailing
 * slash means LOOKUP_FOLLOW | LOOKUP_DIRECTORY. */
int vfs_lookup(const struct path *dir, const char *path, unsigned flags, struct path *out);

/* For calls that create or remove a name: the directory that holds the
 * last component, and that component. */
enum last_type { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };
struct lookup_last {
	struct path parent;            /* references */
	enum last_type type;
	bool trailing_slash;
	size_t len;
	char name[NAME_MAX + 1];
};
int vfs_lookup_parent(const struct path *dir, const char *path, unsigned flags,
		      struct lookup_last *out);
void lookup_last_put(struct lookup_last *l);

/* The child name of the directory parent (whose inode lock the caller
 * holds) from the name cache or the file system: a dentry with a
 * reference, possibly negative. NULL with *err set on failure. No
 * permission check and no mount crossing. */
struct dentry *lookup_one_locked(struct dentry *parent, const char *name, size_t len, int *err);

/* The path as a string from the caller's root: "/a/b", " (deleted)"
 * appended for a removed name, "(unreachable)" prefixed outside the
 * root. Returns the length (without NUL) or -ENAMETOOLONG if size is too
 * small. */
long vfs_path_string(const struct path *p, char *buf, size_t size);

#endif
