/* tmpfs: files in memory, data in pages allocated as written (holes cost
 * nothing), a size limit (mount option size=, -ENOSPC). Options: size=N
 * (bytes, with k/m/g or %, of RAM), nr_inodes=N, mode=OOO, uid=N, gid=N. */
#ifndef FS_TMPFS_H
#define FS_TMPFS_H

/* Registers "tmpfs". */
void tmpfs_init(void);

#endif
