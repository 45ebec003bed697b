/* eventfd and eventfd2: a counter file (kernel/ipc/eventfd.c) under the
 * caller's lowest free descriptor. */
#include <cosmos/errno.h>
#include <fs/file.h>
#include <kernel/ipc/eventfd.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <sys/syscall_protos.h>

long sys_eventfd2(unsigned int initval, unsigned int flags)
{
	struct handle_table *t = process_current()->files;
	struct file *f;
	long r;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
		return -EINVAL;
	r = handle_free_check(t);
	if (!r)
		r = eventfd_create(initval, flags & ~EFD_CLOEXEC, &f);
	if (r)
		return r;
	r = handle_install(t, &f->obj, RIGHTS_ALL, (flags & EFD_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);
	file_put(f);            /* the descriptor holds it (or nothing does) */
	return r;
}

long sys_eventfd(unsigned int initval)
{
	return sys_eventfd2(initval, 0);
}
