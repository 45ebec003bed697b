/* eventfd: a 64-bit counter behind a descriptor that read takes and write
 * adds to, for one thread or process to wake another (Linux's
 * eventfd(2)). */
#ifndef KERNEL_IPC_EVENTFD_H
#define KERNEL_IPC_EVENTFD_H

#include <stdint.h>
#include <cosmos/compiler.h>

struct file;

/* Linux's flags: EFD_CLOEXEC and EFD_NONBLOCK are the O_ values. */
#define EFD_SEMAPHORE 1u
#define EFD_NONBLOCK  00004000u
#define EFD_CLOEXEC   02000000u

/* A new eventfd file counting from initval; flags EFD_SEMAPHORE and
 * EFD_NONBLOCK (EFD_CLOEXEC is the descriptor's, the caller's business).
 * 0, -EINVAL (other flags), -ENOMEM. */
int eventfd_create(uint64_t initval, uint32_t flags, struct file **out) __must_check;

#endif
