/* /proc/<pid>/stat's tty_nr and tpgid with a controlling terminal: the
 * terminal's device number in Linux's encoding (minor's low byte, major
 * << 8, minor's high bits << 12) and its foreground group; 0 and -1 again
 * once the session lets it go. Uses /dev/ttyS0 (see tty_ctty.c). */
#include "tests.h"

#include <sys/ioctl.h>
#include <sys/sysmacros.h>

long proc_stat_field(const char *path, int n);

TEST(tty_proc_stat_tty_nr)
{
	IN_CHILD {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open("/dev/ttyS0", O_RDWR));
		struct stat st;
		CHECK_OK(fstat(fd, &st));
		unsigned ma = major(st.st_rdev), mi = minor(st.st_rdev);
		long want = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
		CHECK_EQ(proc_stat_field("/proc/self/stat", 7), want);
		CHECK_EQ(proc_stat_field("/proc/self/stat", 8), getpid());
		/* another process of the session sees the same terminal */
		pid_t pid = xfork();
		if (pid == 0) {
			CHECK_EQ(proc_stat_field("/proc/self/stat", 7), want);
			CHECK_OK(setpgid(0, 0));
			_exit(0);
		}
		wait_exit(pid, 0);
		signal(SIGHUP, SIG_IGN);
		CHECK_OK(ioctl(fd, TIOCNOTTY));
		CHECK_EQ(proc_stat_field("/proc/self/stat", 7), 0);
		CHECK_EQ(proc_stat_field("/proc/self/stat", 8), -1);
	}
}
