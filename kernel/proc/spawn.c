/* Programs the kernel starts (see spawn.h), with the console as their
 * standard descriptors. */
#include <kernel/proc/spawn.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/sched.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/fs_ctx.h>
#include <kernel/exec/exec.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/limits.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/uthread.h>
#include <lib/cmdline.h>
#include <lib/string.h>
#include <sys/uio.h>

static const char *const spawn_env[] = {
	"HOME=/", "TERM=linux", "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
};

/* ---- the console as a file: writes go to the kernel's consoles, reads
 * find the end of input (the console has no input path to programs). */

static long console_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return 0;
}

static long console_write(struct file *f, struct uio *u, uint64_t *pos)
{
	char buf[256];
	long done = 0;

	(void)f;
	(void)pos;
	while (u->resid) {
		long n = uio_copy_in(u, buf, u->resid < sizeof(buf) ? u->resid : sizeof(buf));

		if (n <= 0)
			return done ? done : n;
		kputs(buf, (size_t)n);
		done += n;
	}
	return done;
}

static const struct file_ops console_ops = {
	.read = console_read,
	.write = console_write,
};

static int install_console(struct process *p)
{
	struct file *f = file_alloc(&console_ops, 0, O_RDWR);
	int err = 0;

	if (!f)
		return -ENOMEM;
	for (int fd = 0; fd < 3 && err >= 0; fd++)
		err = handle_install_at(p->files, fd, &f->obj, RIGHTS_ALL, 0);
	file_put(f);            /* the table holds it now */
	return err < 0 ? err : 0;
}

/* ---- the first thread: exec in the kernel, then ring 3 ---- */

struct spawn_cmd {
	char *argv[SPAWN_ARGS_MAX];
	int argc;
	char strings[];         /* the words, back to back */
};

static void spawn_main(void *arg)
{
	struct spawn_cmd *cmd = arg;
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct exec_args args;
	int err = install_console(p);

	exec_args_init(&args, p->rlim[RLIMIT_STACK].rlim_cur);
	for (int i = 0; i < cmd->argc && !err; i++)
		err = exec_args_add(&args, cmd->argv[i], 0);
	for (unsigned i = 0; i < sizeof(spawn_env) / sizeof(spawn_env[0]) && !err; i++)
		err = exec_args_add(&args, spawn_env[i], 1);
	if (!err)
		err = exec_path(0, cmd->argv[0], 0, cmd->argv[0], &args, uthread_frame(t));
	exec_args_free(&args);
	if (err) {
		log_err("proc: cannot run %s: error %d", cmd->argv[0], err);
		kfree(cmd);
		process_exit(W_EXITCODE(127, 0));
	}
	kfree(cmd);
	uthread_enter(t);
}

static struct spawn_cmd *copy_cmd(char *const argv[], int argc)
{
	size_t len = 0;
	struct spawn_cmd *cmd;
	char *s;

	if (argc <= 0 || argc > SPAWN_ARGS_MAX)
		return 0;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = kzalloc(sizeof(*cmd) + len);
	if (!cmd)
		return 0;
	s = cmd->strings;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(s, argv[i], n);
		cmd->argv[i] = s;
		s += n;
	}
	cmd->argc = argc;
	return cmd;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b && b[1] ? b + 1 : path;
}

int spawn_program(char *const argv[], int argc, unsigned flags)
{
	struct spawn_cmd *cmd = copy_cmd(argv, argc);
	struct process *p = 0;
	struct thread *t = 0;
	int err, pid;

	if (!cmd)
		return argc <= 0 || argc > SPAWN_ARGS_MAX ? -EINVAL : -ENOMEM;
	t = thread_create(base_name(argv[0]), spawn_main, cmd, SCHED_PRIO_DEFAULT,
			  THREAD_USER | THREAD_DETACHED | THREAD_SUSPENDED |
			  ((flags & SPAWN_INIT) ? THREAD_TID_ONE : 0));
	if (t && (p = process_alloc(base_name(argv[0]), SCHED_PRIO_DEFAULT, t->tid))) {
		p->user = true;
		cred_init_root(&p->cred);
		limits_init_defaults(p->rlim);
		p->files = handle_table_create(HANDLE_LIMIT_DEFAULT);
		p->sighand = sighand_create();
		p->fs = fs_ctx_new();
	}
	if (!p || !p->files || !p->sighand || !p->fs) {
		if (p) {
			process_release_resources(p);
			kfree(p);
		}
		if (t)
			thread_discard(t);
		kfree(cmd);
		return (flags & SPAWN_INIT) && !t ? -EBUSY : -ENOMEM;
	}
	pid = p->pid;
	process_table_lock();
	process_link_locked(p, process_current());
	if (flags & SPAWN_INIT)
		p->pgid = p->sid = p->pid;     /* a session of its own, as Linux's init */
	process_table_unlock();
	err = process_add_thread(p, t);
	if (err)
		panic("proc: the new process %d refused its thread (%d)", pid, err);
	thread_resume(t);
	return pid;
}

int spawn_command(const char *cmdline, unsigned flags)
{
	char *buf = kmalloc(CMDLINE_MAX_LEN), *words[SPAWN_ARGS_MAX];
	int n;

	if (!buf)
		return -ENOMEM;
	strlcpy(buf, cmdline, CMDLINE_MAX_LEN);
	n = cmdline_split_words(buf, words, SPAWN_ARGS_MAX);
	n = n == 0 ? -EINVAL : n > 0 ? spawn_program(words, n, flags) : n;
	kfree(buf);
	return n;
}
