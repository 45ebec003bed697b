/* /proc/<pid>/stat's tty_nr and tpgid with a controlling terminal: the
 * terminal's device number in Linux's encoding (minor's low byte, major
 * << 8, minor's high bits << 12) and its foreground group; 0 and -1 again
 * once the session lets it go; SIGIO when input comes to an O_ASYNC
 * terminal. Uses /dev/ttyS0 (see tty_ctty.c). */
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

/* O_ASYNC on a terminal: input that becomes readable (a whole line in
 * canonical mode; TIOCSTI types it) sends SIGIO to the owner, or the
 * F_SETSIG signal with POLL_IN and the descriptor. The waits end after 5 s
 * so a failure does not leave the terminal held. */
TEST(tty_sigio_on_input)
{
	IN_CHILD {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open("/dev/ttyS0", O_RDWR));
		sigset_t block;
		sigemptyset(&block);
		sigaddset(&block, SIGIO);
		sigaddset(&block, SIGRTMIN);
		CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
		CHECK_OK(fcntl(fd, F_SETOWN, getpid()));
		CHECK_OK(fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK));
		/* half a line: nothing to read yet, no signal */
		char c = 'a';
		CHECK_OK(ioctl(fd, TIOCSTI, &c));
		sigset_t pend;
		CHECK_OK(sigpending(&pend));
		CHECK(!sigismember(&pend, SIGIO));
		c = '\n';
		CHECK_OK(ioctl(fd, TIOCSTI, &c));
		siginfo_t si;
		struct timespec ts = { 5, 0 };
		CHECK_EQ(sigtimedwait(&block, &si, &ts), SIGIO);
		char buf[8];
		CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
		/* F_SETSIG: SIGRTMIN with POLL_IN, si_fd and the band */
		CHECK_OK(fcntl(fd, F_SETSIG, SIGRTMIN));
		c = 'b';
		CHECK_OK(ioctl(fd, TIOCSTI, &c));
		c = '\n';
		CHECK_OK(ioctl(fd, TIOCSTI, &c));
		memset(&si, 0, sizeof(si));
		CHECK_EQ(sigtimedwait(&block, &si, &ts), SIGRTMIN);
		CHECK_EQ(si.si_code, POLL_IN);
		CHECK_EQ(si.si_fd, fd);
		CHECK(si.si_band & POLLIN);
		CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
		/* O_ASYNC off: no more signals */
		CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
		CHECK_OK(ioctl(fd, TIOCSTI, &c));
		CHECK_OK(sigpending(&pend));
		CHECK(!sigismember(&pend, SIGRTMIN) && !sigismember(&pend, SIGIO));
	}
}
