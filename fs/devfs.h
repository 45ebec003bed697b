/* devfs, mounted at /dev, and the device registry behind every device
 * node. A driver registers a range of device numbers (Linux's numbers
 * where Linux has them) with an open function; opening a character or
 * block node on any file system (devfs, or one made with mknod elsewhere)
 * reaches the driver of its number. devfs itself is a tmpfs holding the
 * nodes and symlinks registered here, so /dev can also take directories
 * and mount points (shm, pts) like Linux's devtmpfs. */
#ifndef FS_DEVFS_H
#define FS_DEVFS_H

#include <stdint.h>
#include <fs/inode.h>
#include <fs/seqbuf.h>

struct blockdev;
struct file;

/* Linux's majors. */
#define MEM_MAJOR      1      /* null 3, zero 5, full 7, random 8, urandom 9, kmsg 11 */
#define TTY_MAJOR      4      /* tty1 1, ttyS0 64 */
#define TTYAUX_MAJOR   5      /* tty 0, console 1 */
#define VIRTBLK_MAJOR  254    /* what Linux's virtio-blk gets: 16 minors per disk */
#define BLKEXT_MAJOR   259    /* partitions beyond 15 */
#define DISK_GID       6      /* group "disk" */

struct devfs_driver {
	const char *name;             /* for /proc/devices */
	uint32_t type;                /* S_IFCHR or S_IFBLK */
	uint32_t major, minor_first, minor_count;
	/* Sets f->ops and f->priv for device dev (0 or -errno, -ENXIO for a
	 * number with nothing behind it). */
	int (*open)(struct file *f, uint32_t dev);
	struct devfs_driver *next;    /* the registry's */
};

/* 0, or -EBUSY when the range overlaps a registered one. */
int devfs_register_driver(struct devfs_driver *d);

/* Names in every devfs: a device node (mode: S_IFCHR or S_IFBLK with the
 * permission bits; owner root, group gid) or a symlink. Existing and later
 * devfs mounts get them. 0, -ENOMEM, -EEXIST. */
int devfs_add_node(const char *name, uint32_t mode, uint32_t gid, uint32_t dev);
int devfs_add_symlink(const char *name, const char *target);

/* The device number devfs gives a disk or partition: 254:(disk * 16 +
 * partno) as Linux's virtio-blk, 259:n for partitions past 15. */
uint32_t devfs_blockdev_number(const struct blockdev *bd);

/* /proc/devices. */
int devfs_show_devices(struct seqbuf *s);

/* Registers the drivers (memory devices, kmsg, block devices, terminals), their
 * nodes, the openers for device inodes and the "devtmpfs" type. Call after
 * the block devices and tmpfs exist. */
void devfs_init(void);

/* Starts keeping the kernel log's lines for /dev/kmsg: call right after
 * the first console, so that the boot's lines are kept. */
void kmsg_init(void);
/* The size of the ring /dev/kmsg keeps the log in, and a copy of its newest
 * whole lines that fit in max bytes, oldest first (syslog(2)'s READ_ALL):
 * returns the bytes copied. */
size_t kmsg_ring_size(void);
size_t kmsg_copy_recent(char *buf, size_t max);

/* The drivers' own registration (fs/devfs_mem.c, devfs_kmsg.c,
 * devfs_block.c, tty_file.c), called by devfs_init. */
void devfs_mem_init(void);
void devfs_kmsg_init(void);
void devfs_block_init(void);
void tty_devfs_init(void);

#endif
