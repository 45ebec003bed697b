/* Kernel services on a channel: a kernel thread answers the requests of
 * include/cosmos/kservice.h (the log, the CPU, PCI and memory reports,
 * the process list) on one endpoint, whose peer init receives through
 * kservice_open (sys/ipc.c). docs/ipc.md. */
#ifndef KERNEL_IPC_KSERVICE_H
#define KERNEL_IPC_KSERVICE_H

#include <cosmos/compiler.h>

struct file;

/* The clients' endpoint, with a reference for the caller; the service
 * starts on the first call. NULL: no memory for it. */
struct file *kservice_endpoint(void) __must_check;

#endif
