/* Resource limits: the defaults a system starts with, the checks fork and
 * clone make (RLIMIT_NPROC per user, and a ceiling on all threads that
 * keeps a fork bomb from eating the memory the kernel needs), and what a
 * change of RLIMIT_NOFILE, RLIMIT_STACK or RLIMIT_AS must reach. */
#ifndef KERNEL_PROC_LIMITS_H
#define KERNEL_PROC_LIMITS_H

#include <stdint.h>
#include <cosmos/abi/resource.h>

struct process;

/* Linux's defaults: NOFILE 1024 (hard 4096), STACK 8 MiB, NPROC half the
 * thread ceiling, the rest unlimited but CORE 0, MEMLOCK 8 MiB, SIGPENDING
 * and MSGQUEUE Linux's. */
void limits_init_defaults(struct rlimit64 rlim[RLIM_NLIMITS]);
/* The most threads the machine runs at once, from its memory. */
unsigned limits_threads_max(void);

/* A new thread in a process the caller would create (new_process) or in
 * its own: 0, or -EAGAIN when the thread ceiling or the caller's
 * RLIMIT_NPROC (not for root) is reached. Table lock held. */
int limits_may_add_thread(const struct process *creator);
/* Counting threads per real uid; table lock held. */
void limits_thread_added(const struct process *p);
void limits_thread_removed(const struct process *p);
/* p's real uid changes from old to p->cred.uid: its threads move. */
void limits_uid_changed(const struct process *p, uint32_t old_uid);

/* setrlimit/prlimit64 on p: checks (the soft limit at most the hard one,
 * a raised hard limit only for root, NOFILE at most HANDLE_LIMIT_MAX),
 * stores, and passes NOFILE to the descriptor table and STACK and AS to
 * the address space. 0, -EINVAL or -EPERM. */
int limits_set(struct process *p, int resource, const struct rlimit64 *lim);

struct vm_limits;
/* The address-space limits p's resource limits give (p->lock held, or p
 * the caller's own process). */
void limits_vm(const struct process *p, struct vm_limits *vl);

#endif
