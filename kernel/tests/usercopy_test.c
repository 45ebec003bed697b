/* User-memory access (sys/usercopy.h) from a kernel thread running on a
 * program's address space: kernel, non-canonical and unmapped addresses
 * give -EFAULT without touching memory, demand-zero pages are faulted in,
 * a copy that runs off a mapping stops exactly at its end, read-only pages
 * refuse writes, and strings stop at their NUL, their size or a fault. */
#include <cosmos/abi/mman.h>
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <hal/usermode.h>
#include <kernel/ktest.h>
#include <kernel/mm/vm.h>
#include <kernel/mm/vmm.h>
#include <kernel/proc/process.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sys/usercopy.h>

struct uc_run {
	struct ktest_ctx *t;
	bool done;
};

static void checks(struct ktest_ctx *t, struct vm_space *vm)
{
	static uint64_t kernel_word = 0x1234;
	char buf[32], str[8];
	uint64_t w = 0x55aa;
	long rw, ro;

	rw = vm_mmap(vm, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0, 0);
	KT_ASSERT(t, rw > 0);
	ro = vm_mmap(vm, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0, 0);
	KT_ASSERT(t, ro > 0);
	KT_EXPECT_EQ(t, vm_munmap(vm, (uint64_t)rw + PAGE_SIZE, PAGE_SIZE), 0);

	/* kernel, non-canonical and wrapping ranges: refused, memory untouched */
	KT_EXPECT_EQ(t, copy_to_user(uptr((uint64_t)&kernel_word), &w, 8), -EFAULT);
	KT_EXPECT_EQ(t, kernel_word, 0x1234);
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr((uint64_t)&kernel_word), 8), -EFAULT);
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr(USERMODE_TOP), 1), -EFAULT);
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr(0x8000000000000000ull), 1), -EFAULT);
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr(USERMODE_TOP - 4), 8), -EFAULT);
	KT_EXPECT_EQ(t, clear_user(uptr((uint64_t)&kernel_word), 8), -EFAULT);
	KT_EXPECT_EQ(t, kernel_word, 0x1234);
	KT_EXPECT_EQ(t, copy_from_user_part(buf, uptr(USERMODE_TOP - 4), 8), 0);

	/* unmapped: the page after rw, and page 0 */
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr((uint64_t)rw + PAGE_SIZE), 4), -EFAULT);
	KT_EXPECT_EQ(t, copy_to_user(uptr(0), &w, 8), -EFAULT);

	/* demand-zero pages come in on the first touch, both ways */
	memset(buf, 0x7f, sizeof(buf));
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr((uint64_t)rw + 100), 16), 0);
	KT_EXPECT_EQ(t, buf[0] == 0 && buf[15] == 0, 1);
	KT_EXPECT_EQ(t, copy_to_user(uptr((uint64_t)rw + 200), "user-copy", 10), 0);
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr((uint64_t)rw + 200), 10), 0);
	KT_EXPECT_EQ(t, strcmp(buf, "user-copy"), 0);

	/* running off the mapping: the bytes before its end move, exactly */
	KT_EXPECT_EQ(t, copy_to_user_part(uptr((uint64_t)rw + PAGE_SIZE - 8), "0123456789abcdef", 16), 8);
	KT_EXPECT_EQ(t, copy_from_user_part(buf, uptr((uint64_t)rw + PAGE_SIZE - 3), 16), 3);
	KT_EXPECT_EQ(t, memcmp(buf, "567", 3), 0);
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr((uint64_t)rw + PAGE_SIZE - 3), 16), -EFAULT);
	KT_EXPECT_EQ(t, clear_user_part(uptr((uint64_t)rw + PAGE_SIZE - 5), 10), 5);

	/* a read-only page reads but refuses writes */
	KT_EXPECT_EQ(t, copy_from_user(buf, uptr((uint64_t)ro), 8), 0);
	KT_EXPECT_EQ(t, copy_to_user(uptr((uint64_t)ro), &w, 8), -EFAULT);

	/* strings: the NUL, the size, the end of the mapping */
	KT_EXPECT_EQ(t, strncpy_from_user(str, uptr((uint64_t)rw + 200), sizeof(str)), -ENAMETOOLONG);
	KT_EXPECT_EQ(t, copy_to_user(uptr((uint64_t)rw + 300), "hello", 6), 0);
	KT_EXPECT_EQ(t, strncpy_from_user(str, uptr((uint64_t)rw + 300), sizeof(str)), 5);
	KT_EXPECT_EQ(t, strcmp(str, "hello"), 0);
	KT_EXPECT_EQ(t, copy_to_user(uptr((uint64_t)rw + PAGE_SIZE - 4), "abcd", 4), 0);
	KT_EXPECT_EQ(t, strncpy_from_user(buf, uptr((uint64_t)rw + PAGE_SIZE - 4), sizeof(buf)), -EFAULT);
	KT_EXPECT_EQ(t, strncpy_from_user(buf, uptr((uint64_t)&kernel_word), sizeof(buf)), -EFAULT);
}

static void uc_thread(void *arg)
{
	struct uc_run *r = arg;
	struct process *p = process_current();
	struct vm_limits lim = { VM_LIMIT_NONE, VM_LIMIT_NONE, VM_LIMIT_NONE };
	struct thread *me = thread_current();

	p->vm = vm_create(&lim);
	if (p->vm) {
		/* run on the space, as a program's thread in a system call does */
		me->aspace = p->vm->root;
		paging_activate(p->vm->root);
		checks(r->t, p->vm);
	} else {
		ktest_fail(r->t, __FILE__, __LINE__, "no memory for an address space");
	}
	r->done = true;
}

KTEST(usercopy_faults_and_ranges)
{
	struct process *p = process_create("usercopy", SCHED_PRIO_DEFAULT);
	struct uc_run r = { t, false };
	int pid;

	KT_ASSERT(t, p);
	pid = p->pid;
	KT_ASSERT(t, process_spawn_thread(p, "usercopy", uc_thread, &r) == 0);
	KT_EXPECT_EQ(t, process_wait(pid, 0, time_ns() + 10000000000ull), pid);
	KT_EXPECT(t, r.done);
	/* the space went with the process: the kernel's tables are loaded */
	KT_EXPECT_EQ(t, paging_active(), vmm_kernel_root());
}
