/* Fault-injection ktests: the injector fails exactly the allocations it is
 * told to (the nth once, 1 in K reproducibly from a seed, only the chosen
 * thread's), and the sweeps over kernel workloads (joined and detached
 * threads, processes and their teardown, user memory, descriptor tables,
 * the kernel virtual area and device mappings, the heap; once from a
 * kernel thread, once inside a process of its own with threads, a sleeper
 * its exit interrupts and a child; and a program in ring 3 that forks,
 * execs, maps memory and files, writes a file and uses a pipe) find every
 * failure point ending in -ENOMEM with nothing lost. */
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <kernel/failinject.h>
#include <kernel/failinject_sweep.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <kernel/proc/spawn.h>
#include <cosmos/abi/sched.h>
#include <cosmos/abi/signal.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/semaphore.h>
#include <kernel/time.h>

#define SEC 1000000000ull

static struct failinject_config mine(uint64_t nth, uint32_t one_in, uint64_t seed)
{
	return (struct failinject_config){ .kinds = FAILINJECT_HEAP | FAILINJECT_FRAME,
					   .nth = nth, .one_in = one_in, .seed = seed,
					   .pid = -1, .thread = thread_current() };
}

KTEST(failinject_nth_fails_once)
{
	struct failinject_config c = mine(3, 0, 0);
	struct failinject_stats st;
	void *p[5];
	uint64_t f;

	failinject_arm(&c);
	for (int i = 0; i < 5; i++)
		p[i] = kmalloc(24);
	f = pmm_alloc(0);
	failinject_disarm();
	failinject_get_stats(&st);
	KT_EXPECT(t, p[0] && p[1] && !p[2] && p[3] && p[4]);
	KT_EXPECT(t, f != 0);
	KT_EXPECT_EQ(t, st.counted, 6);
	KT_EXPECT_EQ(t, st.failed, 1);
	KT_EXPECT_EQ(t, st.last_kind, FAILINJECT_HEAP);
	KT_EXPECT(t, st.trace_len > 0);
	for (int i = 0; i < 5; i++)
		kfree(p[i]);
	if (f)
		pmm_free(f, 0);
	/* frames only: the heap's allocations do not count */
	c = mine(1, 0, 0);
	c.kinds = FAILINJECT_FRAME;
	failinject_arm(&c);
	p[0] = kmalloc(24);
	f = pmm_alloc(0);
	failinject_disarm();
	KT_EXPECT(t, p[0] != NULL);
	KT_EXPECT_EQ(t, f, 0);
	kfree(p[0]);
}

/* The pattern of 64 allocations under 1 in 4 with a seed. */
static uint64_t pattern(uint64_t seed)
{
	struct failinject_config c = mine(0, 4, seed);
	uint64_t bits = 0;

	failinject_arm(&c);
	for (int i = 0; i < 64; i++) {
		void *p = kmalloc(40);

		if (!p)
			bits |= 1ull << i;
		kfree(p);
	}
	failinject_disarm();
	return bits;
}

KTEST(failinject_one_in_k_is_reproducible)
{
	uint64_t a = pattern(0x1234), b = pattern(0x1234), c = pattern(0x4321);
	int n = 0;

	for (uint64_t x = a; x; x &= x - 1)
		n++;

	KT_EXPECT_EQ(t, a, b);
	KT_EXPECT(t, a != c);
	/* about 16 of 64 */
	KT_EXPECT(t, n >= 4 && n <= 32);
}

static struct {
	void *got;
} other;

static void other_thread(void *arg)
{
	(void)arg;
	other.got = kmalloc(32);
}

KTEST(failinject_counts_only_its_thread)
{
	struct failinject_config c = mine(1, 0, 0);
	struct failinject_stats st;
	struct thread *th;
	void *p;

	/* armed for this thread: another thread's allocation neither fails
	 * nor counts; this thread's first one fails */
	failinject_arm(&c);
	th = thread_create("fi-other", other_thread, 0, SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
	failinject_get_stats(&st);
	/* thread_create itself was this thread's first allocation */
	KT_EXPECT(t, th == NULL);
	KT_EXPECT_EQ(t, st.failed, 1);
	failinject_disarm();
	th = thread_create("fi-other", other_thread, 0, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th);
	c = mine(1, 0, 0);
	failinject_arm(&c);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	p = kmalloc(32);
	failinject_disarm();
	failinject_get_stats(&st);
	KT_EXPECT(t, other.got != NULL);
	KT_EXPECT(t, p == NULL);
	KT_EXPECT_EQ(t, st.counted, 1);
	kfree(other.got);
}

/* ---- the sweep ---- */

static void quick(void *arg) { (void)arg; }

struct probe {
	struct kobject obj;
};

static void probe_release(struct kobject *o) { kfree(o); }

/* Descriptor tables: install, a second number (the table grows), dup,
 * fork's copy, and both dropped. */
static int work_handles(void)
{
	struct handle_table *a = handle_table_create(HANDLE_LIMIT_DEFAULT), *b;
	struct probe *o;
	int r;

	if (!a)
		return -ENOMEM;
	o = kmalloc(sizeof(*o));
	r = -ENOMEM;
	if (!o)
		goto out;
	kobject_init(&o->obj, KOBJ_FILE, probe_release);
	r = handle_install(a, &o->obj, RIGHTS_ALL, 0, 0);
	if (r >= 0)
		r = handle_install(a, &o->obj, RIGHTS_ALL, 0, 200);
	kobject_put(&o->obj);      /* the table holds its own references */
	if (r >= 0)
		r = handle_dup(a, 0, 0, HANDLE_CLOEXEC);
	if (r < 0)
		goto out;
	b = handle_table_clone(a);
	r = b ? 0 : -ENOMEM;
	if (b)
		handle_table_put(b);
out:
	handle_table_put(a);
	return r < 0 ? r : 0;
}

static const struct vm_limits limits = {
	.stack = 8ull << 20, .as = VM_LIMIT_NONE, .data = VM_LIMIT_NONE,
};

/* Gives p (with no thread yet, or the caller's own process) an address
 * space holding pages of private memory at va, each touched so that its
 * frame and tables exist; the process's end frees them. */
static int give_memory(struct process *p, uint64_t va, uint64_t pages)
{
	struct vm_space *vm = vm_create(&limits);
	long r;

	if (!vm)
		return -ENOMEM;
	process_lock(p);
	p->vm = vm;
	mutex_unlock(&p->lock);
	r = vm_mmap(vm, va, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0, 0);
	if (r < 0)
		return (int)r;
	for (uint64_t i = 0; i < pages; i++) {
		uint8_t one = 1;
		int err = vm_copy_to(vm, va + i * PAGE_SIZE, &one, 1);

		if (err)
			return err;
	}
	return 0;
}

/* A joinable thread and a process with user memory and a thread of its
 * own, waited for; the process is ended however far its setup got. */
static int work_threads_processes(void)
{
	struct thread *th = thread_create("fi-join", quick, 0, SCHED_PRIO_DEFAULT, 0);
	struct process *p;
	int r, pid, got;

	if (!th)
		return -ENOMEM;
	if ((r = thread_join(th, NULL)))
		return r;
	p = process_create("fi-proc", SCHED_PRIO_DEFAULT);
	if (!p)
		return -ENOMEM;
	pid = p->pid;
	r = give_memory(p, 0x400000, 3);
	got = process_spawn_thread(p, "fi-main", quick, 0);
	if (got)
		return process_discard(p) ? -EIO : got;
	got = process_wait(pid, 0, time_ns() + 5 * SEC);
	if (got != pid) {
		log_err("failinject: waiting for pid %d gave %d", pid, got);
		return got < 0 ? got : -EIO;
	}
	return r;
}

/* A detached thread, reaped once it has ended. */
static int work_detached(void)
{
	unsigned before;
	uint64_t deadline = time_ns() + 5 * SEC;
	struct thread *th;

	/* The step before waited for its process, but that process's thread
	 * can still be leaving the thread table on another CPU (its exit hook
	 * lets the wait return first): thread_reap waits for it to go and
	 * gives back the stacks freed so far, so that the count taken here
	 * and the address the new stack gets are the same in every run. */
	thread_reap();
	before = thread_count();
	th = thread_create("fi-detached", quick, 0, SCHED_PRIO_DEFAULT, THREAD_DETACHED);
	if (!th)
		return -ENOMEM;
	/* it leaves the thread table as it dies; only then can it be freed */
	while (thread_count() != before && time_ns() < deadline)
		thread_sleep_ns(100000);
	thread_reap();
	if (thread_count() != before) {
		log_err("failinject: %u threads, %u before the detached one", thread_count(), before);
		return -ETIMEDOUT;
	}
	return 0;
}

/* The kernel virtual area (memory, and a frame mapped as a device's
 * registers would be) and the heap, large blocks and growth. */
static int work_memory(void)
{
	void *v = vmm_alloc(3 * PAGE_SIZE), *big, *grown, *regs;
	uint64_t frame;

	if (!v)
		return -ENOMEM;
	vmm_free(v);
	if (!(frame = pmm_alloc(0)))
		return -ENOMEM;
	regs = vmm_map_mmio(frame + 0x10, 0x20);
	if (regs)
		vmm_unmap_mmio(regs);
	pmm_free(frame, 0);
	if (!regs)
		return -ENOMEM;
	big = kmalloc(3 * PAGE_SIZE);
	if (!big)
		return -ENOMEM;
	grown = krealloc(big, 6 * PAGE_SIZE);
	kfree(grown ? grown : big);
	return grown ? 0 : -ENOMEM;
}

static int kernel_workload(void *ctx)
{
	int r;

	(void)ctx;
	if ((r = work_handles()) || (r = work_threads_processes()) || (r = work_detached()) ||
	    (r = work_memory()))
		return r;
	return 0;
}

KTEST(failinject_sweep_kernel_workload)
{
	struct failinject_sweep s = {
		.name = "kernel workload", .workload = kernel_workload,
		.kinds = FAILINJECT_HEAP | FAILINJECT_FRAME, .max_points = 2000,
	};

	/* one run first, so what the kernel builds once (its tables for the
	 * virtual area, slabs) is there before counting starts */
	KT_ASSERT(t, kernel_workload(0) == 0);
	KT_EXPECT_EQ(t, failinject_sweep_run(&s), 0);
	KT_EXPECT(t, s.points > 20);
	KT_EXPECT_EQ(t, s.points, s.allocations);
	KT_EXPECT_EQ(t, s.wrong_errors, 0);
	KT_EXPECT_EQ(t, s.leaks, 0);
}

/* ---- the same inside a process of its own, counted by its pid ---- */

static struct {
	struct process *p;          /* made by prepare for each run */
	int pid;
	struct semaphore helpers_done;
	int helper_err[2];
} pw;

static int proc_prepare(void *ctx)
{
	(void)ctx;
	sem_init(&pw.helpers_done, 0);
	pw.p = process_create("fi-sweep", SCHED_PRIO_DEFAULT);
	if (!pw.p)
		return -ENOMEM;
	pw.pid = pw.p->pid;
	return pw.pid;
}

static void helper(void *arg)
{
	int *err = arg;
	void *a = kmalloc(100), *b = kmalloc(3000), *v = vmm_alloc(2 * PAGE_SIZE);

	*err = a && b && v ? 0 : -ENOMEM;
	kfree(a);
	kfree(b);
	if (v)
		vmm_free(v);
	sem_up(&pw.helpers_done);
}

/* Sleeps until process_exit interrupts it. */
static void sleeper(void *arg)
{
	struct waitq wq;

	(void)arg;
	waitq_init(&wq);
	(void)waitq_wait_event_intr(&wq, false, 0);
}

static void child_main(void *arg)
{
	(void)arg;
	kfree(kmalloc(64));
}

static int in_process(void)
{
	struct process *me = process_current(), *c;
	int r = 0, started = 0, pid, fd;
	struct probe *o;

	/* user memory across a 2 MiB boundary: two last-level tables */
	if ((r = give_memory(me, 0x1ff000, 3)))
		return r;
	/* two more threads of its own, waited for */
	for (int i = 0; i < 2 && !r; i++) {
		pw.helper_err[i] = 0;
		r = process_spawn_thread(me, "fi-helper", helper, &pw.helper_err[i]);
		started += r == 0;
	}
	for (int i = 0; i < started; i++)
		if (sem_down(&pw.helpers_done, 0))
			return -EIO;   /* a process thread may always block */
	for (int i = 0; i < started && !r; i++)
		r = pw.helper_err[i];
	if (r)
		return r;
	/* its own descriptor table: an object installed high (the table
	 * grows) and closed */
	if (!(o = kmalloc(sizeof(*o))))
		return -ENOMEM;
	kobject_init(&o->obj, KOBJ_FILE, probe_release);
	fd = handle_install(me->files, &o->obj, RIGHTS_ALL, 0, 300);
	kobject_put(&o->obj);
	if (fd < 0)
		return fd;
	handle_close(me->files, fd);
	/* a thread left asleep: process_exit interrupts it */
	if ((r = process_spawn_thread(me, "fi-sleeper", sleeper, 0)))
		return r;
	/* a child process, waited for */
	if (!(c = process_create("fi-child", SCHED_PRIO_DEFAULT)))
		return -ENOMEM;
	pid = c->pid;
	if ((r = process_spawn_thread(c, "fi-child", child_main, 0)))
		return process_discard(c) ? -EIO : r;
	return process_wait(pid, 0, time_ns() + 5 * SEC) == pid ? 0 : -ETIMEDOUT;
}

static void proc_main(void *arg)
{
	int r = in_process();

	(void)arg;
	process_exit_code(r < 0 ? -r : 0);   /* an errno in the exit code */
}

static int proc_workload(void *ctx)
{
	int status = -EIO, r;

	(void)ctx;
	/* this thread's allocations do not count: only the process's */
	r = process_spawn_thread(pw.p, "fi-main", proc_main, 0);
	if (r)
		return process_discard(pw.p) ? -EIO : -EAGAIN;
	if (process_wait(pw.pid, &status, time_ns() + 10 * SEC) != pw.pid)
		return -ETIMEDOUT;
	return status & 0x7f ? -EIO : -(status >> 8 & 0xff);   /* killed, or its exit code */
}

KTEST(failinject_sweep_inside_a_process)
{
	struct failinject_sweep s = {
		.name = "process workload", .prepare = proc_prepare, .workload = proc_workload,
		.kinds = FAILINJECT_HEAP | FAILINJECT_FRAME, .max_points = 2000,
	};

	KT_ASSERT(t, proc_prepare(0) > 0);
	KT_ASSERT(t, proc_workload(0) == 0);
	KT_EXPECT_EQ(t, failinject_sweep_run(&s), 0);
	KT_EXPECT(t, s.points > 20);
	KT_EXPECT_EQ(t, s.wrong_errors, 0);
	KT_EXPECT_EQ(t, s.leaks, 0);
}

/* ---- a program: /bin/spawn sweep forks, execs, maps memory and a file,
 * writes a file and talks through a pipe; its session counts ---- */

static void arm_for(int pid, void *ctx)
{
	failinject_sweep_arm_session(ctx, pid);   /* its pid is its session */
}

static int program_workload(void *ctx)
{
	char *argv[] = { "/bin/spawn", "sweep" };
	unsigned before = process_count();
	uint64_t deadline = time_ns() + 30 * SEC;
	int pid = spawn_program_ready(argv, 2, SPAWN_SESSION, arm_for, ctx), status = -1;

	if (pid < 0)
		return pid;
	if (process_wait(pid, &status, deadline) != pid)
		return -ETIMEDOUT;
	/* a child the program could not wait for (it was killed) goes on its
	 * own; the run ends when the last of them has */
	while (process_count() > before && time_ns() < deadline)
		thread_sleep_ns(1000000);
	if (process_count() > before)
		return -ETIMEDOUT;
	if (status == 0)
		return 0;
	/* out of memory: an errno in the exit code (fork's EAGAIN too), a
	 * SIGKILL for a page fault that found no frame, or 127 from a program
	 * that could not be started */
	if (status == W_EXITCODE(ENOMEM, 0) || status == W_EXITCODE(EAGAIN, 0) ||
	    status == W_EXITCODE(0, SIGKILL) || status == W_EXITCODE(127, 0))
		return -ENOMEM;
	kprintf("    # failinject: /bin/spawn sweep ended with wait status %#x\n", status);
	return -EIO;
}

KTEST(failinject_sweep_program)
{
	static struct failinject_sweep s = {
		.name = "program workload", .workload = program_workload, .ctx = &s,
		.by_session = true, .kinds = FAILINJECT_HEAP | FAILINJECT_FRAME,
		.max_points = 5000,
	};

	/* twice first: caches (files, dentries, slabs) filled before counting */
	KT_ASSERT(t, program_workload(&s) == 0);
	KT_ASSERT(t, program_workload(&s) == 0);
	KT_EXPECT_EQ(t, failinject_sweep_run(&s), 0);
	/* about 100 (exec maps the program's text from the file rather than
	 * copying it, so fewer frames than before): a sweep that stops early
	 * reaches far fewer */
	KT_EXPECT(t, s.points > 60);
	KT_EXPECT_EQ(t, s.wrong_errors, 0);
	KT_EXPECT_EQ(t, s.leaks, 0);
	KT_EXPECT_EQ(t, s.heap_errors, 0);
}

/* The 1-in-K mode over the same program: several allocations may fail in
 * one run, at places the nth sweep never combines. */
KTEST(failinject_sweep_program_one_in_k)
{
	static struct failinject_sweep s = {
		.name = "program workload, 1 in 40", .workload = program_workload, .ctx = &s,
		.by_session = true, .kinds = FAILINJECT_HEAP | FAILINJECT_FRAME,
		.one_in = 40, .seeds = 24,
	};

	KT_ASSERT(t, program_workload(&s) == 0);
	KT_EXPECT_EQ(t, failinject_sweep_run(&s), 0);
	/* most runs meet a failure (an untouched run makes hundreds of
	 * allocations), and none goes wrong */
	KT_EXPECT(t, s.points > s.seeds / 2);
	KT_EXPECT_EQ(t, s.wrong_errors, 0);
	KT_EXPECT_EQ(t, s.leaks, 0);
	KT_EXPECT_EQ(t, s.heap_errors, 0);
}
