/* IPC channels: the structures, limits and flags of the native channel
 * calls (channel_create, channel_send, channel_recv, channel_call, the
 * register calls, handle_rights, handle_restrict), shared by sys/ and user/.
 * docs/ipc.md describes the calls. */
#ifndef COSMOS_CHANNEL_H
#define COSMOS_CHANNEL_H

#include <stdint.h>

#define CHAN_MSG_MAX      65536u  /* bytes in one message */
#define CHAN_HANDLES_MAX  64u     /* handles in one message */

/* channel_create flags (Linux's O_NONBLOCK and O_CLOEXEC values): the
 * endpoints' status flag and descriptor flag. */
#define CHAN_NONBLOCK 00004000
#define CHAN_CLOEXEC  02000000

/* Per-call flags of channel_send, channel_recv and channel_call. */
#define CHAN_DONTWAIT    1u       /* -EAGAIN instead of waiting */
#define CHAN_RECV_CLOEXEC 2u      /* received descriptors get FD_CLOEXEC */

/* Register messages (channel_call_regs, channel_reply_recv_regs): up to
 * this many 64-bit words, in registers, no handles. The second argument
 * holds the size in bytes (low 32 bits; CHAN_REG_NOREPLY: no reply) and
 * the flags (high 32 bits). */
#define CHAN_REG_WORDS    6u
#define CHAN_REG_BYTES    (CHAN_REG_WORDS * 8)
#define CHAN_REG_NOREPLY  0xffffffffu

/* Handle rights: what a descriptor allows on its object. They can only
 * be reduced (sending a handle, handle_restrict). */
#define CHAN_RIGHT_READ     1u    /* channel_recv; read on files */
#define CHAN_RIGHT_WRITE    2u    /* channel_send; write on files */
#define CHAN_RIGHT_TRANSFER 4u    /* may travel in a message */
#define CHAN_RIGHT_DUP      8u    /* dup, dup2, fcntl(F_DUPFD) */
#define CHAN_RIGHTS_ALL     15u
#define CHAN_RIGHTS_SAME    0xffffffffu   /* send: the sender's rights */

/* One handle in a message: on send the descriptor and the rights the
 * receiver gets (a subset of the sender's, or CHAN_RIGHTS_SAME); on
 * receive the new descriptor and its rights. */
struct chan_handle {
	int32_t fd;
	uint32_t rights;
};

/* A message as the calls see it. On receive, size and nhandles say the
 * room there is; on return they hold the message's own counts (also when
 * it did not fit: the call fails with -EMSGSIZE and leaves it queued). */
struct chan_msg {
	uint64_t data;          /* the bytes */
	uint32_t size;
	uint32_t nhandles;
	uint64_t handles;       /* struct chan_handle[nhandles] */
};

#endif
