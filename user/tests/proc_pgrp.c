/* Process groups and sessions: getpgid, setpgid, getpgrp, getsid, setsid;
 * and kill, tkill, tgkill: targets and permissions. */
#include "tests.h"

TEST(proc_pgid_basics)
{
	CHECK_EQ(getpgrp(), getpgid(0));
	CHECK_EQ(getpgid(getpid()), getpgrp());
	/* The runner made each case the leader of its own group. */
	CHECK_EQ(getpgrp(), getpid());
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(getpgrp(), getppid());
		CHECK_OK(setpgid(0, 0));
		CHECK_EQ(getpgrp(), getpid());
		_exit(0);
	}
	wait_exit(pid, 0);
	CHECK_ERR(getpgid(999999), ESRCH);
}

TEST(proc_setpgid_errors)
{
	CHECK_ERR(setpgid(0, -1), EINVAL);
	CHECK_ERR(setpgid(999999, 0), ESRCH);
	/* Into a group that does not exist in the session. */
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_ERR(setpgid(0, 999999), EPERM);
		_exit(0);
	}
	wait_exit(pid, 0);
	/* A child that has exec'd may not be moved any more (EACCES). */
	int go[2];
	CHECK_OK(pipe2(go, O_CLOEXEC));
	pid = xfork();
	if (pid == 0) {
		char *argv[] = { "usertests", "-H", "wait_stdin_eof", NULL };
		CHECK_OK(dup2(go[0], 0));
		execve(self_exe(), argv, NULL);
		_exit(127);
	}
	/* setpgid succeeds until the child's execve is done, then fails. */
	for (;;) {
		if (setpgid(pid, pid) != 0) {
			CHECK_EQ(errno, EACCES);
			break;
		}
		sched_yield();
	}
	CHECK_OK(close(go[1]));
	wait_exit(pid, 0);
}

/* wait_stdin_eof: reads standard input until end of file, exits 0. */
HELPER(wait_stdin_eof)
{
	(void)argc;
	(void)argv;
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}

TEST(proc_setsid)
{
	pid_t pid = xfork();
	if (pid == 0) {
		/* Not a group leader (the case process is): a new session. */
		pid_t sid = CHECK_OK(setsid());
		CHECK_EQ(sid, getpid());
		CHECK_EQ(getsid(0), getpid());
		CHECK_EQ(getpgrp(), getpid());
		/* Now a group leader: no second time. */
		CHECK_ERR(setsid(), EPERM);
		/* Cannot join a group of another session. */
		CHECK_ERR(setpgid(0, getppid()), EPERM);
		_exit(0);
	}
	wait_exit(pid, 0);
	/* The case process leads its group: setsid refuses. */
	CHECK_ERR(setsid(), EPERM);
	CHECK(getsid(0) > 0);
	CHECK_EQ(getsid(getpid()), getsid(0));
	CHECK_ERR(getsid(999999), ESRCH);
}

TEST(proc_kill_targets)
{
	int go[2];
	CHECK_OK(pipe(go));
	pid_t a = xfork();
	if (a == 0) {
		for (;;)
			pause();
	}
	pid_t b = xfork();
	if (b == 0) {
		for (;;)
			pause();
	}
	/* Signal 0 checks only. */
	CHECK_OK(kill(a, 0));
	CHECK_ERR(kill(999999, 0), ESRCH);
	CHECK_ERR(kill(a, 65), EINVAL);
	CHECK_ERR(kill(a, -1), EINVAL);
	/* A group: move b into a group of its own and kill that. */
	CHECK_OK(setpgid(b, b));
	CHECK_OK(kill(-b, SIGTERM));
	wait_signal(b, SIGTERM);
	CHECK_ERR(kill(-b, SIGTERM), ESRCH);
	CHECK_OK(kill(a, SIGKILL));
	wait_signal(a, SIGKILL);
}

TEST(proc_kill_permission)
{
	pid_t root_child = xfork();
	if (root_child == 0) {
		for (;;)
			pause();
	}
	AS_USER {
		CHECK_ERR(kill(root_child, SIGTERM), EPERM);
		CHECK_ERR(kill(root_child, 0), EPERM);
		/* Its own children it may signal. */
		pid_t mine = xfork();
		if (mine == 0) {
			for (;;)
				pause();
		}
		CHECK_OK(kill(mine, SIGTERM));
		wait_signal(mine, SIGTERM);
	}
	/* Root signals anyone. */
	CHECK_OK(kill(root_child, SIGKILL));
	wait_signal(root_child, SIGKILL);
}

TEST(proc_tkill_tgkill)
{
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	/* A single-threaded process: its tid is its pid. */
	CHECK_OK(syscall(SYS_tgkill, pid, pid, 0));
	CHECK_ERR(syscall(SYS_tgkill, pid + 100000, pid, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), pid, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, pid, pid, 99), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, 0, pid, 0), EINVAL);
	CHECK_ERR(syscall(SYS_tkill, 0, SIGTERM), EINVAL);
	CHECK_ERR(syscall(SYS_tkill, 999999, SIGTERM), ESRCH);
	CHECK_OK(syscall(SYS_tkill, pid, SIGUSR1));
	wait_signal(pid, SIGUSR1);
}
