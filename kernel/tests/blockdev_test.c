/* In-kernel tests of the block layer's completion wait: an interrupt that
 * sets the done flag and wakes the waiters ends it, and a completion that
 * never comes gives -ETIMEDOUT at the deadline instead of sleeping for ever. */
#include <drivers/block/blockdev.h>
#include <kernel/ktest.h>
#include <kernel/time.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <cosmos/errno.h>

#define MS 1000000ULL

static volatile bool flag;

/* As a driver's interrupt handler does: set the flag, then wake. */
static void set_flag(void *ctx)
{
	(void)ctx;
	flag = true;
	blockdev_wake_waiters();
}

KTEST(blockdev_wait_woken_by_interrupt)
{
	int v = irq_request_vector(set_flag, 0);
	uint64_t flags, t0;
	int r;

	KT_ASSERT(t, v >= IRQ_VECTOR_FIRST);
	flag = false;
	flags = cpu_irq_save();
	KT_EXPECT_EQ(t, irq_raise_self(v), 0);   /* pending until the wait lets it in */
	t0 = time_ns();
	r = blockdev_wait_done(&flag, 1000 * MS);
	cpu_irq_restore(flags);
	irq_free(v);
	KT_EXPECT_EQ(t, r, 0);
	KT_EXPECT(t, flag);
	KT_EXPECT(t, time_ns() - t0 < 500 * MS);
}

KTEST(blockdev_wait_times_out)
{
	volatile bool never = false;
	uint64_t t0 = time_ns(), spent;
	int r = blockdev_wait_done(&never, 30 * MS);

	spent = time_ns() - t0;
	KT_EXPECT_EQ(t, r, -ETIMEDOUT);
	KT_EXPECT(t, spent >= 30 * MS);
	KT_EXPECT(t, spent < 1000 * MS);
}

KTEST(blockdev_registry_lookup)
{
	KT_EXPECT(t, blockdev_find("vd-none") == 0);
	KT_EXPECT(t, blockdev_get(blockdev_count()) == 0);
}
