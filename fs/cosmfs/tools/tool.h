/* What the cosmfs host tools share: sizes, opening an image, the time,
 * and resolving a path inside a mounted image. */
#ifndef FS_COSMFS_TOOLS_TOOL_H
#define FS_COSMFS_TOOLS_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <fs/cosmfs/cfs.h>

/* "512M", "4096", "2G", "1T": bytes; false when it is not a size. */
bool tool_parse_size(const char *s, uint64_t *bytes);
struct cfs_time tool_now(void);
/* Resolves an absolute path (no symlinks followed) to its parent
 * directory, its inode, and the last component. The root: dir and ip
 * both the root, last "". -ENOENT with dir and last set when only the
 * last component is missing, with last NULL when more is. */
int tool_resolve(struct cfs_fs *fs, const char *path, struct cfs_inode *dir,
		 struct cfs_inode *ip, const char **last, size_t *last_len);
/* The error's name for messages. */
const char *tool_strerror(int err);

#endif
