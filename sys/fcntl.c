/* fcntl(2) and flock(2): descriptor flags, status flags, duplication,
 * record locks (POSIX ones owned by the descriptor table, open-file-
 * description ones by the open file; fs/lock.h), pipe sizes and the owner
 * an O_ASYNC file signals and with what (F_SETOWN, its _EX form with
 * F_OWNER_TID, F_SETSIG). */
#include <cosmos/abi/fcntl.h>
#include <cosmos/errno.h>
#include <fs/lock.h>
#include <fs/pipe.h>
#include <fs/vfs.h>
#include <kernel/proc/process.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

/* F_GETLK, F_SETLK, F_SETLKW and their F_OFD_ forms on f. */
static long fcntl_lock(struct file *f, int cmd, uptr_t arg)
{
	struct process *p = process_current();
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct lock_owner o = { ofd ? (const void *)f : (const void *)p->files, ofd ? -1 : p->pid };
	unsigned kind = ofd ? FL_OFD : FL_POSIX;
	struct flock fl;
	long r;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (ofd && fl.l_pid != 0)       /* Linux insists, to leave room for later use */
		return -EINVAL;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		r = vfs_lock_get(f, &o, kind, &fl);
		if (!r && copy_to_user(arg, &fl, sizeof(fl)))
			r = -EFAULT;
		return r;
	}
	return vfs_lock_set(f, &o, kind, &fl, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* F_SETOWN_EX and F_GETOWN_EX: a process, a group or one thread
 * (F_OWNER_TID). */
static long fcntl_owner_ex(struct file *f, int cmd, uptr_t arg)
{
	struct f_owner_ex ex;
	bool tid;
	int who;

	if (cmd == F_GETOWN_EX) {
		who = file_get_owner_ex(f, &tid);
		ex.type = tid ? F_OWNER_TID : who < 0 ? F_OWNER_PGRP : F_OWNER_PID;
		ex.pid = who < 0 ? -who : who;
		return copy_to_user(arg, &ex, sizeof(ex)) ? -EFAULT : 0;
	}
	if (copy_from_user(&ex, arg, sizeof(ex)))
		return -EFAULT;
	if ((ex.type != F_OWNER_PID && ex.type != F_OWNER_PGRP && ex.type != F_OWNER_TID) || ex.pid < 0)
		return -EINVAL;
	if (ex.type == F_OWNER_TID)
		return file_set_owner_tid(f, ex.pid);
	return file_set_owner(f, ex.type == F_OWNER_PGRP ? -ex.pid : ex.pid);
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct handle_table *t = process_current()->files;
	struct file *f;
	long r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg > INT32_MAX)
			return -EINVAL;
		return handle_dup(t, fd, (int)arg, cmd == F_DUPFD_CLOEXEC ? HANDLE_CLOEXEC : 0);
	case F_GETFD:
		return handle_get_flags(t, fd);
	case F_SETFD:
		return handle_set_flags(t, fd, (unsigned)arg & HANDLE_CLOEXEC);
	case F_GETFL:
	case F_SETFL:
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
	case F_SETOWN:
	case F_GETOWN:
	case F_SETOWN_EX:
	case F_GETOWN_EX:
	case F_SETSIG:
	case F_GETSIG:
		break;
	default:
		return -EINVAL;
	}
	r = sys_file_get(fd, 0, &f);
	if (r)
		return r;
	if (cmd == F_GETFL)
		r = (long)vfs_getfl(f);
	else if (cmd == F_SETFL) {
		r = vfs_setfl(f, (uint32_t)arg);
		if (!r && (arg & O_ASYNC))
			file_note_fd(f, fd);       /* si_fd of F_SETSIG's signal, as Linux's fasync */
	} else if (cmd == F_SETSIG)
		r = arg > INT32_MAX ? -EINVAL : file_set_sig(f, (int)arg, fd);
	else if (cmd == F_GETSIG)
		r = file_get_sig(f);
	else if (cmd == F_SETOWN)
		r = file_set_owner(f, (int)arg);
	else if (cmd == F_GETOWN)
		r = file_get_owner(f);
	else if (cmd == F_SETOWN_EX || cmd == F_GETOWN_EX)
		r = fcntl_owner_ex(f, cmd, uptr(arg));
	else if (cmd == F_GETPIPE_SZ || cmd == F_SETPIPE_SZ)
		r = pipe_fcntl(f, (unsigned)cmd, arg);
	else
		r = fcntl_lock(f, cmd, uptr(arg));
	file_put(f);
	return r;
}

long sys_flock(int fd, int op)
{
	struct file *f;
	long r = sys_file_get(fd, 0, &f);

	if (r)
		return r;
	r = vfs_flock(f, op);
	file_put(f);
	return r;
}
