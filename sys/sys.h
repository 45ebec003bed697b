/* What the files of sys/ share: the calling thread's user frame (the
 * handlers that need more than their arguments: fork, clone, exec), the
 * gate's setup, and systrace=. */
#ifndef SYS_SYS_H
#define SYS_SYS_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/usermode.h>
#include <sys/syscall_table.h>
#include <sys/usercopy.h>

/* Arms the system-call gate and reads systrace= from the command line. */
void sys_init(void);

/* The user frame of the calling thread (it is in a system call). */
struct trap_frame *sys_frame(void);

/* The table entry of nr, or NULL when the number means nothing. */
const struct sys_entry *sys_lookup(uint64_t nr);

/* systrace.c: is the calling process traced? Then the dispatcher calls
 * systrace_call, which prints the call with its decoded arguments and
 * result and returns the result. */
extern bool systrace_active;
void systrace_init(const char *spec);
bool systrace_wanted(void);
long systrace_call(const struct sys_entry *e, uint64_t nr, const uint64_t a[6],
		   long (*call)(const struct sys_entry *e, uint64_t nr, const uint64_t a[6]));

/* proc.c: getrusage's and wait4's struct rusage at dst (nothing for a
 * null dst); 0 or -EFAULT. */
struct proc_usage;
int sys_put_rusage(uptr_t dst, const struct proc_usage *u);

/* time.c: a checked timespec in ns (very long times capped). */
struct abi_timespec;
uint64_t sys_timespec_ns(const struct abi_timespec *t);

#endif
