/* /sbin/init, pid 1: mounts /dev, /proc, /sys and /tmp, sets the host name,
 * reads /etc/inittab, runs its sysinit programs, starts the shells on their
 * terminals and starts them again when they exit, reaps orphans, and on
 * SIGTERM, SIGUSR1 or SIGUSR2 (busybox's reboot, halt, poweroff) shuts the
 * system down. Signals are handled synchronously: all blocked, taken with
 * sigtimedwait in the main loop.
 *
 *     init                  as the system's init (pid 1)
 *     init -t [-c DIR]      on a Linux host: as pid 1 of new namespaces,
 *                           reading DIR/inittab and DIR/hostname
 */
#include "init.h"
#include "kservice.h"
#include "file.h"
#include "out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct init init = { .etc = "/etc" };

/* Used when inittab is missing or has no usable entry: the shells. */
static const char default_inittab[] =
	"tty1::respawn:-/bin/sh\n"
	"ttyS0::respawn:-/bin/sh\n";

void say(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	out_printf(1, "init: %s\n", msg);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void init_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGTERM);   /* reboot */
	sigaddset(set, SIGUSR1);   /* halt */
	sigaddset(set, SIGUSR2);   /* power off */
	sigaddset(set, SIGINT);    /* Ctrl-Alt-Del */
	sigaddset(set, SIGHUP);    /* ignored, but not left to its default */
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Blocks init's signals, so they wait for sigtimedwait. Each also gets a
 * handler (that never runs while blocked): a kernel may drop a signal to
 * pid 1 whose action is the default, and this keeps them all deliverable. */
static void setup_signals(void)
{
	sigset_t set;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	init_signal_set(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig) == 1)
			sigaction(sig, &sa, NULL);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Standard input, output and error on /dev/console when the kernel did not
 * open them; /dev is mounted first if it has to be. */
static void open_console(void)
{
	if (fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0)
		return;
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && mount_dev_early())
		fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;         /* nowhere to say anything; go on regardless */
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* The first line of <etc>/hostname: 1 to 64 letters, digits, '-' and '.'. */
static void set_hostname(void)
{
	char path[512], buf[256];

	snprintf(path, sizeof path, "%s/hostname", init.etc);
	if (read_small_file(path, buf, sizeof buf) < 0) {
		say("%s: %s; host name not set", path, strerror(errno));
		return;
	}
	char *name = buf + strspn(buf, " \t");
	size_t len = strcspn(name, " \t\r\n");
	name[len] = '\0';
	bool ok = len >= 1 && len <= 64;
	for (size_t i = 0; ok && i < len; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-' || c == '.';
	}
	if (!ok)
		say("%s: not a host name; host name not set", path);
	else if (sethostname(name, len) != 0)
		say("sethostname %s: %s", name, strerror(errno));
	else
		say("host name %s", name);
}

/* init -t shares the host's /dev: its terminals belong to the host, so
 * entries that name one are left out (and there is no built-in inittab). */
static void drop_terminal_actions(void)
{
	int kept = 0;

	for (int i = 0; i < init.tab.count; i++) {
		struct action *a = &init.tab.action[i];
		if (a->tty[0])
			say("test mode: inittab line %d left out: %s is the host's terminal", a->line, a->tty);
		else
			init.tab.action[kept++] = *a;
	}
	init.tab.count = kept;
}

static void load_inittab(void)
{
	static char text[16 * 1024];
	char path[512];

	snprintf(path, sizeof path, "%s/inittab", init.etc);
	ssize_t len = read_small_file(path, text, sizeof text);
	if (len >= 0) {
		int bad = inittab_parse(text, (size_t)len, &init.tab);
		say("read %s: %d entries%s", path, init.tab.count, bad ? " (bad lines ignored)" : "");
	} else {
		say("%s: %s", path, strerror(errno));
	}
	if (init.test) {
		drop_terminal_actions();
		return;
	}
	if (init.tab.count == 0) {
		say("using the built-in inittab: shells on tty1 and ttyS0");
		inittab_parse(default_inittab, sizeof default_inittab - 1, &init.tab);
	}
}

/* once: started now; respawn: made due now, started by the main loop. */
static void start_actions(void)
{
	for (int i = 0; i < init.tab.count; i++) {
		struct action *a = &init.tab.action[i];
		if (a->kind == ACT_ONCE)
			spawn(a);
		if (a->kind == ACT_RESPAWN) {
			a->restart_pending = true;
			a->restart_at_ms = now_ms();
		}
	}
}

static void ctrl_alt_del(void)
{
	int started = 0;

	say("Ctrl-Alt-Del");
	for (int i = 0; i < init.tab.count; i++) {
		struct action *a = &init.tab.action[i];
		if (a->kind == ACT_CTRLALTDEL && a->pid == 0) {
			say("running %s", action_command(a));
			started += spawn(a) > 0;
		}
	}
	if (!started)
		say("no ctrlaltdel entry to run");
}

static __attribute__((noreturn)) void main_loop(void)
{
	sigset_t set;

	init_signal_set(&set);
	for (;;) {
		/* Signals that came during sysinit are taken before anything
		 * else starts: the first wait does not sleep (a respawn is due). */
		int64_t wait = next_restart_in_ms();
		struct timespec ts = { .tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000 };
		int sig = sigtimedwait(&set, NULL, wait < 0 ? NULL : &ts);
		reap();
		switch (sig) {
		case SIGTERM:
		case SIGUSR1:
		case SIGUSR2:
			shutdown_system(sig);
		case SIGINT:
			ctrl_alt_del();
			break;
		case SIGHUP:
			say("SIGHUP ignored (inittab is read once, at boot)");
			break;
		}
		start_due_respawns();
	}
}

static __attribute__((noreturn)) void usage(void)
{
	out_printf(2, "usage: init             (as pid 1)\n"
		      "       init -t [-c DIR]  (test on a Linux host: pid 1 of new namespaces,\n"
		      "                          DIR/inittab and DIR/hostname instead of /etc)\n");
	_exit(2);
}

int main(int argc, char **argv)
{
	bool pid1 = getpid() == 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0)
			init.test = init.verbose = true;
		else if (strcmp(argv[i], "-v") == 0)
			init.verbose = true;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			init.etc = argv[++i];
		else if (pid1)
			say("ignoring argument %s", argv[i]);   /* from the kernel command line */
		else
			usage();
	}
	if (init.test && !pid1)
		test_mode_enter();
	else if (!pid1)
		usage();

	setup_signals();
	setsid();
	chdir("/");
	umask(022);
	open_console();
	say("CosmOS init%s", init.test ? " (test mode: pid 1 of new PID, mount and UTS namespaces)" : "");

	mount_boot_filesystems();
	set_hostname();
	/* the kernel services' endpoint, for the programs init starts (a
	 * kernel without them answers ENOSYS: they read /proc instead) */
	if (pid1 && !init.test && kservice_inherit(0) < 0 && errno != ENOSYS)
		say("kernel services: %s", strerror(errno));
	if (!init.test)
		ctrl_alt_del_to_init();
	load_inittab();
	run_in_order(ACT_SYSINIT, -1);
	start_actions();
	main_loop();
}
