/* wait4 and waitid: statuses, selection by pid and group, WNOHANG, stopped
 * and continued children, rusage, and the errors. */
#include "tests.h"

TEST(proc_wait4_status)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(17);
	int status;
	struct rusage ru;
	CHECK_EQ(CHECK_OK(wait4(pid, &status, 0, &ru)), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 17);
	CHECK_EQ(status, 17 << 8);
	/* Reaped: it is gone. */
	CHECK_ERR(wait4(pid, &status, 0, NULL), ECHILD);
	CHECK_ERR(kill(pid, 0), ESRCH);
}

TEST(proc_wait4_signal_status)
{
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_OK(kill(pid, SIGTERM));
	int status;
	CHECK_EQ(CHECK_OK(wait4(pid, &status, 0, NULL)), pid);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGTERM);
	CHECK_EQ(status & 0x7f, SIGTERM);
}

TEST(proc_wait4_any)
{
	pid_t kids[5];
	for (int i = 0; i < 5; i++) {
		kids[i] = xfork();
		if (kids[i] == 0)
			_exit(10 + i);
	}
	int found = 0;
	for (int n = 0; n < 5; n++) {
		int status;
		pid_t pid = CHECK_OK(wait4(-1, &status, 0, NULL));
		for (int i = 0; i < 5; i++) {
			if (kids[i] == pid) {
				CHECK_EQ(WEXITSTATUS(status), 10 + i);
				found |= 1 << i;
			}
		}
	}
	CHECK_EQ(found, 0x1f);
	CHECK_ERR(wait4(-1, NULL, 0, NULL), ECHILD);
}

TEST(proc_wait4_wnohang)
{
	int go[2];
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_wait(go[0]);
		_exit(0);
	}
	int status = 12345;
	CHECK_EQ(wait4(pid, &status, WNOHANG, NULL), 0);
	CHECK_EQ(wait4(-1, &status, WNOHANG, NULL), 0);
	sync_signal(go[1]);
	CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
	CHECK_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);
}

TEST(proc_wait4_process_group)
{
	pid_t a = xfork();
	if (a == 0) {
		CHECK_OK(setpgid(0, 0));
		_exit(1);
	}
	/* Put b in a's group from here, before a has exited. */
	pid_t b = xfork();
	if (b == 0) {
		for (;;)
			pause();
	}
	CHECK(setpgid(a, a) == 0 || errno == EACCES || errno == ESRCH);
	int status;
	siginfo_t si;
	/* Wait for a (in its own group) by group id. */
	CHECK_OK(waitid(P_PID, a, &si, WEXITED | WNOWAIT));
	CHECK_EQ(CHECK_OK(wait4(-a, &status, 0, NULL)), a);
	CHECK_EQ(WEXITSTATUS(status), 1);
	/* b is in our group: wait4(0) finds it. */
	CHECK_OK(kill(b, SIGKILL));
	CHECK_EQ(CHECK_OK(wait4(0, &status, 0, NULL)), b);
	CHECK(WIFSIGNALED(status));
}

TEST(proc_wait4_errors)
{
	int status;
	CHECK_ERR(wait4(-1, &status, 0, NULL), ECHILD);
	CHECK_ERR(wait4(1, &status, 0, NULL), ECHILD);   /* not our child */
	CHECK_ERR(wait4(-1, &status, 0x10000000, NULL), EINVAL);
	void *p;
	FOR_EACH_BAD_PTR(p) {
		if (!p)
			continue;
		pid_t pid = xfork();
		if (pid == 0)
			_exit(0);
		siginfo_t si;
		CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
		CHECK_ERR(syscall(SYS_wait4, pid, p, 0, NULL), EFAULT);
		/* Whether the failed call reaped it is the kernel's choice. */
		waitpid(pid, NULL, 0);
	}
}

TEST(proc_wait4_rusage)
{
	pid_t pid = xfork();
	if (pid == 0) {
		/* Burn some CPU time in user mode. */
		struct timespec start, now;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
		do
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
		while ((now.tv_sec - start.tv_sec) * 1000000000L + now.tv_nsec - start.tv_nsec < 50000000);
		_exit(0);
	}
	struct rusage ru;
	int status;
	CHECK_EQ(CHECK_OK(wait4(pid, &status, 0, &ru)), pid);
	long us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
		  ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	CHECK(us >= 40000);
	CHECK(us < 5000000);
	/* The reaped child counts in RUSAGE_CHILDREN. */
	struct rusage kids;
	CHECK_OK(getrusage(RUSAGE_CHILDREN, &kids));
	CHECK((kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) * 1000000L +
	      kids.ru_utime.tv_usec + kids.ru_stime.tv_usec >= 40000);
}

TEST(proc_waitid)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(33);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED));
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_uid, getuid());
	CHECK_EQ(si.si_status, 33);
	pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_OK(waitid(P_ALL, 0, &si, WEXITED));
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGKILL);
	CHECK_EQ(si.si_pid, pid);
}

TEST(proc_waitid_wnohang_wnowait)
{
	int go[2];
	CHECK_OK(pipe(go));
	pid_t pid = xfork();
	if (pid == 0) {
		sync_wait(go[0]);
		_exit(4);
	}
	siginfo_t si;
	memset(&si, 0xff, sizeof si);
	/* Nothing yet: success with si_pid 0. */
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOHANG));
	CHECK_EQ(si.si_pid, 0);
	sync_signal(go[1]);
	/* WNOWAIT looks without reaping. */
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK_EQ(si.si_pid, pid);
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED));
	CHECK_EQ(si.si_status, 4);
	CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);
}

TEST(proc_waitid_errors)
{
	siginfo_t si;
	CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL);    /* nothing to wait for */
	CHECK_ERR(waitid(7, 0, &si, WEXITED), EINVAL);
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	CHECK_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
}

/* Stop and continue, seen by wait4 with WUNTRACED/WCONTINUED and by waitid
 * with WSTOPPED/WCONTINUED. */
TEST(proc_wait_stop_continue)
{
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	int status;
	CHECK_OK(kill(pid, SIGSTOP));
	CHECK_EQ(CHECK_OK(wait4(pid, &status, WUNTRACED, NULL)), pid);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	CHECK_EQ(status, (SIGSTOP << 8) | 0x7f);
	/* Reported once. */
	CHECK_EQ(wait4(pid, &status, WUNTRACED | WNOHANG, NULL), 0);
	CHECK_OK(kill(pid, SIGCONT));
	CHECK_EQ(CHECK_OK(wait4(pid, &status, WCONTINUED, NULL)), pid);
	CHECK(WIFCONTINUED(status));
	CHECK_EQ(status, 0xffff);
	CHECK_OK(kill(pid, SIGTSTP));
	siginfo_t si;
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED));
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_status, SIGTSTP);
	CHECK_OK(kill(pid, SIGCONT));
	CHECK_OK(waitid(P_PID, pid, &si, WCONTINUED));
	CHECK_EQ(si.si_code, CLD_CONTINUED);
	CHECK_EQ(si.si_status, SIGCONT);
	CHECK_OK(kill(pid, SIGKILL));
	wait_signal(pid, SIGKILL);
}

/* A stopped process still dies of SIGKILL, and wait without WUNTRACED
 * does not report the stop. */
TEST(proc_wait_kill_stopped)
{
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	siginfo_t si;
	CHECK_OK(kill(pid, SIGSTOP));
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED));
	int status;
	CHECK_EQ(wait4(pid, &status, WNOHANG, NULL), 0);
	CHECK_OK(kill(pid, SIGKILL));
	wait_signal(pid, SIGKILL);
}

/* A zombie exists for kill(pid, 0) until it is reaped. */
TEST(proc_zombie)
{
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	siginfo_t si;
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK_OK(kill(pid, 0));
	wait_exit(pid, 0);
	CHECK_ERR(kill(pid, 0), ESRCH);
}

/* With SIGCHLD ignored, children are reaped by the system and wait says
 * ECHILD once they have all gone. */
TEST(proc_sigchld_ignored_autoreap)
{
	signal(SIGCHLD, SIG_IGN);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	int status;
	CHECK_ERR(wait4(pid, &status, 0, NULL), ECHILD);
	CHECK_ERR(kill(pid, 0), ESRCH);
}
