/* init -t: init on a Linux host, as pid 1 of new PID, mount and UTS
 * namespaces, so its mounts, sethostname, kill(-1) and reboot(2) reach only
 * those namespaces. The original process stays outside, passes on the
 * signals it gets (so `kill -USR2` to it powers the test system off) and
 * reports how the inner pid 1 ended: reboot(2) in a PID namespace other
 * than the first ends that namespace's init with SIGHUP (restart) or SIGINT
 * (power off, halt), which its parent sees. */
#include "init.h"
#include "out.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t inner;   /* written before the handlers can run */

static void forward(int sig)
{
	if (inner > 0)
		kill(inner, sig);
}

static __attribute__((noreturn)) void fail(const char *what)
{
	out_printf(2, "init -t: %s: %s\n", what, strerror(errno));
	_exit(1);
}

void test_mode_enter(void)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP };

	if (unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS) != 0)
		fail("unshare (init -t needs root)");
	/* Nothing mounted or unmounted from here on may reach the host's
	 * namespace: every mount in this one stops propagating. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		fail("making the mounts private");

	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		/* Gone with the original process, whatever ends it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getpid() != 1) {
			out_printf(2, "init -t: not pid 1 in the new namespace\n");
			_exit(1);
		}
		return;
	}

	inner = pid;
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
	out_printf(1, "init -t: pid 1 of the namespaces is pid %d here\n", (int)pid);

	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGHUP || WTERMSIG(status) == SIGINT)) {
		out_printf(1, "init -t: pid 1 ended by reboot(2): %s\n",
			   WTERMSIG(status) == SIGHUP ? "restart" : "power off or halt");
		_exit(0);
	}
	if (WIFSIGNALED(status))
		out_printf(1, "init -t: pid 1 killed by signal %d\n", WTERMSIG(status));
	else
		out_printf(1, "init -t: pid 1 exited with status %d\n", WEXITSTATUS(status));
	_exit(1);
}
