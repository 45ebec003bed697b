/* Ring 3: entering a program, the system-call gate (syscall/sysret), the
 * user register frame and the per-thread state the CPU must switch (kernel
 * stack, FS and GS bases). The kernel sees the frame only through the
 * accessors here; docs/user-kernel.md tells the whole path.
 *
 * The user register frame is a struct trap_frame at the very top of a user
 * thread's kernel stack: every entry from ring 3 (syscall, interrupt,
 * exception) saves the program's registers there, and the way back
 * restores them from there. */
#ifndef HAL_USERMODE_H
#define HAL_USERMODE_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/trap.h>

/* The user half ends here (the first non-canonical address). */
#define USERMODE_TOP 0x0000800000000000ull

/* trap_frame.vector of a frame built by the syscall entry; its error_code
 * holds the call number as the program gave it (Linux's orig_rax). */
#define TRAP_SYSCALL 0x100

/* Bytes a user thread's kernel stack keeps free at its top for the frame. */
#define USERMODE_FRAME_SIZE ((uint64_t)sizeof(struct trap_frame))

/* A user thread's FS and GS bases (arch_prctl); the TLS pointer of libc. */
struct usermode_tls {
	uint64_t fs_base, gs_base;
};

/* Called from the syscall entry with interrupts on: it does the call and
 * everything due before the return to ring 3 and returns with interrupts
 * off. */
typedef void (*usermode_syscall_fn)(struct trap_frame *f);

/* Arms syscall/sysret on this CPU (EFER.SCE, STAR, LSTAR, SFMASK) with the
 * kernel's handler. */
void usermode_init(usermode_syscall_fn handler);
/* The syscall MSRs of another CPU, after the boot CPU's usermode_init. */
void usermode_init_cpu(void);

/* The frame of the user thread whose kernel stack ends at kstack_top. */
static inline struct trap_frame *usermode_frame(void *kstack_top)
{
	return (struct trap_frame *)kstack_top - 1;
}

/* A fresh frame: every register zero, user code and stack segments,
 * interrupts on, ip and sp as given (a new program). */
void usermode_frame_init(struct trap_frame *f, uint64_t ip, uint64_t sp);
/* Does f return to ring 3 with user segments, canonical user addresses and
 * only flags a program may hold? (A forged frame must never reach iretq.) */
bool usermode_frame_valid(const struct trap_frame *f);

/* Switches to ring 3 with the registers in f, which must be the calling
 * thread's frame (usermode_frame of its stack): the stack the thread runs
 * on now is dropped. Interrupts must be off. */
void usermode_enter(struct trap_frame *f) __attribute__((noreturn));

/* On a switch to a user thread: its kernel stack for entries from ring 3
 * (TSS rsp0 and the syscall entry's), and its FS and GS bases. */
void usermode_switch(void *kstack_top, const struct usermode_tls *tls);
/* Loads new bases for the running user thread (arch_prctl; exec). */
void usermode_load_tls(const struct usermode_tls *tls);

/* The frame in portable terms. */
static inline uint64_t usermode_ip(const struct trap_frame *f) { return f->rip; }
static inline uint64_t usermode_sp(const struct trap_frame *f) { return f->rsp; }
static inline void usermode_set_ip(struct trap_frame *f, uint64_t v) { f->rip = v; }
static inline void usermode_set_sp(struct trap_frame *f, uint64_t v) { f->rsp = v; }
static inline void usermode_set_retval(struct trap_frame *f, uint64_t v) { f->rax = v; }
static inline bool usermode_is_syscall(const struct trap_frame *f) { return f->vector == TRAP_SYSCALL; }
/* The call number as the program passed it (also after the result has
 * replaced it in the return register). */
static inline uint64_t usermode_syscall_nr(const struct trap_frame *f) { return f->error_code; }
/* The six argument registers in ABI order: rdi, rsi, rdx, r10, r8, r9. */
static inline void usermode_syscall_args(const struct trap_frame *f, uint64_t a[6])
{
	a[0] = f->rdi;
	a[1] = f->rsi;
	a[2] = f->rdx;
	a[3] = f->r10;
	a[4] = f->r8;
	a[5] = f->r9;
}

/* A register message (channel_call_regs, docs/ipc.md): its six words
 * travel in rdx, r10, r8, r9, r12 and r13, and come back there with the
 * received message's size in rsi. */
#define USERMODE_MSG_WORDS 6
static inline void usermode_msg_words(const struct trap_frame *f, uint64_t w[USERMODE_MSG_WORDS])
{
	w[0] = f->rdx;
	w[1] = f->r10;
	w[2] = f->r8;
	w[3] = f->r9;
	w[4] = f->r12;
	w[5] = f->r13;
}

static inline void usermode_set_msg_size(struct trap_frame *f, uint64_t size) { f->rsi = size; }
static inline void usermode_set_msg(struct trap_frame *f, const uint64_t w[USERMODE_MSG_WORDS],
				    uint64_t size)
{
	f->rsi = size;
	f->rdx = w[0];
	f->r10 = w[1];
	f->r8 = w[2];
	f->r9 = w[3];
	f->r12 = w[4];
	f->r13 = w[5];
}

#endif
