/* tmpfs: files in memory, data in pages allocated as written (holes cost
 * nothing), a size limit (mount option size=, -ENOSPC). Options: size=N
 * (bytes, with k/m/g or %, of RAM), nr_inodes=N, mode=OOO, uid=N, gid=N. */
#ifndef FS_TMPFS_H
#define FS_TMPFS_H

#include <stdint.h>

struct inode;

/* Registers "tmpfs". */
void tmpfs_init(void);

/* Makes the frame at phys (one the caller holds a reference to, whose
 * 4 KiB are the data) page idx of a tmpfs regular file, in a hole, taking
 * over that reference and charging the page to size=; the file grows to
 * the page's end. Its data is not touched: the initramfs unpack gives the
 * archive's own pages this way. 0; -EINVAL (not a tmpfs file), -EEXIST
 * (a page is there), -EFBIG, -ENOSPC or -ENOMEM, and then the caller
 * keeps its reference. */
int tmpfs_adopt_page(struct inode *ino, uint64_t idx, uint64_t phys);

#endif
