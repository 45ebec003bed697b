/* Starting an inittab action: a child in a session of its own, with its
 * terminal (the action's /dev/<tty>, or init's console) as standard input,
 * output and error and, when it is the action's own or the program a login
 * shell, as its controlling terminal with the child's group in front; signals unblocked; the shells'
 * environment. */
#include "init.h"
#include "kservice.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define MAX_ARGS 32

/* The prompt shows the host name and the working directory (ash expands
 * \h and \w); /etc/profile keeps it for login shells. */
static const char *const base_env[] = {
	"PATH=/sbin:/usr/sbin:/bin:/usr/bin",
	"HOME=/root",
	"SHELL=/bin/sh",
	"USER=root",
	"LOGNAME=root",
	"PS1=\\h:\\w\\$ ",
};

/* The serial port talks to whatever terminal emulator is on the other end:
 * vt100 is what all of them understand. The screen console is "linux". */
static const char *term_for(const char *tty)
{
	return strncmp(tty, "ttyS", 4) == 0 ? "TERM=vt100" : "TERM=linux";
}

/* Undoes what a program that crashed in raw mode left behind: canonical
 * input with echo and the usual control characters, CR to NL on input,
 * NL to CR NL on output. */
static void sane_termios(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0)
		return;
	t.c_iflag &= ~(unsigned)(INLCR | IGNCR | IXOFF);
	t.c_iflag |= ICRNL | IXON;
	t.c_oflag |= OPOST | ONLCR;
	t.c_cflag |= CREAD;
	t.c_lflag |= ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN;
	t.c_lflag &= ~(unsigned)(NOFLSH | TOSTOP);
	t.c_cc[VINTR] = 3;      /* ^C */
	t.c_cc[VQUIT] = 28;     /* ^\ */
	t.c_cc[VERASE] = 127;   /* DEL */
	t.c_cc[VKILL] = 21;     /* ^U */
	t.c_cc[VEOF] = 4;       /* ^D */
	t.c_cc[VSUSP] = 26;     /* ^Z */
	t.c_cc[VWERASE] = 23;   /* ^W */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &t);
}

/* In the child: standard descriptors on /dev/<tty>. */
static bool open_tty(const char *tty)
{
	char path[8 + INITTAB_TTY_MAX];

	snprintf(path, sizeof path, "/dev/%s", tty);
	int fd = open(path, O_RDWR | O_NOCTTY);
	if (fd < 0) {
		say("cannot open %s: %s", path, strerror(errno));
		return false;
	}
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0) {
			say("%s: dup2: %s", path, strerror(errno));
			return false;
		}
	if (fd > 2)
		close(fd);
	return true;
}

/* In the child, a session leader: the terminal on fd 0 becomes its
 * controlling terminal (taken from another session if one still holds it:
 * init's shells own their terminals) with this process group in front. */
static void take_terminal(const struct action *a)
{
	if (!isatty(0)) {
		if (a->tty[0])
			say("%s is not a terminal", a->tty);
		return;
	}
	if (ioctl(0, TIOCSCTTY, 1) != 0)
		say("%s: TIOCSCTTY: %s", action_where(a), strerror(errno));
	else if (tcsetpgrp(0, getpgrp()) != 0)
		say("%s: TIOCSPGRP: %s", action_where(a), strerror(errno));
	sane_termios(0);
}

/* Splits cmd into words on blanks, or hands it to /bin/sh -c when it has
 * characters only a shell understands. A leading '-' makes argv[0] start
 * with '-' (a login shell, which reads /etc/profile). Returns the file to
 * execute, or NULL when there is no word. Runs in the child, so the static
 * buffers are its own. */
static const char *command_argv(const char *cmd, char **argv)
{
	static char words[INITTAB_CMD_MAX];
	static char login_name[INITTAB_CMD_MAX + 1];
	bool login = cmd[0] == '-';
	const char *command = cmd + login;

	if (strpbrk(command, "~`!$^&*()=|\\{}[];\"'<>?")) {
		argv[0] = login ? "-sh" : "sh";
		argv[1] = "-c";
		argv[2] = (char *)command;
		argv[3] = NULL;
		return "/bin/sh";
	}
	snprintf(words, sizeof words, "%s", command);
	char *save = NULL;
	int n = 0;
	for (char *w = strtok_r(words, " \t", &save); w && n < MAX_ARGS - 1; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	if (n == 0)
		return NULL;
	const char *file = argv[0];
	if (login) {
		const char *base = strrchr(file, '/');
		snprintf(login_name, sizeof login_name, "-%s", base ? base + 1 : file);
		argv[0] = login_name;
	}
	return file;
}

static __attribute__((noreturn)) void child(struct action *a)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);

	if (setsid() < 0)
		say("%s: setsid: %s", action_command(a), strerror(errno));
	if (a->tty[0] && !open_tty(a->tty))
		_exit(127);
	/* Programs on a terminal of their own take it; on init's console,
	 * which several may share, only login shells do (as in busybox). */
	if (a->tty[0] || a->cmd[0] == '-')
		take_terminal(a);

	const char *env[sizeof base_env / sizeof base_env[0] + 3];
	size_t n = 0;
	for (; n < sizeof base_env / sizeof base_env[0]; n++)
		env[n] = base_env[n];
	env[n++] = term_for(a->tty);
	/* the kernel services' endpoint init inherited (kservice_inherit) */
	static char ksvc[sizeof KSERVICE_FD_ENV + 16];
	const char *k = getenv(KSERVICE_FD_ENV);
	if (k && snprintf(ksvc, sizeof ksvc, "%s=%s", KSERVICE_FD_ENV, k) < (int)sizeof ksvc)
		env[n++] = ksvc;
	env[n] = NULL;

	char *argv[MAX_ARGS];
	const char *file = command_argv(a->cmd, argv);
	if (!file) {
		say("inittab line %d: nothing to run", a->line);
		_exit(127);
	}
	execvpe(file, argv, (char *const *)env);
	say("cannot run %s: %s", file, strerror(errno));
	_exit(127);
}

pid_t spawn(struct action *a)
{
	pid_t pid = fork();

	if (pid < 0) {
		say("cannot start %s: fork: %s", action_command(a), strerror(errno));
		return -1;
	}
	if (pid == 0)
		child(a);
	a->pid = pid;
	a->started_ms = now_ms();
	if (a->kind == ACT_RESPAWN || a->kind == ACT_ONCE)
		say("starting %s on %s (pid %d)", action_command(a), action_where(a), (int)pid);
	return pid;
}
