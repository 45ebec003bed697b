/* Open files as pagers of memory mappings (fs/file_vm.h): a page of the
 * mapping is the file's page (its getpage), and the mapping holds a
 * reference to the open file (docs/processes-and-files.md §8). */
#include <fs/file_vm.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/super.h>
#include <fs/vfs.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>

static int file_getpage(void *obj, uint64_t off, uint64_t *phys)
{
	struct file *f = obj;
	int err;

	if (!f->ops || !f->ops->getpage)
		return -ENODEV;
	err = f->ops->getpage(f, off, phys);
	if (err)
		return err == -ENXIO ? -EIO : err;
	/* the file keeps its own reference; the mapping gets one */
	pmm_ref(*phys);
	return 0;
}

static void file_hold(void *obj) { kobject_get(&((struct file *)obj)->obj); }
static void file_release(void *obj) { file_put(obj); }

static int file_sync(void *obj, uint64_t off, uint64_t len)
{
	(void)off;
	(void)len;
	return vfs_fsync(obj, false);
}

static void file_describe(void *obj, struct vm_object_id *id, char *name, size_t size)
{
	struct file *f = obj;

	id->major = f->inode && f->inode->sb ? f->inode->sb->dev >> 20 : 0;
	id->minor = f->inode && f->inode->sb ? f->inode->sb->dev & 0xfffff : 0;
	id->ino = f->inode ? f->inode->ino : 0;
	if (size)
		name[0] = 0;
}

/* A truncation unmaps pages by inode (vm_unmap_backing), whichever open
 * file the mapping came through. */
static const void *file_backing(void *obj) { return ((struct file *)obj)->inode; }

static const struct vm_pager_ops file_pager = {
	.getpage = file_getpage,
	.hold = file_hold,
	.release = file_release,
	.sync = file_sync,
	.describe = file_describe,
	.backing = file_backing,
};

void file_vm(struct file *f, struct vm_file *vf)
{
	*vf = (struct vm_file){
		.ops = f->ops && f->ops->getpage ? &file_pager : 0,
		.obj = f,
		.readable = (f->fmode & FMODE_READ) != 0,
		.writable = (f->fmode & FMODE_WRITE) != 0,
	};
	/* before the mapping exists, so a truncation after it unmaps */
	if (f->inode && vf->ops)
		__atomic_store_n(&f->inode->mmapped, true, __ATOMIC_SEQ_CST);
}

