/* Robust futexes: at a thread's end (and at exec) the locks it still
 * holds on its set_robust_list list are marked FUTEX_OWNER_DIED and one
 * waiter of each is woken, so the next locker sees EOWNERDEAD. */
#ifndef KERNEL_PROC_ROBUST_H
#define KERNEL_PROC_ROBUST_H

struct thread;

/* Walks t's robust list; t must be the calling thread (the list is read
 * through the user-copy helpers, in its own address space). A bad or
 * endless list ends the walk: at most ROBUST_LIST_LIMIT entries. */
void robust_list_exit(struct thread *t);

#endif
