/* The channel and handle calls (native, from 1000): channel_create,
 * channel_send, channel_recv, channel_call, channel_reply_recv, the
 * register calls channel_call_regs and channel_reply_recv_regs, handle_rights,
 * handle_restrict, and kservice_open (the kernel services' endpoint, for
 * init). Messages are built here from the
 * caller's memory and descriptors, whole before anything is queued, and
 * taken apart into the receiver's, whole or not at all; kernel/ipc holds
 * the queues. docs/ipc.md. */
#include <cosmos/abi/fcntl.h>
#include <cosmos/channel.h>
#include <cosmos/errno.h>
#include <cosmos/kservice.h>
#include <fs/file.h>
#include <hal/usermode.h>
#include <kernel/ipc/channel.h>
#include <kernel/ipc/kservice.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sys/file.h>
#include <sys/sys.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

_Static_assert(CHAN_RIGHT_READ == RIGHT_READ && CHAN_RIGHT_WRITE == RIGHT_WRITE &&
	       CHAN_RIGHT_TRANSFER == RIGHT_TRANSFER && CHAN_RIGHT_DUP == RIGHT_DUP &&
	       CHAN_RIGHTS_ALL == RIGHTS_ALL, "channel rights are the handle table's");
_Static_assert(CHAN_NONBLOCK == O_NONBLOCK && CHAN_CLOEXEC == O_CLOEXEC,
	       "channel_create flags are Linux's open flags");

long sys_channel_create(uptr_t fds, unsigned int flags)
{
	unsigned fdflags = (flags & CHAN_CLOEXEC) ? HANDLE_CLOEXEC : 0;
	struct file *a, *b;
	long r;

	if (flags & ~(unsigned)(CHAN_CLOEXEC | CHAN_NONBLOCK))
		return -EINVAL;
	r = channel_create(flags & CHAN_NONBLOCK, &a, &b);
	if (r)
		return r;
	return sys_install_pair(a, b, fdflags, fds);
}

/* The endpoint fd names, if the caller's handle has the rights asked:
 * 0, -EBADF (not open), -ENOTSOCK (not an endpoint), -EPERM (no right). */
static int endpoint_get(int fd, uint32_t rights, struct file **out)
{
	uint32_t have;
	struct file *f;
	int err = sys_file_get_rights(fd, &f, &have);

	if (err)
		return err;
	if (!channel_is_endpoint(f) || (have & rights) != rights) {
		err = channel_is_endpoint(f) ? -EPERM : -ENOTSOCK;
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

/* The message cm describes, copied from the caller: its bytes and, for
 * each handle, the object with a reference and the rights the receiver
 * gets. -EMSGSIZE (over the limits), -EFAULT, -EBADF (a descriptor not
 * open), -EPERM (no RIGHT_TRANSFER, or rights it does not have), -EINVAL
 * (unknown rights, or an endpoint of the channel it would travel on). */
static int msg_from_user(struct file *f, const struct chan_msg *cm, struct ipc_msg **out)
{
	struct handle_table *t = process_current()->files;
	struct chan_handle hs[CHAN_HANDLES_MAX];
	struct ipc_msg *m;
	int err = 0;

	if (cm->size > CHAN_MSG_MAX || cm->nhandles > CHAN_HANDLES_MAX)
		return -EMSGSIZE;
	if (copy_from_user(hs, uptr(cm->handles), cm->nhandles * sizeof(hs[0])))
		return -EFAULT;
	m = ipc_msg_alloc(cm->size, cm->nhandles);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->data, uptr(cm->data), cm->size))
		err = -EFAULT;
	for (uint32_t i = 0; !err && i < cm->nhandles; i++) {
		uint32_t have, want = hs[i].rights;
		struct kobject *o = handle_get_rights(t, hs[i].fd, &have);

		if (!o) {
			err = -EBADF;
			break;
		}
		m->h[i].obj = o;          /* freed with m on an error */
		if (want == CHAN_RIGHTS_SAME)
			want = have;
		if (want & ~(uint32_t)RIGHTS_ALL)
			err = -EINVAL;
		else if (!(have & RIGHT_TRANSFER) || (want & ~have))
			err = -EPERM;
		else if (channel_carries_self(f, o))
			err = -EINVAL;
		m->h[i].rights = want;
	}
	if (err) {
		ipc_msg_free(m);
		return err;
	}
	*out = m;
	return 0;
}

static int send(int fd, uptr_t msg, bool dontwait, uint64_t deadline, bool call)
{
	struct chan_msg cm;
	struct ipc_msg *m;
	struct file *f;
	int err;

	if (copy_from_user(&cm, msg, sizeof(cm)))
		return -EFAULT;
	if ((err = endpoint_get(fd, RIGHT_WRITE, &f)))
		return err;
	/* bytes only, to a receiver already waiting: one copy, straight into
	 * its buffer */
	if (cm.nhandles == 0 && cm.size <= CHAN_MSG_MAX &&
	    channel_send_direct(f, process_current()->vm, cm.data, NULL, cm.size) == 1) {
		file_put(f);
		return 0;
	}
	err = msg_from_user(f, &cm, &m);
	if (!err) {
		err = channel_send(f, m, !call && (dontwait || (f->flags & O_NONBLOCK)), deadline);
		if (err)
			ipc_msg_free(m);
	}
	file_put(f);
	return err;
}

long sys_channel_send(int fd, uptr_t msg, unsigned int flags)
{
	if (flags & ~CHAN_DONTWAIT)
		return -EINVAL;
	return send(fd, msg, flags & CHAN_DONTWAIT, 0, false);
}

struct recv_ctx {
	struct chan_msg cm;        /* the caller's description, then the answer */
	uptr_t msg;
	unsigned fdflags;
	bool tell_sizes;           /* -EMSGSIZE: write the needed sizes back */
};

/* Closes the descriptors a failed delivery had installed (the message
 * keeps its own references). */
static void undo_installs(const struct chan_handle *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		handle_close(process_current()->files, hs[i].fd);
}

/* channel_recv's delivery, under the channel's lock: checks the room,
 * installs the handles, copies bytes, handles and sizes out; any failure
 * undoes it all and leaves the message queued. */
static int deliver(struct ipc_msg *m, void *arg)
{
	struct handle_table *t = process_current()->files;
	struct chan_handle hs[CHAN_HANDLES_MAX];
	struct recv_ctx *c = arg;
	uint32_t n;
	int err = 0;

	if (m->size > c->cm.size || m->nhandles > c->cm.nhandles) {
		c->cm.size = m->size;
		c->cm.nhandles = m->nhandles;
		c->tell_sizes = true;
		return -EMSGSIZE;
	}
	for (n = 0; n < m->nhandles; n++) {
		int fd = handle_install(t, m->h[n].obj, m->h[n].rights, c->fdflags, 0);

		if (fd < 0) {
			err = fd;
			break;
		}
		hs[n] = (struct chan_handle){ fd, m->h[n].rights };
	}
	c->cm.size = m->size;
	c->cm.nhandles = m->nhandles;
	if (!err && (copy_to_user(uptr(c->cm.data), m->data, m->size) ||
		     copy_to_user(uptr(c->cm.handles), hs, n * sizeof(hs[0])) ||
		     copy_to_user(c->msg, &c->cm, sizeof(c->cm))))
		err = -EFAULT;
	if (err)
		undo_installs(hs, n);
	return err;
}

/* A receive's first steps: the description at msg read and written
 * back (a direct delivery must not find it read-only after the message
 * was taken), the post made from it. */
static int recv_prepare(uptr_t msg, unsigned flags, struct recv_ctx *c, struct ipc_rx *rx)
{
	*c = (struct recv_ctx){ .msg = msg };
	if (copy_from_user(&c->cm, msg, sizeof(c->cm)) || copy_to_user(msg, &c->cm, sizeof(c->cm)))
		return -EFAULT;
	c->fdflags = (flags & CHAN_RECV_CLOEXEC) ? HANDLE_CLOEXEC : 0;
	*rx = (struct ipc_rx){ .vm = process_current()->vm, .data = c->cm.data, .cap = c->cm.size };
	return 0;
}

/* A receive's last: the sizes written back for a direct delivery or a
 * message too large. */
static int recv_finish(struct recv_ctx *c, struct ipc_rx *rx, int err)
{
	if (err == 1 && rx->state == IPC_RX_DONE) {
		c->cm.size = rx->size;
		c->cm.nhandles = 0;
		if (copy_to_user(c->msg, &c->cm, sizeof(c->cm)))
			err = -EFAULT;
	}
	if (err == -EMSGSIZE && c->tell_sizes && copy_to_user(c->msg, &c->cm, sizeof(c->cm)))
		err = -EFAULT;
	return err;
}

/* call: the reply is waited for even on a non-blocking endpoint. */
static int recv(int fd, uptr_t msg, unsigned flags, uint64_t deadline, bool call)
{
	struct recv_ctx c;
	struct ipc_rx rx;
	struct file *f;
	int err;

	if ((err = recv_prepare(msg, flags, &c, &rx)))
		return err;
	if ((err = endpoint_get(fd, RIGHT_READ, &f)))
		return err;
	err = channel_recv_posted(f, deliver, &c, &rx,
				  !call && ((flags & CHAN_DONTWAIT) || (f->flags & O_NONBLOCK)),
				  deadline);
	file_put(f);
	return recv_finish(&c, &rx, err);
}

/* A send of the message at msg and a blocking receive into the one at
 * reply, on fd, as one step when the message can go straight into a
 * waiting receiver's buffer (channel_call_direct: the CPU then switches to
 * it directly). NOT_DIRECT when that cannot be tried or nothing was sent:
 * the caller sends and receives as before, where any error is found
 * again and answered in its usual order. */
#define NOT_DIRECT 2
static int call_direct(int fd, uptr_t msg, uptr_t reply, unsigned flags, uint64_t deadline,
		       bool call)
{
	struct recv_ctx c;
	struct chan_msg cm;
	struct ipc_rx rx;
	struct file *f;
	bool sent;
	int err;

	if (copy_from_user(&cm, msg, sizeof(cm)) || cm.nhandles || cm.size > CHAN_MSG_MAX ||
	    recv_prepare(reply, flags, &c, &rx))
		return NOT_DIRECT;
	if (endpoint_get(fd, RIGHT_WRITE | RIGHT_READ, &f))
		return NOT_DIRECT;
	if (!call && (f->flags & O_NONBLOCK)) {
		file_put(f);
		return NOT_DIRECT;
	}
	err = channel_call_direct(f, process_current()->vm, cm.data, NULL, cm.size, deliver, &c,
				  &rx, deadline, &sent);
	file_put(f);
	return sent ? recv_finish(&c, &rx, err) : NOT_DIRECT;
}

long sys_channel_recv(int fd, uptr_t msg, unsigned int flags)
{
	if (flags & ~(CHAN_DONTWAIT | CHAN_RECV_CLOEXEC))
		return -EINVAL;
	return recv(fd, msg, flags, 0, false);
}

/* A deadline for a relative timeout in ns (negative: none). */
static uint64_t deadline_after(long timeout_ns)
{
	return timeout_ns < 0 ? 0 : time_ns() + (uint64_t)timeout_ns;
}

long sys_channel_call(int fd, uptr_t req, uptr_t reply, long timeout_ns, unsigned int flags)
{
	uint64_t deadline = deadline_after(timeout_ns);
	int err;

	if (flags & ~CHAN_RECV_CLOEXEC)
		return -EINVAL;
	if ((err = call_direct(fd, req, reply, flags, deadline, true)) != NOT_DIRECT)
		return err;
	/* the request leaves whole or not at all (waiting for room even on a
	 * non-blocking endpoint); then the next message on the same endpoint
	 * is the reply (0: the server closed first) */
	err = send(fd, req, false, deadline, true);
	if (err)
		return err;
	return recv(fd, reply, flags, deadline, true);
}

long sys_channel_reply_recv(int fd, uptr_t reply, uptr_t msg, unsigned int flags)
{
	int err;

	if (flags & ~(CHAN_DONTWAIT | CHAN_RECV_CLOEXEC))
		return -EINVAL;
	/* a server's answer to the request it took last, then its next
	 * request: one call where send and recv were two. The reply goes as
	 * channel_send would (into the client's posted buffer when it waits);
	 * its error comes back before anything is received. A blocking one
	 * may go as a call's (call_direct). */
	if (!uptr_is_null(reply) && !(flags & CHAN_DONTWAIT) &&
	    (err = call_direct(fd, reply, msg, flags, 0, false)) != NOT_DIRECT)
		return err;
	if (!uptr_is_null(reply) && (err = send(fd, reply, flags & CHAN_DONTWAIT, 0, false)))
		return err;
	return recv(fd, msg, flags, 0, false);
}

/* Register messages: up to CHAN_REG_BYTES in the caller's registers
 * (usermode_msg_words), no user memory touched, no handles. A sender's
 * words go straight into a receiver waiting in a register call (its post
 * is a kernel buffer on its stack) and through the queue otherwise; a
 * receiver takes a message of any sender that fits in the words. */
_Static_assert(CHAN_REG_WORDS == USERMODE_MSG_WORDS, "the register message's words");

struct regs_ctx {
	uint64_t w[CHAN_REG_WORDS];
	uint32_t size;
};

static int send_regs(struct file *f, const uint64_t *w, uint32_t size, bool nonblock)
{
	struct ipc_msg *m;
	int err;

	if (channel_send_direct(f, NULL, 0, w, size) == 1)
		return 0;
	m = ipc_msg_alloc(size, 0);
	if (!m)
		return -ENOMEM;
	memcpy(m->data, w, size);
	err = channel_send(f, m, nonblock, 0);
	if (err)
		ipc_msg_free(m);
	return err;
}

/* A queued message into the words: -EMSGSIZE (it stays queued) when it
 * is longer than they are or carries handles. */
static int deliver_regs(struct ipc_msg *m, void *arg)
{
	struct regs_ctx *c = arg;

	c->size = m->size;
	if (m->size > CHAN_REG_BYTES || m->nhandles)
		return -EMSGSIZE;
	memcpy(c->w, m->data, m->size);
	return 0;
}

/* A register receive's result into the caller's registers: the words
 * (zero past the message) and the size; on -EMSGSIZE the size alone. */
static int regs_finish(struct regs_ctx *c, struct ipc_rx *rx, int err)
{
	if (err == 1 && rx->state == IPC_RX_DONE)
		c->size = rx->size;
	if (err == 1)
		usermode_set_msg(sys_frame(), c->w, c->size);
	else if (err == -EMSGSIZE)
		usermode_set_msg_size(sys_frame(), c->size);
	return err;
}

static int recv_regs(struct file *f, bool nonblock)
{
	struct regs_ctx c = { .size = 0 };
	struct ipc_rx rx = { .kbuf = c.w, .cap = CHAN_REG_BYTES };

	return regs_finish(&c, &rx, channel_recv_posted(f, deliver_regs, &c, &rx, nonblock, 0));
}

/* The words w sent and a blocking register receive as one step when they
 * can go straight into a register receiver's buffer (channel_call_direct);
 * NOT_DIRECT, nothing sent, otherwise. */
static int call_regs_direct(struct file *f, const uint64_t *w, uint32_t size)
{
	struct regs_ctx c = { .size = 0 };
	struct ipc_rx rx = { .kbuf = c.w, .cap = CHAN_REG_BYTES };
	bool sent;
	int err = channel_call_direct(f, NULL, 0, w, size, deliver_regs, &c, &rx, 0, &sent);

	return sent ? regs_finish(&c, &rx, err) : NOT_DIRECT;
}

long sys_channel_call_regs(int fd, unsigned long sizeflags)
{
	uint64_t w[CHAN_REG_WORDS];
	uint32_t size = (uint32_t)sizeflags;
	struct file *f;
	int err;

	if ((sizeflags >> 32) || size > CHAN_REG_BYTES)
		return -EINVAL;
	/* both rights first: a call that cannot take its reply sends nothing */
	if ((err = endpoint_get(fd, RIGHT_WRITE | RIGHT_READ, &f)))
		return err;
	usermode_msg_words(sys_frame(), w);
	err = call_regs_direct(f, w, size);
	if (err == NOT_DIRECT) {
		err = send_regs(f, w, size, false);
		if (!err)
			err = recv_regs(f, false);
	}
	file_put(f);
	return err;
}

long sys_channel_reply_recv_regs(int fd, unsigned long sizeflags)
{
	uint64_t w[CHAN_REG_WORDS];
	uint32_t size = (uint32_t)sizeflags, flags = (uint32_t)(sizeflags >> 32);
	bool reply = size != CHAN_REG_NOREPLY, nonblock;
	struct file *f;
	int err;

	if ((flags & ~CHAN_DONTWAIT) || (reply && size > CHAN_REG_BYTES))
		return -EINVAL;
	if ((err = endpoint_get(fd, RIGHT_READ | (reply ? RIGHT_WRITE : 0), &f)))
		return err;
	nonblock = (flags & CHAN_DONTWAIT) || (f->flags & O_NONBLOCK);
	if (reply) {
		usermode_msg_words(sys_frame(), w);
		err = nonblock ? NOT_DIRECT : call_regs_direct(f, w, size);
		if (err != NOT_DIRECT) {
			file_put(f);
			return err;
		}
		err = send_regs(f, w, size, nonblock);
	}
	if (!err)
		err = recv_regs(f, nonblock);
	file_put(f);
	return err;
}

long sys_handle_rights(int fd)
{
	uint32_t rights;
	struct kobject *o = handle_get_rights(process_current()->files, fd, &rights);

	if (!o)
		return -EBADF;
	kobject_put(o);
	return rights;
}

long sys_handle_restrict(int fd, unsigned int rights)
{
	if (rights & ~(unsigned)RIGHTS_ALL)
		return -EINVAL;
	return handle_restrict(process_current()->files, fd, rights);
}

long sys_kservice_open(unsigned int flags)
{
	struct file *f;
	long r;

	if (flags & ~(unsigned)KSERVICE_CLOEXEC)
		return -EINVAL;
	/* init alone: it passes the endpoint on to the programs it starts */
	if (process_current()->pid != 1)
		return -EPERM;
	f = kservice_endpoint();
	if (!f)
		return -ENOMEM;
	r = handle_install(process_current()->files, &f->obj, RIGHTS_ALL,
			   (flags & KSERVICE_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);
	file_put(f);
	return r;
}
