/* Brings the block devices up: the wait hook the block layer needs from the
 * kernel's timer, the virtio-blk driver, and the blktest= self-test mode. */
#ifndef KERNEL_BLK_H
#define KERNEL_BLK_H

/* After interrupts and timers are on. Reads blk.irq=msix|msi|intx (the
 * best interrupt kind the drivers may use; default msix). */
void blk_init(void);
/* blktest=a,b,...: see kernel/blk_test.c. Prints "blktest: ..." lines. */
void blk_test_from_cmdline(void);

#endif
