/* Threads that run programs: their start in ring 3, the work done on
 * every return to ring 3, their FPU state across fork and exec, and their
 * end (the robust-list walk, the clear-child-tid wake). The user register frame is hal's
 * (hal/usermode.h); it sits at the top of the thread's kernel stack. */
#ifndef KERNEL_PROC_UTHREAD_H
#define KERNEL_PROC_UTHREAD_H

#include <hal/usermode.h>
#include <kernel/sched/thread.h>

struct process;

/* Takes over ring 3's faults and returns from the kernel's trap code. */
void uthread_init(void);

static inline struct trap_frame *uthread_frame(struct thread *t)
{
	return usermode_frame(t->kstack_top);
}

/* A new user thread, suspended: the caller fills in its frame, TLS and
 * address space, adds it to a process, and resumes it; it then enters
 * ring 3 with that frame. NULL on no memory (or tid 1 taken, for
 * THREAD_TID_ONE in flags). */
struct thread *uthread_create(const char *name, int prio, unsigned flags);
/* Frees a thread from uthread_create that never ran. */
void uthread_discard(struct thread *t);
/* For a thread function that prepared its own frame (the first program):
 * does the return work and enters ring 3. */
void uthread_enter(struct thread *t) __attribute__((noreturn));

/* Everything due before the calling thread returns to ring 3 with frame
 * f: leaving when its process ends or an exec replaces it, pending work
 * the signal code adds. Returns with interrupts off. */
void uthread_return(struct trap_frame *f);

/* A new program's clean FPU state in the calling thread's registers. */
void uthread_fpu_reset(void);
/* fork/clone: child starts with the caller's FPU state. */
void uthread_fpu_copy_to(struct thread *child);

/* From the exit hook of a user thread: the robust-list walk and the
 * clear-child-tid store and wake, while its address space is still
 * there. */
void uthread_exiting(struct thread *t);

#endif
