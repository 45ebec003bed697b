/* Address-space benchmarks for `make bench`: the fault handler's cost for
 * a first touch of anonymous memory, mmap+munmap of 1 MiB, and fork's copy
 * (vm_clone) of a space with 100 touched pages. Timed with the kernel clock, no ring 3. */
#include <kernel/kbench.h>
#include <kernel/mm/vm.h>
#include <kernel/time.h>
#include <hal/cpu.h>
#include <hal/paging.h>

#define BASE 0x10000000ull

static const struct vm_limits limits = { .stack = 8ull << 20, .as = VM_LIMIT_NONE, .data = VM_LIMIT_NONE };

/* Nanoseconds per round, in hundredths, for kbench_report(..., 2, "ns"). */
static uint64_t per_round(uint64_t ns, uint64_t rounds) { return ns * 100 / rounds; }

/* Faults in `pages` fresh pages of a new space; the nanoseconds they took,
 * or 0 when there was no memory. */
static uint64_t touch_pages(uint64_t pages)
{
	struct vm_space *vm = vm_create(&limits);
	uint64_t t0, ns = 0;

	if (vm && vm_mmap(vm, BASE, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) == (long)BASE) {
		t0 = time_ns();
		for (uint64_t i = 0; i < pages; i++)
			vm_fault(vm, BASE + i * PAGE_SIZE, VM_ACCESS_WRITE, true);
		ns = time_ns() - t0;
	}
	vm_put(vm);
	return ns;
}

KBENCH(vm_first_touch)
{
	enum { PAGES = 4096 };

	/* a warm-up round first: QEMU takes a host page fault the first time
	 * the guest uses a frame, which is the emulator's cost, not ours */
	touch_pages(PAGES);
	kbench_report("vm_first_touch", per_round(touch_pages(PAGES), PAGES), 2, "ns");
}

KBENCH(vm_mmap_munmap_1m)
{
	enum { ROUNDS = 2000 };
	struct vm_space *vm = vm_create(&limits);
	uint64_t t0;

	if (!vm)
		return;
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++) {
		long a = vm_mmap(vm, 0, 1ull << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);

		if (a > 0)
			vm_munmap(vm, (uint64_t)a, 1ull << 20);
	}
	kbench_report("vm_mmap_munmap_1m", per_round(time_ns() - t0, ROUNDS), 2, "ns");
	vm_put(vm);
}

KBENCH(vm_clone_100_pages)
{
	enum { ROUNDS = 200, PAGES = 100 };
	struct vm_space *vm = vm_create(&limits);
	uint64_t ns = 0;

	if (!vm || vm_mmap(vm, BASE, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) != (long)BASE) {
		vm_put(vm);
		return;
	}
	for (int i = 0; i < PAGES; i++)
		vm_fault(vm, BASE + i * PAGE_SIZE, VM_ACCESS_WRITE, true);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = time_ns();
		struct vm_space *c = vm_clone(vm);

		ns += time_ns() - t0;
		vm_put(c);
	}
	kbench_report("vm_clone_100_pages", per_round(ns, ROUNDS), 2, "ns");
	vm_put(vm);
}
