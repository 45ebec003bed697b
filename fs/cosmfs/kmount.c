/* Mounting cosmfs in the kernel (kmount.h): a block cache over the
 * device, the core's mount, and the flush thread that commits the journal
 * every 5 seconds (writing the file data it covers first) and checkpoints
 * it when half full. */
#include <fs/cosmfs/kmount.h>
#include <cosmos/errno.h>
#include <drivers/block/blockdev.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/time.h>

void cosmfs_lock(struct cosmfs_mount *m)
{
	if (mutex_lock(&m->lock))
		panic("cosmfs: file system lock taken where blocking is not allowed");
}

void cosmfs_unlock(struct cosmfs_mount *m)
{
	mutex_unlock(&m->lock);
}

static bool flag(bool *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE);
}

static void flusher(void *arg)
{
	struct cosmfs_mount *m = arg;

	for (;;) {
		uint64_t deadline = time_ns() + COSMFS_FLUSH_NS;

		/* the deadline passing (-ETIMEDOUT) is the usual round */
		int r = waitq_wait_event(&m->flush_wq, flag(&m->stop) || flag(&m->kick), deadline);

		(void)r;
		if (flag(&m->stop))
			break;
		__atomic_store_n(&m->kick, false, __ATOMIC_RELEASE);
		cosmfs_lock(m);
		if (!m->fs->rdonly && !m->fs->aborted) {
			struct cfs_journal *j = &m->fs->j;
			uint32_t used = (j->head + j->blocks - 1 - j->tail) % (j->blocks - 1);

			/* errors have been logged and, where they matter,
			 * turned the file system read-only: nothing to add */
			(void)cfs_sync(m->fs, used > (j->blocks - 1) / 2);
		}
		cosmfs_unlock(m);
		__atomic_add_fetch(&m->flushes, 1, __ATOMIC_RELEASE);
	}
	thread_exit(0);
}

void cosmfs_kick(struct cosmfs_mount *m)
{
	__atomic_store_n(&m->kick, true, __ATOMIC_RELEASE);
	waitq_wake_all(&m->flush_wq);
}

static int mount_on(struct blockdev *bd, struct blockdev *memdisk, unsigned flags,
		    struct cosmfs_mount **out)
{
	struct cosmfs_mount *m = kzalloc(sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	mutex_init(&m->lock, "cosmfs");
	waitq_init(&m->flush_wq);
	m->memdisk = memdisk;
	if (bd->read_only)
		flags |= CFS_MNT_RDONLY;
	m->cache = bcache_dev_create(bd);
	if (!m->cache) {
		kfree(m);
		return -ENOMEM;
	}
	cosmfs_lock(m);
	err = cfs_mount(m->cache, m, flags, &m->fs);
	cosmfs_unlock(m);
	if (err) {
		bcache_dev_destroy(m->cache);
		kfree(m);
		return err;
	}
	if (!(flags & CFS_MNT_RDONLY)) {
		m->flusher = thread_create("cosmfs-flush", flusher, m, SCHED_PRIO_DEFAULT, 0);
		if (!m->flusher) {
			cosmfs_lock(m);
			cfs_unmount(m->fs);
			cosmfs_unlock(m);
			bcache_dev_destroy(m->cache);
			kfree(m);
			return -ENOMEM;
		}
	}
	*out = m;
	return 0;
}

int cosmfs_kmount(struct blockdev *bd, unsigned flags, struct cosmfs_mount **out)
{
	return mount_on(bd, NULL, flags, out);
}

int cosmfs_kmount_mem(void *image, uint64_t bytes, unsigned flags, struct cosmfs_mount **out)
{
	struct blockdev *bd = bcache_memdisk_create(image, bytes, (flags & CFS_MNT_RDONLY) != 0);
	int err;

	if (!bd)
		return -ENOMEM;
	err = mount_on(bd, bd, flags, out);
	if (err)
		bcache_memdisk_destroy(bd);
	return err;
}

int cosmfs_kumount(struct cosmfs_mount *m)
{
	int err;

	if (m->flusher) {
		__atomic_store_n(&m->stop, true, __ATOMIC_RELEASE);
		waitq_wake_all(&m->flush_wq);
		if (thread_join(m->flusher, NULL))
			panic("cosmfs: cannot join the flush thread");
	}
	cosmfs_lock(m);
	err = cfs_unmount(m->fs);
	cosmfs_unlock(m);
	bcache_dev_destroy(m->cache);
	if (m->memdisk)
		bcache_memdisk_destroy(m->memdisk);
	kfree(m);
	return err;
}

int cosmfs_kmkfs(struct blockdev *bd, const struct cfs_mkfs_opts *o)
{
	struct bcache_dev *c = bcache_dev_create(bd);
	int err;

	if (!c)
		return -ENOMEM;
	err = cfs_mkfs(c, o);
	bcache_dev_destroy(c);
	return err;
}
