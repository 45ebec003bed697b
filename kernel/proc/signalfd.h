/* signalfd: a file whose reads take the reader's pending signals of a
 * mask (Linux's struct signalfd_siginfo, 128 bytes each) instead of their
 * delivery, and which polls readable while one is pending. */
#ifndef KERNEL_PROC_SIGNALFD_H
#define KERNEL_PROC_SIGNALFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;

/* A new signalfd file for the signals in mask (SIGKILL and SIGSTOP are
 * left out); NULL on no memory. */
struct file *signalfd_create(uint64_t mask, bool nonblock);
/* A second signalfd4 on f: its new mask. -EINVAL if f is no signalfd. */
int signalfd_set_mask(struct file *f, uint64_t mask);

#endif
