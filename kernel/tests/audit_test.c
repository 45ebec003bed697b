/* Page-table audit ktests: the tables as booted are clean, a program's
 * address space is clean (one built here, one exec made for a running
 * program), and each kind of violation planted on purpose
 * (then taken back) is reported once, at its address, with its entry. */
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <hal/trap.h>
#include <kernel/audit.h>
#include <kernel/boot.h>
#include <kernel/ktest.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/spawn.h>
#include <kernel/sched/thread.h>
#include <cosmos/abi/sched.h>
#include <cosmos/abi/signal.h>
#include <kernel/time.h>

extern char __kernel_start[], __rodata_start[], __kernel_end[];

/* One finding, of this rule, at va: what a planted violation must give. */
static void expect_one(struct ktest_ctx *t, const struct audit_result *r, uint32_t rule,
		       uint64_t va, uint64_t root)
{
	KT_EXPECT_EQ(t, r->count, 1);
	if (r->count < 1)
		return;
	KT_EXPECT_EQ(t, r->kept[0].rule, rule);
	KT_EXPECT_EQ(t, r->kept[0].va, va);
	KT_EXPECT_EQ(t, r->kept[0].root, root);
	KT_EXPECT(t, r->kept[0].raw & 1);   /* the entry itself, present */
}

KTEST(audit_kernel_tables_clean)
{
	static struct audit_result r;

	KT_EXPECT_EQ(t, audit_kernel(&r), 0);
	KT_EXPECT_EQ(t, r.spaces, 1);
	/* the direct map alone is 2048 entries for 4 GiB */
	KT_EXPECT(t, r.entries > 2048);
	KT_EXPECT_EQ(t, audit_all(&r), 0);
}

KTEST(audit_reports_writable_executable_page)
{
	static struct audit_result r;
	uint64_t root = vmm_kernel_root();
	void *p = vmm_alloc(PAGE_SIZE);

	KT_ASSERT(t, p);
	KT_ASSERT(t, paging_protect(root, (uint64_t)p, PAGING_WRITE | PAGING_EXEC) == 0);
	audit_kernel(&r);
	expect_one(t, &r, AUDIT_WX, (uint64_t)p, root);
	KT_EXPECT(t, r.kept[0].raw & 2);                 /* the W bit is in the entry shown */
	KT_EXPECT_EQ(t, r.kept[0].level, 0);
	KT_EXPECT_EQ(t, paging_protect(root, (uint64_t)p, PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, audit_kernel(&r), 0);
	vmm_free(p);
}

KTEST(audit_reports_user_kernel_page)
{
	static struct audit_result r;
	uint64_t root = vmm_kernel_root();
	void *p = vmm_alloc(PAGE_SIZE);

	KT_ASSERT(t, p);
	KT_ASSERT(t, paging_protect(root, (uint64_t)p, PAGING_WRITE | PAGING_USER) == 0);
	audit_kernel(&r);
	expect_one(t, &r, AUDIT_USER_KERNEL, (uint64_t)p, root);
	KT_EXPECT_EQ(t, paging_protect(root, (uint64_t)p, PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, audit_kernel(&r), 0);
	vmm_free(p);
}

KTEST(audit_reports_mapped_guard_pages)
{
	static struct audit_result r;
	uint64_t root = vmm_kernel_root(), guard = 0, frame = pmm_alloc(0);
	void *p = vmm_alloc(PAGE_SIZE);

	KT_ASSERT(t, p && frame);
	/* the guard below a kernel-virtual-area allocation */
	KT_EXPECT(t, vmm_is_guard((uint64_t)p - PAGE_SIZE));
	KT_ASSERT(t, paging_map(root, (uint64_t)p - PAGE_SIZE, frame, PAGE_SIZE, PAGING_WRITE) == 0);
	audit_kernel(&r);
	expect_one(t, &r, AUDIT_GUARD, (uint64_t)p - PAGE_SIZE, root);
	KT_EXPECT_EQ(t, paging_unmap(root, (uint64_t)p - PAGE_SIZE, NULL, NULL), 0);
	/* a guard page of one of hal's stacks, inside the kernel image */
	for (uint64_t va = (uint64_t)__kernel_start; va < (uint64_t)__kernel_end; va += PAGE_SIZE)
		if (trap_stack_guard_hit(va)) {
			guard = va;
			break;
		}
	KT_ASSERT(t, guard);
	KT_ASSERT(t, paging_map(root, guard, frame, PAGE_SIZE, PAGING_WRITE) == 0);
	audit_kernel(&r);
	expect_one(t, &r, AUDIT_GUARD, guard, root);
	KT_EXPECT_EQ(t, paging_unmap(root, guard, NULL, NULL), 0);
	KT_EXPECT_EQ(t, audit_kernel(&r), 0);
	vmm_free(p);
	pmm_free(frame, 0);
}

KTEST(audit_reports_writable_rodata)
{
	static struct audit_result r;
	uint64_t root = vmm_kernel_root(), ro = (uint64_t)__rodata_start;

	KT_ASSERT(t, paging_protect(root, ro, PAGING_WRITE) == 0);
	audit_kernel(&r);
	expect_one(t, &r, AUDIT_RODATA, ro, root);
	KT_EXPECT_EQ(t, paging_protect(root, ro, 0), 0);
	KT_EXPECT_EQ(t, audit_kernel(&r), 0);
}

KTEST(audit_reports_executable_direct_map)
{
	static struct audit_result r;
	uint64_t root = vmm_kernel_root(), frame = pmm_alloc(0), va, size;

	KT_ASSERT(t, frame);
	va = (uint64_t)PHYS_TO_VIRT(frame);
	KT_ASSERT(t, paging_translate(root, va, NULL, NULL, &size) == 0);
	KT_ASSERT(t, paging_protect(root, va, PAGING_WRITE | PAGING_EXEC) == 0);
	audit_kernel(&r);
	expect_one(t, &r, AUDIT_DIRECT_EXEC, va & ~(size - 1), root);
	KT_EXPECT_EQ(t, paging_protect(root, va, PAGING_WRITE), 0);
	KT_EXPECT_EQ(t, audit_kernel(&r), 0);
	pmm_free(frame, 0);
}

static const struct vm_limits limits = {
	.stack = 8ull << 20, .as = VM_LIMIT_NONE, .data = VM_LIMIT_NONE,
};

/* A program's space: two pages of private memory, touched so that their
 * frames and tables exist, then one made writable and executable behind
 * the vm layer's back (vm_mprotect refuses that). */
KTEST(audit_address_space)
{
	static struct audit_result r;
	struct vm_space *vm = vm_create(&limits);
	const uint64_t va = 0x400000;
	uint8_t one = 1;

	KT_ASSERT(t, vm);
	KT_ASSERT(t, vm_mmap(vm, va, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0, 0) == (long)va);
	KT_ASSERT(t, vm_copy_to(vm, va, &one, 1) == 0);
	KT_ASSERT(t, vm_copy_to(vm, va + PAGE_SIZE, &one, 1) == 0);
	KT_ASSERT(t, mutex_lock(&vm->lock) == 0);
	r.count = r.spaces = 0;
	KT_EXPECT_EQ(t, audit_space(vm->root, "audit", &r), 0);
	KT_EXPECT_EQ(t, r.spaces, 1);
	KT_EXPECT(t, r.entries >= 2);
	KT_EXPECT_EQ(t, paging_protect(vm->root, va + PAGE_SIZE,
				       PAGING_WRITE | PAGING_EXEC | PAGING_USER), 0);
	r.count = r.spaces = 0;
	KT_EXPECT_EQ(t, audit_space(vm->root, "audit", &r), 1);
	expect_one(t, &r, AUDIT_WX, va + PAGE_SIZE, vm->root);
	KT_EXPECT_EQ(t, paging_protect(vm->root, va + PAGE_SIZE, PAGING_WRITE | PAGING_USER), 0);
	r.count = 0;
	KT_EXPECT_EQ(t, audit_space(vm->root, "audit", &r), 0);
	mutex_unlock(&vm->lock);
	vm_put(vm);
}

/* The pid's address space with a reference, once it runs its program
 * (after exec); NULL if it never gets there. */
static struct vm_space *program_space(int pid)
{
	uint64_t deadline = time_ns() + 20 * 1000000000ull;

	while (time_ns() < deadline) {
		struct vm_space *vm = 0;
		struct process *p;

		process_table_lock();
		p = process_find_locked(pid);
		if (p && p->did_exec && p->state == PROC_ALIVE && !p->exiting) {
			process_lock(p);
			if ((vm = p->vm))
				vm_get(vm);
			mutex_unlock(&p->lock);
		}
		process_table_unlock();
		if (vm || !p)
			return vm;
		thread_sleep_ns(1000000);
	}
	return 0;
}

/* audit_all walks a running program's tables: clean as exec built them,
 * and a page of its stack made writable and executable is reported there. */
KTEST(audit_walks_a_running_program)
{
	static struct audit_result r;
	/* a shell spinning until the test kills it */
	int pid = spawn_command("/bin/busybox sh -c 'while :; do :; done'", 0), status = 0;
	struct vm_space *vm;
	uint64_t page;
	struct process *p;

	KT_ASSERT(t, pid > 0);
	vm = program_space(pid);
	KT_EXPECT(t, vm);
	if (vm) {
		page = vm->stack_top - PAGE_SIZE;   /* argv and the environment */
		KT_EXPECT_EQ(t, audit_all(&r), 0);
		KT_EXPECT(t, r.spaces >= 2);
		KT_ASSERT(t, mutex_lock(&vm->lock) == 0);
		KT_EXPECT_EQ(t, paging_protect(vm->root, page,
					       PAGING_WRITE | PAGING_EXEC | PAGING_USER), 0);
		mutex_unlock(&vm->lock);
		KT_EXPECT_EQ(t, audit_all(&r), 1);
		expect_one(t, &r, AUDIT_WX, page, vm->root);
		KT_ASSERT(t, mutex_lock(&vm->lock) == 0);
		KT_EXPECT_EQ(t, paging_protect(vm->root, page, PAGING_WRITE | PAGING_USER), 0);
		mutex_unlock(&vm->lock);
		KT_EXPECT_EQ(t, audit_all(&r), 0);
		vm_put(vm);
	}
	process_table_lock();
	if ((p = process_find_locked(pid)))
		signal_send_process_locked(p, SIGKILL);
	process_table_unlock();
	KT_EXPECT_EQ(t, process_wait(pid, &status, time_ns() + 20 * 1000000000ull), pid);
	KT_EXPECT_EQ(t, status, W_EXITCODE(0, SIGKILL));
}
