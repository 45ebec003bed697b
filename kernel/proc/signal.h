/* Signals, as far as the process layer carries them: the handler table
 * CLONE_SIGHAND shares (struct sighand), the per-thread mask and pending
 * set (struct thread), the process's pending set (struct process), and
 * the two ways a process is ended by a signal today: SIGKILL, and a fault
 * in ring 3 that nothing handles (signal_force_fault). Delivery to
 * handlers is not here: a pending signal other than SIGKILL only waits. */
#ifndef KERNEL_PROC_SIGNAL_H
#define KERNEL_PROC_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/abi/signal.h>
#include <kernel/sync/spinlock.h>

struct process;

/* One signal's disposition as rt_sigaction gives it (Linux's struct
 * kernel_sigaction): handler SIG_DFL 0, SIG_IGN 1, or an address. */
struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};
#define SIGHAND_DFL 0
#define SIGHAND_IGN 1

struct sighand {
	uint32_t refs;                     /* atomic */
	struct spinlock lock;              /* action[] */
	struct sigaction_k action[NSIG];   /* action[n - 1] is signal n's */
};

static inline uint64_t sig_bit(int sig) { return 1ull << (sig - 1); }

/* All default; NULL on no memory. */
struct sighand *sighand_create(void);
/* fork: a copy with one reference. */
struct sighand *sighand_clone(struct sighand *h);
void sighand_get(struct sighand *h);
void sighand_put(struct sighand *h);
/* exec: caught signals go back to their default (ignored ones stay). */
void sighand_reset_caught(struct sighand *h);

/* Makes sig pending for p (table lock held). SIGKILL ends it. */
void signal_send_process_locked(struct process *p, int sig);

/* A fault in ring 3 the process has no way to handle: ends the calling
 * thread's process as killed by sig, with one log line (pid, name, signal,
 * code, rip, fault address). Does not return. */
void signal_force_fault(int sig, int code, uint64_t addr) __attribute__((noreturn));

/* "SIGSEGV" for 11; "signal 40" style for others (buf holds 16). */
const char *signal_name(int sig, char buf[16]);

#endif
