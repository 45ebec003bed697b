/* Processes: a Linux thread group. An address space, threads, a
 * descriptor table, a file-system context, signal handlers, credentials,
 * limits, a pid (its first thread's tid), a parent, a process group and a
 * session. A process whose last thread has ended is a zombie (everything
 * it owned already freed) until its parent reaps it with process_wait.
 * Orphans pass to init (pid 1) when they run programs, otherwise to the
 * kernel, which frees them as soon as they end. */
#ifndef KERNEL_PROC_PROCESS_H
#define KERNEL_PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/abi/resource.h>
#include <cosmos/compiler.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/ptimer.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/condvar.h>
#include <kernel/sync/mutex.h>

#define PROC_NAME_MAX 16          /* Linux's TASK_COMM_LEN, with the NUL */

enum process_state { PROC_ALIVE, PROC_ZOMBIE };

struct vm_space;
struct fs_ctx;
struct sighand;

struct process {
	int pid;                      /* its first thread's tid; fixed */
	/* Under the process table lock (process.c): */
	struct process *parent;       /* the kernel's own process for children of
				       * kernel threads and for orphans it took */
	struct list_node sibling;     /* in parent->children */
	struct list_node children;
	struct list_node all_node;    /* process table */
	enum process_state state;
	int exit_status;              /* Linux's wait status, set by the first exit */
	bool exiting;                 /* exit_group ran, a fatal signal came, or its
				       * last thread ended: its threads leave */
	bool orphan;                  /* the kernel took it over: freed when it ends */
	bool user;                    /* runs a program: its orphans go to init */
	bool did_exec;                /* has exec'd since fork (setpgid refuses then) */
	struct list_node threads;     /* struct thread proc_node */
	unsigned nthreads;            /* written under the table lock with atomic stores,
				       * read unlocked by sys_file_get_rights */
	struct thread *execer;        /* a thread in exec waiting for the others to go */
	uint64_t cpu_ns;              /* of threads that have ended */
	uint64_t child_cpu_ns;        /* of children reaped (RUSAGE_CHILDREN, times) */
	/* context switches (thread.h), the same way: of threads that have
	 * ended, of children reaped */
	uint64_t nvcsw, nivcsw, child_nvcsw, child_nivcsw;
	int pgid, sid;
	int exit_signal;              /* for the parent at the end: SIGCHLD, or 0 */
	struct completion *vfork_done;/* the vfork parent waits for exec or exit */
	struct condvar child_cv;      /* a child became a zombie; the execer's wait */
	/* Set at creation or by exec; pointers swapped only under lock, and
	 * only by the process's own threads (so they read them freely): */
	struct mutex lock;
	struct vm_space *vm;          /* counted; CLONE_VM shares it; NULL: none yet */
	struct handle_table *files;   /* counted; CLONE_FILES shares it */
	struct fs_ctx *fs;            /* fs/fs_ctx.h; counted; CLONE_FS shares it; NULL: the kernel's */
	struct sighand *sighand;      /* counted; CLONE_SIGHAND shares it */
	struct cred cred;             /* changed only by its own threads, under lock
	                               * and inside cred_seq's write section;
	                               * others read it with cred_read */
	uint32_t cred_seq;            /* seqcount of cred (cred.h) */
	struct rlimit64 rlim[RLIM_NLIMITS];   /* under lock */
	char *exe;                    /* the program's path (heap), or NULL */
	int prio;                     /* for new threads */
	uint64_t start_ns;            /* time_ns() at creation; fixed */
	/* Signals (kernel/proc/signal.h; sig_lock): */
	struct sigpending sig_shared; /* sent to the process, not to one thread */
	bool stopped;                 /* stopped by a signal until SIGCONT */
	struct waitq stop_wq;         /* its threads wait here while stopped */
	struct waitq signalfd_wq;     /* signalfd readers; woken by every signal queued
				       * to it or one of its threads */
	enum sig_report report;       /* for wait's WUNTRACED/WCONTINUED; table lock */
	int report_sig;               /* the signal that stopped it; table lock */
	struct timer_event itimer;    /* ITIMER_REAL (alarm, setitimer); itimer_lock */
	uint64_t itimer_interval;     /* ns; 0: one shot; itimer_lock */
	bool itimer_armed;            /* ITIMER_REAL set and not yet spent; itimer_lock */
	/* ITIMER_VIRTUAL and ITIMER_PROF, in the process's CPU time (kernel/proc/itimer.c;
	 * itimer_lock): deadline 0 is disarmed */
	uint64_t itimer_cpu_deadline[2], itimer_cpu_interval[2];
	struct ptimer *ptimers[PTIMER_MAX]; /* POSIX timers by id (kernel/proc/ptimer.c); sig_lock */
	unsigned ptimers_cpu_armed;   /* of them, armed on a CPU-time clock; sig_lock */
	/* prctl (sys/prctl.c). Under lock: */
	bool dumpable;                /* core files are written and /proc/<pid> is the
				       * owner's; exec and a change of effective or
				       * file-system id set it (Linux's suid_dumpable 0) */
	bool no_new_privs;            /* exec ignores set-id bits; kept across fork
				       * and exec, never cleared */
	/* Under the process table lock: */
	bool subreaper;               /* orphans of its descendants come here
				       * before init */
	int pdeath_sig;               /* sent to it when parent_tid's thread ends */
	int parent_tid;               /* the thread that created it, or the one
				       * that took it over */
	/* Read without a lock by its own threads: */
	uint64_t nosys_seen[8];       /* sys/: numbers whose -ENOSYS was logged */
	char name[PROC_NAME_MAX];     /* the program's name (comm); under lock */
};

void process_init(void);
/* A new process, child of the calling thread's process (the kernel's for
 * a kernel thread), with an empty descriptor table (limit
 * HANDLE_LIMIT_DEFAULT), no address space and no thread: start one with
 * process_spawn_thread. Its pid is a fresh thread id. NULL on no memory. */
struct process *process_create(const char *name, int prio) __must_check;
/* Starts a kernel thread in p; it ends with thread_exit like any thread
 * (it is detached: the process owns it). 0, -ENOMEM, -ESRCH (p is exiting
 * or a zombie) or -EDEADLK (may not block here). */
int process_spawn_thread(struct process *p, const char *name, void (*fn)(void *),
			 void *arg) __must_check;
/* Frees a process that never got a thread (its setup failed half way):
 * everything it owns and the process itself. 0; -EBUSY when it has or had
 * a thread (it ends by itself then); -EDEADLK. */
int process_discard(struct process *p);
/* Adds t (created THREAD_SUSPENDED, not yet resumed) to p: it becomes one
 * of p's threads with p's exit hook. -ESRCH when p is ending. Used by
 * kernel/proc's own creators (fork, clone, init). */
int process_add_thread(struct process *p, struct thread *t) __must_check;
/* Ends the calling thread's process with a wait status (the first wins;
 * process_exit_code makes one from an exit code): the caller's thread
 * ends, the other threads are interrupted (thread_interrupt) and leave at
 * their next return to user mode or when their code sees the interrupt. */
void process_exit(int status) __attribute__((noreturn));
void process_exit_code(int code) __attribute__((noreturn));
/* Marks p as ending with status (if it is not already) and interrupts its
 * threads but the caller: the common half of exit_group and fatal signals. */
void process_kill(struct process *p, int status);
/* The kernel's own process (its threads have none of their own). */
struct process *process_kernel(void);
/* The calling thread's process; the kernel's for a kernel thread. Inline:
 * most system calls start with it. */
static inline struct process *process_current(void)
{
	struct thread *t = thread_current();

	return __builtin_expect(t && t->proc, 1) ? t->proc : process_kernel();
}
/* process_current for code that runs only in a system call, whose caller
 * is a program's thread (its process is set for its whole life): no
 * checks, one load after the %gs one. */
static inline struct process *process_caller(void)
{
	return ((struct thread *)percpu_current())->proc;
}
/* The process with this pid, with the table lock held by the caller. */
struct process *process_find_locked(int pid);
/* The lowest pid at or above from of a process in the table (zombies
 * included, the kernel's own not), or -1; table lock held. */
int process_next_pid_locked(int from);
/* The live thread with this tid and its process, table lock held. */
struct thread *process_find_thread_locked(int tid, struct process **owner);
/* Is some process in group pgid (of session sid; -1: any)? Table lock held. */
bool process_group_exists_locked(int pgid, int sid);
/* The table lock, for the short walks sys/ and kernel/proc make; taking
 * it where blocking is not allowed is a kernel bug (panic). */
void process_table_lock(void);
void process_table_unlock(void);
/* With the table lock held: waits for a change in p's children or
 * threads (p->child_cv). 0, or -EINTR once the caller was interrupted. */
int process_table_wait(struct process *p) __must_check;
/* p's own lock, for its resources (the same rule). */
void process_lock(struct process *p);
/* One of p's flags (dumpable, no_new_privs: prctl changes them under
 * p's lock) read under that lock. */
bool process_flag(struct process *p, const bool *flag);

/* What process_wait waits for (waitid's idtypes; wait4's pid arguments map
 * onto them) and how. */
/* What getrusage and wait4 report: CPU time and context switches
 * (voluntary: to wait; involuntary: preempted or yielding). */
struct proc_usage {
	uint64_t cpu_ns, nvcsw, nivcsw;
};

struct process_wait_req {
	int idtype;                   /* P_ALL, P_PID, P_PGID */
	int id;
	unsigned options;             /* WNOHANG, WEXITED, WNOWAIT, WUNTRACED, WCONTINUED */
	uint64_t deadline;            /* 0: none */
};
struct process_wait_res {
	int pid, status;              /* 0 when WNOHANG found no zombie */
	uint32_t uid;
	struct proc_usage usage;      /* the child's, its reaped children's included */
};
/* Waits for a child of the caller's process to become a zombie and reaps
 * it (unless WNOWAIT). 0 with res filled; -ECHILD if there is no such
 * child (orphans the kernel took over do not count); -ETIMEDOUT at the
 * deadline; -EINTR once thread_interrupt was called on the caller;
 * -EDEADLK. */
int process_wait_for(const struct process_wait_req *req, struct process_wait_res *res) __must_check;
/* The simple form: pid > 0 that child, -1 any. Returns its pid and stores
 * its status. */
int process_wait(int pid, int *status, uint64_t deadline) __must_check;
/* For /proc/stat and loadavg: processes created since boot, and the
 * threads of processes that are running or ready to run (at least 1:
 * the caller). Nothing counts as blocked uninterruptibly. */
void process_sched_counts(uint64_t *forks, unsigned *running, unsigned *blocked);
/* Logs pid, parent, state, priority, threads and CPU time of each. */
void process_list(void);
unsigned process_count(void);

/* Sends sig to the calling thread, as the kernel does for a write to a
 * pipe nobody reads (SIGPIPE) or past RLIMIT_FSIZE (SIGXFSZ): ignored,
 * it is dropped; blocked, it stays pending. Nothing for a kernel thread. */
void process_signal_self(int sig);
/* SIGIO for an O_ASYNC file (fcntl F_SETOWN): info (SIGIO, or F_SETSIG's
 * signal) to process who, to group -who, or (tid) to thread who, each
 * member that a setter with this uid and euid may signal (Linux's rule:
 * the setter is root, or its uid or euid is the target's uid or saved
 * uid). */
struct ksiginfo;
void process_send_sigio(int who, bool tid, uint32_t uid, uint32_t euid, const struct ksiginfo *info);
/* The caller's soft limit for resource res (RLIM_INFINITY: none). */
uint64_t process_rlimit_self(int res);

/* The CPU time of all its threads so far, and of its reaped children. */
uint64_t process_cpu_ns(struct process *p);
/* getrusage's figures: RUSAGE_SELF (all its threads so far) and
 * RUSAGE_CHILDREN (its reaped children) of p, RUSAGE_THREAD of t. */
void process_usage_self(struct process *p, struct proc_usage *u);
void process_usage_children(struct process *p, struct proc_usage *u);
void thread_usage(struct thread *t, struct proc_usage *u);

#endif
