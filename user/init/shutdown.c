/* The end of the system: the inittab's shutdown actions, SIGTERM and then
 * SIGKILL to every process, sync, unmount, and reboot(2) with Linux's magic
 * numbers. Also the call that makes the kernel send Ctrl-Alt-Del to init. */
#include "init.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* reboot(2) as Linux defines it (include/uapi/linux/reboot.h). */
#define LINUX_REBOOT_MAGIC1         0xfee1deadu
#define LINUX_REBOOT_MAGIC2         0x28121969u
#define LINUX_REBOOT_CMD_RESTART    0x01234567u
#define LINUX_REBOOT_CMD_HALT       0xcdef0123u
#define LINUX_REBOOT_CMD_POWER_OFF  0x4321fedcu
#define LINUX_REBOOT_CMD_CAD_OFF    0x00000000u

#define SHUTDOWN_ACTION_MS 10000   /* the longest a ::shutdown: program may take */
#define TERM_WAIT_MS       3000    /* from SIGTERM to SIGKILL */

static long reboot_call(unsigned cmd)
{
	return syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, NULL);
}

void ctrl_alt_del_to_init(void)
{
	if (reboot_call(LINUX_REBOOT_CMD_CAD_OFF) != 0)
		say("Ctrl-Alt-Del stays with the kernel: reboot(CAD_OFF): %s", strerror(errno));
}

/* Processes other than init, from /proc; -1 if it cannot be read. */
static int count_processes(void)
{
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end == '\0' && pid > 1)
			n++;
	}
	closedir(d);
	return n;
}

static void stop_all_processes(void)
{
	say("sending SIGTERM to all processes");
	/* Interactive shells ignore SIGTERM; a hang-up ends them as it would
	 * if their terminal went away. */
	for (int i = 0; i < init.tab.count; i++)
		if (init.tab.action[i].pid > 0 && init.tab.action[i].tty[0])
			kill(init.tab.action[i].pid, SIGHUP);
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);        /* a stopped process acts on SIGTERM only when it runs */
	if (wait_no_children(TERM_WAIT_MS))
		return;
	int left = count_processes();
	if (left >= 0)
		say("%d processes still running after %d s; sending SIGKILL", left, TERM_WAIT_MS / 1000);
	else
		say("processes still running after %d s; sending SIGKILL", TERM_WAIT_MS / 1000);
	kill(-1, SIGKILL);
	if (!wait_no_children(KILL_WAIT_MS))
		say("some processes survived SIGKILL");
}

void shutdown_system(int how)
{
	static const struct {
		int signal;
		const char *name;
		unsigned cmd;
	} kinds[] = {
		{ SIGTERM, "reboot", LINUX_REBOOT_CMD_RESTART },
		{ SIGUSR1, "halt", LINUX_REBOOT_CMD_HALT },
		{ SIGUSR2, "power off", LINUX_REBOOT_CMD_POWER_OFF },
	};
	size_t k = 0;
	while (k + 1 < sizeof kinds / sizeof kinds[0] && kinds[k].signal != how)
		k++;

	say("shutting down to %s", kinds[k].name);
	init.shutting_down = true;
	for (int i = 0; i < init.tab.count; i++)
		init.tab.action[i].restart_pending = false;

	run_in_order(ACT_SHUTDOWN, SHUTDOWN_ACTION_MS);
	stop_all_processes();
	sync();
	say("synced");
	unmount_all();
	sync();
	say("%s", kinds[k].name);
	reboot_call(kinds[k].cmd);

	/* pid 1 must not exit: the kernel would panic. */
	say("reboot(2) failed: %s; halting here", strerror(errno));
	sigset_t none;
	sigemptyset(&none);
	for (;;) {
		sigsuspend(&none);
		reap();
	}
}
