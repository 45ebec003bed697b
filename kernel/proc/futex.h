/* Futexes: threads sleeping on a 32-bit word of user memory until another
 * wakes them. A private futex (FUTEX_PRIVATE_FLAG) is named by its address
 * space and address; a shared one by the frame under it, so processes that
 * map the same memory (MAP_SHARED) meet. The words are read with
 * vm_copy_from: no user pointer is dereferenced here. */
#ifndef KERNEL_PROC_FUTEX_H
#define KERNEL_PROC_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

struct vm_space;

void futex_init(void);

/* Sleeps while the word at addr holds val, until a wake whose bitset
 * meets ours, the deadline (time_ns() based, 0: none) or an interrupt.
 * 0, -EAGAIN (the word differs), -ETIMEDOUT, -EINTR, -EFAULT, -EINVAL
 * (misaligned, bitset 0). */
int futex_wait(struct vm_space *vm, uint64_t addr, bool private, uint32_t val,
	       uint32_t bitset, uint64_t deadline);
/* Wakes up to n waiters whose bitset meets bitset; returns how many, or
 * -EINVAL / -EFAULT. A shared wake also reaches private waiters of the
 * same space and address (the kernel's wake at thread exit is shared). */
int futex_wake(struct vm_space *vm, uint64_t addr, bool private, int n, uint32_t bitset);
/* Wakes up to nwake waiters of addr and moves up to nmove others to
 * addr2; with check, only if the word at addr holds val (else -EAGAIN).
 * Returns woken plus moved. */
int futex_requeue(struct vm_space *vm, uint64_t addr, uint64_t addr2, bool private, int nwake,
		  int nmove, bool check, uint32_t val);

#endif
