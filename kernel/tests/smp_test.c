/* SMP ktests: a call reaches every other CPU exactly once, and a kernel
 * mapping changed on one CPU is seen changed on every CPU as soon as the
 * shootdown returns. With one CPU online they check the one-CPU path (no
 * call goes out); test/system/smp_cases.py runs them under -smp 4. */
#include <kernel/ktest.h>
#include <hal/cpu.h>
#include <hal/fpu.h>
#include <hal/ipi.h>
#include <hal/paging.h>
#include <hal/percpu.h>
#include <hal/tlb.h>
#include <hal/usercopy.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/semaphore.h>
#include <kernel/time.h>
#include <lib/string.h>

#define PAGE 4096

/* Written by each CPU in its own slot (the caller reads after the call
 * returned, which orders it). */
static uint64_t seen[PERCPU_MAX];

static void mark(void *arg)
{
	seen[percpu_self()->cpu_id] += (uint64_t)(uintptr_t)arg;
}

KTEST(smp_ipi_reaches_every_cpu)
{
	unsigned n = sched_cpus_online(), me, got;

	memset(seen, 0, sizeof(seen));
	me = percpu_self()->cpu_id;
	got = ipi_call_others(mark, (void *)1);
	KT_EXPECT_EQ(t, got, n - 1);
	for (unsigned c = 0; c < n; c++)
		if (c != me)
			KT_EXPECT_EQ(t, seen[c], 1);
	KT_EXPECT_EQ(t, seen[me], 0);
	log_info("ktest: an IPI call reached %u of %u other CPUs", got, n - 1);
}

static void read_page(void *arg)
{
	seen[percpu_self()->cpu_id] = *(volatile uint64_t *)arg;
}

KTEST(smp_tlb_shootdown_reaches_every_cpu)
{
	unsigned n = sched_cpus_online(), me = percpu_self()->cpu_id, stale = 0;
	uint64_t root = vmm_kernel_root(), a, b = pmm_alloc_zeroed(0);
	volatile uint64_t *p = vmm_alloc(PAGE);

	KT_ASSERT(t, p && b);
	KT_ASSERT(t, paging_translate(root, (uint64_t)p, &a, 0, 0) == 0);
	*p = 0xaaaa;
	*(volatile uint64_t *)PHYS_TO_VIRT(b) = 0xbbbb;
	/* every CPU caches the translation to frame a */
	memset(seen, 0, sizeof(seen));
	ipi_call_others(read_page, (void *)p);
	for (unsigned c = 0; c < n; c++)
		if (c != me)
			KT_EXPECT_EQ(t, seen[c], 0xaaaa);
	/* now the page is frame b: once the flush returns nobody sees a */
	KT_ASSERT(t, paging_unmap(root, (uint64_t)p, 0, 0) == 0);
	KT_ASSERT(t, paging_map(root, (uint64_t)p, b, PAGE, PAGING_WRITE) == 0);
	tlb_flush_range(root, (uint64_t)p, PAGE);
	ipi_call_others(read_page, (void *)p);
	KT_EXPECT_EQ(t, *p, 0xbbbb);
	for (unsigned c = 0; c < n; c++) {
		if (c == me)
			continue;
		KT_EXPECT_EQ(t, seen[c], 0xbbbb);
		stale += seen[c] != 0xbbbb;
	}
	log_info("ktest: after the shootdown %u of %u other CPUs saw the old page", stale, n - 1);
	/* frame a back in place, so vmm_free frees what it allocated */
	KT_ASSERT(t, paging_unmap(root, (uint64_t)p, 0, 0) == 0);
	KT_ASSERT(t, paging_map(root, (uint64_t)p, a & ~(uint64_t)(PAGE - 1), PAGE, PAGING_WRITE) == 0);
	tlb_flush_range(root, (uint64_t)p, PAGE);
	vmm_free((void *)p);
	pmm_free(b, 0);
}

/* Hops from CPU to CPU, its FPU state loaded once at the start: each
 * switch saves it on one CPU and restores it on the next. */
struct hopper {
	uint64_t seed;
	unsigned hops, arrived, fpu_bad, set_err;
};

static void hop(void *arg)
{
	struct hopper *h = arg;
	unsigned n = sched_cpus_online();

	fpu_test_load(h->seed);
	for (unsigned i = 0; i < h->hops; i++) {
		unsigned to = (thread_cpu_now() + 1 + (unsigned)(h->seed & 1)) % n;

		h->set_err += thread_set_cpu(thread_current(), to) != 0;
		thread_yield();
		h->arrived += thread_cpu_now() == to;
		h->fpu_bad += fpu_test_check(h->seed) != 0;
	}
}

KTEST(smp_migrating_thread_keeps_fpu_state)
{
	enum { HOPPERS = 4, HOPS = 40 };
	struct hopper h[HOPPERS];
	struct thread *th[HOPPERS];
	unsigned arrived = 0;

	for (int i = 0; i < HOPPERS; i++) {
		h[i] = (struct hopper){ .seed = 0x5eed00 + (uint64_t)i, .hops = HOPS };
		th[i] = thread_create("hopper", hop, &h[i], SCHED_PRIO_DEFAULT, 0);
		KT_ASSERT(t, th[i]);
	}
	for (int i = 0; i < HOPPERS; i++) {
		KT_EXPECT_EQ(t, thread_join(th[i], 0), 0);
		KT_EXPECT_EQ(t, h[i].fpu_bad, 0);
		KT_EXPECT_EQ(t, h[i].set_err, 0);
		KT_EXPECT_EQ(t, h[i].arrived, HOPS);
		arrived += h[i].arrived;
	}
	log_info("ktest: %u threads made %u moves between %u CPUs, FPU state intact", HOPPERS,
		 arrived, sched_cpus_online());
}

static void load_root(void *arg)
{
	paging_activate(*(uint64_t *)arg);
}

static void read_root(void *arg)
{
	(void)arg;
	seen[percpu_self()->cpu_id] = paging_active();
}

/* A kernel thread runs on whatever tables were loaded, so another CPU may
 * still have a dead process's tables loaded when the last reference to
 * its space goes: freeing them must first move that CPU off them (else it
 * walks freed, reused frames: a triple fault under -smp 2). */
KTEST(smp_freed_space_not_loaded_anywhere)
{
	struct vm_limits lim = { 1ull << 20, ~0ull, ~0ull };
	struct vm_space *vm = vm_create(&lim);
	unsigned n = sched_cpus_online(), me = percpu_self()->cpu_id, still = 0;
	uint64_t root, kroot = vmm_kernel_root();

	KT_ASSERT(t, vm);
	root = vm->root;
	memset(seen, 0, sizeof(seen));
	ipi_call_others(load_root, &root);
	ipi_call_others(read_root, 0);
	for (unsigned c = 0; c < n; c++)
		if (c != me)
			KT_EXPECT_EQ(t, seen[c], root);
	vm_put(vm);
	ipi_call_others(read_root, 0);
	for (unsigned c = 0; c < n; c++)
		if (c != me)
			still += seen[c] == root;
	KT_EXPECT_EQ(t, still, 0);
	log_info("ktest: after the space was freed %u of %u other CPUs still had it loaded", still,
		 n - 1);
	if (still)
		ipi_call_others(load_root, &kroot);   /* off the freed tables, whatever happened */
}

/* Runs on the space under test, pinned to one CPU: reads the user page,
 * sleeps (its CPU goes idle with the space still loaded), reads it again. */
struct lazy_reader {
	uint64_t va, first, second;
	size_t left;                 /* bytes the reads did not copy */
	struct semaphore read, go;
};

static void lazy_read(void *arg)
{
	struct lazy_reader *r = arg;

	r->left = usercopy_copy(&r->first, (const void *)r->va, sizeof(r->first));
	sem_up(&r->read);
	if (sem_down(&r->go, 0) == 0)
		r->left += usercopy_copy(&r->second, (const void *)r->va, sizeof(r->second));
}

/* A CPU that last ran a space and now runs only its idle thread keeps the
 * tables loaded but is left out of the space's shootdowns (hal/tlb.c's
 * lazy mode): no IPI reaches it, yet when the space's thread runs there
 * again it sees the page as remapped while it slept, not the old frame. */
KTEST(smp_idle_cpu_skipped_by_user_shootdown)
{
	struct vm_limits lim = { 1ull << 20, ~0ull, ~0ull };
	struct vm_space *vm;
	struct lazy_reader r = { .va = 0x400000 };
	uint64_t a = pmm_alloc_zeroed(0), b = pmm_alloc_zeroed(0), flushes, calls, end;
	unsigned n, me, other;
	struct thread *th;

	ktest_pin_boot_cpu(t);
	n = sched_cpus_online();
	me = percpu_self()->cpu_id;
	other = n > 1 ? (me == 0 ? 1 : 0) : me;
	vm = vm_create(&lim);
	KT_ASSERT(t, vm && a && b);
	*(volatile uint64_t *)PHYS_TO_VIRT(a) = 0xaaaa;
	*(volatile uint64_t *)PHYS_TO_VIRT(b) = 0xbbbb;
	KT_ASSERT(t, paging_map(vm->root, r.va, a, PAGE, PAGING_USER) == 0);
	sem_init(&r.read, 0);
	sem_init(&r.go, 0);
	th = thread_create("lazy-reader", lazy_read, &r, SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
	KT_ASSERT(t, th);
	th->aspace = vm->root;
	KT_EXPECT_EQ(t, thread_set_cpu(th, other), 0);
	thread_resume(th);
	KT_EXPECT_EQ(t, sem_down(&r.read, time_ns() + 5000000000ull), 0);
	/* until the reader has switched away from its CPU (idle there) */
	end = time_ns() + 5000000000ull;
	while ((__atomic_load_n(&th->on_cpu, __ATOMIC_ACQUIRE) ||
		__atomic_load_n(&th->state, __ATOMIC_ACQUIRE) != THREAD_BLOCKED) && time_ns() < end)
		thread_yield();
	KT_EXPECT(t, !th->on_cpu);
	/* the page becomes frame b; the reader's CPU still caches frame a */
	flushes = tlb_remote_flushes();
	calls = ipi_calls_sent();
	KT_ASSERT(t, paging_unmap(vm->root, r.va, 0, 0) == 0);
	KT_ASSERT(t, paging_map(vm->root, r.va, b, PAGE, PAGING_USER) == 0);
	tlb_flush_range(vm->root, r.va, PAGE);
	flushes = tlb_remote_flushes() - flushes;
	calls = ipi_calls_sent() - calls;
	sem_up(&r.go);
	KT_EXPECT_EQ(t, thread_join(th, 0), 0);
	KT_EXPECT_EQ(t, r.left, 0);
	KT_EXPECT_EQ(t, r.first, 0xaaaa);
	KT_EXPECT_EQ(t, r.second, 0xbbbb);
	KT_EXPECT_EQ(t, flushes, 0);
	KT_EXPECT_EQ(t, calls, 0);
	log_info("ktest: a shootdown of the space CPU %u last ran sent %llu IPIs; it then read %#llx",
		 other, (unsigned long long)calls, (unsigned long long)r.second);
	KT_ASSERT(t, paging_unmap(vm->root, r.va, 0, 0) == 0);
	tlb_flush_range(vm->root, r.va, PAGE);
	vm_put(vm);
	pmm_free(a, 0);
	pmm_free(b, 0);
}

static void free_pair(void *arg)
{
	const uint64_t *pa = arg;

	pmm_free(pa[0], 0);   /* into this CPU's frame cache */
	pmm_free(pa[1], 0);
}

/* With every frame taken, two buddy frames freed on another CPU sit in
 * that CPU's cache: a two-frame allocation here must fetch them (by
 * draining the other CPUs' caches) rather than fail. */
KTEST(smp_alloc_drains_other_cpus_frame_caches)
{
	uint64_t head = 0, prev = 0, pair[2] = { 0, 0 }, pa, got;
	unsigned me = percpu_self()->cpu_id;

	if (sched_cpus_online() < 2) {
		log_info("ktest: one CPU: no other frame cache to drain");
		return;
	}
	while ((pa = pmm_alloc(0))) {
		if (!pair[0] && prev && (prev ^ pa) == PAGE) {
			head = *(uint64_t *)PHYS_TO_VIRT(prev);   /* prev leaves the chain */
			pair[0] = prev;
			pair[1] = pa;
			prev = 0;
			continue;
		}
		*(uint64_t *)PHYS_TO_VIRT(pa) = head;
		head = prev = pa;
	}
	KT_ASSERT(t, pair[0]);
	ipi_call_mask(1ull << (me ? 0 : 1), free_pair, pair);
	got = pmm_alloc(1);
	KT_EXPECT_EQ(t, got, pair[0] < pair[1] ? pair[0] : pair[1]);
	log_info("ktest: a 2-frame block %s while another CPU's cache held its frames",
		 got ? "was found" : "was not found");
	if (got)
		pmm_free(got, 1);
	while (head) {
		uint64_t next = *(uint64_t *)PHYS_TO_VIRT(head);

		pmm_free(head, 0);
		head = next;
	}
}

struct spinner {
	volatile bool started, stop;
};

static void spin_until_stopped(void *arg)
{
	struct spinner *s = arg;

	s->started = true;
	while (!s->stop)
		cpu_pause();
}

/* The CPU time of a thread running right now on another CPU counts its
 * slice so far: one spinning alone there is never switched, so its total
 * is otherwise stuck at what it had when it started. */
KTEST(smp_cpu_time_of_thread_running_elsewhere)
{
	struct spinner s = { false, false };
	unsigned other = percpu_self()->cpu_id ? 0 : 1;
	uint64_t t0, c0, wall, used;
	struct thread *th;

	if (sched_cpus_online() < 2) {
		log_info("ktest: one CPU: no thread runs elsewhere");
		return;
	}
	th = thread_create("spinner", spin_until_stopped, &s, SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
	KT_ASSERT(t, th);
	KT_EXPECT_EQ(t, thread_set_cpu(th, other), 0);
	thread_resume(th);
	while (!s.started)
		KT_ASSERT(t, thread_sleep_ns(1000000) == 0);
	t0 = time_ns();
	c0 = sched_thread_cpu_ns(th);
	KT_ASSERT(t, thread_sleep_ns(60000000) == 0);
	wall = time_ns() - t0;
	used = sched_thread_cpu_ns(th) - c0;
	s.stop = true;
	KT_EXPECT_EQ(t, thread_join(th, 0), 0);
	KT_EXPECT(t, used >= wall / 2);
	log_info("ktest: a thread spinning on CPU %u for %llu ms was counted %llu ms", other,
		 (unsigned long long)(wall / 1000000), (unsigned long long)(used / 1000000));
}
