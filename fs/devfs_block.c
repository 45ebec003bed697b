/* Block device nodes (/dev/vda, /dev/vda1, ...): reads and writes at any
 * offset and length through the block layer, whole sectors at a time,
 * reading the first and last sector of a write that covers them only in
 * part (read-modify-write); ioctls BLKGETSIZE64, BLKGETSIZE, BLKSSZGET,
 * BLKPBSZGET, BLKROGET and BLKFLSBUF; fsync flushes the disk's cache.
 *
 * Locking: write_lock (a mutex) serialises all writes through these
 * nodes, so a read-modify-write never loses a neighbour's bytes in the
 * same sector. Reads take no lock. The block layer's registry is fixed
 * after boot, so devices are looked up without one. */
#include <fs/devfs.h>
#include <cosmos/abi/ioctl-block.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <fs/file.h>
#include <kernel/mm/heap.h>
#include <kernel/sync/mutex.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

#define BOUNCE (64u * 1024)

static struct mutex write_lock;

static uint64_t bd_bytes(const struct blockdev *bd)
{
	return bd->sectors * bd->sector_size;
}

/* A disk's index among disks (partitions not counted). */
static unsigned disk_index(const struct blockdev *disk)
{
	unsigned n = 0;

	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *b = blockdev_get(i);

		if (b == disk)
			break;
		if (!b->parent)
			n++;
	}
	return n;
}

uint32_t devfs_blockdev_number(const struct blockdev *bd)
{
	unsigned ext = 0;

	if (!bd->parent)
		return DEV_MAKE(VIRTBLK_MAJOR, disk_index(bd) * 16);
	if (bd->partno < 16)
		return DEV_MAKE(VIRTBLK_MAJOR, disk_index(bd->parent) * 16 + bd->partno);
	/* partitions past 15 are numbered in the order they were found */
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *b = blockdev_get(i);

		if (b == bd)
			break;
		if (b->parent && b->partno >= 16)
			ext++;
	}
	return DEV_MAKE(BLKEXT_MAJOR, ext);
}

static long blk_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct blockdev *bd = f->priv;
	uint64_t size = bd_bytes(bd), off = *pos;
	uint32_t ss = bd->sector_size;
	long done = 0;
	uint8_t *buf;

	if (off >= size || u->resid == 0)
		return 0;
	buf = kmalloc(BOUNCE);
	if (!buf)
		return -ENOMEM;
	while (u->resid && off < size) {
		uint64_t first = off / ss, inoff = off % ss;
		size_t want = u->resid < size - off ? u->resid : (size_t)(size - off);
		size_t span, chunk;
		long c;
		int err;

		if (want > BOUNCE - inoff)
			want = BOUNCE - inoff;
		span = (inoff + want + ss - 1) / ss * ss;
		chunk = want;
		err = blockdev_read(bd, first, (uint32_t)(span / ss), buf);
		if (err) {
			if (!done)
				done = err;
			break;
		}
		c = uio_copy_out(u, buf + inoff, chunk);
		if (c <= 0) {
			if (!done)
				done = c;
			break;
		}
		off += (uint64_t)c;
		done += c;
		if ((size_t)c < chunk)
			break;
	}
	kfree(buf);
	if (done > 0)
		*pos = off;
	return done;
}

static long blk_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct blockdev *bd = f->priv;
	uint64_t size = bd_bytes(bd), off = *pos;
	uint32_t ss = bd->sector_size;
	long done = 0;
	uint8_t *buf;

	if (u->resid == 0)
		return 0;
	if (off >= size)
		return -ENOSPC;
	buf = kmalloc(BOUNCE);
	if (!buf)
		return -ENOMEM;
	if ((done = mutex_lock(&write_lock))) {
		kfree(buf);
		return done;
	}
	while (u->resid && off < size) {
		uint64_t first = off / ss, inoff = off % ss;
		size_t want = u->resid < size - off ? u->resid : (size_t)(size - off);
		size_t span;
		uint32_t nsec;
		long c;
		int err = 0;

		if (want > BOUNCE - inoff)
			want = BOUNCE - inoff;
		span = (inoff + want + ss - 1) / ss * ss;
		nsec = (uint32_t)(span / ss);
		/* the parts of the first and last sector we do not write */
		if (inoff)
			err = blockdev_read(bd, first, 1, buf);
		if (!err && (inoff + want) % ss && (nsec > 1 || !inoff))
			err = blockdev_read(bd, first + nsec - 1, 1, buf + span - ss);
		c = err ? err : uio_copy_in(u, buf + inoff, want);
		if (c > 0 && (size_t)c < want) {
			/* A fault cut the copy. Sectors past the cut hold
			 * nothing valid: write the whole sectors before it
			 * and report only their bytes. */
			uint64_t end = (inoff + (uint64_t)c) / ss * ss;

			c = end > inoff ? (long)(end - inoff) : -EFAULT;
			nsec = (uint32_t)(end / ss);
		}
		if (c > 0)
			err = blockdev_write(bd, first, nsec, buf);
		if (c <= 0 || err) {
			if (!done)
				done = err ? err : c;
			break;
		}
		off += (uint64_t)c;
		done += c;
		if ((size_t)c < want)
			break;
	}
	mutex_unlock(&write_lock);
	kfree(buf);
	if (done > 0)
		*pos = off;
	return done;
}

static int64_t blk_seek(struct file *f, int64_t off, int whence)
{
	struct blockdev *bd = f->priv;
	int64_t base;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)bd_bytes(bd); break;
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (int64_t)f->pos;
}

static long blk_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	struct blockdev *bd = f->priv;

	(void)arg;
	switch (cmd) {
	case BLKFLSBUF:
		return blockdev_flush(bd);
	case BLKGETSIZE64:
		if (!kbuf)
			return -EFAULT;
		*(uint64_t *)kbuf = bd_bytes(bd);
		return 0;
	case BLKGETSIZE:
		if (!kbuf)
			return -EFAULT;
		*(uint64_t *)kbuf = bd_bytes(bd) / 512;
		return 0;
	case BLKSSZGET:
	case BLKPBSZGET:
		if (!kbuf)
			return -EFAULT;
		*(int32_t *)kbuf = (int32_t)bd->sector_size;
		return 0;
	case BLKROGET:
		if (!kbuf)
			return -EFAULT;
		*(int32_t *)kbuf = bd->read_only || (bd->parent && bd->parent->read_only);
		return 0;
	}
	return -ENOTTY;
}

static int blk_fsync(struct file *f, bool datasync)
{
	(void)datasync;
	return blockdev_flush(f->priv);
}

static const struct file_ops blk_ops = {
	.read = blk_read,
	.write = blk_write,
	.seek = blk_seek,
	.ioctl = blk_ioctl,
	.fsync = blk_fsync,
};

static int blk_open(struct file *f, uint32_t dev)
{
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *bd = blockdev_get(i);

		if (devfs_blockdev_number(bd) != dev)
			continue;
		if ((f->fmode & FMODE_WRITE) &&
		    (bd->read_only || (bd->parent && bd->parent->read_only)))
			return -EROFS;
		f->ops = &blk_ops;
		f->priv = bd;
		f->fmode |= FMODE_SEEK;
		return 0;
	}
	return -ENXIO;
}

static struct devfs_driver virtblk_driver = {
	.name = "virtblk", .type = S_IFBLK, .major = VIRTBLK_MAJOR, .minor_first = 0,
	.minor_count = 1u << 20, .open = blk_open,
};
static struct devfs_driver blkext_driver = {
	.name = "blkext", .type = S_IFBLK, .major = BLKEXT_MAJOR, .minor_first = 0,
	.minor_count = 1u << 20, .open = blk_open,
};

void devfs_block_init(void)
{
	mutex_init(&write_lock, "devfs_blk");
	devfs_register_driver(&virtblk_driver);
	devfs_register_driver(&blkext_driver);
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *bd = blockdev_get(i);

		devfs_add_node(bd->name, S_IFBLK | 0660, DISK_GID, devfs_blockdev_number(bd));
	}
}
