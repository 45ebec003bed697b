/* fork, vfork and clone, for sys/proc.c. */
#ifndef KERNEL_PROC_FORK_H
#define KERNEL_PROC_FORK_H

#include <stdint.h>
#include <hal/trap.h>

/* clone's arguments, already copied from the registers. */
struct clone_req {
	uint64_t flags;        /* CLONE_* and the exit signal in the low byte */
	uint64_t stack;        /* the child's stack pointer; 0: the parent's */
	uint64_t parent_tid;   /* CLONE_PARENT_SETTID: where the parent gets the tid */
	uint64_t child_tid;    /* CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID */
	uint64_t tls;          /* CLONE_SETTLS: the child's FS base */
};

/* Starts a child of the calling program that resumes from parent_frame
 * (the caller's user frame) with 0 in the return register. The child's
 * tid (its pid when it is a process), or -EINVAL (flags Linux refuses or
 * CosmOS does not support), -EAGAIN (RLIMIT_NPROC, the thread ceiling),
 * -ENOMEM. With CLONE_VFORK returns once the child has exec'd or ended. */
long process_clone(const struct clone_req *req, const struct trap_frame *parent_frame);

#endif
