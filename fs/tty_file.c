/* The terminals as device files: /dev/tty1 (4:1, the screen and the
 * keyboard), /dev/ttyS0 (4:64, COM1), /dev/tty (5:0, the caller's
 * controlling terminal) and /dev/console (5:1, tty1, or ttyS0 on a machine
 * without a screen), with Linux's numbers. Each open holds a tty_handle;
 * reads, writes, ioctls and poll go to fs/tty.c. */
#include <fs/devfs.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/poll.h>
#include <fs/tty.h>
#include <fs/tty_drivers.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <sys/uio.h>

#define TTY1_MINOR    1
#define TTYS0_MINOR   64
#define TTY_GID       5       /* group "tty" */
#define DIALOUT_GID   20      /* group "dialout" */

static long copy_out(void *ctx, const char *src, size_t n)
{
	return uio_copy_out(ctx, src, n);
}

static long copy_in(void *ctx, char *dst, size_t n)
{
	return uio_copy_in(ctx, dst, n);
}

static long ttyf_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty_copy c = { .out = copy_out, .ctx = u };

	(void)pos;
	return tty_read(f->priv, &c, u->resid, f->flags & O_NONBLOCK);
}

static long ttyf_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty_copy c = { .in = copy_in, .ctx = u };

	(void)pos;
	return tty_write(f->priv, &c, u->resid, f->flags & O_NONBLOCK);
}

static long ttyf_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	return tty_ioctl(f->priv, cmd, arg, kbuf);
}

/* Output is shown as it is written, so a terminal is always writable. */
static unsigned ttyf_poll(struct file *f, struct poll_table *pt)
{
	bool readable, hungup;
	unsigned mask;

	/* on the queue first: input between the look and the sleep wakes us */
	poll_wait(pt, tty_poll_queue(f->priv));
	tty_poll(f->priv, poll_will_wait(pt), &readable, &hungup);
	mask = hungup ? POLLHUP : POLLOUT | POLLWRNORM;
	if (readable)
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

static int ttyf_fasync(struct file *f, bool on)
{
	return tty_fasync(f->priv, f, on);
}

static void ttyf_release(struct file *f)
{
	(void)tty_fasync(f->priv, f, false);   /* the file leaves the O_ASYNC list */
	tty_close(f->priv);
	kfree(f->priv);
}

static const struct file_ops tty_file_ops = {
	.read = ttyf_read,
	.write = ttyf_write,
	.ioctl = ttyf_ioctl,
	.poll = ttyf_poll,
	.release = ttyf_release,
	.fasync = ttyf_fasync,
};

/* The terminal behind a device number for the caller, or NULL. */
static struct tty *tty_of(uint32_t dev)
{
	switch (dev) {
	case DEV_MAKE(TTY_MAJOR, TTY1_MINOR):
		return tty_console();
	case DEV_MAKE(TTY_MAJOR, TTYS0_MINOR):
		return tty_serial();
	case DEV_MAKE(TTYAUX_MAJOR, 0):
		return tty_current();
	case DEV_MAKE(TTYAUX_MAJOR, 1):
		return tty_console() ? tty_console() : tty_serial();
	}
	return NULL;
}

static int tty_dev_open(struct file *f, uint32_t dev)
{
	struct tty *t = tty_of(dev);
	struct tty_handle *h;
	bool aux = DEV_MAJOR(dev) == TTYAUX_MAJOR;

	if (!t)
		return -ENXIO;  /* /dev/tty without a controlling terminal, as Linux */
	h = kmalloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	/* /dev/tty and /dev/console never make a controlling terminal */
	tty_open(t, aux || (f->flags & O_NOCTTY), dev == DEV_MAKE(TTYAUX_MAJOR, 1), h);
	f->ops = &tty_file_ops;
	f->priv = h;
	return 0;
}

static struct devfs_driver tty_driver = {
	.name = "tty", .type = S_IFCHR, .major = TTY_MAJOR, .minor_first = 0, .minor_count = 256,
	.open = tty_dev_open,
};

static struct devfs_driver ttyaux_driver = {
	.name = "/dev/tty", .type = S_IFCHR, .major = TTYAUX_MAJOR, .minor_first = 0, .minor_count = 2,
	.open = tty_dev_open,
};

static void add_node(const char *name, uint32_t mode, uint32_t gid, uint32_t dev)
{
	int err = devfs_add_node(name, S_IFCHR | mode, gid, dev);

	if (err)
		log_err("tty: cannot add /dev/%s (%d)", name, err);
}

void tty_devfs_init(void)
{
	if (devfs_register_driver(&tty_driver) || devfs_register_driver(&ttyaux_driver)) {
		log_err("tty: device numbers 4 and 5 are taken");
		return;
	}
	add_node("tty", 0666, TTY_GID, DEV_MAKE(TTYAUX_MAJOR, 0));
	add_node("console", 0600, 0, DEV_MAKE(TTYAUX_MAJOR, 1));
	if (tty_console())
		add_node("tty1", 0620, TTY_GID, DEV_MAKE(TTY_MAJOR, TTY1_MINOR));
	if (tty_serial())
		add_node("ttyS0", 0660, DIALOUT_GID, DEV_MAKE(TTY_MAJOR, TTYS0_MINOR));
}

void tty_session_ids(int sid, int *tty_nr, int *tpgid)
{
	int pgrp = 0;
	struct tty *t = tty_of_session(sid, &pgrp);
	unsigned minor = t == NULL ? 0 : t == tty_console() ? TTY1_MINOR : t == tty_serial() ? TTYS0_MINOR : 0;

	/* Linux's new_encode_dev: minor's low byte, major << 8, minor's rest << 12 */
	*tty_nr = minor ? (int)((minor & 0xff) | (TTY_MAJOR << 8) | ((minor & ~0xffu) << 12)) : 0;
	*tpgid = t && pgrp > 0 ? pgrp : -1;
}
