/* Channels (kernel/ipc/channel.h).
 *
 * Locking: each channel's lock (a spinlock: it is never held across a
 * sleep, a user copy or an allocation) protects both endpoints' queues,
 * counts, open flags, sleeper and posted-receiver fields. It is taken
 * before the scheduler's lock (the wakes with a hand-off happen under it,
 * so the woken thread cannot leave before it is named). Handle references
 * in a message are dropped outside it, since the last reference to an
 * object may be another endpoint whose release takes its own channel's
 * lock. Receivers of an endpoint sleep on its rd_wq (a message came, the
 * peer left, or a sender finished copying into a posted buffer); senders
 * to it on its room_wq (room, or it closed).
 *
 * The direct path (channel_send_direct): a receiver asleep in
 * channel_recv_posted has its buffer posted on its endpoint (rx). A sender
 * of bytes only, finding the queue empty and the buffer large enough,
 * claims the post under the channel's lock (the endpoint no longer names
 * it, so no one else can), copies from its own memory into the receiver's
 * with the lock dropped (vm_copy_between, or vm_copy_from into a register
 * receiver's kernel buffer: rx_copy), then, under the scheduler's lock,
 * marks the post done and wakes the receiver with a hand-off. A register
 * message's words into a register receiver's buffer (a memcpy that cannot
 * fail or sleep) are copied and woken without dropping the channel's lock. The
 * receiver does not leave while its post is claimed (that wait cannot be
 * interrupted; the copy does not wait for anything but the two address
 * spaces' locks), so the post, on its stack, outlives the copy. A copy
 * that fails leaves the post unused and marked no_direct: the sender
 * sends through the queue instead, where the error is found again and
 * answered as on the queued path. */
#include <kernel/ipc/channel.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/anon.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/poll.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/handle.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

struct channel;

struct chan_end {
	struct channel *ch;
	struct list_node queue;       /* messages for this end, oldest first */
	uint32_t nmsgs;
	uint32_t bytes;               /* data bytes in the queue */
	bool open;                    /* its file has not been released */
	struct thread *sleeper;       /* the last receiver asleep on it, or NULL */
	struct ipc_rx *rx;            /* a receiver's posted buffer, or NULL */
	struct waitq rd_wq, room_wq;
};

struct channel {
	struct spinlock lock;
	struct chan_end end[2];
	unsigned open_ends;
};

static const struct file_ops endpoint_ops;

static struct chan_end *peer_of(struct chan_end *e)
{
	return &e->ch->end[e == &e->ch->end[0]];
}

static uint64_t ch_lock(struct channel *ch) { return spin_lock_irqsave(&ch->lock); }
static void ch_unlock(struct channel *ch, uint64_t f) { spin_unlock_irqrestore(&ch->lock, f); }

struct ipc_msg *ipc_msg_alloc(uint32_t size, uint32_t nhandles)
{
	struct ipc_msg *m;
	size_t hoff;

	if (size > CHAN_MSG_MAX || nhandles > CHAN_HANDLES_MAX)
		return NULL;
	/* the handle array after the data, aligned for its pointers */
	hoff = (sizeof(*m) + size + 7) & ~(size_t)7;
	m = kmalloc(hoff + nhandles * sizeof(struct ipc_handle));
	if (!m)
		return NULL;
	m->size = size;
	m->nhandles = nhandles;
	m->h = (struct ipc_handle *)((char *)m + hoff);
	for (uint32_t i = 0; i < nhandles; i++)
		m->h[i].obj = NULL;
	return m;
}

void ipc_msg_free(struct ipc_msg *m)
{
	for (uint32_t i = 0; i < m->nhandles; i++)
		if (m->h[i].obj)
			kobject_put(m->h[i].obj);
	kfree(m);
}

bool channel_is_endpoint(const struct file *f)
{
	return f && f->ops == &endpoint_ops;
}

bool channel_carries_self(const struct file *f, const struct kobject *o)
{
	struct file *of = file_from_kobject((struct kobject *)o);
	struct chan_end *e = f->priv, *oe;

	if (!channel_is_endpoint(of))
		return false;
	oe = of->priv;
	return oe->ch == e->ch;
}

/* Is there room in e's queue for a message of size bytes? A queue always
 * takes one message, however large, so every message can travel. */
static bool has_room(const struct chan_end *e, uint32_t size)
{
	return e->nmsgs == 0 ||
	       (e->nmsgs < CHAN_QUEUE_MSGS && e->bytes + (uint64_t)size <= CHAN_QUEUE_BYTES);
}

int channel_send(struct file *f, struct ipc_msg *m, bool nonblock, uint64_t deadline)
{
	struct chan_end *e = f->priv, *to = peer_of(e);
	struct channel *ch = e->ch;
	uint64_t fl = ch_lock(ch);
	int err;

	while (to->open && !has_room(to, m->size)) {
		ch_unlock(ch, fl);
		if (nonblock)
			return -EAGAIN;
		err = waitq_wait_event_intr(&to->room_wq,
					    !to->open || has_room(to, m->size), deadline);
		if (err)
			return err;
		fl = ch_lock(ch);
	}
	if (!to->open) {
		ch_unlock(ch, fl);
		return -EPIPE;
	}
	list_add_tail(&to->queue, &m->node);
	to->nmsgs++;
	to->bytes += m->size;
	/* the receiver runs as soon as we give up the CPU */
	waitq_wake_all_hand_off(&to->rd_wq, to->sleeper);
	ch_unlock(ch, fl);
	sched_resched_if_needed(fl);        /* a better thread woken: now */
	return 0;
}

/* The direct path's one copy, into the claimed post, from the sender's
 * memory: into the receiver's kernel buffer (its stack, mapped
 * everywhere) or its address space. */
static int rx_copy(struct ipc_rx *rx, struct vm_space *vm, uint64_t data, uint32_t size)
{
	if (!rx->kbuf)
		return vm_copy_between(rx->vm, rx->data, vm, data, size);
	return vm_copy_from(vm, data, rx->kbuf, size);
}

/* The claimed post is filled (err 0) or could not be: the receiver wakes
 * and, filled, gets this CPU next. Scheduler's lock held; the receiver
 * reads state under it and cannot return while it reads CLAIMED, so rx
 * and its thread are valid until here. */
static void rx_finish_locked(struct chan_end *to, struct ipc_rx *rx, int err, uint32_t size)
{
	struct thread *t = rx->thread;

	if (err)
		rx->no_direct = true;
	else
		rx->size = size;
	__atomic_store_n(&rx->state, err ? IPC_RX_IDLE : IPC_RX_DONE, __ATOMIC_RELEASE);
	waitq_wake_all_sync_locked(&to->rd_wq);
	/* after the wake (a sleeping thread is not handed the CPU); t cannot
	 * run, so cannot end, while the scheduler's lock is held */
	if (!err)
		sched_hand_off_locked(t);
}

/* The receiver's buffer posted on to, claimed for a message of size bytes
 * (kernel words when kdata), or NULL when the message must be queued: no
 * post, messages queued before it, a buffer too small. Channel's lock held. */
static struct ipc_rx *claim_post(struct chan_end *to, uint32_t size, const void *kdata)
{
	struct ipc_rx *rx = to->rx;

	if (!to->open || !rx || to->nmsgs || size > rx->cap || (kdata && !rx->kbuf))
		return NULL;
	to->rx = NULL;                      /* claimed: ours alone */
	if (to->sleeper == rx->thread)
		to->sleeper = NULL;         /* it returns without the channel's lock */
	return rx;
}

int channel_send_direct(struct file *f, struct vm_space *vm, uint64_t data, const void *kdata,
			uint32_t size)
{
	struct chan_end *e = f->priv, *to = peer_of(e);
	struct channel *ch = e->ch;
	uint64_t fl = ch_lock(ch), sf;
	struct ipc_rx *rx = claim_post(to, size, kdata);
	int err;

	if (!rx) {
		ch_unlock(ch, fl);
		return 0;
	}
	if (kdata) {
		/* words into words: at most 48 bytes of kernel memory, a copy
		 * that neither fails nor sleeps, so it and the wake happen
		 * under the channel's lock (one lock round fewer per message) */
		memcpy(rx->kbuf, kdata, size);
		sf = sched_lock_irqsave();
		rx_finish_locked(to, rx, 0, size);
		sched_unlock_irqrestore(sf);
		ch_unlock(ch, fl);
		sched_resched_if_needed(fl);
		return 1;
	}
	__atomic_store_n(&rx->state, IPC_RX_CLAIMED, __ATOMIC_RELAXED);
	ch_unlock(ch, fl);
	err = rx_copy(rx, vm, data, size);
	fl = sched_lock_irqsave();
	rx_finish_locked(to, rx, err, size);
	sched_unlock_irqrestore(fl);
	sched_resched_if_needed(fl);
	return err ? 0 : 1;
}

static int rx_state(const struct ipc_rx *rx)
{
	return rx ? __atomic_load_n(&rx->state, __ATOMIC_ACQUIRE) : IPC_RX_IDLE;
}

/* The receiver's wake-up condition (read under the scheduler's lock): its
 * post was filled, or, unless a sender is copying into it, a message is
 * queued or the peer left. */
static bool rx_ready(struct chan_end *e, struct chan_end *from, struct ipc_rx *rx)
{
	int st = rx_state(rx);

	if (st == IPC_RX_DONE)
		return true;
	return st != IPC_RX_CLAIMED &&
	       (!list_empty((struct list_node *)&e->queue) || !*(volatile bool *)&from->open);
}

/* The sender's half of a call (channel_call_direct), when its own wait
 * does not block after all or is not reached: fill, the claimed post of a
 * receiver on from, is marked done and its thread woken with a hand-off,
 * as channel_send_direct does. Channel's lock held. */
static void fill_done(struct chan_end *from, struct ipc_rx *fill, uint32_t size)
{
	uint64_t sf = sched_lock_irqsave();

	rx_finish_locked(from, fill, 0, size);
	sched_unlock_irqrestore(sf);
}

/* The caller's first sleep in a call after it filled fill, the post of a
 * receiver on from: under one holding of the scheduler's lock the post is
 * marked done, the channel's lock (held on entry, fl its flags) dropped,
 * and the caller sleeps on e with a directed switch to fill's thread
 * (waitq_sleep_switch_locked), unless its own wait is over already (then
 * the receiver is woken as in fill_done). The sleep's result. */
static int sleep_after_fill(struct chan_end *e, struct chan_end *from, struct ipc_rx *rx,
			    struct ipc_rx *fill, uint32_t size, uint64_t fl, uint64_t deadline)
{
	uint64_t sf = sched_lock_irqsave();
	struct thread *t = fill->thread;
	int err = 0;

	fill->size = size;
	__atomic_store_n(&fill->state, IPC_RX_DONE, __ATOMIC_RELEASE);
	/* interrupts stay off: the scheduler's lock is still held */
	spin_unlock_irqrestore(&e->ch->lock, sf);
	if (rx_ready(e, from, rx)) {
		waitq_wake_all_sync_locked(&from->rd_wq);
		sched_hand_off_locked(t);
	} else {
		err = waitq_sleep_switch_locked(&e->rd_wq, deadline, WAIT_INTERRUPTIBLE,
						&from->rd_wq, t);
	}
	sched_unlock_irqrestore(fl);
	return err;
}

/* channel_recv_posted with the channel's lock held (fl: its flags). fill
 * (or NULL): a post on from this caller claimed and filled with size
 * bytes, to be finished at the caller's first sleep with a directed
 * switch (sleep_after_fill), or before the caller leaves without one.
 * Inlined into its two callers: a plain receive's copy has no fill. */
static inline __attribute__((always_inline)) int recv_posted(struct chan_end *e, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
		       struct ipc_rx *rx, bool nonblock, uint64_t deadline,
		       struct ipc_rx *fill, uint32_t size, uint64_t fl)
{
	struct chan_end *from = peer_of(e);
	struct channel *ch = e->ch;
	struct thread *me = thread_current();
	struct ipc_msg *m;
	int err;

	if (rx) {
		rx->state = IPC_RX_IDLE;
		rx->no_direct = false;
		rx->thread = me;
	}
	while (list_empty(&e->queue)) {
		if (!from->open || nonblock) {
			if (fill)
				fill_done(from, fill, size);
			ch_unlock(ch, fl);
			if (fill)
				sched_resched_if_needed(fl);
			return from->open ? -EAGAIN : 0;
		}
		/* one posted buffer per endpoint: a second receiver waits on
		 * the queue alone */
		if (rx && !rx->no_direct && !e->rx) {
			rx->state = IPC_RX_POSTED;
			e->rx = rx;
		}
		e->sleeper = me;
		if (fill) {
			err = sleep_after_fill(e, from, rx, fill, size, fl, deadline);
			fill = NULL;
		} else {
			ch_unlock(ch, fl);
			err = waitq_wait_event_intr(&e->rd_wq, rx_ready(e, from, rx), deadline);
		}
		if (rx_state(rx) == IPC_RX_DONE)
			return 1;                 /* the sender took the post off e */
		fl = ch_lock(ch);
		if (e->sleeper == me)
			e->sleeper = NULL;
		if (rx && e->rx == rx)
			e->rx = NULL;             /* no sender can claim it from here */
		if (rx_state(rx) == IPC_RX_DONE) {
			/* filled while this thread, woken by a signal or its
			 * deadline, waited for the lock: the message is its */
			ch_unlock(ch, fl);
			return 1;
		}
		if (rx_state(rx) == IPC_RX_CLAIMED) {
			/* claimed before that (woken by a signal or the
			 * deadline mid-copy): the copy ends soon */
			ch_unlock(ch, fl);
			(void)waitq_wait_event(&e->rd_wq, rx_state(rx) != IPC_RX_CLAIMED, 0);
			if (rx_state(rx) == IPC_RX_DONE)
				return 1;
			fl = ch_lock(ch);
		}
		if (rx)
			rx->state = IPC_RX_IDLE;
		if (err && list_empty(&e->queue)) {
			ch_unlock(ch, fl);
			return err;
		}
	}
	if (fill)
		fill_done(from, fill, size);   /* a message was queued first: no sleep */
	/* off the queue while delivered (that may sleep: user copies,
	 * descriptor installs), still counted; back at the head on failure */
	m = list_entry(list_pop(&e->queue), struct ipc_msg, node);
	ch_unlock(ch, fl);
	if (fill)
		sched_resched_if_needed(fl);   /* a better thread woken: now */
	err = deliver(m, ctx);
	fl = ch_lock(ch);
	if (err) {
		/* receivers that found the queue empty while m was out sleep:
		 * it is theirs now */
		list_add(&e->queue, &m->node);
		waitq_wake_all(&e->rd_wq);
		ch_unlock(ch, fl);
		return err;
	}
	e->nmsgs--;
	e->bytes -= m->size;
	ch_unlock(ch, fl);
	waitq_wake_all(&e->room_wq);
	ipc_msg_free(m);
	return 1;
}

int channel_recv_posted(struct file *f, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
			struct ipc_rx *rx, bool nonblock, uint64_t deadline)
{
	struct chan_end *e = f->priv;

	return recv_posted(e, deliver, ctx, rx, nonblock, deadline, NULL, 0, ch_lock(e->ch));
}

int channel_call_direct(struct file *f, struct vm_space *vm, uint64_t data, const void *kdata,
			uint32_t size, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
			struct ipc_rx *rx, uint64_t deadline, bool *sent)
{
	struct chan_end *e = f->priv, *to = peer_of(e);
	struct channel *ch = e->ch;
	uint64_t fl = ch_lock(ch), sf;
	struct ipc_rx *post = claim_post(to, size, kdata);
	int err;

	*sent = false;
	if (!post) {
		ch_unlock(ch, fl);
		return 0;
	}
	if (kdata) {
		/* as in channel_send_direct: under the channel's lock */
		memcpy(post->kbuf, kdata, size);
	} else {
		__atomic_store_n(&post->state, IPC_RX_CLAIMED, __ATOMIC_RELAXED);
		ch_unlock(ch, fl);
		err = rx_copy(post, vm, data, size);
		if (err) {
			/* the caller sends through the queue instead */
			sf = sched_lock_irqsave();
			rx_finish_locked(to, post, err, 0);
			sched_unlock_irqrestore(sf);
			sched_resched_if_needed(fl);
			return 0;
		}
		fl = ch_lock(ch);
	}
	*sent = true;
	return recv_posted(e, deliver, ctx, rx, false, deadline, post, size, fl);
}

int channel_recv(struct file *f, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
		 bool nonblock, uint64_t deadline)
{
	return channel_recv_posted(f, deliver, ctx, NULL, nonblock, deadline);
}

static unsigned endpoint_poll(struct file *f, struct poll_table *pt)
{
	struct chan_end *e = f->priv, *peer = peer_of(e);
	unsigned mask = 0;
	uint64_t fl;

	poll_wait(pt, &e->rd_wq);
	poll_wait(pt, &peer->room_wq);
	fl = ch_lock(e->ch);
	if (e->nmsgs)
		mask |= POLLIN | POLLRDNORM;
	if (!peer->open)
		mask |= POLLHUP;
	else if (peer->nmsgs < CHAN_QUEUE_MSGS && peer->bytes < CHAN_QUEUE_BYTES)
		mask |= POLLOUT | POLLWRNORM;
	ch_unlock(e->ch, fl);
	return mask;
}

/* The endpoint's last reference went: its queue goes (with every handle
 * in it), its peer sees the end, senders blocked on it give up. */
static void endpoint_release(struct file *f)
{
	struct chan_end *e = f->priv, *peer;
	struct channel *ch;
	struct list_node dead;
	uint64_t fl;
	bool last;

	if (!e)
		return;
	ch = e->ch;
	peer = peer_of(e);
	list_init(&dead);
	fl = ch_lock(ch);
	e->open = false;
	while (!list_empty(&e->queue)) {
		struct list_node *n = list_pop(&e->queue);

		list_add_tail(&dead, n);
	}
	e->nmsgs = 0;
	e->bytes = 0;
	waitq_wake_all(&peer->rd_wq);
	waitq_wake_all(&e->room_wq);
	last = --ch->open_ends == 0;
	ch_unlock(ch, fl);
	while (!list_empty(&dead))
		ipc_msg_free(list_entry(list_pop(&dead), struct ipc_msg, node));
	if (last)
		kfree(ch);
}

static const struct file_ops endpoint_ops = {
	.poll = endpoint_poll,
	.release = endpoint_release,
};

int channel_create(uint32_t flags, struct file **a, struct file **b)
{
	struct channel *ch;
	struct file *fa = NULL, *fb = NULL;
	struct inode *ino;

	if (flags & ~(uint32_t)CHAN_NONBLOCK)
		return -EINVAL;
	ch = kzalloc(sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	spin_init(&ch->lock, "channel");
	for (int i = 0; i < 2; i++) {
		ch->end[i].ch = ch;
		list_init(&ch->end[i].queue);
		waitq_init(&ch->end[i].rd_wq);
		waitq_init(&ch->end[i].room_wq);
	}
	/* both files share one anonymous socket inode, each with a reference */
	ino = anon_inode_new(S_IFSOCK | 0600);
	if (ino)
		fa = file_alloc(&endpoint_ops, ino, O_RDWR | (flags & CHAN_NONBLOCK));
	if (fa)
		fb = file_alloc(&endpoint_ops, igrab(ino), O_RDWR | (flags & CHAN_NONBLOCK));
	if (!fb) {
		if (fa) {
			iput(ino);      /* the reference igrab took for fb */
			file_put(fa);   /* no endpoint attached yet: its release does nothing */
		} else if (ino) {
			iput(ino);
		}
		kfree(ch);
		return -ENOMEM;
	}
	ch->end[0].open = ch->end[1].open = true;
	ch->open_ends = 2;
	fa->priv = &ch->end[0];
	fb->priv = &ch->end[1];
	*a = fa;
	*b = fb;
	return 0;
}
