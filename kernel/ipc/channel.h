/* Channels: pairs of endpoints carrying datagrams of bytes and handles,
 * in order, whole or not at all, through bounded queues. An endpoint is a
 * struct file (so a descriptor: poll, dup, fork, close-on-exec work on
 * it). This layer holds kernel copies only; sys/ipc.c copies between
 * programs and messages and turns descriptors into handles. docs/ipc.md. */
#ifndef KERNEL_IPC_CHANNEL_H
#define KERNEL_IPC_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/channel.h>
#include <cosmos/compiler.h>
#include <lib/list.h>

struct file;
struct kobject;

/* Each endpoint's queue holds at most this many messages and, beyond its
 * first message, at most this many bytes. */
#define CHAN_QUEUE_MSGS  64u
#define CHAN_QUEUE_BYTES (256u * 1024)

/* A handle in transit: the message holds one reference to obj. */
struct ipc_handle {
	struct kobject *obj;
	uint32_t rights;
};

struct ipc_msg {
	struct list_node node;     /* in an endpoint's queue (the channel's lock) */
	uint32_t size, nhandles;
	struct ipc_handle *h;      /* nhandles entries, after data */
	uint8_t data[];
};

/* A message with room for size bytes and nhandles handles (both within
 * the CHAN_ limits, else NULL); the caller fills data and h (each h[i].obj
 * a reference it gives the message). NULL: no memory. */
struct ipc_msg *ipc_msg_alloc(uint32_t size, uint32_t nhandles) __must_check;
/* Drops the handles' references and frees m. */
void ipc_msg_free(struct ipc_msg *m);

/* Two connected endpoints; flags: CHAN_NONBLOCK. 0, -EINVAL, -ENOMEM. */
int channel_create(uint32_t flags, struct file **a, struct file **b) __must_check;
/* Is f an endpoint? */
bool channel_is_endpoint(const struct file *f);
/* Would sending o through f make the channel hold one of its own
 * endpoints (a cycle nothing could ever free)? */
bool channel_carries_self(const struct file *f, const struct kobject *o);

/* Queues m at f's peer (the message is the channel's then, even on
 * success only). Waits for room unless nonblock (-EAGAIN); -EPIPE when the
 * peer is closed; -EINTR, -ETIMEDOUT (deadline: time_ns(), 0 none). On an
 * error m is still the caller's. When a receiver is asleep on the peer it
 * is handed the CPU at the caller's next switch (sched_hand_off). */
int channel_send(struct file *f, struct ipc_msg *m, bool nonblock, uint64_t deadline);

/* Takes the next message from f's queue: waits for one (unless nonblock:
 * -EAGAIN), then calls deliver(m, ctx) with the channel locked (it must
 * not touch this channel). deliver returns 0 to take the message (then
 * channel_recv frees it: deliver must have taken what it keeps) or an
 * error, which leaves the message at the head of the queue and is
 * returned. 1 for a message delivered, 0 at the end of the channel (peer
 * closed, queue empty), -EINTR, -ETIMEDOUT. */
int channel_recv(struct file *f, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
		 bool nonblock, uint64_t deadline);

#endif
