/* epoll (Linux's epoll(7)): epoll_create, epoll_create1 and epoll_ctl here,
 * the wait (epoll_wait, epoll_pwait) in sys/poll.c over epoll_wait_user.
 *
 * An epoll file keeps its interest list: a descriptor, the open file it
 * named when it was added (compared, not counted: an epoll file holding
 * references would keep a pipe's last writer open forever), the events
 * asked and the user's data. The wait looks each descriptor up in the
 * caller's table and asks its file, through the poll core
 * (poll_scan_wait), so it sleeps on every file's queues at once. An item
 * whose descriptor was closed or now names another file is dropped, as
 * Linux drops an item when its file closes.
 *
 * Level-triggered items report while ready; EPOLLONESHOT items report
 * once, then stay quiet until EPOLL_CTL_MOD re-arms them. An EPOLLET item
 * reports when it is ready and one of its file's wait queues was woken
 * since it last reported (the queues' wake counts, file_poll_wakes): new
 * data, room or a hang-up, as Linux's wake callback sees it; a file still
 * ready and not drained stays quiet. A wake that changes nothing this item
 * asks for (a reader's wake on a queue shared with writers) may report it
 * once more, as Linux does for such queues. An epoll file has no poll
 * operation of its own, so one cannot be added to another (EPERM).
 *
 * Locking: each epoll file's lock (a mutex) protects its list. A scan
 * holds it while it polls the files (lock order: epoll, then a file's
 * own locks); it is never held across the sleep. */
#include <sys/epoll.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/errno.h>
#include <fs/anon.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/poll.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <kernel/sync/mutex.h>
#include <lib/list.h>
#include <lib/string.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)
#define EPOLL_CLOEXEC  O_CLOEXEC

/* maxevents may be up to Linux's INT_MAX / sizeof(event); one wait
 * returns at most EPOLL_BATCH events (the rest wait for the next call) */
#define EPOLL_MAX_EVENTS (0x7fffffff / 12)
#define EPOLL_BATCH      1024

/* Linux's struct epoll_event on x86-64: packed, 12 bytes. */
struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct epitem {
	struct list_node node;      /* in the epoll's list */
	int fd;
	const struct file *file;    /* what fd named at EPOLL_CTL_ADD (not counted) */
	uint32_t events;            /* asked, with EPOLLET/EPOLLONESHOT */
	uint64_t data;
	bool disarmed;              /* EPOLLONESHOT reported: quiet until MOD */
	bool et_reported;           /* EPOLLET: reported at et_wakes ... */
	uint64_t et_wakes;          /* ... the file's queues' wake count then */
};

struct epoll {
	struct mutex lock;
	struct list_node items;     /* under lock */
};

static void epoll_release(struct file *f)
{
	struct epoll *ep = f->priv;

	if (!ep)
		return;
	while (!list_empty(&ep->items))
		kfree(list_entry(list_pop(&ep->items), struct epitem, node));
	kfree(ep);
}

static const struct file_ops epoll_ops = {
	.release = epoll_release,
};

long sys_epoll_create1(unsigned int flags)
{
	struct handle_table *t = process_current()->files;
	struct epoll *ep;
	struct inode *ino;
	struct file *f = NULL;
	long r;

	if (flags & ~(unsigned)EPOLL_CLOEXEC)
		return -EINVAL;
	if ((r = handle_free_check(t)))
		return r;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	mutex_init(&ep->lock, "epoll");
	list_init(&ep->items);
	ino = anon_inode_new(0600);
	if (ino)
		f = file_alloc(&epoll_ops, ino, O_RDWR);
	if (!f) {
		if (ino)
			iput(ino);
		kfree(ep);
		return -ENOMEM;
	}
	f->priv = ep;
	r = handle_install(t, &f->obj, RIGHTS_ALL, (flags & EPOLL_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);
	file_put(f);
	return r;
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

/* The epoll file epfd names, with a reference: 0, -EBADF, -EINVAL. */
static int epoll_get(int epfd, struct file **out)
{
	int r = sys_file_get(epfd, 0, out);

	if (!r && (*out)->ops != &epoll_ops) {
		file_put(*out);
		r = -EINVAL;
	}
	return r;
}

static struct epitem *find(struct epoll *ep, int fd)
{
	list_for_each(n, &ep->items) {
		struct epitem *it = list_entry(n, struct epitem, node);

		if (it->fd == fd)
			return it;
	}
	return NULL;
}

long sys_epoll_ctl(int epfd, int op, int fd, uptr_t uevent)
{
	struct epoll_event ev = { 0 };
	struct file *epf, *f;
	struct epoll *ep;
	struct epitem *it;
	long r;

	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	if ((r = epoll_get(epfd, &epf)))
		return r;
	if ((r = sys_file_get(fd, 0, &f))) {
		file_put(epf);
		return r;
	}
	ep = epf->priv;
	if (f == epf)
		r = -EINVAL;
	else if (!f->ops || !f->ops->poll)
		r = -EPERM;            /* regular files, directories, epoll files */
	else if (op == EPOLL_CTL_MOD && (ev.events & EPOLLEXCLUSIVE))
		r = -EINVAL;
	if (r)
		goto out;
	if ((r = mutex_lock(&ep->lock)))
		goto out;
	it = find(ep, fd);
	if (it && it->file != f) {
		/* fd was closed and reused since it was added: that item is gone */
		list_del(&it->node);
		kfree(it);
		it = NULL;
	}
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it) {
			r = -EEXIST;
			break;
		}
		it = kzalloc(sizeof(*it));
		if (!it) {
			r = -ENOMEM;
			break;
		}
		it->fd = fd;
		it->file = f;
		it->events = ev.events;
		it->data = ev.data;
		list_add_tail(&ep->items, &it->node);
		break;
	case EPOLL_CTL_MOD:
		if (!it) {
			r = -ENOENT;
			break;
		}
		if (it->events & EPOLLEXCLUSIVE) {
			r = -EINVAL;
			break;
		}
		it->events = ev.events;
		it->data = ev.data;
		it->disarmed = false;
		it->et_reported = false;      /* Linux reports a ready file again */
		break;
	case EPOLL_CTL_DEL:
		if (!it) {
			r = -ENOENT;
			break;
		}
		list_del(&it->node);
		kfree(it);
		break;
	}
	mutex_unlock(&ep->lock);
out:
	file_put(f);
	file_put(epf);
	return r;
}

struct epoll_scan {
	struct epoll *ep;
	struct epoll_event *out;
	int max;
};

/* One pass over the interest list under the epoll's lock: fills out with
 * up to max events; EPOLLONESHOT items reported are disarmed. */
static long epoll_scan(void *arg, struct poll_table *pt)
{
	struct epoll_scan *c = arg;
	struct handle_table *t = process_current()->files;
	struct list_node *n, *next;
	long ready = 0;
	int err = mutex_lock(&c->ep->lock);

	if (err)
		return err;
	for (n = c->ep->items.next; n != &c->ep->items; n = next) {
		struct epitem *it = list_entry(n, struct epitem, node);
		struct kobject *o;
		struct file *f;
		uint64_t wakes;
		unsigned mask;

		next = n->next;
		if (it->disarmed)
			continue;
		o = handle_get(t, it->fd, KOBJ_FILE, 0);
		f = o ? file_from_kobject(o) : NULL;
		if (f != it->file) {
			/* closed (or reused for another file): Linux's item went
			 * with its file */
			if (f)
				file_put(f);
			list_del(&it->node);
			kfree(it);
			continue;
		}
		mask = file_poll_wakes(f, ready < c->max ? pt : NULL, &wakes);
		file_put(f);
		mask &= (it->events & ~(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)) |
			POLLERR | POLLHUP;
		if (!mask)
			it->et_reported = false;
		if (!mask || ready == c->max)
			continue;
		if (it->events & EPOLLET) {
			if (it->et_reported && it->et_wakes == wakes)
				continue;       /* no new event since the last report */
			it->et_reported = true;
			it->et_wakes = wakes;
		}
		c->out[ready].events = mask;
		c->out[ready].data = it->data;
		ready++;
		if (it->events & EPOLLONESHOT)
			it->disarmed = true;
	}
	mutex_unlock(&c->ep->lock);
	return ready;
}

long epoll_wait_user(int epfd, uptr_t uevents, int max, uint64_t deadline)
{
	struct epoll_scan c;
	struct file *epf;
	long r;

	if (max <= 0 || max > EPOLL_MAX_EVENTS)
		return -EINVAL;
	if ((r = epoll_get(epfd, &epf)))
		return r;
	c.ep = epf->priv;
	c.max = max < EPOLL_BATCH ? max : EPOLL_BATCH;
	c.out = kmalloc((size_t)c.max * sizeof(*c.out));
	if (!c.out) {
		file_put(epf);
		return -ENOMEM;
	}
	r = poll_scan_wait(epoll_scan, &c, deadline);
	if (r > 0 && copy_to_user(uevents, c.out, (size_t)r * sizeof(*c.out)))
		r = -EFAULT;
	kfree(c.out);
	file_put(epf);
	return r;
}
