/* Core files (kernel/proc/coredump.c): how a process ends by a signal
 * whose default action is to dump core. */
#ifndef KERNEL_PROC_COREDUMP_H
#define KERNEL_PROC_COREDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <kernel/proc/signal.h>

/* kernel.core_pattern's room, NUL included (Linux's CORENAME_MAX_SIZE). */
#define CORE_PATTERN_MAX 128

/* Is "core" sig's default action? */
bool coredump_signal(int sig);
/* Ends the calling thread's process as killed by sig; for a core signal
 * (the first to end it) writes the core file core_pattern names (./core
 * at first) when RLIMIT_CORE allows, and the wait status says WCOREDUMP
 * when the whole file was written. */
void coredump_exit(int sig, const struct ksiginfo *info) __attribute__((noreturn));
/* /proc/sys/kernel/core_pattern: the pattern (NUL-terminated) into out. */
void coredump_pattern_get(char out[CORE_PATTERN_MAX]);
/* Sets it from len bytes, as Linux: up to the first newline or NUL, cut
 * at CORE_PATTERN_MAX - 1 bytes. len, or -EINVAL for a pipe ("|program":
 * no program is run for a core here). */
long coredump_pattern_set(const char *buf, size_t len);

#endif
