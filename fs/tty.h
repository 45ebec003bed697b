/* Terminal devices: a line discipline (fs/tty_ldisc.h) between a driver
 * that shows bytes (the screen, the serial line) and the programs that
 * open the device, with input taken from interrupt context, blocking and
 * non-blocking reads, termios and window size, and the session, the
 * foreground process group and hang-ups of job control. This layer knows
 * nothing of files: fs/tty_file.c makes device files of it. */
#ifndef FS_TTY_H
#define FS_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/termios.h>
#include <fs/tty_ldisc.h>
#include <lib/list.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>
#include <kernel/sync/spinlock.h>

struct tty;

struct tty_driver {
	const char *name;                       /* "tty1" */
	/* Shows bytes (after output processing); called with the tty's lock. */
	void (*write)(struct tty *t, const char *s, size_t n);
	/* May be NULL: more input bytes, for a driver whose input is not
	 * pushed through tty_input (the keyboard's events): up to max bytes
	 * into buf, 0 when there are none. Called by the input thread. */
	size_t (*pull)(struct tty *t, char *buf, size_t max);
};

/* Bytes from interrupt context wait here for the input thread. */
#define TTY_RAW_SIZE 1024

struct tty {
	const struct tty_driver *drv;
	void *drv_data;
	struct mutex lock;              /* everything below up to the raw ring */
	struct ldisc ld;
	struct winsize ws;
	int sid;                        /* the session it is the controlling terminal of; 0: none */
	int pgrp;                       /* its foreground process group; 0: none */
	unsigned opens;                 /* open handles */
	bool prompt_seen;               /* a program has waited for input (note_first_prompt) */
	/* Bumped (under lock) at each hang-up: handles opened before it are dead. */
	volatile uint64_t gen;
	/* Bumped (under lock) whenever a reader should look again. */
	volatile uint64_t events;
	struct waitq read_wq;           /* readers and pollers */
	struct list_node async;         /* its files with O_ASYNC (fs/fasync.h) */
	bool input_blocked;             /* the queue was full: a read must wake the input thread */
	char pend[16];                  /* input taken from the sources, not yet in the queue */
	size_t pend_len, pend_pos;
	/* Input from interrupt context, under raw_lock: */
	struct spinlock raw_lock;
	char raw[TTY_RAW_SIZE];
	uint32_t raw_head, raw_tail;
	uint64_t raw_dropped;           /* bytes that found the ring full */
	volatile bool input_ready;      /* the input thread has something to do */
	struct waitq input_wq;
	/* When the input thread last finished with input: its echo is shown
	 * by then (time_ns; for the echo benchmark). */
	volatile uint64_t echo_done_ns;
};

/* One open of a terminal (what a file's private data holds). */
struct file;

struct tty_handle {
	struct tty *tty;
	uint64_t gen;           /* the terminal's gen when opened */
	bool console;           /* opened as /dev/console: hang-ups pass it by */
};

/* How a read or a write moves data to or from its caller. */
struct tty_copy {
	long (*out)(void *ctx, const char *src, size_t n);     /* read: bytes moved or -EFAULT */
	long (*in)(void *ctx, char *dst, size_t n);            /* write */
	void *ctx;
};

/* Sets up t (Linux's default termios, the given window size), starts its
 * input thread and adds it to the terminals job control looks through. 0,
 * -ENOSPC (TTY_MAX terminals already) or -ENOMEM. */
int tty_create(struct tty *t, const struct tty_driver *drv, void *drv_data, uint16_t rows, uint16_t cols);
/* From interrupt context (or any): input bytes. Bytes that find the ring
 * full are dropped and counted. */
void tty_input(struct tty *t, const char *s, size_t n);
/* The pull source has bytes: wake the input thread (interrupt context). */
void tty_input_wake(struct tty *t);

/* Opens: without noctty, a session leader with no controlling terminal
 * takes this one if it is free (as Linux, /dev/console and /dev/tty open
 * with noctty). Returns 0. */
int tty_open(struct tty *t, bool noctty, bool console, struct tty_handle *h);
void tty_close(struct tty_handle *h);
long tty_read(struct tty_handle *h, const struct tty_copy *c, size_t n, bool nonblock);
long tty_write(struct tty_handle *h, const struct tty_copy *c, size_t n, bool nonblock);
/* kbuf: the argument sys/ioctl.c copied in (and copies out on success),
 * sized as include/cosmos/abi/termios.h says; arg: by-value arguments. */
long tty_ioctl(struct tty_handle *h, unsigned cmd, uint64_t arg, void *kbuf);
/* For poll: the queue a poller waits on, which it joins before it asks
 * tty_poll, so that input coming between the question and the sleep wakes
 * it; then whether a read would not block, and whether the handle is hung
 * up. will_wait: the caller sleeps if nothing is ready. */
struct waitq *tty_poll_queue(struct tty_handle *h);
void tty_poll(struct tty_handle *h, bool will_wait, bool *readable, bool *hungup);

/* The session sid ends (its leader exits): its controlling terminal, if
 * any, hangs up: SIGHUP and SIGCONT to the foreground process group,
 * handles opened before become dead (reads see end of file, writes EIO),
 * and the terminal is free for another session. */
void tty_session_leader_exit(int sid);
/* O_ASYNC on a handle's file (the file op fasync) and its removal when
 * the file goes: its owner hears SIGIO when input becomes readable. */
int tty_fasync(struct tty_handle *h, struct file *f, bool on);
/* The caller's controlling terminal (/dev/tty), or NULL. */
struct tty *tty_current(void);
/* The controlling terminal of session sid, or NULL; *pgrp (if not NULL)
 * gets its foreground process group. */
struct tty *tty_of_session(int sid, int *pgrp);
/* /proc's tty_nr and tpgid of session sid: the device number of its
 * controlling terminal in Linux's encoding (major << 8 | minor for small
 * numbers; 0 for none) and its foreground group (-1 for none). */
void tty_session_ids(int sid, int *tty_nr, int *tpgid);

#endif
