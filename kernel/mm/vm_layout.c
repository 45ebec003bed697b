/* Where a program's pieces go, and ASLR: the stack top, the mmap base, a
 * static PIE's load address and the start of the break are randomized from
 * the kernel CSPRNG with Linux's x86-64 ranges (mmap and PIE 28 bits of
 * pages, stack 22, brk 32 MiB), unless aslr=off. Also the brk and the main
 * stack region. */
#include <kernel/mm/vm_region.h>
#include <kernel/mm/pmm.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/random.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define STACK_RND_BITS 22
#define MMAP_RND_BITS  28
#define BRK_RND_BITS   13                      /* 32 MiB of pages */
#define PIE_BASE       0x555555554000ull       /* two thirds of the space, as Linux */
#define MMAP_GAP_MIN   (128ull << 20)
#define MMAP_GAP_MAX   (VM_USER_TOP / 6 * 5)

/* Set once by vm_init before any space exists. */
static bool aslr = true;

void vm_init(void)
{
	const char *v = cmdline_get(boot_cmdline(), "aslr");

	vm_spaces_init();
	if (v && !strcmp(v, "off")) {
		aslr = false;
		log_info("vm: ASLR off (aslr=off)");
	} else if (v && strcmp(v, "on")) {
		log_warn("vm: unknown aslr=%s (on, off)", v);
	}
}

bool vm_aslr_enabled(void) { return aslr; }

uint64_t vm_random_pages(unsigned bits)
{
	return aslr ? (random_u64() & ((1ull << bits) - 1)) * PAGE_SIZE : 0;
}

void vm_layout_choose(struct vm_space *vm)
{
	uint64_t gap = vm->limits.stack;

	vm->stack_top = VM_USER_TOP - vm_random_pages(STACK_RND_BITS);
	/* mmap starts below the room the stack may grow into, wherever the
	 * stack's random offset put it */
	if (gap < MMAP_GAP_MIN)
		gap = MMAP_GAP_MIN;
	if (gap > MMAP_GAP_MAX)
		gap = MMAP_GAP_MAX;
	gap = vm_page_up(gap + VM_STACK_GUARD_GAP + (PAGE_SIZE << STACK_RND_BITS));
	vm->mmap_base = VM_USER_TOP - gap - vm_random_pages(MMAP_RND_BITS);
	vm->pie_base = PIE_BASE + vm_random_pages(MMAP_RND_BITS);
}

int vm_brk_init(struct vm_space *vm, uint64_t image_end)
{
	uint64_t start;
	int err;

	if (image_end > VM_USER_TOP)
		return -EINVAL;
	start = vm_page_up(image_end) + vm_random_pages(BRK_RND_BITS);
	if ((err = mutex_lock(&vm->lock)))
		return err;
	vm->brk_start = vm->brk = start;
	mutex_unlock(&vm->lock);
	return 0;
}

int vm_stack_create(struct vm_space *vm)
{
	/* at least a page, whatever the limit: exec writes the arguments there */
	uint64_t size = VM_STACK_INITIAL < vm->limits.stack ? VM_STACK_INITIAL : vm->limits.stack;
	struct vm_region r = {
		.start = vm->stack_top - (size > PAGE_SIZE ? vm_page_up(size) : PAGE_SIZE),
		.end = vm->stack_top,
		.prot = PROT_READ | PROT_WRITE, .flags = VMR_GROWSDOWN | VMR_STACK,
	};
	int err;

	if ((err = mutex_lock(&vm->lock)))
		return err;
	if (!vm_as_allows(vm, r.end - r.start) || vmr_covered(vm, r.start, r.end))
		err = -ENOMEM;
	else if (!(err = vmr_reserve(vm, 1))) {
		vmr_insert(vm, &r);
		vm->mapped += r.end - r.start;
	}
	mutex_unlock(&vm->lock);
	return err;
}

/* A heap ending at end: within RLIMIT_DATA, and growing by no more than
 * the machine's memory (Linux's heuristic overcommit refuses such a brk
 * too, where a program asking for it is surely wrong). */
static bool brk_allows(const struct vm_space *vm, uint64_t end)
{
	struct pmm_stats st;

	if (end - vm->brk_start > vm->limits.data)
		return false;
	pmm_get_stats(&st);
	return end - vm_page_up(vm->brk) <= st.total_pages * PAGE_SIZE;
}

uint64_t vm_brk(struct vm_space *vm, uint64_t want)
{
	uint64_t old_end, new_end;

	if (mutex_lock(&vm->lock))
		return 0;
	if (!vm->brk_start || want < vm->brk_start || want > VM_USER_TOP)
		goto out;
	old_end = vm_page_up(vm->brk);
	new_end = vm_page_up(want);
	if (new_end > old_end) {
		struct vm_region r = {
			.start = old_end, .end = new_end,
			.prot = PROT_READ | PROT_WRITE, .flags = VMR_HEAP,
		};

		if (!vmr_range_free(vm, old_end, new_end - old_end) ||
		    !vm_as_allows(vm, new_end - old_end) || !brk_allows(vm, new_end) ||
		    vmr_reserve(vm, 1))
			goto out;
		vm->mapped += new_end - old_end;
		vmr_merge(vm, vmr_insert(vm, &r), 0);
	} else if (new_end < old_end) {
		if (vmr_reserve(vm, 2))
			goto out;
		vmr_unmap(vm, new_end, old_end);
	}
	vm->brk = want;
out:
	want = vm->brk;
	mutex_unlock(&vm->lock);
	return want;
}
