/* The first program (see initproc.h). */
#include <kernel/proc/initproc.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/spawn.h>

int initproc_start(const char *cmd)
{
	int pid = spawn_command(cmd, SPAWN_INIT);

	if (pid < 0) {
		log_err("init: cannot start \"%s\" (error %d)", cmd, pid);
		return pid;
	}
	log_info("init: started \"%s\" as pid %d", cmd, pid);
	return 0;
}

void initproc_ended(int status)
{
	char buf[16];

	if ((status & 0x7f) == 0)
		log_err("init: pid 1 exited with status %d", (status >> 8) & 0xff);
	else
		log_err("init: pid 1 was killed by %s", signal_name(status & 0x7f, buf));
	panic("init ended");
}
