/* Terminals as programs see them: a session leader's open makes a
 * controlling terminal (not with O_NOCTTY), /dev/tty names it, TIOCSCTTY
 * and TIOCNOTTY, TIOCGSID, TIOCGPGRP/TIOCSPGRP and their refusals, and the
 * hang-up when the session leader exits. They use /dev/ttyS0 and need it
 * free of any session (the usertests_tty system case runs them with
 * usertests as pid 1 and no shells). */
#include "tests.h"

#include <sys/ioctl.h>
#include <termios.h>

#define LINE "/dev/ttyS0"

static int32_t ioctl_int(int fd, unsigned long cmd)
{
	int32_t v = -1;
	CHECK_OK(ioctl(fd, cmd, &v));
	return v;
}

TEST(tty_ctty_by_open)
{
	IN_CHILD {
		CHECK_OK(setsid());
		CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
		int fd = CHECK_OK(open(LINE, O_RDWR | O_NOCTTY));
		CHECK(isatty(fd));
		CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
		int32_t v;
		CHECK_ERR(ioctl(fd, TIOCGPGRP, &v), ENOTTY);
		CHECK_OK(close(fd));
		/* without O_NOCTTY the session leader's open takes it */
		fd = CHECK_OK(open(LINE, O_RDWR));
		CHECK_EQ(ioctl_int(fd, TIOCGSID), getpid());
		CHECK_EQ(ioctl_int(fd, TIOCGPGRP), getpid());
		CHECK_EQ(tcgetpgrp(fd), getpid());
		int t = CHECK_OK(open("/dev/tty", O_RDWR));
		struct termios tio;
		CHECK_OK(tcgetattr(t, &tio));
		CHECK(tio.c_lflag & ICANON);
		/* a child of the session, not its leader, has it too */
		pid_t pid = xfork();
		if (pid == 0) {
			CHECK_OK(close(CHECK_OK(open("/dev/tty", O_RDWR))));
			_exit(0);
		}
		wait_exit(pid, 0);
		/* the leader lets it go: its foreground group (itself) gets
		 * SIGHUP and SIGCONT */
		signal(SIGHUP, SIG_IGN);
		CHECK_OK(ioctl(fd, TIOCNOTTY));
		CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
		CHECK_ERR(ioctl(fd, TIOCGSID, &v), ENOTTY);
		/* and takes it back */
		CHECK_OK(ioctl(fd, TIOCSCTTY, 0));
		CHECK_EQ(ioctl_int(fd, TIOCGSID), getpid());
	}
}

TEST(tty_tiocsctty_rules)
{
	int ready[2], taken[2], checked[2];
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(taken));
	CHECK_OK(pipe(checked));
	/* holder: a session with ttyS0 as its terminal */
	pid_t holder = xfork();
	if (holder == 0) {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open(LINE, O_RDWR));
		CHECK_EQ(ioctl_int(fd, TIOCGSID), getpid());
		CHECK_EQ(write(ready[1], "r", 1), 1);
		char c;
		CHECK_EQ(read(taken[0], &c, 1), 1);
		/* it was taken from this session */
		int32_t v;
		CHECK_ERR(ioctl(fd, TIOCGSID, &v), ENOTTY);
		CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
		CHECK_EQ(write(checked[1], "c", 1), 1);
		_exit(0);
	}
	/* only the holder writes these: its end ends the reads below */
	CHECK_OK(close(ready[1]));
	CHECK_OK(close(checked[1]));
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	IN_CHILD {
		int fd = CHECK_OK(open(LINE, O_RDWR | O_NOCTTY));
		/* not a session leader */
		CHECK_ERR(ioctl(fd, TIOCSCTTY, 0), EPERM);
		CHECK_OK(setsid());
		/* another session's terminal: only root, asking to steal */
		CHECK_ERR(ioctl(fd, TIOCSCTTY, 0), EPERM);
		CHECK_OK(ioctl(fd, TIOCSCTTY, 1));
		CHECK_EQ(ioctl_int(fd, TIOCGSID), getpid());
		CHECK_EQ(write(taken[1], "t", 1), 1);
		/* the holder looks before this session ends (which hangs up) */
		CHECK_EQ(read(checked[0], &c, 1), 1);
	}
	wait_exit(holder, 0);
}

TEST(tty_tiocspgrp)
{
	IN_CHILD {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open(LINE, O_RDWR));
		/* as a shell: from the background it may still set the group */
		signal(SIGTTOU, SIG_IGN);
		int go[2];
		CHECK_OK(pipe(go));
		pid_t pid = xfork();
		if (pid == 0) {
			char c;
			CHECK_OK(setpgid(0, 0));
			CHECK_EQ(read(go[0], &c, 1), 1);
			_exit(0);
		}
		/* the parent moves it too, so the group exists before the call */
		setpgid(pid, pid);
		CHECK_OK(tcsetpgrp(fd, pid));
		CHECK_EQ(tcgetpgrp(fd), pid);
		CHECK_ERR(tcsetpgrp(fd, 999999), ESRCH);     /* no such group */
		CHECK_ERR(tcsetpgrp(fd, getppid()), EPERM);  /* another session's */
		CHECK_ERR(tcsetpgrp(fd, -1), EINVAL);
		CHECK_OK(tcsetpgrp(fd, getpid()));
		CHECK_EQ(tcgetpgrp(fd), getpid());
		CHECK_EQ(write(go[1], "g", 1), 1);
		wait_exit(pid, 0);
	}
}

TEST(tty_leader_exit_hangs_up)
{
	int ready[2], result[2];
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(result));
	pid_t leader = xfork();
	if (leader == 0) {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open(LINE, O_RDWR));
		/* the member ignores the SIGHUP its foreground group gets at
		 * the leader's end, from its first instruction on */
		signal(SIGHUP, SIG_IGN);
		if (xfork() == 0) {
			/* a member of the session, which outlives its leader */
			char c;
			CHECK_OK(close(ready[1]));
			CHECK_EQ(read(ready[0], &c, 1), 0);      /* the leader is gone */
			for (;;) {                               /* until the hang-up is done */
				int t = open("/dev/tty", O_RDWR);
				if (t < 0)
					break;
				CHECK_OK(close(t));
				sched_yield();
			}
			CHECK_EQ(errno, ENXIO);
			CHECK_EQ(read(fd, &c, 1), 0);            /* end of file */
			CHECK_ERR(write(fd, "x", 1), EIO);
			/* a new open of the line works */
			int again = CHECK_OK(open(LINE, O_RDWR | O_NOCTTY));
			CHECK_EQ(write(again, "", 0), 0);
			CHECK_EQ(write(result[1], "ok", 2), 2);
			_exit(0);
		}
		_exit(0);
	}
	CHECK_OK(close(ready[1]));
	CHECK_OK(close(result[1]));
	wait_exit(leader, 0);
	/* the member's verdict (end of file: it failed on the way) */
	char buf[2];
	CHECK_EQ(read(result[0], buf, 2), 2);
}

/* A child in a group of its own, in the session of the caller (a session
 * leader with ttyS0 in front), doing op on fd; returns its pid. */
static pid_t background(int fd, int op, bool ignore)
{
	pid_t pid = xfork();
	if (pid == 0) {
		char c = 'x';
		CHECK_OK(setpgid(0, 0));
		if (ignore)
			signal(op == 'r' ? SIGTTIN : SIGTTOU, SIG_IGN);
		long n = op == 'r' ? read(fd, &c, 1) : write(fd, "", 0);
		_exit(n < 0 && errno == EIO ? 5 : n < 0 ? 6 : 0);
	}
	setpgid(pid, pid);
	return pid;
}

static void expect_stopped(pid_t pid, int sig)
{
	int st;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st));
	CHECK_EQ(WSTOPSIG(st), sig);
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

TEST(tty_background_job_control)
{
	IN_CHILD {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open(LINE, O_RDWR));
		/* a read from the background stops the group with SIGTTIN */
		expect_stopped(background(fd, 'r', false), SIGTTIN);
		/* one that ignores SIGTTIN gets EIO instead */
		wait_exit(background(fd, 'r', true), 5);
		/* writes go ahead until TOSTOP is set; then SIGTTOU */
		wait_exit(background(fd, 'w', false), 0);
		struct termios tio, saved;
		CHECK_OK(tcgetattr(fd, &saved));
		tio = saved;
		tio.c_lflag |= TOSTOP;
		CHECK_OK(tcsetattr(fd, TCSANOW, &tio));
		expect_stopped(background(fd, 'w', false), SIGTTOU);
		wait_exit(background(fd, 'w', true), 0);
		CHECK_OK(tcsetattr(fd, TCSANOW, &saved));
	}
}

/* TIOCSTI pushes a byte into the terminal's input as if typed: allowed on
 * the caller's controlling terminal and, for root (CAP_SYS_ADMIN), on any
 * terminal; EPERM for anyone else (Linux 6.1's rule). */
static void sti(int fd, char c)
{
	CHECK_OK(ioctl(fd, TIOCSTI, &c));
}

TEST(tty_tiocsti)
{
	IN_CHILD {
		CHECK_OK(setsid());
		int fd = CHECK_OK(open(LINE, O_RDWR));
		struct termios old, raw;
		CHECK_OK(tcgetattr(fd, &old));
		raw = old;
		raw.c_lflag &= ~(ICANON | ECHO | ISIG);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		CHECK_OK(tcsetattr(fd, TCSAFLUSH, &raw));
		char buf[8];
		sti(fd, 'a');
		sti(fd, 'b');
		CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
		CHECK(buf[0] == 'a' && buf[1] == 'b');
		CHECK_ERR(syscall(SYS_ioctl, fd, TIOCSTI, NULL), EFAULT);
		CHECK_ERR(syscall(SYS_ioctl, fd, TIOCSTI, (void *)0xffff800000000000ull), EFAULT);
		/* a user in this session: it is the user's controlling terminal */
		AS_USER
			sti(fd, 'u');
		/* a user in a session of its own: not its terminal */
		AS_USER {
			CHECK_OK(setsid());
			char c = 'x';
			CHECK_ERR(ioctl(fd, TIOCSTI, &c), EPERM);
		}
		/* root in a session of its own: allowed */
		IN_CHILD {
			CHECK_OK(setsid());
			sti(fd, 'r');
		}
		CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
		CHECK(buf[0] == 'u' && buf[1] == 'r');
		/* canonical mode: the bytes are edited and make a line */
		CHECK_OK(tcsetattr(fd, TCSAFLUSH, &old));
		struct termios quiet = old;
		quiet.c_lflag &= ~ECHO;
		CHECK_OK(tcsetattr(fd, TCSANOW, &quiet));
		sti(fd, 'x');
		sti(fd, quiet.c_cc[VERASE]);
		sti(fd, 'y');
		sti(fd, '\n');
		CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
		CHECK(buf[0] == 'y' && buf[1] == '\n');
		CHECK_OK(tcsetattr(fd, TCSANOW, &old));
	}
}
