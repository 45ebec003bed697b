/* /sbin/init: what its parts share. main.c boots and runs the main loop,
 * inittab.c reads the configuration, spawn.c starts programs on their
 * terminals, children.c waits for and reaps them, mounts.c mounts and
 * unmounts, shutdown.c ends the system, testmode.c runs it on a Linux host. */
#ifndef INIT_H
#define INIT_H

#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The inittab actions init understands (docs/userland.md, "init"). */
enum action_kind {
	ACT_SYSINIT,     /* at boot, one after another, each waited for */
	ACT_RESPAWN,     /* after sysinit; started again whenever it exits */
	ACT_ONCE,        /* after sysinit; started once, not waited for */
	ACT_SHUTDOWN,    /* at shutdown, before the processes are killed */
	ACT_CTRLALTDEL,  /* on SIGINT (the kernel's Ctrl-Alt-Del) */
};

#define INITTAB_MAX_ACTIONS 32
#define INITTAB_MAX_LINE    512
#define INITTAB_TTY_MAX     32    /* "ttyS0", "pts/3": the name under /dev */
#define INITTAB_CMD_MAX     256

struct action {
	enum action_kind kind;
	char tty[INITTAB_TTY_MAX];   /* "" runs on init's own console */
	char cmd[INITTAB_CMD_MAX];   /* a leading '-' asks for a login shell */
	int line;                    /* in inittab, for messages */
	pid_t pid;                   /* the running process, 0 when none */
	int64_t started_ms;          /* when pid was started (monotonic) */
	bool restart_pending;        /* respawn: waiting to be started (again) */
	int64_t restart_at_ms;       /* ... at this time (monotonic) */
	unsigned quick_exits;        /* respawn: exits in a row soon after starting */
};

struct inittab {
	struct action action[INITTAB_MAX_ACTIONS];
	int count;
};

/* Everything init knows. Only the main thread of pid 1 touches it (init has
 * no threads and handles signals synchronously with sigtimedwait). */
struct init {
	bool test;            /* -t: pid 1 of namespaces on a Linux host */
	bool verbose;         /* -v (implied by -t): report orphans reaped */
	bool shutting_down;   /* no more respawns */
	const char *etc;      /* where inittab and hostname are read: /etc or -c DIR */
	struct inittab tab;
};
extern struct init init;

/* The signals init waits for with sigtimedwait; all blocked in init. */
void init_signal_set(sigset_t *set);

/* main.c */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t now_ms(void);

/* inittab.c: parses len bytes of inittab text into tab (appending). Bad
 * lines are reported with say() and skipped; returns how many there were. */
int inittab_parse(const char *text, size_t len, struct inittab *tab);
const char *action_name(enum action_kind kind);
/* For messages: where an action runs ("tty1" or "the console") and its
 * command without the login-shell '-'. */
const char *action_where(const struct action *a);
const char *action_command(const struct action *a);

/* spawn.c: starts a's program; returns its pid, or -1 (reported). */
pid_t spawn(struct action *a);

/* children.c */
/* Collects every exited child; false when init has no children left. */
bool reap(void);
/* Waits until a->pid is 0 or timeout_ms passes (-1: no limit), reaping
 * others meanwhile; true if it ended. */
bool wait_action(struct action *a, int64_t timeout_ms);
/* Waits until init has no children left, at most timeout_ms; true if so. */
bool wait_no_children(int64_t timeout_ms);
/* Runs the actions of one kind one after another, each waited for; one
 * still running after limit_ms (-1: no limit) is killed. */
void run_in_order(enum action_kind kind, int64_t limit_ms);
/* How long a killed process gets to go before init moves on. */
#define KILL_WAIT_MS 2000
/* Respawn: milliseconds until the next pending start (-1: none pending),
 * and starting those that are due. */
int64_t next_restart_in_ms(void);
void start_due_respawns(void);

/* mounts.c */
void mount_boot_filesystems(void);
bool mount_dev_early(void);                 /* for the console before anything else */
void unmount_all(void);

/* shutdown.c: asks the kernel to send SIGINT for Ctrl-Alt-Del. */
void ctrl_alt_del_to_init(void);
/* how = SIGTERM (reboot), SIGUSR1 (halt), SIGUSR2 (power off). */
__attribute__((noreturn)) void shutdown_system(int how);

/* testmode.c: becomes pid 1 of new PID, mount and UTS namespaces. Returns
 * in that pid 1; the original process waits for it and exits. */
void test_mode_enter(void);

#endif
