/* Linux's file types and permission bits, struct stat as x86-64 lays it
 * out (144 bytes), struct statx, the utimensat special values and the
 * user-visible device-number encoding. */
#ifndef COSMOS_ABI_STAT_H
#define COSMOS_ABI_STAT_H

#include <stdint.h>

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISUID  0004000
#define S_ISGID  0002000
#define S_ISVTX  0001000

#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)

#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001

/* stat, fstat, lstat, newfstatat on x86-64. */
struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;          /* 512-byte units */
	uint64_t st_atime;
	uint64_t st_atime_nsec;
	uint64_t st_mtime;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime;
	uint64_t st_ctime_nsec;
	int64_t __unused[3];
};

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};

/* statx(2): 256 bytes. */
struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t __spare0[1];
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime;
	struct statx_timestamp stx_btime;
	struct statx_timestamp stx_ctime;
	struct statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t __spare3[12];
};

#define STATX_TYPE        0x00000001u
#define STATX_MODE        0x00000002u
#define STATX_NLINK       0x00000004u
#define STATX_UID         0x00000008u
#define STATX_GID         0x00000010u
#define STATX_ATIME       0x00000020u
#define STATX_MTIME       0x00000040u
#define STATX_CTIME       0x00000080u
#define STATX_INO         0x00000100u
#define STATX_SIZE        0x00000200u
#define STATX_BLOCKS      0x00000400u
#define STATX_BASIC_STATS 0x000007ffu
#define STATX_BTIME       0x00000800u
#define STATX_MNT_ID      0x00001000u
#define STATX__RESERVED   0x80000000u

#define STATX_ATTR_MOUNT_ROOT 0x00002000

/* utimensat(2): tv_nsec values that mean "now" and "leave alone". */
#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

/* Device numbers as mknod(2) takes them and stat(2) returns them: minor
 * bits 0-7 and 20-31, major bits 8-19 (and 32-43 for glibc's 64-bit
 * dev_t, which the kernel never needs). */
static inline uint64_t abi_makedev(uint32_t major, uint32_t minor)
{
	return (uint64_t)(minor & 0xff) | ((uint64_t)(major & 0xfff) << 8) |
	       ((uint64_t)(minor & ~0xffu) << 12) | ((uint64_t)(major & ~0xfffu) << 32);
}
static inline uint32_t abi_major(uint64_t dev)
{
	return (uint32_t)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffu));
}
static inline uint32_t abi_minor(uint64_t dev)
{
	return (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffu));
}

#endif
