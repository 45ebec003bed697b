/* In-kernel tests of the terminals as device files (fs/tty_file.c): their
 * nodes in devfs, /dev/tty without a controlling terminal, and reads,
 * ioctls and poll on ttyS0 through the VFS, with input pushed as the
 * serial interrupt pushes it. */
#include <kernel/ktest.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/stat.h>
#include <cosmos/abi/termios.h>
#include <cosmos/errno.h>
#include <fs/devfs.h>
#include <fs/poll.h>
#include <fs/tty.h>
#include <fs/tty_drivers.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include "fsdev_util.h"
#include "vfs_util.h"

#define DEV(p) "/ktest/dev/" p

static int dev_mount(void)
{
	return special_mount("dev", "devtmpfs", "null");
}

KTEST(tty_device_nodes)
{
	static const struct { const char *name; unsigned major, minor, mode, gid; } nodes[] = {
		{ "tty1", 4, 1, 0620, 5 }, { "ttyS0", 4, 64, 0660, 20 },
		{ "tty", 5, 0, 0666, 5 }, { "console", 5, 1, 0600, 0 },
	};
	struct stat st;
	struct file *f;

	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, tty_console() && tty_serial());
	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char path[64];

		fmt_snprintf(path, sizeof(path), DEV("%s"), nodes[i].name);
		KT_ASSERT(t, vt_stat(path, &st) == 0);
		KT_EXPECT(t, S_ISCHR(st.st_mode));
		KT_EXPECT_EQ(t, st.st_mode & 07777, nodes[i].mode);
		KT_EXPECT_EQ(t, st.st_gid, nodes[i].gid);
		KT_EXPECT_EQ(t, st.st_rdev, abi_makedev(nodes[i].major, nodes[i].minor));
	}
	/* a kernel thread is in no session: no controlling terminal */
	KT_EXPECT_EQ(t, vt_open(DEV("tty"), O_RDWR, 0, &f), -ENXIO);
	/* the console is the screen's terminal: its window is the screen's */
	KT_ASSERT(t, vt_open(DEV("console"), O_RDWR, 0, &f) == 0);
	struct winsize ws;
	KT_EXPECT_EQ(t, vfs_ioctl(f, TIOCGWINSZ, 0, &ws), 0);
	KT_EXPECT_EQ(t, ws.ws_row, tty_console()->ws.ws_row);
	KT_EXPECT_EQ(t, ws.ws_col, tty_console()->ws.ws_col);
	KT_EXPECT(t, ws.ws_row > 0 && ws.ws_col > 0);
	file_put(f);
}

KTEST(tty_device_read_ioctl_poll)
{
	struct termios saved, raw;
	struct file *f;
	int32_t n = -1;
	char buf[16];

	KT_ASSERT(t, dev_mount() == 0);
	KT_ASSERT(t, vt_open(DEV("ttyS0"), O_RDWR | O_NONBLOCK, 0, &f) == 0);
	KT_ASSERT(t, vfs_ioctl(f, TCGETS, 0, &saved) == 0);
	KT_EXPECT(t, (saved.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
	/* no echo: the test's input stays off the serial log */
	raw = saved;
	raw.c_lflag &= ~(uint32_t)ECHO;
	KT_ASSERT(t, vfs_ioctl(f, TCSETSF, 0, &raw) == 0);
	KT_EXPECT_EQ(t, vfs_ioctl(f, FIONREAD, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), -EAGAIN);
	KT_EXPECT_EQ(t, file_poll(f, NULL) & (POLLIN | POLLOUT), POLLOUT);
	KT_EXPECT_EQ(t, vfs_ioctl(f, 0x5401ff, 0, NULL), -ENOTTY);
	KT_EXPECT_EQ(t, vfs_ioctl(f, TCGETS, 0, NULL), -EFAULT);

	/* typed on the line: a blocking read waits for the input thread */
	tty_input(tty_serial(), "hi\r", 3);
	f->flags &= ~(uint32_t)O_NONBLOCK;
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), 3);
	KT_EXPECT(t, memcmp(buf, "hi\n", 3) == 0);
	tty_input(tty_serial(), "ab", 2);
	tty_input(tty_serial(), "\r", 1);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, 1), 1);
	KT_EXPECT(t, (file_poll(f, NULL) & POLLIN) != 0);
	KT_EXPECT_EQ(t, vfs_ioctl(f, FIONREAD, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 2);
	KT_EXPECT_EQ(t, vfs_ioctl(f, TCSETSF, 0, &saved), 0);   /* flushes the rest */
	KT_EXPECT_EQ(t, vfs_ioctl(f, FIONREAD, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 0);
	file_put(f);
}
