/* Core files (kernel/proc/coredump.c): how a process ends by a signal
 * whose default action is to dump core. */
#ifndef KERNEL_PROC_COREDUMP_H
#define KERNEL_PROC_COREDUMP_H

#include <stdbool.h>
#include <kernel/proc/signal.h>

/* Is "core" sig's default action? */
bool coredump_signal(int sig);
/* Ends the calling thread's process as killed by sig; for a core signal
 * (the first to end it) writes ./core when RLIMIT_CORE allows, and the
 * wait status says WCOREDUMP when the whole file was written. */
void coredump_exit(int sig, const struct ksiginfo *info) __attribute__((noreturn));

#endif
