/* AF_UNIX sockets (kernel/ipc/unix.h).
 *
 * A socket's queue holds the messages sent to it (struct umsg around a
 * channel message, struct ipc_msg: bytes plus handles with their
 * references). Datagram and seqpacket reads take one message each; stream
 * reads run across messages, stopping after one that carries descriptors.
 * Connecting to a listener makes the server's socket at once (an
 * "embryo" on the listener's accept queue), so the client is connected
 * before accept, as on Linux.
 *
 * Sockets sent over sockets can form loops nothing outside holds; the
 * collector (unix_gc, at each socket's release) frees them.
 *
 * Locking: unix_lock (a mutex) protects every socket's fields, queues,
 * links, the list of all sockets and the list of bound names. Handle references are dropped and
 * names released outside it, since the last reference to a file may be
 * another socket whose release takes unix_lock. Waiters on a socket
 * (readers, accept, connect waiting for backlog room) sleep on its wq
 * until its seq moves; senders waiting for room in another socket's queue
 * sleep on room_wq until room_seq moves (a reader that took from a queue
 * someone found full moves it), so nobody waits on a queue of a socket
 * it holds no reference to. */
#include <kernel/ipc/unix.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl.h>
#include <cosmos/abi/signal.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/anon.h>
#include <fs/dcache.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/namei.h>
#include <fs/poll.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/proc/cred.h>
#include <kernel/proc/process.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>
#include <lib/string.h>
#include <sys/uio.h>

#define RCV_SHUT  1u
#define SEND_SHUT 2u

#define UNIX_BUF_DEFAULT 212992u       /* Linux's default SO_SNDBUF/SO_RCVBUF */
#define UNIX_BUF_MIN     4608u
#define UNIX_BUF_MAX     (4u << 20)
#define UNIX_QUEUE_MSGS  1024u         /* messages in one queue at most */
#define UNIX_BACKLOG_MAX 4096u

enum ustate { US_UNCONN, US_LISTEN, US_CONNECTED };

struct usock {
	unsigned refs;                 /* file, peer links, accept queue, waiters */
	int type;
	enum ustate state;
	unsigned shut;                 /* RCV_SHUT, SEND_SHUT */
	bool dead;                     /* closed: its file went, or an embryo dropped */
	bool passcred;
	bool want_room;                /* a sender found the queue full */
	int err;                       /* SO_ERROR, pending */
	uint32_t rcvbuf, sndbuf;
	struct usock *peer;            /* a reference */
	struct unix_cred peercred;     /* SO_PEERCRED */
	struct list_node rq;           /* struct umsg, oldest first */
	uint32_t rq_bytes, rq_msgs;    /* unread bytes and messages */
	struct list_node acceptq;      /* listener: embryos (their acceptq node) */
	struct list_node anode;
	unsigned backlog, nacc;
	struct unix_addr addr;         /* len 0: unbound */
	struct path bound;             /* a path name's node: references */
	struct list_node bnode;        /* in bound_list while named */
	struct waitq wq;
	uint32_t seq;                  /* moves on every change a waiter may need */
	struct list_node all;          /* in all_socks */
	/* unix_gc's marks, meaningful during a collection only */
	uint32_t gc_inflight, gc_refs;
	bool gc_cand, gc_live;
	struct file *gc_file;
};

struct umsg {
	struct list_node node;
	uint32_t off;                  /* stream: bytes already read */
	struct unix_cred cred;
	struct unix_addr from;
	struct ipc_msg *m;
};

static struct mutex unix_lock;
static struct list_node bound_list = LIST_INIT(bound_list);
static struct waitq room_wq;
static uint32_t room_seq;
static uint32_t autobind_next;
static struct list_node all_socks = LIST_INIT(all_socks);   /* every usock (unix_lock) */
static bool gc_running;                                      /* unix_lock */
static uint32_t sockets_in_flight;   /* socket handles in messages (atomic) */

static const struct file_ops unix_ops;

static void lock_or_panic(void)
{
	int err = mutex_lock(&unix_lock);

	if (err)
		panic("unix: cannot take its lock (%d)", err);
}

static void bump_wake(struct usock *s, bool sync)
{
	s->seq++;
	if (sync)
		waitq_wake_all_sync(&s->wq);
	else
		waitq_wake_all(&s->wq);
}

static void bump(struct usock *s) { bump_wake(s, false); }

static void room_made(struct usock *s)
{
	if (s->want_room) {
		s->want_room = false;
		room_seq++;
		waitq_wake_all(&room_wq);
	}
}

/* Drops the lock, sleeps until s changes (or a signal), takes it again. */
static int wait_on(struct usock *s)
{
	uint32_t seen = s->seq;
	int err;

	mutex_unlock(&unix_lock);
	err = waitq_wait_event_intr(&s->wq, *(volatile uint32_t *)&s->seq != seen, 0);
	lock_or_panic();
	return err;
}

/* The same for room in dest's queue. */
static int wait_room(struct usock *dest)
{
	uint32_t seen = room_seq;
	int err;

	dest->want_room = true;
	mutex_unlock(&unix_lock);
	err = waitq_wait_event_intr(&room_wq, *(volatile uint32_t *)&room_seq != seen, 0);
	lock_or_panic();
	return err;
}

static struct usock *usock_new(int type)
{
	struct usock *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	s->type = type;
	s->rcvbuf = s->sndbuf = UNIX_BUF_DEFAULT;
	s->addr.len = 2;
	s->addr.sa.sun_family = AF_UNIX;
	list_init(&s->rq);
	list_init(&s->acceptq);
	list_init(&s->anode);
	list_init(&s->bnode);
	waitq_init(&s->wq);
	lock_or_panic();
	list_add_tail(&all_socks, &s->all);
	mutex_unlock(&unix_lock);
	return s;
}

/* A socket never given out (no file made for it). */
static void usock_drop_new(struct usock *s)
{
	lock_or_panic();
	list_del(&s->all);
	mutex_unlock(&unix_lock);
	kfree(s);
}

static void get(struct usock *s)
{
	s->refs++;
}

/* unix_lock held. */
static void put(struct usock *s)
{
	if (--s->refs)
		return;
	if (!s->dead || !list_empty(&s->rq) || s->peer)
		panic("unix: freeing a live socket");
	list_del(&s->all);
	kfree(s);
}

static void current_cred(struct unix_cred *c)
{
	const struct cred *cr = cred_current();

	c->pid = process_current()->pid;
	c->uid = cr->uid;
	c->gid = cr->gid;
}

/* The socket an in-flight handle names, or NULL for other files. */
static struct usock *handle_sock(const struct ipc_handle *h)
{
	struct file *f = h->obj ? file_from_kobject(h->obj) : NULL;

	return f && unix_is_socket(f) ? f->priv : NULL;
}

static void umsg_free(struct umsg *u)
{
	for (uint32_t i = 0; i < u->m->nhandles; i++)
		if (handle_sock(&u->m->h[i]))
			__atomic_fetch_sub(&sockets_in_flight, 1, __ATOMIC_RELAXED);
	ipc_msg_free(u->m);
	kfree(u);
}

static void free_list(struct list_node *dead)
{
	while (!list_empty(dead))
		umsg_free(list_entry(list_pop(dead), struct umsg, node));
}

void unix_scm_put(struct unix_scm *scm)
{
	for (uint32_t i = 0; i < scm->nfds; i++)
		if (scm->fds[i].obj)
			kobject_put(scm->fds[i].obj);
	scm->nfds = 0;
}

bool unix_is_socket(const struct file *f)
{
	return f && f->ops == &unix_ops;
}

int unix_type(const struct file *f)
{
	return ((struct usock *)f->priv)->type;
}

/* Closes s (its file went, or an unaccepted embryo is dropped): unread
 * messages go to dead, the peer sees the end, a listener's embryos are
 * closed, the name goes (its path to *name, put by the caller). */
static void usock_close(struct usock *s, struct list_node *dead, struct path *name)
{
	struct usock *p = s->peer;
	bool unread = !list_empty(&s->rq);

	s->dead = true;
	s->shut = RCV_SHUT | SEND_SHUT;
	while (!list_empty(&s->rq))
		list_add_tail(dead, list_pop(&s->rq));
	s->rq_bytes = s->rq_msgs = 0;
	if (p) {
		if (s->type != SOCK_DGRAM && p->peer == s) {
			p->shut = RCV_SHUT | SEND_SHUT;
			if (unread)
				p->err = ECONNRESET;
		}
		bump(p);
		room_made(p);
		s->peer = NULL;
		put(p);
	}
	while (!list_empty(&s->acceptq)) {
		struct usock *e = list_entry(list_pop(&s->acceptq), struct usock, anode);

		list_init(&e->anode);
		usock_close(e, dead, NULL);
		put(e);
	}
	s->nacc = 0;
	if (!list_empty(&s->bnode)) {
		list_del(&s->bnode);
		list_init(&s->bnode);
		if (name)
			*name = s->bound;
		s->bound = (struct path){ 0 };
	}
	bump(s);
	s->want_room = true;
	room_made(s);
}

/* Garbage collection of sockets in flight (as Linux's unix_gc): a
 * socket whose every reference is held by messages queued on sockets is
 * reachable only through those queues; if every such queue belongs to a
 * socket in the same state, nothing outside can ever receive them (a
 * socket sent over itself, two sockets in each other's queues, ...) and
 * the queues are freed, which releases the sockets. unix_lock held.
 *
 * gc_visit calls fn on the socket of every socket handle queued on s (on
 * s and on its unaccepted connections). */
static void gc_visit(struct usock *s, void (*fn)(struct usock *t, struct file *f, void *arg), void *arg)
{
	struct list_node *qs[2] = { &s->rq, NULL };
	struct list_node *e = s->acceptq.next;

	for (;;) {
		for (int k = 0; k < 2 && qs[k]; k++)
			for (struct list_node *n = qs[k]->next; n != qs[k]; n = n->next) {
				struct umsg *um = list_entry(n, struct umsg, node);

				for (uint32_t i = 0; i < um->m->nhandles; i++) {
					struct usock *t = handle_sock(&um->m->h[i]);

					if (t)
						fn(t, file_from_kobject(um->m->h[i].obj), arg);
				}
			}
		if (e == &s->acceptq)
			break;
		qs[0] = &list_entry(e, struct usock, anode)->rq;
		e = e->next;
	}
}

#define for_each_sock(s) \
	for (struct list_node *n_ = all_socks.next; \
	     n_ != &all_socks && ((s) = list_entry(n_, struct usock, all), 1); n_ = n_->next)

static void gc_count(struct usock *t, struct file *f, void *arg)
{
	(void)arg;
	t->gc_inflight++;
	t->gc_file = f;
}

static void gc_unref(struct usock *t, struct file *f, void *arg)
{
	(void)f;
	(void)arg;
	if (t->gc_cand)
		t->gc_refs--;
}

static void gc_reach(struct usock *t, struct file *f, void *arg)
{
	(void)f;
	if (t->gc_cand && !t->gc_live) {
		t->gc_live = true;
		*(bool *)arg = true;
	}
}

/* Moves the unreachable sockets' queued messages to dead. */
static void gc_collect(struct list_node *dead)
{
	struct usock *s;
	bool more;

	for_each_sock(s)
		s->gc_inflight = s->gc_refs = 0, s->gc_cand = s->gc_live = false;
	for_each_sock(s)
		gc_visit(s, gc_count, NULL);
	/* candidates: every reference from a queue (the count cannot rise
	 * meanwhile: only a receive, under unix_lock, makes new ones) */
	for_each_sock(s)
		if (s->gc_inflight &&
		    __atomic_load_n(&s->gc_file->obj.refs, __ATOMIC_ACQUIRE) == s->gc_inflight) {
			s->gc_cand = true;
			s->gc_refs = s->gc_inflight;
		}
	/* what a candidate's queue holds is not outside help */
	for_each_sock(s)
		if (s->gc_cand)
			gc_visit(s, gc_unref, NULL);
	/* held from another socket's queue: live, and so is what it holds */
	for_each_sock(s)
		if (s->gc_cand && s->gc_refs)
			s->gc_live = true;
	do {
		more = false;
		for_each_sock(s)
			if (s->gc_cand && s->gc_live)
				gc_visit(s, gc_reach, &more);
	} while (more);
	for_each_sock(s) {
		struct list_node *e;

		if (!s->gc_cand || s->gc_live)
			continue;
		while (!list_empty(&s->rq))
			list_add_tail(dead, list_pop(&s->rq));
		s->rq_bytes = s->rq_msgs = 0;
		for (e = s->acceptq.next; e != &s->acceptq; e = e->next) {
			struct usock *c = list_entry(e, struct usock, anode);

			while (!list_empty(&c->rq))
				list_add_tail(dead, list_pop(&c->rq));
			c->rq_bytes = c->rq_msgs = 0;
		}
	}
}

/* Runs a collection when sockets are in flight (one at a time: the
 * releases it causes come back here and return). */
static void unix_gc(void)
{
	struct list_node dead;

	if (!__atomic_load_n(&sockets_in_flight, __ATOMIC_RELAXED))
		return;
	list_init(&dead);
	lock_or_panic();
	if (gc_running) {
		mutex_unlock(&unix_lock);
		return;
	}
	gc_running = true;
	gc_collect(&dead);
	mutex_unlock(&unix_lock);
	free_list(&dead);
	lock_or_panic();
	gc_running = false;
	mutex_unlock(&unix_lock);
}

static void unix_release(struct file *f)
{
	struct usock *s = f->priv;
	struct list_node dead;
	struct path name = { 0 };

	if (!s)
		return;
	list_init(&dead);
	lock_or_panic();
	usock_close(s, &dead, &name);
	put(s);
	mutex_unlock(&unix_lock);
	free_list(&dead);
	if (name.dentry)
		path_put(&name);
	unix_gc();          /* a loop this socket was the way into may be closed now */
}

static struct file *usock_file(struct usock *s, uint32_t flags)
{
	struct inode *ino = anon_inode_new(S_IFSOCK | 0777);
	struct file *f = ino ? file_alloc(&unix_ops, ino, O_RDWR | (flags & O_NONBLOCK)) : NULL;

	if (!f) {
		if (ino)
			iput(ino);
		return NULL;
	}
	f->priv = s;
	return f;
}

static bool type_ok(int type)
{
	return type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET;
}

int unix_socket(int type, uint32_t flags, struct file **out)
{
	struct usock *s;

	if (!type_ok(type))
		return -ESOCKTNOSUPPORT;
	s = usock_new(type);
	if (!s)
		return -ENOMEM;
	*out = usock_file(s, flags);
	if (!*out) {
		usock_drop_new(s);
		return -ENOMEM;
	}
	return 0;
}

int unix_socketpair(int type, uint32_t flags, struct file **a, struct file **b)
{
	struct usock *sa, *sb;
	int err;

	if ((err = unix_socket(type, flags, a)))
		return err;
	if ((err = unix_socket(type, flags, b))) {
		file_put(*a);
		return err;
	}
	sa = (*a)->priv;
	sb = (*b)->priv;
	lock_or_panic();
	sa->peer = sb;
	sb->peer = sa;
	get(sa);
	get(sb);
	sa->state = sb->state = US_CONNECTED;
	current_cred(&sa->peercred);
	sb->peercred = sa->peercred;
	mutex_unlock(&unix_lock);
	return 0;
}

static bool is_abstract(const struct unix_addr *a)
{
	return a->len > 2 && a->sa.sun_path[0] == '\0';
}

/* The bound socket with abstract name a (unix_lock held), or NULL. */
static struct usock *find_abstract(const struct unix_addr *a)
{
	list_for_each(n, &bound_list) {
		struct usock *s = list_entry(n, struct usock, bnode);

		if (s->addr.len == a->len && memcmp(&s->addr.sa, &a->sa, a->len) == 0)
			return s;
	}
	return NULL;
}

/* A path name as a C string (sun_path need not end in a NUL). */
static void path_of(const struct unix_addr *a, char *buf)
{
	size_t n = a->len - 2;

	memcpy(buf, a->sa.sun_path, n);
	buf[n] = '\0';
}

/* The socket named a, with a reference: -ECONNREFUSED when nothing is
 * bound there, -ENOENT (no such path), -EACCES, lookup errors. */
static int find_sock(const struct unix_addr *a, struct usock **out)
{
	struct usock *s = NULL;

	if (is_abstract(a)) {
		lock_or_panic();
		s = find_abstract(a);
		if (s)
			get(s);
		mutex_unlock(&unix_lock);
	} else {
		char path[UNIX_PATH_MAX + 1];
		struct path p;
		struct inode *ino;
		int err;

		path_of(a, path);
		if (path[0] == '\0')
			return -EINVAL;
		if ((err = vfs_lookup(NULL, path, LOOKUP_FOLLOW, &p)))
			return err;
		ino = p.dentry->inode;
		err = S_ISSOCK(ino->mode) ? inode_permission(ino, MAY_WRITE) : -ECONNREFUSED;
		if (!err) {
			lock_or_panic();
			list_for_each(n, &bound_list) {
				struct usock *b = list_entry(n, struct usock, bnode);

				if (b->bound.dentry && b->bound.dentry->inode == ino) {
					s = b;
					get(s);
					break;
				}
			}
			mutex_unlock(&unix_lock);
		}
		path_put(&p);
		if (err)
			return err;
	}
	if (!s)
		return -ECONNREFUSED;
	*out = s;
	return 0;
}

static void put_unlocked(struct usock *s)
{
	lock_or_panic();
	put(s);
	mutex_unlock(&unix_lock);
}

int unix_bind(struct file *f, const struct unix_addr *addr)
{
	struct usock *s = f->priv;
	struct unix_addr a = *addr;
	struct path p = { 0 };
	int err = 0;

	if (a.len == 2) {
		/* autobind: an abstract name of five hex digits */
		static const char hex[] = "0123456789abcdef";

		lock_or_panic();
		for (unsigned tries = 0; tries < 0x100000u; tries++) {
			uint32_t v = autobind_next++ & 0xfffff;

			a.sa.sun_path[0] = '\0';
			for (int i = 0; i < 5; i++)
				a.sa.sun_path[1 + i] = hex[(v >> (16 - 4 * i)) & 0xf];
			a.len = 2 + 6;
			if (!find_abstract(&a))
				break;
		}
		mutex_unlock(&unix_lock);
	} else if (!is_abstract(&a)) {
		char path[UNIX_PATH_MAX + 1];

		path_of(&a, path);
		if (path[0] == '\0')
			return -EINVAL;
		a.len = 2 + (uint32_t)strlen(path) + 1;
		memcpy(a.sa.sun_path, path, a.len - 2);
		if (s->addr.len > 2)
			return -EINVAL;
		err = vfs_mknodat(NULL, path, S_IFSOCK | 0777, 0);
		if (err)
			return err == -EEXIST ? -EADDRINUSE : err;
		if ((err = vfs_lookup(NULL, path, 0, &p)))
			return err;
	}
	lock_or_panic();
	if (s->addr.len > 2 || s->dead)
		err = -EINVAL;
	else if (is_abstract(&a) && find_abstract(&a))
		err = -EADDRINUSE;
	if (!err) {
		s->addr = a;
		s->bound = p;
		list_add_tail(&bound_list, &s->bnode);
	}
	mutex_unlock(&unix_lock);
	if (err && p.dentry)
		path_put(&p);
	return err;
}

int unix_listen(struct file *f, int backlog)
{
	struct usock *s = f->priv;
	int err = 0;

	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	lock_or_panic();
	if (s->state == US_CONNECTED || s->addr.len <= 2) {
		err = -EINVAL;
	} else {
		if (backlog < 0 || (unsigned)backlog > UNIX_BACKLOG_MAX)
			backlog = UNIX_BACKLOG_MAX;
		s->backlog = (unsigned)backlog;
		if (s->state != US_LISTEN)
			current_cred(&s->peercred);
		s->state = US_LISTEN;
		bump(s);
	}
	mutex_unlock(&unix_lock);
	return err;
}

int unix_connect(struct file *f, const struct unix_addr *addr)
{
	struct usock *s = f->priv, *t, *e = NULL, *old;
	bool nonblock = f->flags & O_NONBLOCK;
	int err;

	if ((err = find_sock(addr, &t)))
		return err;
	if (t->type != s->type) {
		put_unlocked(t);
		return -EPROTOTYPE;
	}
	if (s->type == SOCK_DGRAM) {
		lock_or_panic();
		if (t->dead) {
			err = -ECONNREFUSED;
			put(t);
		} else {
			old = s->peer;
			s->peer = t;          /* the reference find_sock took */
			s->state = US_CONNECTED;
			if (old)
				put(old);
		}
		mutex_unlock(&unix_lock);
		return err;
	}
	e = usock_new(s->type);
	if (!e) {
		put_unlocked(t);
		return -ENOMEM;
	}
	lock_or_panic();
	for (;;) {
		if (s->state == US_CONNECTED) {
			err = -EISCONN;
			break;
		}
		if (s->state == US_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (t->dead || t->state != US_LISTEN) {
			err = -ECONNREFUSED;
			break;
		}
		if (t->nacc < t->backlog + 1)
			break;
		if (nonblock) {
			err = -EAGAIN;
			break;
		}
		if ((err = wait_on(t)))
			break;
	}
	if (!err) {
		e->state = s->state = US_CONNECTED;
		e->peer = s;
		get(s);
		s->peer = e;
		get(e);
		current_cred(&e->peercred);
		s->peercred = t->peercred;
		e->addr = t->addr;
		e->passcred = t->passcred;
		list_add_tail(&t->acceptq, &e->anode);   /* the reference e was made with */
		t->nacc++;
		bump(t);
		e = NULL;
	}
	put(t);
	if (e) {
		e->dead = true;
		put(e);
	}
	mutex_unlock(&unix_lock);
	return err;
}

int unix_disconnect(struct file *f)
{
	struct usock *s = f->priv, *old;
	struct list_node dead;

	if (s->type != SOCK_DGRAM)
		return -EINVAL;
	list_init(&dead);
	lock_or_panic();
	old = s->peer;
	if (old) {
		/* as Linux: what was queued goes, and a peer connected back to
		 * us is told (SO_ERROR ECONNRESET) */
		while (!list_empty(&s->rq))
			list_add_tail(&dead, list_pop(&s->rq));
		s->rq_bytes = s->rq_msgs = 0;
		if (old->peer == s && !old->dead) {
			old->err = ECONNRESET;
			bump(old);
		}
		s->peer = NULL;
		s->state = US_UNCONN;
		put(old);
		bump(s);
		s->want_room = true;
		room_made(s);
	}
	mutex_unlock(&unix_lock);
	free_list(&dead);
	return 0;
}

int unix_accept(struct file *f, uint32_t flags, struct file **out, struct unix_addr *peer)
{
	struct usock *s = f->priv, *e;
	struct file *nf;
	int err = 0;

	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	lock_or_panic();
	while (list_empty(&s->acceptq)) {
		if (s->state != US_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (f->flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		if ((err = wait_on(s)))
			break;
	}
	if (err) {
		mutex_unlock(&unix_lock);
		return err;
	}
	e = list_entry(list_pop(&s->acceptq), struct usock, anode);
	list_init(&e->anode);
	s->nacc--;
	bump(s);                          /* room in the backlog */
	*peer = e->peer ? e->peer->addr : (struct unix_addr){ 2, { AF_UNIX, { 0 } } };
	mutex_unlock(&unix_lock);
	nf = usock_file(e, flags);
	if (!nf) {
		struct list_node dead;

		list_init(&dead);
		lock_or_panic();
		usock_close(e, &dead, NULL);
		put(e);
		mutex_unlock(&unix_lock);
		free_list(&dead);
		return -ENOMEM;
	}
	*out = nf;
	return 0;
}

int unix_shutdown(struct file *f, int how)
{
	struct usock *s = f->priv, *p;
	unsigned mode;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = (unsigned)how + 1;          /* SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3 */
	lock_or_panic();
	s->shut |= mode;
	bump(s);
	room_made(s);
	p = s->peer;
	if (p && s->type != SOCK_DGRAM) {
		if (mode & RCV_SHUT)
			p->shut |= SEND_SHUT;
		if (mode & SEND_SHUT)
			p->shut |= RCV_SHUT;
		bump(p);
		room_made(p);
	}
	mutex_unlock(&unix_lock);
	return 0;
}

int unix_getname(struct file *f, bool peer, struct unix_addr *out)
{
	struct usock *s = f->priv;
	int err = 0;

	lock_or_panic();
	if (!peer)
		*out = s->addr;
	else if (s->peer && s->state == US_CONNECTED)
		*out = s->peer->addr;
	else
		err = -ENOTCONN;
	mutex_unlock(&unix_lock);
	return err;
}

static bool has_room(const struct usock *d, uint32_t size)
{
	return d->rq_msgs == 0 ||
	       (d->rq_msgs < UNIX_QUEUE_MSGS && d->rq_bytes + (uint64_t)size <= d->rcvbuf);
}

/* A message of n bytes from u, carrying scm's handles if take_fds. */
static int umsg_make(struct uio *u, uint32_t n, struct unix_scm *scm, bool take_fds,
		     struct umsg **out)
{
	struct umsg *um = kmalloc(sizeof(*um));
	uint32_t nh = take_fds ? scm->nfds : 0;

	if (!um)
		return -ENOMEM;
	um->m = ipc_msg_alloc(n, nh);
	if (!um->m) {
		kfree(um);
		return -ENOMEM;
	}
	if (n && uio_copy_in(u, um->m->data, n) != (long)n) {
		umsg_free(um);
		return -EFAULT;
	}
	um->off = 0;
	if (scm->has_cred)
		um->cred = scm->cred;
	else
		current_cred(&um->cred);
	*out = um;
	return 0;
}

/* The handles move into the queued message (unix_lock held). */
static void attach_fds(struct umsg *um, struct unix_scm *scm)
{
	for (uint32_t i = 0; i < um->m->nhandles; i++) {
		um->m->h[i] = scm->fds[i];
		scm->fds[i].obj = NULL;
		if (handle_sock(&um->m->h[i]))
			__atomic_fetch_add(&sockets_in_flight, 1, __ATOMIC_RELAXED);
	}
}

static void enqueue(struct usock *d, struct umsg *um, const struct usock *from)
{
	um->from = from->addr;
	list_add_tail(&d->rq, &um->node);
	d->rq_msgs++;
	d->rq_bytes += um->m->size;
	bump_wake(d, true);      /* a sender usually waits for the answer next */
}

/* The end of a send's loop (unix_lock held, every other check passed):
 * *um queued on d with the descriptors attached when d has room for size
 * bytes (1, *um taken), -EAGAIN for a nonblocking sender, else a wait for
 * room: 0 (look again) or -EINTR. */
static int queue_or_wait(struct usock *s, struct usock *d, struct umsg **um, struct unix_scm *scm,
			 uint32_t size, bool nonblock)
{
	if (has_room(d, size)) {
		attach_fds(*um, scm);
		enqueue(d, *um, s);
		*um = NULL;
		return 1;
	}
	if (nonblock)
		return -EAGAIN;
	return wait_room(d);
}

/* One datagram or seqpacket record, whole or not at all. */
static long send_record(struct usock *s, struct uio *u, struct unix_scm *scm,
			const struct unix_addr *to, bool nonblock)
{
	struct usock *d = NULL;
	struct umsg *um;
	uint32_t size;
	long err;

	if (u->resid > CHAN_MSG_MAX || u->resid > s->sndbuf)
		return -EMSGSIZE;
	size = (uint32_t)u->resid;
	if (s->type == SOCK_DGRAM && to && (err = find_sock(to, &d)))
		return err;
	if ((err = umsg_make(u, size, scm, true, &um))) {
		if (d)
			put_unlocked(d);
		return err;
	}
	lock_or_panic();
	if (!d) {
		if (s->type != SOCK_DGRAM && s->state != US_CONNECTED) {
			err = -ENOTCONN;
			goto out;
		}
		d = s->peer;
		if (!d) {
			err = s->type == SOCK_DGRAM ? -ENOTCONN : -EPIPE;
			goto out;
		}
		get(d);
	}
	for (;;) {
		if (s->type == SOCK_SEQPACKET && s->err) {
			err = -s->err;           /* as Linux: the reset is told once */
			s->err = 0;
			break;
		}
		if (s->shut & SEND_SHUT) {
			err = -EPIPE;
			break;
		}
		if (d->dead) {
			if (s->type == SOCK_DGRAM) {
				err = -ECONNREFUSED;
				if (s->peer == d) {          /* Linux forgets the dead peer */
					s->peer = NULL;
					s->state = US_UNCONN;
					put(d);
				}
			} else {
				err = -EPIPE;
			}
			break;
		}
		if (d->type != s->type) {
			err = -EPROTOTYPE;
			break;
		}
		if (s->type == SOCK_DGRAM && d->peer && d->peer != s && d != s) {
			err = -EPERM;
			break;
		}
		if (d->shut & RCV_SHUT) {
			err = -EPIPE;
			break;
		}
		if ((err = queue_or_wait(s, d, &um, scm, size, nonblock))) {
			if (err > 0)
				err = size;
			break;
		}
	}
	put(d);
out:
	mutex_unlock(&unix_lock);
	if (um)
		umsg_free(um);
	return err;
}

/* A stream write: chunks of at most CHAN_MSG_MAX bytes, the descriptors
 * with the first. Bytes sent, or an error if none were. */
static long send_stream(struct usock *s, struct uio *u, struct unix_scm *scm, bool nonblock)
{
	size_t total = u->resid, done = 0;
	long err = 0;

	do {
		size_t left = total - done;
		uint32_t n = left > CHAN_MSG_MAX ? CHAN_MSG_MAX : (uint32_t)left;
		struct umsg *um;
		struct usock *d;

		if (n > s->sndbuf / 2 && s->sndbuf / 2 >= 1)
			n = s->sndbuf / 2;
		if ((err = umsg_make(u, n, scm, done == 0, &um)))
			break;
		lock_or_panic();
		for (;;) {
			d = s->peer;
			if (s->state != US_CONNECTED) {
				err = -ENOTCONN;
				break;
			}
			if ((s->shut & SEND_SHUT) || !d || d->dead || (d->shut & RCV_SHUT)) {
				err = -EPIPE;
				break;
			}
			if ((err = queue_or_wait(s, d, &um, scm, n, nonblock))) {
				if (err > 0)
					err = 0;
				break;
			}
		}
		mutex_unlock(&unix_lock);
		if (um) {
			umsg_free(um);
			break;
		}
		done += n;
	} while (done < total);
	return done ? (long)done : err;
}

long unix_send(struct file *f, struct uio *u, struct unix_scm *scm, const struct unix_addr *to,
	       unsigned flags)
{
	struct usock *s = f->priv;
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);

	if (scm->has_cred) {
		const struct cred *c = cred_current();
		bool root = c->euid == 0;

		if (!root && (scm->cred.pid != process_current()->pid ||
			      (scm->cred.uid != c->uid && scm->cred.uid != c->euid &&
			       scm->cred.uid != c->suid) ||
			      (scm->cred.gid != c->gid && scm->cred.gid != c->egid &&
			       scm->cred.gid != c->sgid)))
			return -EPERM;
	}
	if (s->type == SOCK_STREAM) {
		if (to)
			return s->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
		return send_stream(s, u, scm, nonblock);
	}
	return send_record(s, u, scm, s->type == SOCK_DGRAM ? to : NULL, nonblock);
}

/* The message's handles for the receiver: moved out of it, or (peek)
 * new references. */
static void take_fds(struct umsg *um, struct unix_scm *scm, bool peek)
{
	for (uint32_t i = 0; i < um->m->nhandles; i++) {
		struct ipc_handle *h = &um->m->h[i];

		if (!h->obj)
			continue;
		scm->fds[scm->nfds] = *h;
		if (peek) {
			kobject_get(h->obj);
		} else {
			if (handle_sock(h))
				__atomic_fetch_sub(&sockets_in_flight, 1, __ATOMIC_RELAXED);
			h->obj = NULL;
		}
		scm->nfds++;
	}
}

static void dequeue(struct usock *s, struct umsg *um, struct list_node *dead)
{
	list_del(&um->node);
	s->rq_msgs--;
	s->rq_bytes -= um->m->size;
	list_add_tail(dead, &um->node);
}

/* Nothing queued: why the read ends (1: wait). */
static long empty_answer(struct usock *s, bool nonblock)
{
	if (s->err && s->type != SOCK_DGRAM) {
		long e = -s->err;

		s->err = 0;
		return e;
	}
	if (s->state == US_LISTEN)
		return -EINVAL;
	if (s->type != SOCK_DGRAM && s->state != US_CONNECTED)
		return s->type == SOCK_STREAM ? -EINVAL : -ENOTCONN;
	if (s->shut & RCV_SHUT)
		return 0;
	return nonblock ? -EAGAIN : 1;
}

long unix_recv(struct file *f, struct uio *u, struct unix_scm *scm, unsigned flags)
{
	struct usock *s = f->priv;
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	bool peek = flags & MSG_PEEK;
	struct list_node dead;
	size_t copied = 0;
	long ret = 0;

	list_init(&dead);
	scm->nfds = 0;
	scm->trunc = false;
	scm->from.len = 0;           /* an unnamed sender: no address, as Linux */
	lock_or_panic();
	for (;;) {
		if (list_empty(&s->rq)) {
			if (copied) {
				ret = (long)copied;
				break;
			}
			ret = empty_answer(s, nonblock);
			if (ret != 1)
				break;
			if ((ret = wait_on(s)))
				break;
			continue;
		}
		if (s->type != SOCK_STREAM) {
			struct umsg *um = list_entry(s->rq.next, struct umsg, node);
			uint32_t n = u->resid < um->m->size ? (uint32_t)u->resid : um->m->size;

			if (n && uio_copy_out(u, um->m->data, n) != (long)n) {
				ret = -EFAULT;       /* the record stays queued */
				break;
			}
			scm->len = um->m->size;
			scm->trunc = n < um->m->size;
			scm->cred = um->cred;
			if (um->from.len > 2)
				scm->from = um->from;
			take_fds(um, scm, peek);
			if (!peek)
				dequeue(s, um, &dead);
			ret = n;
			break;
		}
		/* stream: run across messages from the head */
		bool stop = false;
		struct list_node *pos = s->rq.next;

		while (pos != &s->rq && u->resid && !stop) {
			struct umsg *um = list_entry(pos, struct umsg, node);
			uint32_t off = peek ? 0 : um->off;
			uint32_t avail = um->m->size - off;
			uint32_t n = u->resid < avail ? (uint32_t)u->resid : avail;
			bool fds = false;
			long c;

			for (uint32_t i = 0; i < um->m->nhandles; i++)
				fds |= um->m->h[i].obj != NULL;
			if (fds && copied)
				break;                /* descriptors start a new read */
			c = n ? uio_copy_out(u, um->m->data + off, n) : 0;
			if (c < 0) {
				if (!copied)
					ret = -EFAULT;
				stop = true;
				break;
			}
			if (copied == 0) {
				scm->cred = um->cred;
				if (um->from.len > 2)
					scm->from = um->from;
			}
			if (fds) {
				take_fds(um, scm, peek);
				stop = true;
			}
			copied += (size_t)c;
			pos = pos->next;
			if (!peek) {
				um->off += (uint32_t)c;
				s->rq_bytes -= (uint32_t)c;
				if (um->off == um->m->size) {
					um->m->size = 0;     /* its bytes are counted out already */
					dequeue(s, um, &dead);
				}
			}
			if ((uint32_t)c < n)
				stop = true;
		}
		if (ret < 0)
			break;
		if (stop || !(flags & MSG_WAITALL) || !u->resid || peek) {
			ret = (long)copied;
			break;
		}
		/* MSG_WAITALL: wait for the rest (the queue is empty now) */
		ret = empty_answer(s, nonblock);
		if (ret != 1) {
			ret = (long)copied;
			break;
		}
		if (wait_on(s)) {
			ret = (long)copied;
			break;
		}
	}
	if (!peek && (ret > 0 || !list_empty(&dead))) {
		bump(s);
		room_made(s);
	}
	mutex_unlock(&unix_lock);
	free_list(&dead);
	return ret;
}

static unsigned unix_poll(struct file *f, struct poll_table *pt)
{
	struct usock *s = f->priv, *p;
	unsigned mask = 0;

	poll_wait(pt, &s->wq);
	poll_wait(pt, &room_wq);
	if (mutex_lock(&unix_lock))
		return POLLERR;
	p = s->peer;
	if (s->err)
		mask |= POLLERR;
	if (s->shut == (RCV_SHUT | SEND_SHUT))
		mask |= POLLHUP;
	if (s->shut & RCV_SHUT)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&s->rq) || !list_empty(&s->acceptq))
		mask |= POLLIN | POLLRDNORM;
	if (s->type != SOCK_DGRAM && s->state == US_UNCONN)
		mask |= POLLHUP;
	if (s->state == US_CONNECTED && p && !(s->shut & SEND_SHUT)) {
		if (p->dead || has_room(p, 1))
			mask |= POLLOUT | POLLWRNORM;
		else
			p->want_room = true;
	} else if (s->type == SOCK_DGRAM && !p) {
		mask |= POLLOUT | POLLWRNORM;
	}
	mutex_unlock(&unix_lock);
	return mask;
}

static long unix_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct unix_scm scm = { 0 };
	long r;

	(void)pos;
	r = unix_recv(f, u, &scm, 0);
	unix_scm_put(&scm);           /* read(2) drops passed descriptors, as Linux */
	return r;
}

static long unix_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct unix_scm scm = { 0 };
	long r;

	(void)pos;
	r = unix_send(f, u, &scm, NULL, 0);
	if (r == -EPIPE && unix_type(f) != SOCK_DGRAM)
		process_signal_self(SIGPIPE);
	return r;
}

static long unix_ioctl(struct file *f, unsigned cmd, uint64_t arg, void *kbuf)
{
	struct usock *s = f->priv;

	(void)arg;
	if (cmd != FIONREAD)
		return -ENOTTY;
	if (!kbuf)
		return -EFAULT;
	lock_or_panic();
	if (s->type == SOCK_STREAM || list_empty(&s->rq))
		*(int32_t *)kbuf = (int32_t)s->rq_bytes;
	else
		*(int32_t *)kbuf = (int32_t)list_entry(s->rq.next, struct umsg, node)->m->size;
	mutex_unlock(&unix_lock);
	return 0;
}

static const struct file_ops unix_ops = {
	.read = unix_read,
	.write = unix_write,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

int unix_getsockopt_int(struct file *f, int name, int *val)
{
	struct usock *s = f->priv;
	int err = 0;

	lock_or_panic();
	switch (name) {
	case SO_TYPE: *val = s->type; break;
	case SO_ERROR: *val = s->err; s->err = 0; break;
	case SO_SNDBUF: *val = (int)s->sndbuf; break;
	case SO_RCVBUF: *val = (int)s->rcvbuf; break;
	case SO_PASSCRED: *val = s->passcred; break;
	case SO_ACCEPTCONN: *val = s->state == US_LISTEN; break;
	case SO_DOMAIN: *val = AF_UNIX; break;
	case SO_PROTOCOL: *val = 0; break;
	default: err = -ENOPROTOOPT;
	}
	mutex_unlock(&unix_lock);
	return err;
}

int unix_setsockopt_int(struct file *f, int name, int val)
{
	struct usock *s = f->priv;
	/* as Linux: the size asked for is doubled (for bookkeeping), within limits */
	uint64_t buf = val < 0 ? 0 : (uint64_t)val * 2;
	int err = 0;

	if (buf > UNIX_BUF_MAX)
		buf = UNIX_BUF_MAX;
	lock_or_panic();
	switch (name) {
	case SO_SNDBUF: s->sndbuf = buf < UNIX_BUF_MIN ? UNIX_BUF_MIN : (uint32_t)buf; break;
	case SO_RCVBUF: s->rcvbuf = buf < UNIX_BUF_MIN / 2 ? UNIX_BUF_MIN / 2 : (uint32_t)buf; break;
	case SO_PASSCRED: s->passcred = val != 0; break;
	default: err = -ENOPROTOOPT;
	}
	mutex_unlock(&unix_lock);
	return err;
}

int unix_peercred(struct file *f, struct unix_cred *out)
{
	struct usock *s = f->priv;
	int err = 0;

	lock_or_panic();
	if (s->state == US_UNCONN && s->type != SOCK_DGRAM)
		err = -ENOTCONN;
	else
		*out = s->peercred;
	mutex_unlock(&unix_lock);
	return err;
}

bool unix_passcred(struct file *f)
{
	return *(volatile bool *)&((struct usock *)f->priv)->passcred;
}

void unix_init(void)
{
	mutex_init(&unix_lock, "unix");
	waitq_init(&room_wq);
}
