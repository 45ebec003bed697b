/* cosmfs as the VFS sees it (fs/cosmfs/kvfs.c): the file-system type and
 * the root mount the command line asks for. */
#ifndef FS_COSMFS_COSMFS_H
#define FS_COSMFS_COSMFS_H

#include <stdint.h>

struct file_system_type;
struct super_block;

/* Registers the file-system type "cosmfs" (mount(2): a block device). */
void cosmfs_init(void);
/* root=DEV on the command line (with ro or rw, default rw): the cosmfs on
 * DEV mounted, for the VFS to make it the root. 0 with *sb set; -ENOENT
 * when root= was not given; another negative errno when DEV could not be
 * mounted (the error is logged). */
int cosmfs_root(struct super_block **sb);
/* For a type's mount (tests): the cosmfs in the image in memory (written
 * in place unless MS_RDONLY is in flags), under type t. */
int cosmfs_mount_image(const struct file_system_type *t, void *image, uint64_t bytes, unsigned long flags,
		       struct super_block **out);

#endif
