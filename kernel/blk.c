/* Block-device bring-up and the kernel's side of the block layer's wait:
 * the scheduler's wait queue, with the request timeout as its deadline, so a
 * device that never interrupts costs a timeout, not a hung thread. */
#include <kernel/blk.h>
#include <drivers/block/blockdev.h>
#include <drivers/pci_msi.h>
#include <drivers/virtio/virtio_blk.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <kernel/time.h>
#include <kernel/sched/wait.h>
#include <lib/string.h>

/* Every thread waiting for any block request sleeps here; a completion
 * wakes them all and each looks at its own flag (requests in flight are few,
 * so a shared queue costs less than one per request). */
static struct waitq blk_waiters;

static int blk_sleep_until_done(volatile bool *done, uint64_t timeout_ns)
{
	return waitq_wait_event(&blk_waiters, *done, time_ns() + timeout_ns);
}

static void blk_wake_all(void)
{
	waitq_wake_all(&blk_waiters);
}

void blk_init(void)
{
	const char *irq = cmdline_get(boot_cmdline(), "blk.irq");
	unsigned allowed = PCI_IRQ_ALLOW_ALL;

	if (irq && strcmp(irq, "msi") == 0)
		allowed = PCI_IRQ_ALLOW_MSI | PCI_IRQ_ALLOW_INTX;
	else if (irq && strcmp(irq, "intx") == 0)
		allowed = PCI_IRQ_ALLOW_INTX;
	else if (irq && strcmp(irq, "msix") != 0)
		log_warn("blk: blk.irq=%s is not msix, msi or intx; using msix", irq);
	waitq_init(&blk_waiters);
	blockdev_set_wait_ops(blk_sleep_until_done, blk_wake_all);
	virtio_blk_init(allowed);
}
