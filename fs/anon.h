/* Inodes without a name, for files that are not in any directory (pipes,
 * sockets, event objects): fstat on them still answers. */
#ifndef FS_ANON_H
#define FS_ANON_H

#include <stdint.h>

struct inode;

/* A new inode (count 1) with type and permission bits mode, owned by the
 * caller's fsuid/fsgid, on the anonymous file system. NULL: no memory. */
struct inode *anon_inode_new(uint32_t mode);

#endif
