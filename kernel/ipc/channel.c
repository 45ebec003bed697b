/* Channels (kernel/ipc/channel.h).
 *
 * Locking: each channel's lock (a mutex) protects both endpoints' queues,
 * counts, open flags and sleeper fields. Handle references in a message
 * are dropped outside it, since the last reference to an object may be
 * another endpoint whose release takes its own channel's lock. Receivers
 * of an endpoint sleep on its rd_wq (a message came, or the peer left);
 * senders to it on its room_wq (room, or it closed). */
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
#include <kernel/panic.h>
#include <kernel/proc/handle.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>

struct channel;

struct chan_end {
	struct channel *ch;
	struct list_node queue;       /* messages for this end, oldest first */
	uint32_t nmsgs;
	uint32_t bytes;               /* data bytes in the queue */
	bool open;                    /* its file has not been released */
	struct thread *sleeper;       /* the last receiver asleep on it, or NULL */
	struct waitq rd_wq, room_wq;
};

struct channel {
	struct mutex lock;
	struct chan_end end[2];
	unsigned open_ends;
};

static const struct file_ops endpoint_ops;

static struct chan_end *peer_of(struct chan_end *e)
{
	return &e->ch->end[e == &e->ch->end[0]];
}

static void lock_or_panic(struct mutex *m)
{
	int err = mutex_lock(m);

	if (err)
		panic("ipc: cannot take %s (%d)", m->name, err);
}

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
	int err;

	if ((err = mutex_lock(&ch->lock)))
		return err;
	while (to->open && !has_room(to, m->size)) {
		if (nonblock) {
			mutex_unlock(&ch->lock);
			return -EAGAIN;
		}
		mutex_unlock(&ch->lock);
		err = waitq_wait_event_intr(&to->room_wq,
					    !to->open || has_room(to, m->size), deadline);
		if (err)
			return err;
		if ((err = mutex_lock(&ch->lock)))
			return err;
	}
	if (!to->open) {
		mutex_unlock(&ch->lock);
		return -EPIPE;
	}
	list_add_tail(&to->queue, &m->node);
	to->nmsgs++;
	to->bytes += m->size;
	waitq_wake_all(&to->rd_wq);
	/* The fast path: the receiver runs as soon as we give up the CPU. */
	if (to->sleeper)
		sched_hand_off(to->sleeper);
	mutex_unlock(&ch->lock);
	return 0;
}

int channel_recv(struct file *f, int (*deliver)(struct ipc_msg *m, void *ctx), void *ctx,
		 bool nonblock, uint64_t deadline)
{
	struct chan_end *e = f->priv, *from = peer_of(e);
	struct channel *ch = e->ch;
	struct ipc_msg *m;
	int err;

	if ((err = mutex_lock(&ch->lock)))
		return err;
	while (e->nmsgs == 0) {
		if (!from->open) {
			mutex_unlock(&ch->lock);
			return 0;
		}
		if (nonblock) {
			mutex_unlock(&ch->lock);
			return -EAGAIN;
		}
		e->sleeper = thread_current();
		mutex_unlock(&ch->lock);
		err = waitq_wait_event_intr(&e->rd_wq,
					    *(volatile uint32_t *)&e->nmsgs || !from->open, deadline);
		lock_or_panic(&ch->lock);
		if (e->sleeper == thread_current())
			e->sleeper = NULL;
		if (err && e->nmsgs == 0) {
			mutex_unlock(&ch->lock);
			return err;
		}
	}
	m = list_entry(e->queue.next, struct ipc_msg, node);
	err = deliver(m, ctx);
	if (err) {
		mutex_unlock(&ch->lock);
		return err;
	}
	list_del(&m->node);
	e->nmsgs--;
	e->bytes -= m->size;
	waitq_wake_all(&e->room_wq);
	mutex_unlock(&ch->lock);
	ipc_msg_free(m);
	return 1;
}

static unsigned endpoint_poll(struct file *f, struct poll_table *pt)
{
	struct chan_end *e = f->priv, *peer = peer_of(e);
	unsigned mask = 0;

	poll_wait(pt, &e->rd_wq);
	poll_wait(pt, &peer->room_wq);
	if (mutex_lock(&e->ch->lock))
		return POLLERR;
	if (e->nmsgs)
		mask |= POLLIN | POLLRDNORM;
	if (!peer->open)
		mask |= POLLHUP;
	else if (peer->nmsgs < CHAN_QUEUE_MSGS && peer->bytes < CHAN_QUEUE_BYTES)
		mask |= POLLOUT | POLLWRNORM;
	mutex_unlock(&e->ch->lock);
	return mask;
}

/* The endpoint's last reference went: its queue goes (with every handle
 * in it), its peer sees the end, senders blocked on it give up. */
static void endpoint_release(struct file *f)
{
	struct chan_end *e = f->priv, *peer;
	struct channel *ch;
	struct list_node dead;
	bool last;

	if (!e)
		return;
	ch = e->ch;
	peer = peer_of(e);
	list_init(&dead);
	lock_or_panic(&ch->lock);
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
	mutex_unlock(&ch->lock);
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
	mutex_init(&ch->lock, "channel");
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
