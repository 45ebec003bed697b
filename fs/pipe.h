/* Pipes and FIFOs: a ring buffer (64 KiB by default) between the files
 * that read and write it. Writes of up to PIPE_BUF bytes are atomic;
 * readers see EOF once the last writer has gone, writers -EPIPE once the
 * last reader has (sys/ turns that into SIGPIPE). Waits are interruptible
 * (-EINTR); O_NONBLOCK files get -EAGAIN instead of waiting. A FIFO is the
 * same pipe reached by opening an S_IFIFO inode: the opener waits for the
 * other side as Linux's fifo_open does. ioctl FIONREAD tells the bytes
 * waiting. */
#ifndef FS_PIPE_H
#define FS_PIPE_H

#include <stdint.h>

struct file;

#define PIPE_DEF_BYTES   (64u * 1024)
/* /proc/sys/fs/pipe-max-size: F_SETPIPE_SZ beyond it needs root. */
#define PIPE_MAX_BYTES   (1024u * 1024)
/* The largest buffer even root gets (one kmalloc block). */
#define PIPE_HARD_MAX_BYTES (4u * 1024 * 1024)

/* Installs the FIFO opener (fs/special.h). */
void pipe_init(void);

/* pipe2(2): a read end and a write end, each with one reference. flags:
 * O_NONBLOCK applies to both files; O_CLOEXEC is accepted (it is a
 * descriptor flag, sys/'s); anything else is -EINVAL. -ENOMEM. */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr);

/* fcntl F_GETPIPE_SZ (arg unused) and F_SETPIPE_SZ (arg: the wanted size,
 * rounded up to a power-of-two number of pages; -EBUSY if the data in the
 * pipe would not fit, -EPERM above PIPE_MAX_BYTES for non-root, -EINVAL
 * for 0 or beyond 2^31). Both return the buffer size. -EBADF if f is not
 * a pipe or FIFO. */
long pipe_fcntl(struct file *f, unsigned cmd, uint64_t arg);

#endif
