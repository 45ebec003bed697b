/* procfs per-process directories: /proc/[pid]/ with stat, status, statm,
 * comm, cmdline, environ, exe, maps, cwd, root and fd/.
 *
 * Which processes: kernel/proc has no way yet to look another process up
 * safely (by pid, with a reference or under its table lock), so the
 * directories exist for the calling process only; it cannot go away while
 * it reads its own entries. What the files show comes from struct process,
 * its address space and the caller's own thread: pid, parent, group and
 * session, name, credentials, thread count, CPU time (threads that ended
 * plus the calling one), handle-table size, priority, the program's path,
 * its regions and the argument and environment strings exec left on its
 * stack. Signals and the start time read as zero; a process without an
 * address space (a kernel thread's) as Linux shows a kernel thread. */
#include <fs/procfs.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/fs_ctx.h>
#include <fs/inode.h>
#include <fs/namei.h>
#include <fs/procfs_text.h>
#include <kernel/proc/handle.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define FD_BITS 12            /* descriptors below 4096 (RLIMIT_NOFILE's hard limit) */
#define PID_LIMIT (1u << (32 - FD_BITS))

/* The process pid names, if the caller may look at it (see above). */
static struct process *proc_of(uint64_t pid)
{
	struct process *me = process_current();

	return me && (uint64_t)me->pid == pid ? me : NULL;
}

static bool pid_owner(uint64_t pid, uint32_t *uid, uint32_t *gid)
{
	struct process *p = proc_of(pid);

	if (!p)
		return false;
	*uid = p->cred.euid;
	*gid = p->cred.egid;
	return true;
}

/* The open file behind descriptor fd of p, with a reference, or NULL. */
static struct file *fd_file(struct process *p, int fd)
{
	struct kobject *o;

	if (!p->files)
		return NULL;
	o = handle_get(p->files, fd, KOBJ_FILE, 0);
	return file_from_kobject(o);
}

static bool parse_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (*s == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > UINT32_MAX / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool pids_next(uint64_t parent, uint64_t *cursor, char *name, uint64_t *arg)
{
	struct process *me = process_current();

	(void)parent;
	/* cursors are pid + 1, so pid 0 (the kernel) has one above 0 */
	if (!me || (uint64_t)me->pid + 1 <= *cursor || (uint64_t)me->pid >= PID_LIMIT)
		return false;
	*cursor = (uint64_t)me->pid + 1;
	*arg = (uint64_t)me->pid;
	fmt_snprintf(name, NAME_MAX + 1, "%d", me->pid);
	return true;
}

static bool pids_find(uint64_t parent, const char *name, uint64_t *arg)
{
	uint64_t pid;

	(void)parent;
	if (!parse_number(name, &pid) || pid >= PID_LIMIT || !proc_of(pid))
		return false;
	*arg = pid;
	return true;
}

int procfs_self_link(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	seq_printf(s, "%d", process_current()->pid);
	return 0;
}

/* Linux's nice for the scheduler's priority levels: the default level is
 * nice 0, each level 5 apart (level 7 is -20). */
static int nice_of(int prio)
{
	int n = (SCHED_PRIO_DEFAULT - prio) * 5;

	return n < -20 ? -20 : n > 19 ? 19 : n;
}

/* Linux's FDSize, the size of the descriptor array: it starts at 64 and
 * doubles to hold the highest open descriptor. */
static unsigned fd_slots(struct process *p)
{
	unsigned slots = 64;

	for (int fd = (1 << FD_BITS) - 1; fd >= 64; fd--) {
		struct file *f = fd_file(p, fd);

		if (f) {
			file_put(f);
			while (slots <= (unsigned)fd)
				slots *= 2;
			break;
		}
	}
	return slots;
}

static void task_of(struct process *p, struct proc_task *t)
{
	struct thread *me = thread_current();

	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = p->pid;
	process_table_lock();
	/* the kernel's own process is pid 0: init's parent, as on Linux */
	t->ppid = p->parent ? p->parent->pid : 0;
	t->pgid = p->pgid;
	t->sid = p->sid;
	process_table_unlock();
	t->tpgid = -1;
	t->state = 'R';               /* it is reading this */
	t->comm = p->name;
	t->uid[0] = p->cred.uid;
	t->uid[1] = p->cred.euid;
	t->uid[2] = p->cred.suid;
	t->uid[3] = p->cred.fsuid;
	t->gid[0] = p->cred.gid;
	t->gid[1] = p->cred.egid;
	t->gid[2] = p->cred.sgid;
	t->gid[3] = p->cred.fsgid;
	t->groups = p->cred.groups;
	t->ngroups = p->cred.ngroups <= CRED_NGROUPS_MAX ? p->cred.ngroups : CRED_NGROUPS_MAX;
	t->umask = (int)fs_ctx_umask(fs_ctx_current());
	t->threads = p->nthreads;
	t->fd_slots = fd_slots(p);
	t->kthread = !p->vm;
	t->flags = t->kthread ? 0x00200000 : 0;   /* PF_KTHREAD */
	if (p->vm && !mutex_lock(&p->vm->lock)) {
		t->vm_size = t->vm_peak = p->vm->mapped;
		t->start_brk = p->vm->brk_start;
		t->arg_start = p->vm->arg_start;
		t->arg_end = p->vm->arg_end;
		t->env_start = p->vm->env_start;
		t->env_end = p->vm->env_end;
		mutex_unlock(&p->vm->lock);
	}
	t->priority = 20 + nice_of(p->prio);
	t->nice = nice_of(p->prio);
	t->stime = p->cpu_ns + (me ? me->cpu_ns : 0);
	t->exit_signal = 17;          /* SIGCHLD */
	t->cpus_allowed = 1;
	t->voluntary_switches = me ? me->switches : 0;
}

static int show_task(struct seqbuf *s, uint64_t pid,
		     void (*text)(struct seqbuf *s, const struct proc_task *t))
{
	struct process *p = proc_of(pid);
	struct proc_task t;

	if (!p)
		return -ESRCH;
	task_of(p, &t);
	text(s, &t);
	return 0;
}

static int show_stat(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, proc_task_stat_text); }
static int show_status(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, proc_task_status_text); }
static int show_statm(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, proc_task_statm_text); }

static int show_comm(struct seqbuf *s, uint64_t pid)
{
	struct process *p = proc_of(pid);

	if (!p)
		return -ESRCH;
	seq_printf(s, "%.15s\n", p->name);
	return 0;
}

/* Bytes [start, end) of p's memory (a kernel thread has none: empty). */
static int show_user_range(struct seqbuf *s, struct process *p, bool env)
{
	uint64_t start, end;
	size_t room = s->size - s->len;
	int err;

	if (!p->vm)
		return 0;
	if ((err = mutex_lock(&p->vm->lock)))
		return err;
	start = env ? p->vm->env_start : p->vm->arg_start;
	end = env ? p->vm->env_end : p->vm->arg_end;
	mutex_unlock(&p->vm->lock);
	if (end - start > room) {
		s->overflow = true;       /* pseudofs asks again with more room */
		return 0;
	}
	err = vm_copy_from(p->vm, start, s->buf + s->len, (size_t)(end - start));
	if (!err)
		s->len += (size_t)(end - start);
	return err;
}

static int show_cmdline(struct seqbuf *s, uint64_t pid)
{
	struct process *p = proc_of(pid);

	return p ? show_user_range(s, p, false) : -ESRCH;
}

static int show_environ(struct seqbuf *s, uint64_t pid)
{
	struct process *p = proc_of(pid);

	return p ? show_user_range(s, p, true) : -ESRCH;
}

static int show_maps(struct seqbuf *s, uint64_t pid)
{
	struct process *p = proc_of(pid);
	size_t room = s->size - s->len, n;

	if (!p)
		return -ESRCH;
	if (!p->vm)
		return 0;
	n = vm_format_maps(p->vm, s->buf + s->len, room);
	if (n >= room)                /* it needs room for its NUL too */
		s->overflow = true;
	else
		s->len += n;
	return 0;
}

/* The program exec ran (a kernel thread has none: no target). */
static int exe_link(struct seqbuf *s, uint64_t pid)
{
	struct process *p = proc_of(pid);

	if (!p || !p->exe)
		return -ENOENT;
	seq_puts(s, p->exe);
	return s->overflow ? -ENAMETOOLONG : 0;
}

static int path_link(struct seqbuf *s, const struct path *p)
{
	long n = vfs_path_string(p, s->buf + s->len, s->size - s->len);

	if (n < 0)
		return (int)n;
	s->len += (size_t)n;
	return 0;
}

static int cwd_link(struct seqbuf *s, uint64_t pid)
{
	struct path p;
	int err;

	if (!proc_of(pid))
		return -ENOENT;
	fs_ctx_cwd(fs_ctx_current(), &p);
	err = path_link(s, &p);
	path_put(&p);
	return err;
}

static int root_link(struct seqbuf *s, uint64_t pid)
{
	struct path p;
	int err;

	if (!proc_of(pid))
		return -ENOENT;
	fs_ctx_root(fs_ctx_current(), &p);
	err = path_link(s, &p);
	path_put(&p);
	return err;
}

static bool fds_next(uint64_t pid, uint64_t *cursor, char *name, uint64_t *arg)
{
	struct process *p = proc_of(pid);

	/* cursors are fd + 1 */
	for (uint64_t fd = *cursor; p && fd < (1u << FD_BITS); fd++) {
		struct file *f = fd_file(p, (int)fd);

		if (!f)
			continue;
		file_put(f);
		*cursor = fd + 1;
		*arg = pid << FD_BITS | fd;
		fmt_snprintf(name, NAME_MAX + 1, "%llu", (unsigned long long)fd);
		return true;
	}
	return false;
}

static bool fds_find(uint64_t pid, const char *name, uint64_t *arg)
{
	struct process *p = proc_of(pid);
	struct file *f;
	uint64_t fd;

	if (!p || !parse_number(name, &fd) || fd >= (1u << FD_BITS))
		return false;
	f = fd_file(p, (int)fd);
	if (!f)
		return false;
	file_put(f);
	*arg = pid << FD_BITS | fd;
	return true;
}

static bool fd_owner(uint64_t arg, uint32_t *uid, uint32_t *gid)
{
	return pid_owner(arg >> FD_BITS, uid, gid);
}

/* A descriptor's target: the file's path, or for a file without a name
 * Linux's "pipe:[inode]" / "anon_inode:[inode]". */
static int fd_link(struct seqbuf *s, uint64_t arg)
{
	struct process *p = proc_of(arg >> FD_BITS);
	struct file *f = p ? fd_file(p, (int)(arg & ((1u << FD_BITS) - 1))) : NULL;
	int err = 0;

	if (!f)
		return -ENOENT;
	if (f->path.dentry)
		err = path_link(s, &f->path);
	else if (f->inode && S_ISFIFO(f->inode->mode))
		seq_printf(s, "pipe:[%llu]", (unsigned long long)f->inode->ino);
	else
		seq_printf(s, "anon_inode:[%llu]", f->inode ? (unsigned long long)f->inode->ino : 0ull);
	file_put(f);
	return err;
}

static const struct pseudo_entry fd_entry = {
	.mode = S_IFLNK | 0700, .link = fd_link, .owner = fd_owner,
};

static const struct pseudo_family fds = { fds_next, fds_find, &fd_entry };

#define PID_FILE(n, m, fn) { .name = n, .mode = S_IFREG | (m), .show = fn, .owner = pid_owner }

static const struct pseudo_entry pid_children[] = {
	PID_FILE("cmdline", 0444, show_cmdline),
	PID_FILE("comm", 0644, show_comm),
	{ .name = "cwd", .mode = S_IFLNK | 0777, .link = cwd_link, .owner = pid_owner },
	PID_FILE("environ", 0400, show_environ),
	{ .name = "exe", .mode = S_IFLNK | 0777, .link = exe_link, .owner = pid_owner },
	{ .name = "fd", .mode = S_IFDIR | 0500, .family = &fds, .owner = pid_owner },
	PID_FILE("maps", 0444, show_maps),
	{ .name = "root", .mode = S_IFLNK | 0777, .link = root_link, .owner = pid_owner },
	PID_FILE("stat", 0444, show_stat),
	PID_FILE("statm", 0444, show_statm),
	PID_FILE("status", 0444, show_status),
	{ 0 },
};

const struct pseudo_entry procfs_pid_dir = {
	.mode = S_IFDIR | 0555, .children = pid_children, .owner = pid_owner,
};

const struct pseudo_family procfs_pids = { pids_next, pids_find, &procfs_pid_dir };
