/* Linux's struct statfs for x86-64 (120 bytes), its f_flags bits and the
 * file-system magic numbers CosmOS reports in f_type. */
#ifndef COSMOS_ABI_STATFS_H
#define COSMOS_ABI_STATFS_H

#include <stdint.h>

struct statfs {
	int64_t f_type;
	int64_t f_bsize;
	int64_t f_blocks;
	int64_t f_bfree;
	int64_t f_bavail;
	int64_t f_files;
	int64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};

#define ST_RDONLY      0x0001
#define ST_NOSUID      0x0002
#define ST_NODEV       0x0004
#define ST_NOEXEC      0x0008
#define ST_SYNCHRONOUS 0x0010
#define ST_VALID       0x0020
#define ST_NOATIME     0x0400
#define ST_NODIRATIME  0x0800
#define ST_RELATIME    0x1000

#define TMPFS_MAGIC      0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC      0x62656572
#define PIPEFS_MAGIC     0x50495045
#define ANON_INODE_FS_MAGIC 0x09041934

#endif
