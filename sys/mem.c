/* Memory calls over the program's address space (kernel/mm/vm.h): brk,
 * mmap, munmap, mprotect, madvise, mremap and msync. A file mapping sees
 * the open file through its pager (fs/file_vm.h). */
#include <cosmos/abi/mman.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/file_vm.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/process.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>

static struct vm_space *vm_current(void)
{
	return process_current()->vm;
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
		file_vm(f, &vf);
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
