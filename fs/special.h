/* How opening a device node or a FIFO reaches its code: the VFS calls the
 * opener installed for the inode's type (the device registry for S_IFCHR
 * and S_IFBLK, the pipe code for S_IFIFO). The opener sets f->ops and
 * f->priv; with none installed, open gives -ENXIO. */
#ifndef FS_SPECIAL_H
#define FS_SPECIAL_H

#include <stdint.h>

struct file;
struct inode;

typedef int (*special_open_fn)(struct inode *ino, struct file *f);

/* type: S_IFCHR, S_IFBLK or S_IFIFO. Set once at boot; returns the
 * previous opener (tests restore it). */
special_open_fn vfs_set_special_open(uint32_t type, special_open_fn fn);

#endif
