/* What the files of kernel/proc give each other; nothing outside
 * kernel/proc includes this. */
#ifndef KERNEL_PROC_INTERNAL_H
#define KERNEL_PROC_INTERNAL_H

#include <kernel/proc/process.h>

/* A process struct with its lists, lock, name and pid, in no table and
 * holding nothing. NULL on no memory. */
struct process *process_alloc(const char *name, int prio, int pid);
/* Puts p in the table as parent's child, in parent's group and session.
 * Table lock held. */
void process_link_locked(struct process *p, struct process *parent);
/* Drops p's address space (after loading the kernel's tables if it was
 * the loaded one), descriptors, file-system context, handlers and
 * program path. */
void process_release_resources(struct process *p);

#endif
