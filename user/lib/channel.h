/* CosmOS's IPC channels from C: the native calls as functions (each
 * returns -1 and sets errno on failure, as libc does), and a small
 * request/reply helper for clients and servers. docs/ipc.md. */
#ifndef USER_CHANNEL_H
#define USER_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/channel.h>

/* Two connected endpoints in fds; flags CHAN_NONBLOCK, CHAN_CLOEXEC. */
int chan_create(int fds[2], unsigned flags);
/* Sends size bytes and nh handles as one message. */
int chan_send(int fd, const void *data, uint32_t size, const struct chan_handle *h,
	      uint32_t nh, unsigned flags);
/* Receives one message: *size and *nh say the room in buf and h and are
 * set to the message's counts (also on EMSGSIZE, when it stays queued).
 * 1 for a message, 0 when the peer closed and nothing is left. h may be
 * NULL with *nh 0. */
int chan_recv(int fd, void *buf, uint32_t *size, struct chan_handle *h, uint32_t *nh,
	      unsigned flags);
/* Sends a request and waits (at most timeout_ns, negative: for ever) for
 * the next message on fd, the reply, into rep (room *replen, set to its
 * size). 1 for a reply, 0 if the peer closed first. */
int chan_call(int fd, const void *req, uint32_t reqlen, void *rep, uint32_t *replen,
	      long timeout_ns);
/* A server's reply and its next request in one call: sends replen
 * bytes at rep (nothing when rep is NULL), then receives as chan_recv. An
 * error of the reply returns before anything is received. */
int chan_reply_recv(int fd, const void *rep, uint32_t replen, void *buf, uint32_t *size,
		    struct chan_handle *h, uint32_t *nh, unsigned flags);
/* Register messages: up to CHAN_REG_WORDS words (CHAN_REG_BYTES bytes)
 * in w, passed in registers, no user buffer touched, no handles.
 * chan_call_regs sends *size bytes of w and waits (no timeout) for the
 * reply, which replaces w (zero past its end) and *size. 1 for a reply,
 * 0 if the peer closed first; EMSGSIZE (with *size set) when the reply is
 * longer or carries handles: it stays queued. */
int chan_call_regs(int fd, uint64_t w[CHAN_REG_WORDS], uint32_t *size);
/* A server's turn: sends *size bytes of w as the reply (none when *size
 * is CHAN_REG_NOREPLY), then receives the next request into w and *size,
 * as chan_call_regs; flags CHAN_DONTWAIT (for both). */
int chan_reply_recv_regs(int fd, uint64_t w[CHAN_REG_WORDS], uint32_t *size, unsigned flags);
/* Rights of a descriptor; reducing them. */
int handle_rights(int fd);
int handle_restrict(int fd, unsigned rights);

/* A server's loop: receives requests on fd, calls handler(ctx, req, len,
 * reply, CHAN_MSG_MAX), which returns the reply's length (or -1 to send
 * none), and sends that reply back on fd with the next receive
 * (chan_reply_recv). Returns 0 when the client
 * closed its end, -1 on an error (errno set). */
typedef long (*chan_handler)(void *ctx, const void *req, uint32_t len, void *reply,
			     uint32_t cap);
int chan_serve(int fd, chan_handler handler, void *ctx);

#endif
