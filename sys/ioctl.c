/* ioctl(2): the commands every file answers the same way (FIOCLEX,
 * FIONCLEX, FIONBIO, FIOASYNC, and FIONREAD for regular files) are done
 * here; the rest go to the file's ioctl op. No user pointer reaches a
 * driver (docs/processes-and-files.md §2): a command in the table below
 * has its argument copied into a kernel buffer before the call and out
 * after it; one not in it reaches the file with kbuf NULL and the raw
 * integer argument. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl-block.h>
#include <cosmos/abi/ioctl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/abi/termios.h>
#include <cosmos/errno.h>
#include <fs/vfs.h>
#include <kernel/proc/process.h>
#include <lib/string.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define IOC_IN  1u    /* the argument points at size bytes the file reads */
#define IOC_OUT 2u    /* ... that the file fills */

struct ioctl_arg {
	unsigned cmd;
	unsigned dir;       /* IOC_IN, IOC_OUT, both, or 0: no buffer */
	unsigned size;      /* at most IOCTL_BUF_MAX */
};

#define IOCTL_BUF_MAX 64

static const struct ioctl_arg ioctl_args[] = {
	{ FIONREAD, IOC_OUT, sizeof(int32_t) },
	{ FIONBIO, IOC_IN, sizeof(int32_t) },
	{ FIOASYNC, IOC_IN, sizeof(int32_t) },
	{ BLKGETSIZE64, IOC_OUT, sizeof(uint64_t) },
	{ BLKGETSIZE, IOC_OUT, sizeof(uint64_t) },
	{ BLKSSZGET, IOC_OUT, sizeof(int32_t) },
	{ BLKPBSZGET, IOC_OUT, sizeof(uint32_t) },
	{ BLKROGET, IOC_OUT, sizeof(int32_t) },
	/* terminals (docs/terminal.md); TIOCSCTTY, TIOCNOTTY, TCFLSH, TCXONC
	 * and TCSBRK take their argument by value */
	{ TCGETS, IOC_OUT, sizeof(struct termios) },
	{ TCSETS, IOC_IN, sizeof(struct termios) },
	{ TCSETSW, IOC_IN, sizeof(struct termios) },
	{ TCSETSF, IOC_IN, sizeof(struct termios) },
	{ TIOCGWINSZ, IOC_OUT, sizeof(struct winsize) },
	{ TIOCSWINSZ, IOC_IN, sizeof(struct winsize) },
	{ TIOCGPGRP, IOC_OUT, sizeof(int32_t) },
	{ TIOCSPGRP, IOC_IN, sizeof(int32_t) },
	{ TIOCGSID, IOC_OUT, sizeof(int32_t) },
	{ TIOCOUTQ, IOC_OUT, sizeof(int32_t) },
	{ TIOCSTI, IOC_IN, 1 },
};

static const struct ioctl_arg *ioctl_arg_find(unsigned cmd)
{
	for (size_t i = 0; i < sizeof(ioctl_args) / sizeof(ioctl_args[0]); i++)
		if (ioctl_args[i].cmd == cmd)
			return &ioctl_args[i];
	return 0;
}

/* FIONBIO and FIOASYNC: set or clear one status flag. */
static long set_status_flag(struct file *f, uint32_t flag, int32_t on)
{
	uint32_t fl = vfs_getfl(f);

	return vfs_setfl(f, on ? fl | flag : fl & ~flag);
}

/* FIONREAD on a regular file: the bytes between the position and the end. */
static long regular_nread(struct file *f, int32_t *n)
{
	int64_t left;
	int err = mutex_lock(&f->pos_lock);

	if (err)
		return err;
	left = (int64_t)f->inode->size - (int64_t)f->pos;
	mutex_unlock(&f->pos_lock);
	*n = left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int32_t)left;
	return 0;
}

static long ioctl_file(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	switch (cmd) {
	case FIONBIO:
		return set_status_flag(f, O_NONBLOCK, *(int32_t *)kbuf);
	case FIOASYNC:
		return set_status_flag(f, O_ASYNC, *(int32_t *)kbuf);
	case FIONREAD:
		if (f->inode && S_ISREG(f->inode->mode) && !(f->fmode & FMODE_PATH))
			return regular_nread(f, kbuf);
		break;
	}
	return vfs_ioctl(f, cmd, arg, kbuf);
}

long sys_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	struct handle_table *t = process_current()->files;
	const struct ioctl_arg *a;
	uint64_t buf[IOCTL_BUF_MAX / sizeof(uint64_t)];
	struct file *f;
	long r;

	if (cmd == FIOCLEX || cmd == FIONCLEX)
		return handle_set_flags(t, fd, cmd == FIOCLEX ? HANDLE_CLOEXEC : 0);
	/* a request that only reports (its argument only written back) needs
	 * the read right; one that changes something, the write right */
	a = ioctl_arg_find(cmd);
	r = sys_file_get(fd, a && a->dir == IOC_OUT ? RIGHT_READ : RIGHT_WRITE, &f);
	if (r)
		return r;
	memset(buf, 0, sizeof(buf));
	if (a && (a->dir & IOC_IN) && copy_from_user(buf, uptr(arg), a->size))
		r = -EFAULT;
	if (!r)
		r = ioctl_file(f, cmd, arg, a && a->dir ? buf : 0);
	file_put(f);
	if (r >= 0 && a && (a->dir & IOC_OUT) && copy_to_user(uptr(arg), buf, a->size))
		r = -EFAULT;
	return r;
}
