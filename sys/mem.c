/* Memory calls over the program's address space (kernel/mm/vm.h): brk,
 * mmap, munmap, mprotect, madvise, mremap and msync. A file mapping sees
 * the open file through a pager: its getpage and its reference count. */
#include <cosmos/abi/mman.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/super.h>
#include <fs/vfs.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/process.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>

static struct vm_space *vm_current(void)
{
	return process_current()->vm;
}

/* ---- open files as pagers (docs/processes-and-files.md §8) ---- */

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

void sys_file_vm(struct file *f, struct vm_file *vf)
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

long sys_mmap(uptr_t addr, size_t len, unsigned int prot, unsigned int flags, int fd, int64_t off)
{
	struct vm_space *vm = vm_current();
	struct vm_file vf;
	struct file *f = 0;
	uint32_t rights;
	long r;

	if (!vm)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS)) {
		r = sys_file_get_rights(fd, &f, &rights);
		if (r)
			return r;
		/* the descriptor's rights narrow the open file's mode: a handle
		 * without RIGHT_WRITE maps nothing shared and writable, now or by
		 * a later mprotect */
		sys_file_vm(f, &vf);
		vf.readable = vf.readable && (rights & RIGHT_READ);
		vf.writable = vf.writable && (rights & RIGHT_WRITE);
	}
	r = vm_mmap(vm, addr.addr, len, prot, flags, f ? &vf : 0, (uint64_t)off);
	if (f)
		file_put(f);    /* the region holds its own reference */
	return r;
}

long sys_munmap(uptr_t addr, size_t len)
{
	struct vm_space *vm = vm_current();

	return vm ? vm_munmap(vm, addr.addr, len) : -EINVAL;
}

long sys_mprotect(uptr_t addr, size_t len, unsigned int prot)
{
	struct vm_space *vm = vm_current();

	return vm ? vm_mprotect(vm, addr.addr, len, prot) : -ENOMEM;
}

long sys_madvise(uptr_t addr, size_t len, int advice)
{
	struct vm_space *vm = vm_current();

	return vm ? vm_madvise(vm, addr.addr, len, advice) : -ENOMEM;
}

long sys_mremap(uptr_t old, size_t oldlen, size_t newlen, unsigned int flags, uptr_t new)
{
	struct vm_space *vm = vm_current();

	return vm ? vm_mremap(vm, old.addr, oldlen, newlen, flags, new.addr) : -ENOMEM;
}

long sys_msync(uptr_t addr, size_t len, unsigned int flags)
{
	struct vm_space *vm = vm_current();

	return vm ? vm_msync(vm, addr.addr, len, flags) : -ENOMEM;
}

long sys_brk(uptr_t addr)
{
	struct vm_space *vm = vm_current();

	return vm ? (long)vm_brk(vm, addr.addr) : 0;
}
