/* fork, vfork and clone: a new thread of the caller's process
 * (CLONE_THREAD) or a new process that shares (CLONE_VM, CLONE_FILES,
 * CLONE_FS, CLONE_SIGHAND) or copies each of the caller's resources. */
#include <kernel/proc/fork.h>
#include <cosmos/abi/sched.h>
#include <cosmos/errno.h>
#include <fs/fs_ctx.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm.h>
#include <kernel/panic.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/limits.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/uthread.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/wait.h>
#include <lib/string.h>

#define CLONE_KNOWN (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
		     CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
		     CLONE_CHILD_CLEARTID | CLONE_VFORK | CLONE_DETACHED)

/* The vfork parent's wait for its child's exec or exit (done lives on the
 * parent's stack). Other signals wait until the child is done, as on
 * Linux; the wait ends early only when the parent is being killed
 * (SIGKILL, or exit_group in another of its threads). Then it first takes
 * done back from the child under the process table lock, the lock under
 * which exec and exit take it, so nobody completes a wait that has left
 * this stack. The completion's own wait cannot be interrupted, so this one
 * sleeps on its queue directly. */
static void vfork_wait(struct process *p, int cpid, struct completion *done)
{
	struct thread *me = thread_current();
	struct process *c;
	int err;

	while ((err = waitq_wait_event_intr(&done->wq, done->done, 0)) != 0) {
		if (err != -EINTR)
			panic("proc: vfork parent %d cannot wait for its child (%d)", p->pid, err);
		process_table_lock();
		if (!p->exiting) {
			/* a signal that cannot end the wait: sleep again (a
			 * SIGKILL after this finds exiting set and interrupts
			 * anew); it is delivered on the way back to ring 3 */
			thread_clear_interrupt(me);
			process_table_unlock();
			continue;
		}
		c = process_find_locked(cpid);
		if (c && c->vfork_done == done) {
			c->vfork_done = 0;
			process_table_unlock();
			return;
		}
		process_table_unlock();
		break;   /* the child took done already: its complete() is coming */
	}
	if (completion_wait(done, 0))
		panic("proc: vfork parent %d cannot wait for its child", p->pid);
}

static char *strdup_k(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* The child process's resources, shared or copied as flags say. */
static int copy_resources(struct process *c, struct process *p, uint64_t flags)
{
	if (flags & CLONE_VM) {
		c->vm = p->vm;
		vm_get(c->vm);
	} else if (!(c->vm = vm_clone(p->vm))) {
		return -ENOMEM;
	}
	if (flags & CLONE_FILES) {
		c->files = p->files;
		handle_table_get(c->files);
	} else if (!(c->files = handle_table_clone(p->files))) {
		return -ENOMEM;
	}
	if (p->fs) {
		if (flags & CLONE_FS)
			c->fs = fs_ctx_get(p->fs);
		else if (!(c->fs = fs_ctx_clone(p->fs)))
			return -ENOMEM;
	}
	if (flags & CLONE_SIGHAND) {
		c->sighand = p->sighand;
		sighand_get(c->sighand);
	} else if (!(c->sighand = sighand_clone(p->sighand))) {
		return -ENOMEM;
	}
	if (p->exe && !(c->exe = strdup_k(p->exe)))
		return -ENOMEM;
	return 0;
}

/* A new process around child thread t; not yet in the table. */
static struct process *new_process(struct process *p, struct thread *t, uint64_t flags, int *err)
{
	struct process *c = process_alloc(t->name, p->prio, t->tid);

	if (!c) {
		*err = -ENOMEM;
		return 0;
	}
	/* the parent's own threads change these only under its lock */
	*err = mutex_lock(&p->lock);
	if (*err) {
		kfree(c);
		return 0;
	}
	c->cred = p->cred;
	c->dumpable = p->dumpable;
	c->no_new_privs = p->no_new_privs;
	memcpy(c->rlim, p->rlim, sizeof(c->rlim));
	*err = copy_resources(c, p, flags);
	mutex_unlock(&p->lock);
	if (*err) {
		process_release_resources(c);
		kfree(c);
		return 0;
	}
	c->user = true;
	c->parent_tid = thread_current()->tid;
	c->exit_signal = (int)(flags & CSIGNAL);
	return c;
}

long process_clone(const struct clone_req *req, const struct trap_frame *parent_frame)
{
	struct process *p = process_current(), *c = 0;
	struct thread *me = thread_current(), *t;
	uint64_t flags = req->flags;
	struct completion vfork_done;
	struct trap_frame *f;
	int err, tid;

	if ((flags & ~(uint64_t)CLONE_KNOWN) ||
	    ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) ||
	    ((flags & CLONE_THREAD) && (flags & CSIGNAL)) ||
	    (flags & CSIGNAL) > NSIG)
		return -EINVAL;
	if (!p->vm || !me->user)
		return -EINVAL;      /* only a program clones itself */
	process_table_lock();
	err = limits_may_add_thread(p);
	process_table_unlock();
	if (err)
		return err;
	/* a new thread or process starts with the caller's comm (Linux) */
	char comm[PROC_NAME_MAX];

	process_lock(p);
	strlcpy(comm, me->name, sizeof(comm));
	mutex_unlock(&p->lock);
	t = uthread_create(comm, p->prio, 0);
	if (!t)
		return -EAGAIN;
	tid = t->tid;

	f = uthread_frame(t);
	*f = *parent_frame;
	usermode_set_retval(f, 0);
	if (req->stack)
		usermode_set_sp(f, req->stack);
	t->tls = me->tls;
	if (flags & CLONE_SETTLS)
		t->tls.fs_base = req->tls;
	t->sig_blocked = me->sig_blocked;
	/* the alternate signal stack is the parent's memory: a copy of it in
	 * a fork, but not for a thread sharing the address space (Linux) */
	if (!(flags & CLONE_VM) || (flags & CLONE_VFORK)) {
		t->sig->ss_sp = me->sig->ss_sp;
		t->sig->ss_size = me->sig->ss_size;
		t->sig->ss_flags = me->sig->ss_flags;
	}
	uthread_fpu_copy_to(t);

	if (flags & CLONE_THREAD) {
		t->aspace = p->vm->root;
	} else {
		c = new_process(p, t, flags, &err);
		if (!c) {
			uthread_discard(t);
			return err;
		}
		t->aspace = c->vm->root;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = req->child_tid;
	/* The tid stores go to the child's memory and the parent's; with
	 * CLONE_VM they are the same. A bad address does not stop the clone
	 * (as Linux). */
	if (flags & CLONE_CHILD_SETTID)
		(void)vm_copy_to(c ? c->vm : p->vm, req->child_tid, &tid, sizeof(tid));
	if (flags & CLONE_PARENT_SETTID)
		(void)vm_copy_to(p->vm, req->parent_tid, &tid, sizeof(tid));

	if (c) {
		process_table_lock();
		if (p->exiting) {
			err = -EINTR;       /* the parent is being killed: no child */
		} else {
			process_link_locked(c, p);
			if (flags & CLONE_VFORK) {
				completion_init(&vfork_done);
				c->vfork_done = &vfork_done;
			}
		}
		process_table_unlock();
		if (err) {
			uthread_discard(t);
			process_release_resources(c);
			kfree(c);
			return err;
		}
		err = process_add_thread(c, t);
	} else {
		err = process_add_thread(p, t);
	}
	if (err) {
		/* only a process being killed refuses a thread: never a new one */
		if (c)
			panic("proc: new process %d refused its first thread (%d)", c->pid, err);
		uthread_discard(t);
		return err;
	}
	thread_resume(t);
	/* vfork_done lives on this stack, and the child completes it when it
	 * execs or ends. The wait's one error would be -EDEADLK, which cannot
	 * come here (process_table_lock above may sleep too). */
	if (c && (flags & CLONE_VFORK))
		vfork_wait(p, tid, &vfork_done);   /* c may be gone: the pid is its tid */
	return tid;
}
