/* Process ktests: user regions (an overlap is refused and leaves the
 * region already there alone). */
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <kernel/ktest.h>
#include <kernel/mm/pmm.h>
#include <kernel/proc/process.h>

static void proc_nothing(void *arg) { (void)arg; }

/* Ends p (which has no thread yet) through a thread that returns at once,
 * and reaps it. */
static int end_process(struct process *p)
{
	int pid = p->pid, err = process_spawn_thread(p, "end", proc_nothing, 0);

	if (err)
		return err;
	return process_wait(pid, 0, 0) == pid ? 0 : -ECHILD;
}

/* The frames behind pages of p's user half, or 0 where nothing is mapped. */
static void frames_of(struct process *p, uint64_t va, uint64_t pages, uint64_t *pa)
{
	for (uint64_t i = 0; i < pages; i++) {
		unsigned rights;
		uint64_t size;

		if (paging_translate(p->root, va + i * PAGE_SIZE, &pa[i], &rights, &size))
			pa[i] = 0;
	}
}

KTEST(proc_map_anon_overlap_keeps_first_region)
{
	struct process *p = process_create("overlap", SCHED_PRIO_DEFAULT);
	uint64_t a[4], again[4], b[2], free0;

	KT_ASSERT(t, p);
	/* A: 0x402000..0x406000 */
	KT_EXPECT_EQ(t, process_map_anon(p, 0x402000, 4), 0);
	frames_of(p, 0x402000, 4, a);
	for (int i = 0; i < 4; i++)
		KT_EXPECT(t, a[i] != 0);
	free0 = pmm_free_pages();

	/* B starts below A and runs into its first page; C lies inside A;
	 * D covers A entirely. All are refused and map nothing. */
	KT_EXPECT_EQ(t, process_map_anon(p, 0x400000, 4), -EEXIST);
	KT_EXPECT_EQ(t, process_map_anon(p, 0x403000, 1), -EEXIST);
	KT_EXPECT_EQ(t, process_map_anon(p, 0x401000, 8), -EEXIST);
	KT_EXPECT_EQ(t, process_map_anon(p, 0x405000, 2), -EEXIST);
	frames_of(p, 0x402000, 4, again);
	for (int i = 0; i < 4; i++)
		KT_EXPECT_EQ(t, again[i], a[i]);
	frames_of(p, 0x400000, 2, b);
	KT_EXPECT_EQ(t, b[0], 0);
	KT_EXPECT_EQ(t, b[1], 0);
	KT_EXPECT_EQ(t, pmm_free_pages(), free0);

	/* right next to A on both sides is fine */
	KT_EXPECT_EQ(t, process_map_anon(p, 0x400000, 2), 0);
	KT_EXPECT_EQ(t, process_map_anon(p, 0x406000, 1), 0);
	KT_EXPECT_EQ(t, end_process(p), 0);
}
