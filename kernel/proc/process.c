/* Processes (see process.h). One table mutex protects the process table,
 * the parent/child tree, states, process groups and each process's thread
 * list; a process's own mutex protects what its own threads change (the
 * resource pointers, credentials, limits, name). Lock order: the table
 * lock before a process's lock. */
#include <kernel/proc/process.h>
#include <cosmos/abi/sched.h>
#include <kernel/proc/internal.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <fs/fs_ctx.h>
#include <fs/tty.h>
#include <hal/cpu.h>
#include <hal/paging.h>
#include <kernel/proc/itimer.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/panic.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/initproc.h>
#include <kernel/proc/limits.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/uthread.h>
#include <kernel/time.h>
#include <lib/string.h>

static struct mutex table_lock;
/* Under table_lock: */
static struct list_node all_procs = LIST_INIT(all_procs);
static unsigned nprocs;
static uint64_t nforks;               /* processes created since boot */
static struct process *init_proc;     /* pid 1, while it lives */
/* The kernel itself: parent of every process a kernel thread creates and
 * of orphans nobody else takes. Its threads are the ones with no process. */
static struct process kernel_proc;

static void thread_exiting(struct thread *t, int code);

/* For a thread's way out, which cannot give up: failing to take a lock
 * there (in an interrupt handler, under a spinlock) is a kernel bug. */
static void lock_or_panic(struct mutex *m)
{
	int err = mutex_lock(m);

	if (err)
		panic("proc: cannot take %s on a thread's way out (%d)", m->name, err);
}

void process_table_lock(void) { lock_or_panic(&table_lock); }
void process_table_unlock(void) { mutex_unlock(&table_lock); }
void process_lock(struct process *p) { lock_or_panic(&p->lock); }

bool process_flag(struct process *p, const bool *flag)
{
	bool v;

	process_lock(p);
	v = *flag;
	mutex_unlock(&p->lock);
	return v;
}

int process_table_wait(struct process *p)
{
	return cond_wait_intr(&p->child_cv, &table_lock, 0);
}

void process_init(void)
{
	mutex_init(&table_lock, "proc_table");
	futex_init();
	uthread_init();
	kernel_proc.pid = 0;
	kernel_proc.prio = SCHED_PRIO_DEFAULT;
	cred_init_root(&kernel_proc.cred);
	limits_init_defaults(kernel_proc.rlim);
	list_init(&kernel_proc.children);
	list_init(&kernel_proc.threads);
	list_init(&kernel_proc.sibling);
	cond_init(&kernel_proc.child_cv);
	mutex_init(&kernel_proc.lock, "kernel_proc");
	strlcpy(kernel_proc.name, "kernel", sizeof(kernel_proc.name));
	list_add_tail(&all_procs, &kernel_proc.all_node);
	nprocs = 1;
	process_audit_init();
}

struct process *process_kernel(void) { return &kernel_proc; }

struct process *process_find_locked(int pid)
{
	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);

		if (p->pid == pid && p != &kernel_proc)
			return p;
	}
	return 0;
}

int process_next_pid_locked(int from)
{
	int best = -1;

	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);

		if (p != &kernel_proc && p->pid >= from && (best < 0 || p->pid < best))
			best = p->pid;
	}
	return best;
}

struct thread *process_find_thread_locked(int tid, struct process **owner)
{
	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);

		if (p->state != PROC_ALIVE)
			continue;
		list_for_each(m, &p->threads) {
			struct thread *t = list_entry(m, struct thread, proc_node);

			if (t->tid == tid) {
				*owner = p;
				return t;
			}
		}
	}
	return 0;
}

bool process_group_exists_locked(int pgid, int sid)
{
	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);

		if (p != &kernel_proc && p->pgid == pgid && (sid < 0 || p->sid == sid))
			return true;
	}
	return false;
}

struct vm_space *process_next_vm(int after, int *pid, char name[PROC_NAME_MAX])
{
	struct process *best = 0;
	struct vm_space *vm = 0;

	lock_or_panic(&table_lock);
	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);

		/* not exiting: its last thread cannot be dropping the space */
		if (p->pid > after && (!best || p->pid < best->pid) && p->state == PROC_ALIVE &&
		    !p->exiting && p->vm)
			best = p;
	}
	if (best) {
		lock_or_panic(&best->lock);   /* exec swaps the pointer under it */
		vm = best->vm;
		if (vm)
			vm_get(vm);
		*pid = best->pid;
		strlcpy(name, best->name, PROC_NAME_MAX);
		mutex_unlock(&best->lock);
	}
	mutex_unlock(&table_lock);
	return vm;
}

/* The parts every process starts with; the caller fills in the rest. */
struct process *process_alloc(const char *name, int prio, int pid)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p)
		return 0;
	p->pid = pid;
	p->prio = prio;
	p->start_ns = time_ns();
	p->state = PROC_ALIVE;
	p->exit_signal = SIGCHLD;
	list_init(&p->children);
	list_init(&p->threads);
	list_init(&p->sibling);
	cond_init(&p->child_cv);
	sigpending_init(&p->sig_shared);
	waitq_init(&p->stop_wq);
	waitq_init(&p->signalfd_wq);
	mutex_init(&p->lock, "proc");
	strlcpy(p->name, name, sizeof(p->name));
	p->dumpable = true;
	return p;
}

/* Links p under parent (whose group and session it joins). Table lock held. */
void process_link_locked(struct process *p, struct process *parent)
{
	p->parent = parent;
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	list_add_tail(&parent->children, &p->sibling);
	list_add_tail(&all_procs, &p->all_node);
	nprocs++;
	nforks++;
	if (p->pid == 1)
		init_proc = p;
}

/* Drops what p holds (a process that never ran, or the last thread's
 * teardown); the struct itself stays. */
void process_release_resources(struct process *p)
{
	struct vm_space *vm = p->vm;

	if (vm) {
		struct thread *me = thread_current();

		/* vm_put frees the tables when this was the last user, and they
		 * must not be loaded then, nor be loaded again when the caller
		 * (p's last thread, on its way out) is switched back in. */
		if (me && me->aspace == vm->root)
			me->aspace = 0;
		if (paging_active() == vm->root)
			paging_activate(vmm_kernel_root());
		p->vm = 0;
		vm_put(vm);
	}
	if (p->files) {
		handle_table_put(p->files);
		p->files = 0;
	}
	if (p->fs) {
		fs_ctx_put(p->fs);
		p->fs = 0;
	}
	/* its timer is on the process: cancelled before the process can go */
	itimer_release(p);
	ptimer_delete_all(p);
	sigpending_flush(&p->sig_shared);
	if (p->sighand) {
		sighand_put(p->sighand);
		p->sighand = 0;
	}
	kfree(p->exe);
	p->exe = 0;
}

struct process *process_create(const char *name, int prio)
{
	struct process *parent = process_current();
	struct process *p = process_alloc(name, prio, thread_tid_alloc());

	if (!p)
		return 0;
	p->files = handle_table_create(HANDLE_LIMIT_DEFAULT);
	p->sighand = sighand_create();
	if (!p->files || !p->sighand || mutex_lock(&table_lock)) {
		process_release_resources(p);
		kfree(p);
		return 0;
	}
	cred_read(parent, &p->cred);
	memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	process_link_locked(p, parent);
	mutex_unlock(&table_lock);
	return p;
}

int process_add_thread(struct process *p, struct thread *t)
{
	int err = mutex_lock(&table_lock);

	if (err)
		return err;
	if (p == &kernel_proc || p->exiting || p->state != PROC_ALIVE) {
		err = -ESRCH;
	} else {
		uint64_t f = signal_lock();

		t->proc = p;
		t->exit_hook = thread_exiting;
		list_add_tail(&p->threads, &t->proc_node);
		signal_unlock(f);
		/* atomic: sys_file_get_rights reads it unlocked */
		__atomic_store_n(&p->nthreads, p->nthreads + 1, __ATOMIC_RELEASE);
		limits_thread_added(p);
	}
	mutex_unlock(&table_lock);
	return err;
}

int process_spawn_thread(struct process *p, const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_create(name, fn, arg, p->prio, THREAD_DETACHED | THREAD_SUSPENDED);
	int err;

	if (!t)
		return -ENOMEM;
	err = process_add_thread(p, t);
	if (err) {
		thread_discard(t);
		return err;
	}
	thread_resume(t);
	return 0;
}

/* Table lock held: the parent (or init) learns that a child ended. */
static void notify_parent_locked(struct process *p)
{
	int st = p->exit_status;
	struct ksiginfo info = {
		.signo = p->exit_signal, .pid = p->pid, .uid = p->cred.uid,
		.code = (st & 0x80) ? CLD_DUMPED : (st & 0x7f) ? CLD_KILLED : CLD_EXITED,
		.status = (st & 0x7f) ? st & 0x7f : (st >> 8) & 0xff,
		.utime = (int64_t)(p->cpu_ns / 10000000u),
	};

	cond_broadcast(&p->parent->child_cv);
	if (p->exit_signal)
		(void)signal_send_locked(p->parent, 0, &info);
}

/* Does the parent let its children go without a wait (SIGCHLD set to
 * SIG_IGN, or SA_NOCLDWAIT)? Table lock held. */
static bool parent_autoreaps_locked(const struct process *p)
{
	const struct process *q = p->parent;
	struct sigaction_k a;
	uint64_t f;

	if (!q || q == &kernel_proc || !q->sighand)
		return false;
	f = signal_lock();
	a = q->sighand->action[SIGCHLD - 1];
	signal_unlock(f);
	return a.handler == SIGHAND_IGN || (a.flags & SA_NOCLDWAIT);
}

/* POSIX's orphaned process group: no live member has a parent in another
 * group of the same session (so nobody there can send it SIGCONT from
 * job control). Table lock held. */
static bool group_orphaned_locked(int pgid)
{
	list_for_each(l, &all_procs) {
		struct process *p = list_entry(l, struct process, all_node);
		struct process *q = p->parent;

		if (p->pgid != pgid || p->state != PROC_ALIVE)
			continue;
		if (q && q != &kernel_proc && q->pgid != pgid && q->sid == p->sid)
			return false;
	}
	return true;
}

/* An exit just took away group pgid's last link to its session (the
 * caller checked the exiting process was one). POSIX _exit: when the
 * group is now orphaned and a member is stopped, every member gets SIGHUP
 * then SIGCONT; the stopped ones would otherwise wait for ever for a
 * SIGCONT nobody in the session is left to send. Table lock held: it
 * keeps the group's membership, states and parents still, and p->stopped
 * only changes under it (and the signal lock). */
static void hangup_if_orphaned_locked(int pgid)
{
	static const int sigs[] = { SIGHUP, SIGCONT };
	bool stopped = false;

	list_for_each(l, &all_procs) {
		struct process *p = list_entry(l, struct process, all_node);

		if (p->pgid == pgid && p->state == PROC_ALIVE && p->user && p->stopped)
			stopped = true;
	}
	if (!stopped || !group_orphaned_locked(pgid))
		return;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		list_for_each(l, &all_procs) {
			struct process *p = list_entry(l, struct process, all_node);

			if (p->pgid == pgid && p->state == PROC_ALIVE && p->user)
				signal_send_process_locked(p, sigs[i]);
		}
}

/* Table lock held: who takes p's children that run programs: the
 * nearest ancestor of p marked a child subreaper (prctl) that is still
 * alive, else init when init is someone else, else the kernel. */
static struct process *reaper_for_locked(struct process *p)
{
	for (struct process *a = p->parent; a && a != &kernel_proc && a != init_proc; a = a->parent)
		if (a->subreaper && a->state == PROC_ALIVE && !a->exiting)
			return a;
	return init_proc && init_proc != p && !init_proc->exiting ? init_proc : &kernel_proc;
}

/* Table lock held: the thread t of p is ending. Each child it created (or
 * took over) that asked for a parent-death signal gets it, as Linux sends
 * one whenever a child's parent thread ends; the child is then the
 * charge of another live thread of p, if p has one (t is off the list). */
static void parent_thread_ended_locked(struct process *p, struct thread *t)
{
	int heir = list_empty(&p->threads) ? 0 : list_entry(p->threads.next, struct thread, proc_node)->tid;

	list_for_each(n, &p->children) {
		struct process *c = list_entry(n, struct process, sibling);

		if (c->parent_tid != t->tid)
			continue;
		if (c->pdeath_sig && c->state == PROC_ALIVE)
			signal_send_process_locked(c, c->pdeath_sig);
		c->parent_tid = heir;
	}
}

/* Table lock held: p's children go to reaper_for_locked's choice;
 * zombies the kernel gets are freed now, the new parent is told about
 * its new zombies. */
static void reparent_children_locked(struct process *p)
{
	struct process *reaper = reaper_for_locked(p);

	while (!list_empty(&p->children)) {
		struct process *c = list_entry(p->children.next, struct process, sibling);
		struct process *to = c->user ? reaper : &kernel_proc;

		list_del(&c->sibling);
		if (to == &kernel_proc && c->state == PROC_ZOMBIE) {
			list_del(&c->all_node);
			nprocs--;
			kfree(c);
			continue;
		}
		c->parent = to;
		c->parent_tid = to->pid;
		c->orphan = to == &kernel_proc;
		/* the signal the old parent chose (clone's low byte, SIGKILL
		 * say) is not for init: its new parent hears SIGCHLD */
		if (c->exit_signal)
			c->exit_signal = SIGCHLD;
		list_add_tail(&to->children, &c->sibling);
		if (c->state == PROC_ZOMBIE)
			notify_parent_locked(c);
		/* p linked c's group to the session; the group's last child
		 * of p to move here is the one that sees it orphaned */
		else if (c->pgid != p->pgid && c->sid == p->sid)
			hangup_if_orphaned_locked(c->pgid);
	}
}

/* Table lock held. */
static void process_free_locked(struct process *p)
{
	list_del(&p->sibling);
	list_del(&p->all_node);
	nprocs--;
	kfree(p);
}

/* The exit hook of every thread of a process: the last one out frees
 * what the process owns and leaves it a zombie for its parent, or frees
 * it outright when it is an orphan of the kernel. */
static void thread_exiting(struct thread *t, int code)
{
	struct process *p = t->proc, *q;
	struct completion *vfork_done;
	bool last;

	if (t->user)
		uthread_exiting(t);
	/* From here on this thread runs on the kernel's tables: once it is
	 * off the list, another thread (the last one out, or an exec) may
	 * free its process's, and a switch back to it must not load them. */
	uint64_t f = cpu_irq_save();
	t->aspace = 0;
	paging_activate(vmm_kernel_root());
	cpu_irq_restore(f);
	lock_or_panic(&table_lock);
	f = signal_lock();
	list_del(&t->proc_node);
	signal_unlock(f);
	if (t->user)
		parent_thread_ended_locked(p, t);
	thread_sig_destroy(t->sig);
	t->sig = 0;
	/* release: this thread's descriptor changes are seen by whoever
	 * reads the count unlocked and finds its process alone */
	__atomic_store_n(&p->nthreads, p->nthreads - 1, __ATOMIC_RELEASE);
	limits_thread_removed(p);
	p->cpu_ns += sched_thread_cpu_ns(t);
	p->nvcsw += t->nvcsw;
	p->nivcsw += t->nivcsw;
	last = p->nthreads == 0;
	if (last && !p->exiting) {
		p->exiting = true;
		p->exit_status = W_EXITCODE(code, 0);
	}
	if (p->execer)
		cond_broadcast(&p->child_cv);   /* exec waits for the others to go */
	vfork_done = last ? p->vfork_done : 0;
	p->vfork_done = 0;
	mutex_unlock(&table_lock);
	if (!last)
		return;
	if (vfork_done)
		complete(vfork_done);
	if (p == init_proc)
		initproc_ended(p->exit_status);
	process_release_resources(p);
	/* a session leader's end hangs up the session's terminal (its own
	 * threads are gone, so its sid no longer changes) */
	if (p->user && p->pid == p->sid)
		tty_session_leader_exit(p->sid);

	lock_or_panic(&table_lock);
	reparent_children_locked(p);
	if (p == init_proc)
		init_proc = 0;
	p->state = PROC_ZOMBIE;
	/* p, no longer alive, was perhaps its own group's last member with a
	 * parent in another group of the session */
	q = p->parent;
	if (q && q != &kernel_proc && q->pgid != p->pgid && q->sid == p->sid)
		hangup_if_orphaned_locked(p->pgid);
	if (p->orphan) {
		process_free_locked(p);
	} else if (parent_autoreaps_locked(p)) {
		cond_broadcast(&p->parent->child_cv);   /* a waiter may now see -ECHILD */
		process_free_locked(p);
	} else {
		notify_parent_locked(p);
	}
	mutex_unlock(&table_lock);
}

int process_discard(struct process *p)
{
	int err = mutex_lock(&table_lock);

	if (err)
		return err;
	if (p == &kernel_proc || p->nthreads || p->exiting || p->state != PROC_ALIVE) {
		mutex_unlock(&table_lock);
		return -EBUSY;
	}
	p->exiting = true;   /* process_add_thread refuses it from now on */
	mutex_unlock(&table_lock);
	/* without a thread it can have no children and nobody waits for it */
	process_release_resources(p);
	lock_or_panic(&table_lock);
	process_free_locked(p);
	mutex_unlock(&table_lock);
	return 0;
}

void process_kill_locked(struct process *p, int status)
{
	struct thread *me = thread_current();

	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	list_for_each(n, &p->threads) {
		struct thread *t = list_entry(n, struct thread, proc_node);

		if (t != me)
			thread_interrupt(t);
	}
	/* the caller, when one of p's, leaves on its way back to ring 3 */
	if (me->proc == p)
		thread_ret_work_set(me);
	waitq_wake_all(&p->stop_wq);   /* stopped threads leave too */
}

void process_kill(struct process *p, int status)
{
	lock_or_panic(&table_lock);
	process_kill_locked(p, status);
	mutex_unlock(&table_lock);
}

int process_for_each_group(int pgid, const struct ksiginfo *info,
			   int (*check)(struct process *me, struct process *p, int sig),
			   int *count)
{
	struct process *me = process_current();
	int err = -ESRCH, n = 0;

	lock_or_panic(&table_lock);
	list_for_each(l, &all_procs) {
		struct process *p = list_entry(l, struct process, all_node);
		int e;

		if (!p->user || p->state != PROC_ALIVE)
			continue;
		if (pgid == -1 ? p->pid == 1 || p == me : p->pgid != pgid)
			continue;
		e = check ? check(me, p, info->signo) : 0;
		if (!e)
			e = signal_send_locked(p, 0, info);
		if (!e)
			n++;
		if (err == -ESRCH || (err && !e))
			err = e;
	}
	mutex_unlock(&table_lock);
	if (count)
		*count = n;
	return n ? 0 : err;
}

bool process_group_orphaned(int pgid)
{
	bool orphaned;

	lock_or_panic(&table_lock);
	orphaned = group_orphaned_locked(pgid);
	mutex_unlock(&table_lock);
	return orphaned;
}

void process_exit(int status)
{
	struct process *p = process_current();

	if (p == &kernel_proc)
		panic("process_exit from a kernel thread");
	process_kill(p, status);
	thread_exit(0);
}

void process_exit_code(int code)
{
	process_exit(W_EXITCODE(code, 0));
}

/* Does child c match the request? Table lock held. */
static bool wait_matches(const struct process *me, const struct process *c,
			 const struct process_wait_req *req)
{
	if (c->orphan)
		return false;      /* freed when they end, never reaped */
	switch (req->idtype) {
	case P_PID:
		return c->pid == req->id;
	case P_PGID:
		return c->pgid == (req->id ? req->id : me->pgid);
	default:
		return true;
	}
}

int process_wait_for(const struct process_wait_req *req, struct process_wait_res *res)
{
	struct process *me = process_current();
	int err = mutex_lock(&table_lock);

	if (err)
		return err;
	for (;;) {
		bool any = false;

		list_for_each(n, &me->children) {
			struct process *c = list_entry(n, struct process, sibling);

			if (!wait_matches(me, c, req))
				continue;
			any = true;
			if (c->state == PROC_ALIVE && c->report != SIG_REPORT_NONE &&
			    (req->options & (c->report == SIG_REPORT_STOPPED ? WUNTRACED : WCONTINUED))) {
				res->pid = c->pid;
				res->status = c->report == SIG_REPORT_STOPPED ? W_STOPCODE(c->report_sig)
									      : 0xffff;
				res->uid = c->cred.uid;
				res->usage = (struct proc_usage){ 0 };
				if (!(req->options & WNOWAIT))
					c->report = SIG_REPORT_NONE;
				mutex_unlock(&table_lock);
				return 0;
			}
			if (c->state == PROC_ZOMBIE && (req->options & WEXITED)) {
				res->pid = c->pid;
				res->status = c->exit_status;
				res->uid = c->cred.uid;
				res->usage.cpu_ns = c->cpu_ns + c->child_cpu_ns;
				res->usage.nvcsw = c->nvcsw + c->child_nvcsw;
				res->usage.nivcsw = c->nivcsw + c->child_nivcsw;
				if (!(req->options & WNOWAIT)) {
					me->child_cpu_ns += res->usage.cpu_ns;
					me->child_nvcsw += res->usage.nvcsw;
					me->child_nivcsw += res->usage.nivcsw;
					process_free_locked(c);
				}
				mutex_unlock(&table_lock);
				return 0;
			}
		}
		if (!any) {
			mutex_unlock(&table_lock);
			return -ECHILD;
		}
		if (req->options & WNOHANG) {
			mutex_unlock(&table_lock);
			res->pid = 0;
			return 0;
		}
		err = cond_wait_intr(&me->child_cv, &table_lock, req->deadline);
		if (err) {
			mutex_unlock(&table_lock);
			return err;
		}
	}
}

int process_wait(int pid, int *status, uint64_t deadline)
{
	struct process_wait_req req = { pid > 0 ? P_PID : P_ALL, pid, WEXITED, deadline };
	struct process_wait_res res;
	int err = process_wait_for(&req, &res);

	if (err)
		return err;
	if (status)
		*status = res.status;
	return res.pid;
}

void process_signal_self(int sig)
{
	struct thread *me = thread_current();
	struct ksiginfo info = { .signo = sig, .code = SI_USER };

	if (!me || !me->proc)
		return;
	/* Linux's send_sig(sig, current, 0): SI_USER from the process itself */
	lock_or_panic(&me->proc->lock);
	info.pid = me->proc->pid;
	info.uid = me->proc->cred.uid;
	mutex_unlock(&me->proc->lock);
	lock_or_panic(&table_lock);
	(void)signal_send_locked(me->proc, me, &info);
	mutex_unlock(&table_lock);
}

/* May a SIGIO setter with uid/euid signal p? Table lock held. */
static bool sigio_may(struct process *p, uint32_t uid, uint32_t euid)
{
	bool may;

	lock_or_panic(&p->lock);
	may = euid == 0 || euid == p->cred.suid || euid == p->cred.uid ||
	      uid == p->cred.suid || uid == p->cred.uid;
	mutex_unlock(&p->lock);
	return may;
}

void process_send_sigio(int who, bool tid, uint32_t uid, uint32_t euid, const struct ksiginfo *info)
{
	lock_or_panic(&table_lock);
	if (tid) {
		struct process *p = 0;
		struct thread *t = process_find_thread_locked(who, &p);

		if (t && p != &kernel_proc && sigio_may(p, uid, euid))
			(void)signal_send_locked(p, t, info);
		mutex_unlock(&table_lock);
		return;
	}
	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);

		if (p == &kernel_proc || (who > 0 ? p->pid != who : p->pgid != -who))
			continue;
		if (sigio_may(p, uid, euid))
			(void)signal_send_locked(p, 0, info);
	}
	mutex_unlock(&table_lock);
}

uint64_t process_rlimit_self(int res)
{
	struct process *p = process_current();
	uint64_t v;

	lock_or_panic(&p->lock);
	v = p->rlim[res].rlim_cur;
	mutex_unlock(&p->lock);
	return v;
}

uint64_t process_cpu_ns(struct process *p)
{
	uint64_t ns;

	lock_or_panic(&table_lock);
	ns = p->cpu_ns;
	/* thread CPU times are read without the scheduler lock: a slice out
	 * of date at most */
	list_for_each(m, &p->threads)
		ns += sched_thread_cpu_ns(list_entry(m, struct thread, proc_node));
	mutex_unlock(&table_lock);
	return ns;
}

/* A thread's counts are read without the scheduler lock, as its CPU time
 * is: a switch out of date at most. */
void thread_usage(struct thread *t, struct proc_usage *u)
{
	u->cpu_ns = sched_thread_cpu_ns(t);
	u->nvcsw = __atomic_load_n(&t->nvcsw, __ATOMIC_RELAXED);
	u->nivcsw = __atomic_load_n(&t->nivcsw, __ATOMIC_RELAXED);
}

void process_usage_self(struct process *p, struct proc_usage *u)
{
	struct proc_usage tu;

	lock_or_panic(&table_lock);
	*u = (struct proc_usage){ p->cpu_ns, p->nvcsw, p->nivcsw };
	list_for_each(m, &p->threads) {
		thread_usage(list_entry(m, struct thread, proc_node), &tu);
		u->cpu_ns += tu.cpu_ns;
		u->nvcsw += tu.nvcsw;
		u->nivcsw += tu.nivcsw;
	}
	mutex_unlock(&table_lock);
}

void process_usage_children(struct process *p, struct proc_usage *u)
{
	lock_or_panic(&table_lock);
	*u = (struct proc_usage){ p->child_cpu_ns, p->child_nvcsw, p->child_nivcsw };
	mutex_unlock(&table_lock);
}

void process_list(void)
{
	if (mutex_lock(&table_lock)) {
		log_warn("proc: cannot list processes here");
		return;
	}
	log_info("proc: %5s %5s %-7s %4s %7s %10s %s", "pid", "ppid", "state", "prio",
		 "threads", "cpu_ms", "name");
	list_for_each(n, &all_procs) {
		struct process *p = list_entry(n, struct process, all_node);
		uint64_t ns = p->cpu_ns;

		list_for_each(m, &p->threads)
			ns += list_entry(m, struct thread, proc_node)->cpu_ns;
		log_info("proc: %5d %5d %-7s %4d %7u %10llu %s", p->pid,
			 p->parent ? p->parent->pid : 0,
			 p->state == PROC_ALIVE ? (p->exiting ? "exiting" : "alive") : "zombie",
			 p->prio, p->nthreads, (unsigned long long)(ns / 1000000), p->name);
	}
	mutex_unlock(&table_lock);
}

unsigned process_count(void) { return nprocs; }

void process_sched_counts(uint64_t *forks, unsigned *running, unsigned *blocked)
{
	unsigned n = 0;

	lock_or_panic(&table_lock);
	*forks = nforks;
	list_for_each(pn, &all_procs) {
		struct process *p = list_entry(pn, struct process, all_node);

		list_for_each(tn, &p->threads) {
			struct thread *t = list_entry(tn, struct thread, proc_node);
			uint64_t f = sched_lock_irqsave();

			n += t->state == THREAD_READY || t->state == THREAD_RUNNING;
			sched_unlock_irqrestore(f);
		}
	}
	mutex_unlock(&table_lock);
	*running = n ? n : 1;
	*blocked = 0;
}
