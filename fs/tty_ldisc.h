/* The line discipline of every terminal: input editing (canonical mode
 * with erase, kill, word-erase, literal-next, reprint, end of file and end
 * of line characters), echo, the signal characters, raw and cbreak reads
 * with VMIN/VTIME, and output processing (OPOST). Portable and
 * host-tested: the terminal device (fs/tty.c) supplies the lock, the
 * clock, the sleeping and the user copies. IXON/IXOFF flow control is not
 * done: ^S and ^Q are ordinary bytes. */
#ifndef FS_TTY_LDISC_H
#define FS_TTY_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/abi/termios.h>

/* The input queue: complete lines and raw bytes waiting for a reader. A
 * canonical line holds up to LDISC_BUF - 1 bytes and its terminator. */
#define LDISC_BUF 4096

/* Which signal character came (the device maps them to SIGINT...). */
enum ldisc_signal { LDISC_SIGINT, LDISC_SIGQUIT, LDISC_SIGTSTP };

#define LDISC_HUNGUP 1

struct ldisc_ops {
	/* Bytes for the terminal's screen or line, after output processing:
	 * echoes and what programs write. */
	void (*output)(void *ctx, const char *s, size_t n);
	/* A signal character under ISIG, for the foreground process group;
	 * the queue was already flushed unless NOFLSH. */
	void (*signal)(void *ctx, enum ldisc_signal sig);
};

/* How a read reaches its caller: called with the caller's lock held,
 * except that wait drops it while it sleeps. */
struct ldisc_reader {
	/* Moves n bytes to the reader: the bytes moved, or -EFAULT. */
	long (*copy_out)(void *ctx, const char *src, size_t n);
	/* Sleeps until input may have come, the terminal hung up, or the
	 * deadline (ns; 0: none) passed: 0, LDISC_HUNGUP (the read ends
	 * with what it has: end of file), -ETIMEDOUT or -EINTR. */
	int (*wait)(void *ctx, uint64_t deadline);
	uint64_t (*now)(void *ctx);
	void *ctx;
};

/* The whole state; the caller's lock protects all of it. Positions are
 * counts of bytes since the start (the queue index is count % LDISC_BUF):
 * [tail, canon_head) can be read in canonical mode, [tail, head) holds
 * everything, and [canon_head, head) is the line being edited. */
struct ldisc {
	struct termios termios;
	const struct ldisc_ops *ops;
	void *ctx;
	char buf[LDISC_BUF];
	uint8_t delim[LDISC_BUF / 8];   /* bytes that end a line */
	uint8_t eof[LDISC_BUF / 8];     /* ... because they were VEOF: never read */
	uint64_t head, canon_head, tail;
	unsigned column;                /* where output has left the cursor */
	unsigned canon_column;          /* the column the edited line's echo began at */
	bool lnext;                     /* the last byte was VLNEXT */
};

/* Linux's defaults for a new terminal (ICANON, ECHO, ISIG, ^C...). */
void ldisc_default_termios(struct termios *t);
void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *ctx);
/* Installs new settings: switching canonical mode on or off makes what is
 * queued readable at once. */
void ldisc_set_termios(struct ldisc *ld, const struct termios *t);
/* One byte from the keyboard or the line. False when it could not be
 * taken (a full queue outside canonical mode): offer it again after a
 * read. In canonical mode a full queue drops ordinary bytes, so that
 * erase, kill and the signal characters always work. */
bool ldisc_receive(struct ldisc *ld, uint8_t c);
/* A read of up to n bytes: a line (or what fits of it) in canonical mode,
 * else by VMIN and VTIME. Bytes read (0: end of file, a hang-up, a VTIME
 * timeout, or VMIN = VTIME = 0 with nothing queued), -EAGAIN when
 * nonblock and nothing could be read, -EINTR, -EFAULT. */
long ldisc_read(struct ldisc *ld, size_t n, bool nonblock, const struct ldisc_reader *r);
/* Program output through OPOST processing to ops->output. */
void ldisc_write(struct ldisc *ld, const char *s, size_t n);
/* Readable now (poll's POLLIN): a line or end of file in canonical mode,
 * else enough bytes for VMIN when VTIME is 0, else any byte. */
bool ldisc_readable(const struct ldisc *ld);
/* FIONREAD: bytes a read could return now. */
size_t ldisc_queued(const struct ldisc *ld);
/* Discards all queued input. */
void ldisc_flush_input(struct ldisc *ld);

#endif
