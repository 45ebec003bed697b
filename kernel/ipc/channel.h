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
struct thread;
struct vm_space;

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
 * -EAGAIN), then calls deliver(m, ctx) with m off the queue and the
 * channel unlocked (deliver may sleep). deliver returns 0 to take the
 * message (then channel_recv frees it: deliver must have taken what it
 * keeps) or an error, which puts the message back at the head of the
 * queue and is returned. 1 for a message delivered, 0 at the end of the
 * channel (peer closed, queue empty), -EINTR, -ETIMEDOUT. */
int channel_recv(struct file *f, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
		 bool nonblock, uint64_t deadline);

/* A receiver's buffer in its own address space, posted on its endpoint
 * while it sleeps in channel_recv_posted, so that a sender can copy a
 * message of bytes only straight into it (channel_send_direct). The
 * caller fills vm, data and cap, or kbuf and cap for a buffer in the
 * kernel (a register message's words on the receiver's stack); state
 * (IPC_RX_*) and the rest belong to channel.c. */
enum { IPC_RX_IDLE, IPC_RX_POSTED, IPC_RX_CLAIMED, IPC_RX_DONE };
struct ipc_rx {
	struct vm_space *vm;
	uint64_t data;
	void *kbuf;                /* non-NULL: the buffer is here, not at data in vm */
	uint32_t cap;
	uint32_t size;             /* IPC_RX_DONE: the message's size */
	int state;
	bool no_direct;            /* a direct copy failed: the queue only */
	struct thread *thread;
};

/* channel_recv, with rx (may be NULL) posted while it sleeps: 1 also when
 * a sender filled rx (rx->state == IPC_RX_DONE, rx->size bytes at
 * rx->data, no handles; deliver was not called). */
int channel_recv_posted(struct file *f, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
			struct ipc_rx *rx, bool nonblock, uint64_t deadline);

/* The direct path: if a receiver has a buffer of at least size bytes
 * posted at f's peer and nothing is queued there, copies size bytes at
 * data in vm (the caller's own memory), or at kdata in the kernel when
 * kdata is not NULL, into it, wakes the receiver and hands it the CPU: 1.
 * 0 when that cannot be done (no posted receiver, a queue, the peer
 * closed, the copy failed, kernel bytes for a buffer in another address
 * space): the caller sends through the queue (channel_send), which finds
 * and answers any error itself. */
int channel_send_direct(struct file *f, struct vm_space *vm, uint64_t data, const void *kdata,
			uint32_t size);

/* A call's send and receive on f as one step (channel_call,
 * channel_reply_recv and their register forms): when a receiver has a
 * large enough buffer posted at f's peer and nothing is queued there, the
 * message is copied into it as by channel_send_direct (*sent true), then
 * the caller receives on f as channel_recv_posted(f, deliver, ctx, rx,
 * blocking, deadline) does, and its first sleep switches this CPU straight
 * to the receiver (the scheduler's directed switch, docs/ipc.md) when it
 * may; the receive's result. *sent false, 0, nothing sent: the caller
 * sends and receives the usual way. */
int channel_call_direct(struct file *f, struct vm_space *vm, uint64_t data, const void *kdata,
			uint32_t size, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
			struct ipc_rx *rx, uint64_t deadline, bool *sent);

#endif
