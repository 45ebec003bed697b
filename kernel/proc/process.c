/* Processes (see process.h). One table mutex protects the process table,
 * the parent/child tree, states and each process's thread list; a
 * process's own mutex protects its regions and address space. Lock order:
 * the table lock before a process's lock. */
#include <kernel/proc/process.h>
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vmm.h>
#include <kernel/panic.h>
#include <lib/string.h>

#define USER_TOP 0x0000800000000000ull

static struct mutex table_lock;
/* Under table_lock: */
static struct list_node all_procs = LIST_INIT(all_procs);
static unsigned nprocs;
static int next_pid = 1;
/* The kernel itself: parent of every process a kernel thread creates and
 * of orphans. Its threads are the ones with no process. */
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

void process_init(void)
{
	mutex_init(&table_lock, "proc_table");
	kernel_proc.pid = 0;
	kernel_proc.prio = SCHED_PRIO_DEFAULT;
	cred_init_root(&kernel_proc.cred);
	kernel_proc.root = vmm_kernel_root();
	list_init(&kernel_proc.children);
	list_init(&kernel_proc.threads);
	list_init(&kernel_proc.sibling);
	cond_init(&kernel_proc.child_cv);
	mutex_init(&kernel_proc.lock, "kernel_proc");
	strlcpy(kernel_proc.name, "kernel", sizeof(kernel_proc.name));
	list_add_tail(&all_procs, &kernel_proc.all_node);
	nprocs = 1;
}

struct process *process_current(void)
{
	struct thread *t = thread_current();

	return t && t->proc ? t->proc : &kernel_proc;
}

struct process *process_create(const char *name, int prio)
{
	struct process *p = kzalloc(sizeof(*p));
	struct process *parent = process_current();

	if (!p)
		return 0;
	p->root = paging_create(vmm_kernel_root());
	p->files = handle_table_create(HANDLE_LIMIT_DEFAULT);
	if (!p->root || !p->files)
		goto fail;
	p->prio = prio;
	p->state = PROC_ALIVE;
	list_init(&p->children);
	list_init(&p->threads);
	cond_init(&p->child_cv);
	mutex_init(&p->lock, "proc");
	p->cred = parent->cred;
	strlcpy(p->name, name, sizeof(p->name));
	if (mutex_lock(&table_lock))
		goto fail;
	p->pid = next_pid++;
	p->parent = parent;
	list_add_tail(&parent->children, &p->sibling);
	list_add_tail(&all_procs, &p->all_node);
	nprocs++;
	mutex_unlock(&table_lock);
	return p;

fail:
	if (p->files)
		handle_table_put(p->files);
	if (p->root)
		paging_destroy(p->root);
	kfree(p);
	return 0;
}

int process_spawn_thread(struct process *p, const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = 0;
	int err = mutex_lock(&table_lock);

	if (err)
		return err;
	if (p == &kernel_proc || p->exiting || p->state != PROC_ALIVE) {
		err = -ESRCH;
	} else if (!(t = thread_create(name, fn, arg, p->prio,
				      THREAD_DETACHED | THREAD_SUSPENDED))) {
		err = -ENOMEM;
	} else {
		t->proc = p;
		t->exit_hook = thread_exiting;
		list_add_tail(&p->threads, &t->proc_node);
		p->nthreads++;
	}
	mutex_unlock(&table_lock);
	if (t)
		thread_resume(t);
	return err;
}

static void unmap_range(struct process *p, uint64_t va, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t pa, size;

		if (paging_unmap(p->root, va + i * PAGE_SIZE, &pa, &size) == 0)
			pmm_free(pa, 0);
	}
}

/* Does [va, va + pages pages) meet one of p's regions? p->lock held. */
static bool overlaps_region(const struct process *p, uint64_t va, uint64_t pages)
{
	uint64_t end = va + pages * PAGE_SIZE;

	for (const struct proc_region *r = p->regions; r; r = r->next)
		if (va < r->va + r->pages * PAGE_SIZE && r->va < end)
			return true;
	return false;
}

int process_map_anon(struct process *p, uint64_t va, uint64_t pages)
{
	struct proc_region *r;
	uint64_t mapped = 0;
	int err = 0;

	if ((va & (PAGE_SIZE - 1)) || va < PAGE_SIZE || pages == 0 ||
	    pages > (USER_TOP - va) / PAGE_SIZE)
		return -EINVAL;
	r = kmalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = mutex_lock(&p->lock);
	if (err) {
		kfree(r);
		return err;
	}
	/* Checked before anything is mapped: the pages there belong to the
	 * other region, and the unwinding below must never reach them. */
	if (!p->root)
		err = -ESRCH;           /* its last thread has ended */
	else if (overlaps_region(p, va, pages))
		err = -EEXIST;
	while (!err && mapped < pages) {
		uint64_t pa = pmm_alloc_zeroed(0);

		if (!pa) {
			err = -ENOMEM;
			break;
		}
		err = paging_map(p->root, va + mapped * PAGE_SIZE, pa, PAGE_SIZE,
				 PAGING_WRITE | PAGING_USER);
		if (err)
			pmm_free(pa, 0);
		else
			mapped++;
	}
	if (err) {
		unmap_range(p, va, mapped);   /* only what this call mapped */
		kfree(r);
	} else {
		r->va = va;
		r->pages = pages;
		r->next = p->regions;
		p->regions = r;
	}
	mutex_unlock(&p->lock);
	return err;
}

/* Frees everything p owns but its struct (the zombie keeps that). Its
 * last thread calls this on its way out. */
static void process_teardown(struct process *p)
{
	lock_or_panic(&p->lock);
	while (p->regions) {
		struct proc_region *r = p->regions;

		p->regions = r->next;
		unmap_range(p, r->va, r->pages);
		kfree(r);
	}
	/* Kernel threads run on the kernel's tables, so nobody has p->root
	 * loaded; with user mode the switch away from it must come first. */
	paging_destroy(p->root);
	p->root = 0;
	mutex_unlock(&p->lock);
	handle_table_put(p->files);
	p->files = 0;
}

/* Table lock held. */
static void process_free(struct process *p)
{
	list_del(&p->sibling);
	list_del(&p->all_node);
	nprocs--;
	kfree(p);
}

/* The exit hook of every thread of a process: the last one out frees
 * what the process owns and leaves it a zombie for its parent, or frees
 * it outright when it is an orphan. */
static void thread_exiting(struct thread *t, int code)
{
	struct process *p = t->proc;
	bool last;

	lock_or_panic(&table_lock);
	list_del(&t->proc_node);
	p->nthreads--;
	p->cpu_ns += t->cpu_ns;
	last = p->nthreads == 0;
	if (last && !p->exiting) {
		p->exiting = true;
		p->exit_status = code;
	}
	mutex_unlock(&table_lock);
	if (!last)
		return;
	process_teardown(p);

	lock_or_panic(&table_lock);
	/* Children pass to the kernel, which reaps nobody: zombies among them
	 * go now, the others when they end. */
	while (!list_empty(&p->children)) {
		struct process *c = list_entry(p->children.next, struct process, sibling);

		if (c->state == PROC_ZOMBIE) {
			process_free(c);
		} else {
			list_del(&c->sibling);
			c->parent = &kernel_proc;
			c->orphan = true;
			list_add_tail(&kernel_proc.children, &c->sibling);
		}
	}
	p->state = PROC_ZOMBIE;
	if (p->orphan)
		process_free(p);
	else
		cond_broadcast(&p->parent->child_cv);
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
	p->exiting = true;   /* process_spawn_thread refuses it from now on */
	mutex_unlock(&table_lock);
	/* without a thread it can have no children and nobody waits for it */
	process_teardown(p);
	lock_or_panic(&table_lock);
	process_free(p);
	mutex_unlock(&table_lock);
	return 0;
}

void process_exit(int status)
{
	struct process *p = process_current();
	struct thread *me = thread_current();

	if (p == &kernel_proc)
		panic("process_exit from a kernel thread");
	lock_or_panic(&table_lock);
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	list_for_each(n, &p->threads) {
		struct thread *t = list_entry(n, struct thread, proc_node);

		if (t != me)
			thread_interrupt(t);
	}
	mutex_unlock(&table_lock);
	thread_exit(status);
}

int process_wait(int pid, int *status, uint64_t deadline)
{
	struct process *me = process_current();
	int err = mutex_lock(&table_lock);

	if (err)
		return err;
	for (;;) {
		bool any = false;

		list_for_each(n, &me->children) {
			struct process *c = list_entry(n, struct process, sibling);

			/* orphans are freed when they end, never reaped */
			if (c->orphan || (pid > 0 && c->pid != pid))
				continue;
			any = true;
			if (c->state == PROC_ZOMBIE) {
				int found = c->pid;

				if (status)
					*status = c->exit_status;
				process_free(c);
				mutex_unlock(&table_lock);
				return found;
			}
		}
		if (!any) {
			mutex_unlock(&table_lock);
			return -ECHILD;
		}
		err = cond_wait_intr(&me->child_cv, &table_lock, deadline);
		if (err) {
			mutex_unlock(&table_lock);
			return err;
		}
	}
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

		/* thread CPU times are read without the scheduler lock: a
		 * listing may be a slice out of date */
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
