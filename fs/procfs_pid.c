/* procfs per-process directories: /proc/[pid]/ with stat, status, statm,
 * comm, cmdline, environ, exe, maps, cwd, root, fd/ and task/[tid]/ (stat,
 * status, comm of each thread), for every process
 * in the table (zombies too, with nothing but their numbers).
 *
 * Each read looks the process up again by pid (kernel/proc/procinfo.h):
 * a copy of its numbers and counted references to its address space,
 * descriptors and file-system context, dropped at the end of the read. A
 * process that ended meanwhile is not found (ESRCH, or ENOENT for links
 * and lookups), and what it held stays alive until the reader lets go.
 * What the files show: pid, parent, group and session, name, credentials,
 * state (R, S, T or Z from its threads), thread count, CPU time, start
 * time, handle-table size, priority, the program's path, its regions and
 * the argument and environment strings exec left on its stack; the
 * directory and its files belong to the process's effective user (the
 * files and fd/ root's when it is not dumpable, prctl PR_SET_DUMPABLE), so environ (0400) and
 * fd/ (0500) are the owner's and root's only. task/[tid]/ shows each
 * thread's own comm. /proc/<tid> of a thread that does not lead its
 * process is found too (see info_of).
 * Per-thread signal masks read as zero; a process without an address
 * space (a kernel thread's) reads as Linux shows a kernel thread. */
#include <fs/procfs.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/fs_ctx.h>
#include <fs/inode.h>
#include <fs/namei.h>
#include <fs/procfs_text.h>
#include <fs/tty.h>
#include <kernel/proc/handle.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vm_dump.h>
#include <kernel/proc/procinfo.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define FD_BITS 12            /* descriptors below 4096 (RLIMIT_NOFILE's hard limit) */
#define PID_LIMIT (1u << (32 - FD_BITS))

/* A directory's number is a pid, or the tid of a thread that does not
 * lead its process (/proc/<tid>: found by lookup, not listed, as Linux);
 * such a directory shows the process, and stat, status and comm show the
 * thread. pi is zeroed on failure too, so putting it is always allowed. */
static int info_of(uint64_t id, struct process_info *pi)
{
	int err, pid;

	memset(pi, 0, sizeof(*pi));
	if (id == 0 || id >= PID_LIMIT)
		return -ESRCH;
	err = process_info_get((int)id, pi);
	if (err != -ESRCH || (pid = process_of_thread((int)id)) <= 0 || pid == (int)id)
		return err;
	return process_info_get(pid, pi);
}

/* The process of directory id: the one with that pid (a zombie too), or
 * the one with a thread of that tid. */
static int group_of(uint64_t id)
{
	int pid = id < PID_LIMIT ? process_of_thread((int)id) : -ESRCH;

	return pid > 0 ? pid : (int)id;
}

/* The process's effective ids; for what is not a world-readable
 * directory, root's when the process is not dumpable (prctl), as Linux's
 * task_dump_owner. */
static bool owner_ids(uint64_t pid, bool world_dir, uint32_t *uid, uint32_t *gid)
{
	struct process_info pi;

	if (info_of(pid, &pi))
		return false;
	*uid = pi.dumpable || world_dir ? pi.cred.euid : 0;
	*gid = pi.dumpable || world_dir ? pi.cred.egid : 0;
	process_info_put(&pi);
	return true;
}

static bool pid_owner(uint64_t pid, uint32_t *uid, uint32_t *gid)
{
	return owner_ids(pid, false, uid, gid);
}

/* /proc/[pid]/, task/ and task/[tid]/ (0555). */
static bool pid_dir_owner(uint64_t pid, uint32_t *uid, uint32_t *gid)
{
	return owner_ids(pid, true, uid, gid);
}

/* The open file behind descriptor fd, with a reference, or NULL. */
static struct file *fd_file(const struct process_info *pi, int fd)
{
	struct kobject *o;

	if (!pi->files)
		return NULL;
	o = handle_get(pi->files, fd, KOBJ_FILE, 0);
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
	int pid;

	(void)parent;
	/* cursors are pid + 1 */
	if (*cursor >= PID_LIMIT)
		return false;
	process_table_lock();
	pid = process_next_pid_locked(*cursor ? (int)*cursor : 1);
	process_table_unlock();
	if (pid < 0 || (uint64_t)pid >= PID_LIMIT)
		return false;
	*cursor = (uint64_t)pid + 1;
	*arg = (uint64_t)pid;
	fmt_snprintf(name, NAME_MAX + 1, "%d", pid);
	return true;
}

static bool pids_find(uint64_t parent, const char *name, uint64_t *arg)
{
	struct process_info pi;
	uint64_t pid;

	(void)parent;
	if (!parse_number(name, &pid) || info_of(pid, &pi))
		return false;
	process_info_put(&pi);
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
static unsigned fd_slots(const struct process_info *pi)
{
	unsigned slots = 64;

	for (int fd = (1 << FD_BITS) - 1; pi->files && fd >= 64; fd--) {
		struct file *f = fd_file(pi, fd);

		if (f) {
			file_put(f);
			while (slots <= (unsigned)fd)
				slots *= 2;
			break;
		}
	}
	return slots;
}

static void task_of(struct process_info *pi, struct proc_task *t)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = pi->pid;
	/* the kernel's own process is pid 0: init's parent, as on Linux */
	t->ppid = pi->ppid;
	t->pgid = pi->pgid;
	t->sid = pi->sid;
	t->state = pi->state;
	t->comm = pi->name;
	t->uid[0] = pi->cred.uid;
	t->uid[1] = pi->cred.euid;
	t->uid[2] = pi->cred.suid;
	t->uid[3] = pi->cred.fsuid;
	t->gid[0] = pi->cred.gid;
	t->gid[1] = pi->cred.egid;
	t->gid[2] = pi->cred.sgid;
	t->gid[3] = pi->cred.fsgid;
	t->groups = pi->cred.groups;
	t->ngroups = pi->cred.ngroups <= CRED_NGROUPS_MAX ? pi->cred.ngroups : CRED_NGROUPS_MAX;
	t->umask = pi->fs ? (int)fs_ctx_umask(pi->fs) : -1;
	t->threads = pi->nthreads;
	t->fd_slots = fd_slots(pi);
	/* a zombie has let go of its space too, but is no kernel thread */
	t->kthread = !pi->vm && !pi->user;
	t->flags = t->kthread ? 0x00200000 : 0;   /* PF_KTHREAD */
	if (pi->vm && !mutex_lock(&pi->vm->lock)) {
		t->vm_size = t->vm_peak = pi->vm->mapped;
		t->start_brk = pi->vm->brk_start;
		t->arg_start = pi->vm->arg_start;
		t->arg_end = pi->vm->arg_end;
		t->env_start = pi->vm->env_start;
		t->env_end = pi->vm->env_end;
		mutex_unlock(&pi->vm->lock);
	}
	if (pi->vm) {
		struct vm_rss rss;

		vm_resident(pi->vm, &rss);
		t->rss_anon = rss.anon;
		t->rss_file = rss.file;
		t->rss_shmem = rss.shmem;
		t->vm_hwm = t->rss_anon + t->rss_file + t->rss_shmem;  /* no peak is kept */
	}
	tty_session_ids(pi->sid, &t->tty_nr, &t->tpgid);
	t->priority = 20 + nice_of(pi->prio);
	t->nice = nice_of(pi->prio);
	t->stime = pi->cpu_ns;
	t->cstime = pi->child_cpu_ns;
	t->start_time = pi->start_ns;
	t->sig_shared = pi->sig_pending;
	t->exit_signal = 17;          /* SIGCHLD */
	t->cpus_allowed = 1;
	t->voluntary_switches = pi->switches;
}

static int show_thread(struct seqbuf *s, uint64_t arg,
		       void (*text)(struct seqbuf *s, const struct proc_task *t));

static int show_task(struct seqbuf *s, uint64_t pid,
		     void (*text)(struct seqbuf *s, const struct proc_task *t))
{
	struct process_info pi;
	struct proc_task t;
	int err = info_of(pid, &pi), group = pi.pid;

	if (err)
		return err;
	if (group != (int)pid) {            /* /proc/<tid>: the thread's view */
		process_info_put(&pi);
		return show_thread(s, (uint64_t)group << 32 | pid, text);
	}
	task_of(&pi, &t);
	text(s, &t);
	process_info_put(&pi);
	return 0;
}

static int show_stat(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, proc_task_stat_text); }
static int show_status(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, proc_task_status_text); }
static int show_statm(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, proc_task_statm_text); }

static void comm_text(struct seqbuf *s, const struct proc_task *t) { seq_printf(s, "%.15s\n", t->comm); }
static int show_comm(struct seqbuf *s, uint64_t pid) { return show_task(s, pid, comm_text); }

/* Bytes [start, end) of its memory (none without an address space). */
static int show_user_range(struct seqbuf *s, uint64_t pid, bool env)
{
	struct process_info pi;
	uint64_t start, end;
	size_t room = s->size - s->len;
	int err = info_of(pid, &pi);

	if (err || !pi.vm)
		goto out;
	if ((err = mutex_lock(&pi.vm->lock)))
		goto out;
	start = env ? pi.vm->env_start : pi.vm->arg_start;
	end = env ? pi.vm->env_end : pi.vm->arg_end;
	mutex_unlock(&pi.vm->lock);
	if (end < start)
		goto out;
	if (end - start > room) {
		s->overflow = true;       /* pseudofs asks again with more room */
		goto out;
	}
	err = vm_copy_from(pi.vm, start, s->buf + s->len, (size_t)(end - start));
	if (!err)
		s->len += (size_t)(end - start);
out:
	process_info_put(&pi);
	return err;
}

static int show_cmdline(struct seqbuf *s, uint64_t pid) { return show_user_range(s, pid, false); }
static int show_environ(struct seqbuf *s, uint64_t pid) { return show_user_range(s, pid, true); }

static int show_maps(struct seqbuf *s, uint64_t pid)
{
	struct process_info pi;
	size_t room = s->size - s->len, n;
	int err = info_of(pid, &pi);

	if (err)
		return err;
	if (pi.vm) {
		n = vm_format_maps(pi.vm, s->buf + s->len, room);
		if (n >= room)            /* it needs room for its NUL too */
			s->overflow = true;
		else
			s->len += n;
	}
	process_info_put(&pi);
	return 0;
}

/* The program exec ran (a kernel thread or a zombie has none: no target). */
static int exe_link(struct seqbuf *s, uint64_t pid)
{
	struct process_info pi;
	int err = info_of(pid, &pi) ? -ENOENT : 0;

	if (err)
		return err;
	if (!pi.exe)
		err = -ENOENT;
	else
		seq_puts(s, pi.exe);
	process_info_put(&pi);
	return err ? err : s->overflow ? -ENAMETOOLONG : 0;
}

static int path_link(struct seqbuf *s, const struct path *p)
{
	long n = vfs_path_string(p, s->buf + s->len, s->size - s->len);

	if (n < 0)
		return (int)n;
	s->len += (size_t)n;
	return 0;
}

static int ctx_link(struct seqbuf *s, uint64_t pid, bool root)
{
	struct process_info pi;
	struct path p;
	int err = info_of(pid, &pi) ? -ENOENT : 0;

	if (err)
		return err;
	if (!pi.fs) {
		process_info_put(&pi);
		return -ENOENT;
	}
	if (root)
		fs_ctx_root(pi.fs, &p);
	else
		fs_ctx_cwd(pi.fs, &p);
	err = path_link(s, &p);
	path_put(&p);
	process_info_put(&pi);
	return err;
}

static int cwd_link(struct seqbuf *s, uint64_t pid) { return ctx_link(s, pid, false); }
static int root_link(struct seqbuf *s, uint64_t pid) { return ctx_link(s, pid, true); }

static bool fds_next(uint64_t pid, uint64_t *cursor, char *name, uint64_t *arg)
{
	struct process_info pi;
	bool found = false;

	if (info_of(pid, &pi))
		return false;
	/* cursors are fd + 1 */
	for (uint64_t fd = *cursor; pi.files && fd < (1u << FD_BITS); fd++) {
		struct file *f = fd_file(&pi, (int)fd);

		if (!f)
			continue;
		file_put(f);
		*cursor = fd + 1;
		*arg = pid << FD_BITS | fd;
		fmt_snprintf(name, NAME_MAX + 1, "%llu", (unsigned long long)fd);
		found = true;
		break;
	}
	process_info_put(&pi);
	return found;
}

static bool fds_find(uint64_t pid, const char *name, uint64_t *arg)
{
	struct process_info pi;
	struct file *f;
	uint64_t fd;

	if (!parse_number(name, &fd) || fd >= (1u << FD_BITS) || info_of(pid, &pi))
		return false;
	f = fd_file(&pi, (int)fd);
	process_info_put(&pi);
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
	struct process_info pi;
	struct file *f = NULL;
	int err = 0;

	if (!info_of(arg >> FD_BITS, &pi)) {
		f = fd_file(&pi, (int)(arg & ((1u << FD_BITS) - 1)));
		process_info_put(&pi);
	}
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

/* task/[tid]/: the argument is pid << 32 | tid (the process's pid, also
 * below /proc/<tid>). A thread shows its process's numbers with its own
 * id, state, CPU time and switches. */
static bool tasks_next(uint64_t id, uint64_t *cursor, char *name, uint64_t *arg)
{
	/* cursors are the last tid listed (past INT32_MAX: the end) */
	int pid = group_of(id);
	int tid = id < PID_LIMIT && *cursor <= INT32_MAX ? process_thread_next(pid, (int)*cursor) : 0;

	if (tid <= 0)
		return false;
	*cursor = (uint64_t)tid;
	*arg = (uint64_t)pid << 32 | (uint64_t)tid;
	fmt_snprintf(name, NAME_MAX + 1, "%d", tid);
	return true;
}

static bool tasks_find(uint64_t id, const char *name, uint64_t *arg)
{
	struct thread_info_k ti;
	uint64_t tid;
	int pid;

	if (id >= PID_LIMIT || !parse_number(name, &tid) || tid == 0 ||
	    process_thread_info(pid = group_of(id), (int)tid, &ti))
		return false;
	*arg = (uint64_t)pid << 32 | tid;
	return true;
}

static bool task_owner_of(uint64_t arg, bool world_dir, uint32_t *uid, uint32_t *gid)
{
	struct thread_info_k ti;

	if (process_thread_info((int)(arg >> 32), (int)(uint32_t)arg, &ti))
		return false;
	return owner_ids(arg >> 32, world_dir, uid, gid);
}

static bool task_owner(uint64_t arg, uint32_t *uid, uint32_t *gid)
{
	return task_owner_of(arg, false, uid, gid);
}

static bool task_dir_owner(uint64_t arg, uint32_t *uid, uint32_t *gid)
{
	return task_owner_of(arg, true, uid, gid);
}

static int show_thread(struct seqbuf *s, uint64_t arg,
		       void (*text)(struct seqbuf *s, const struct proc_task *t))
{
	struct process_info pi;
	struct thread_info_k ti;
	struct proc_task t;
	int tid = (int)(uint32_t)arg, err = info_of(arg >> 32, &pi);

	if (!err)
		err = process_thread_info(pi.pid, tid, &ti);
	if (err) {
		process_info_put(&pi);
		return -ESRCH;
	}
	task_of(&pi, &t);
	t.pid = tid;
	t.comm = ti.name;
	if (t.state != 'T' && t.state != 'Z')
		t.state = ti.state;
	t.stime = ti.cpu_ns;
	t.voluntary_switches = ti.switches;
	text(s, &t);
	process_info_put(&pi);
	return 0;
}

static int show_thread_stat(struct seqbuf *s, uint64_t arg) { return show_thread(s, arg, proc_task_stat_text); }
static int show_thread_status(struct seqbuf *s, uint64_t arg) { return show_thread(s, arg, proc_task_status_text); }
static int show_thread_comm(struct seqbuf *s, uint64_t arg) { return show_thread(s, arg, comm_text); }

#define TASK_FILE(n, m, fn) { .name = n, .mode = S_IFREG | (m), .show = fn, .owner = task_owner }

static const struct pseudo_entry task_children[] = {
	TASK_FILE("comm", 0644, show_thread_comm),
	TASK_FILE("stat", 0444, show_thread_stat),
	TASK_FILE("status", 0444, show_thread_status),
	{ 0 },
};

static const struct pseudo_entry task_entry = {
	.mode = S_IFDIR | 0555, .children = task_children, .owner = task_dir_owner,
};

static const struct pseudo_family tasks = { tasks_next, tasks_find, &task_entry };

static const struct pseudo_entry pid_children[] = {
	PID_FILE("cmdline", 0444, show_cmdline),
	PID_FILE("comm", 0644, show_comm),
	{ .name = "cwd", .mode = S_IFLNK | 0777, .link = cwd_link, .owner = pid_owner },
	PID_FILE("environ", 0400, show_environ),
	{ .name = "exe", .mode = S_IFLNK | 0777, .link = exe_link, .owner = pid_owner },
	{ .name = "fd", .mode = S_IFDIR | 0500, .family = &fds, .owner = pid_owner },
	PID_FILE("maps", 0444, show_maps),
	PID_FILE("mounts", 0444, procfs_show_mounts),
	{ .name = "root", .mode = S_IFLNK | 0777, .link = root_link, .owner = pid_owner },
	PID_FILE("stat", 0444, show_stat),
	PID_FILE("statm", 0444, show_statm),
	PID_FILE("status", 0444, show_status),
	{ .name = "task", .mode = S_IFDIR | 0555, .family = &tasks, .owner = pid_dir_owner },
	{ 0 },
};

const struct pseudo_entry procfs_pid_dir = {
	.mode = S_IFDIR | 0555, .children = pid_children, .owner = pid_dir_owner,
};

const struct pseudo_family procfs_pids = { pids_next, pids_find, &procfs_pid_dir };
