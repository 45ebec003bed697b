/* The socket calls for AF_UNIX (socket, socketpair, bind, listen, accept,
 * accept4, connect, getsockname, getpeername, sendto, recvfrom, sendmsg,
 * recvmsg, shutdown, setsockopt, getsockopt): addresses, iovecs and
 * control messages copied in and checked here, descriptors turned into
 * handles (SCM_RIGHTS) and back; kernel/ipc/unix.c holds the sockets.
 * docs/ipc.md, "AF_UNIX sockets". */
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/signal.h>
#include <cosmos/abi/socket.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <kernel/ipc/unix.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <lib/string.h>
#include <sys/file.h>
#include <sys/syscall_protos.h>
#include <sys/uio.h>
#include <sys/usercopy.h>

#define CONTROL_MAX 20480u        /* Linux's optmem_max: -ENOBUFS above */
#define TYPE_FLAGS  (SOCK_NONBLOCK | SOCK_CLOEXEC)

_Static_assert(SOCK_NONBLOCK == O_NONBLOCK && SOCK_CLOEXEC == O_CLOEXEC,
	       "socket flags are Linux's open flags");

/* The AF_UNIX socket fd names, with the rights asked: 0, -EBADF,
 * -ENOTSOCK. */
static int sock_get(int fd, uint32_t rights, struct file **out)
{
	int err = sys_file_get(fd, rights, out);

	if (err)
		return err;
	if (!unix_is_socket(*out)) {
		file_put(*out);
		return -ENOTSOCK;
	}
	return 0;
}

static int new_type(int domain, unsigned type, int protocol, int *kind)
{
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	if (type & ~(unsigned)(SOCK_TYPE_MASK | TYPE_FLAGS))
		return -EINVAL;
	if (protocol != 0 && protocol != AF_UNIX)   /* PF_UNIX */
		return -EPROTONOSUPPORT;
	*kind = (int)(type & SOCK_TYPE_MASK);
	return 0;
}

static long install(struct file *f, unsigned flags)
{
	long fd = handle_install(process_current()->files, &f->obj, RIGHTS_ALL,
				 (flags & SOCK_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);

	file_put(f);              /* the table's reference or none */
	return fd;
}

long sys_socket(int domain, unsigned int type, int protocol)
{
	struct file *f;
	int kind;
	long r = new_type(domain, type, protocol, &kind);

	if (r)
		return r;
	if ((r = unix_socket(kind, type & SOCK_NONBLOCK, &f)))
		return r;
	return install(f, type);
}

long sys_socketpair(int domain, unsigned int type, int protocol, uptr_t sv)
{
	struct file *a, *b;
	int kind;
	long r = new_type(domain, type, protocol, &kind);

	if (r)
		return r;
	if (!user_range_ok(sv, 2 * sizeof(int)))
		return -EFAULT;
	if ((r = unix_socketpair(kind, type & SOCK_NONBLOCK, &a, &b)))
		return r;
	return sys_install_pair(a, b, (type & SOCK_CLOEXEC) ? HANDLE_CLOEXEC : 0, sv);
}

/* A struct sockaddr_un from the program: -EINVAL (too short or long, not
 * AF_UNIX), -EFAULT. */
static int addr_in(uptr_t ua, unsigned len, struct unix_addr *a)
{
	if (len < 2 || len > sizeof(a->sa))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	if (copy_from_user(&a->sa, ua, len))
		return -EFAULT;
	if (a->sa.sun_family != AF_UNIX)
		return -EINVAL;
	a->len = len;
	return 0;
}

/* Writes a to the program's buffer of *lenp bytes (cut to fit) and its
 * full length to *lenp, as accept, getsockname and recvfrom do. */
static int addr_out(uptr_t ua, uptr_t ulenp, const struct unix_addr *a)
{
	int32_t len;

	if (uptr_is_null(ulenp))
		return 0;
	if (copy_from_user(&len, ulenp, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (copy_to_user(ua, &a->sa, (uint32_t)len < a->len ? (uint32_t)len : a->len))
		return -EFAULT;
	len = (int32_t)a->len;
	return copy_to_user(ulenp, &len, sizeof(len)) ? -EFAULT : 0;
}

/* bind and connect: a name copied in and checked, then the call. */
static long with_addr(int fd, uptr_t addr, unsigned len, int (*op)(struct file *, const struct unix_addr *))
{
	struct unix_addr a;
	struct file *f;
	long r = addr_in(addr, len, &a);

	if (r)
		return r;
	if ((r = sock_get(fd, 0, &f)))
		return r;
	r = op(f, &a);
	file_put(f);
	return r;
}

long sys_bind(int fd, uptr_t addr, unsigned int len) { return with_addr(fd, addr, len, unix_bind); }
long sys_connect(int fd, uptr_t addr, unsigned int len)
{
	uint16_t family;
	struct file *f;
	long r;

	if (len >= sizeof(family) && len <= sizeof(struct abi_sockaddr_un) &&
	    !copy_from_user(&family, addr, sizeof(family)) && family == AF_UNSPEC) {
		if ((r = sock_get(fd, 0, &f)))
			return r;
		r = unix_disconnect(f);
		file_put(f);
		return r;
	}
	return with_addr(fd, addr, len, unix_connect);
}

long sys_listen(int fd, int backlog)
{
	struct file *f;
	long r = sock_get(fd, 0, &f);

	if (r)
		return r;
	r = unix_listen(f, backlog);
	file_put(f);
	return r;
}

long sys_accept4(int fd, uptr_t addr, uptr_t lenp, unsigned int flags)
{
	struct unix_addr peer;
	struct file *f, *nf;
	long r;

	if (flags & ~(unsigned)TYPE_FLAGS)
		return -EINVAL;
	if ((r = sock_get(fd, 0, &f)))
		return r;
	r = unix_accept(f, flags & SOCK_NONBLOCK, &nf, &peer);
	file_put(f);
	if (r)
		return r;
	/* the address first: a bad buffer fails the call before any
	 * descriptor exists (the connection is closed, as Linux does) */
	if (!uptr_is_null(addr) && (r = addr_out(addr, lenp, &peer))) {
		file_put(nf);
		return r;
	}
	return install(nf, flags);
}

long sys_accept(int fd, uptr_t addr, uptr_t lenp) { return sys_accept4(fd, addr, lenp, 0); }

static long getname(int fd, uptr_t addr, uptr_t lenp, bool peer)
{
	struct unix_addr a;
	struct file *f;
	long r = sock_get(fd, 0, &f);

	if (r)
		return r;
	r = unix_getname(f, peer, &a);
	file_put(f);
	if (r)
		return r;
	if (uptr_is_null(lenp))
		return -EFAULT;
	return addr_out(addr, lenp, &a);
}

long sys_getsockname(int fd, uptr_t addr, uptr_t lenp) { return getname(fd, addr, lenp, false); }
long sys_getpeername(int fd, uptr_t addr, uptr_t lenp) { return getname(fd, addr, lenp, true); }

long sys_shutdown(int fd, int how)
{
	struct file *f;
	long r = sock_get(fd, 0, &f);

	if (r)
		return r;
	r = unix_shutdown(f, how);
	file_put(f);
	return r;
}

/* SCM_RIGHTS and SCM_CREDENTIALS from a copied-in control buffer: each
 * descriptor becomes a handle with its rights (it must have the transfer
 * right). -EINVAL (a malformed header, too many descriptors, a bad
 * credentials length), -EBADF, -EPERM. Other levels are ignored, as
 * Linux does. */
static int control_in(const uint8_t *c, size_t len, struct unix_scm *scm)
{
	struct handle_table *t = process_current()->files;
	size_t off = 0;

	while (len - off >= sizeof(struct abi_cmsghdr)) {
		struct abi_cmsghdr h;
		size_t dlen;

		memcpy(&h, c + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		dlen = h.cmsg_len - sizeof(h);
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			size_t n = dlen / sizeof(int32_t);

			if (n == 0 || n > UNIX_FDS_MAX - scm->nfds)
				return -EINVAL;
			for (size_t i = 0; i < n; i++) {
				int32_t fd;
				uint32_t have;
				struct kobject *o;

				memcpy(&fd, c + off + sizeof(h) + i * sizeof(fd), sizeof(fd));
				o = handle_get_rights(t, fd, &have);
				if (!o)
					return -EBADF;
				scm->fds[scm->nfds++] = (struct ipc_handle){ o, have };
				if (!(have & RIGHT_TRANSFER))
					return -EPERM;
			}
		} else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS) {
			if (dlen != sizeof(struct abi_ucred))
				return -EINVAL;
			struct abi_ucred u;

			memcpy(&u, c + off + sizeof(h), sizeof(u));
			scm->has_cred = true;
			scm->cred = (struct unix_cred){ u.pid, u.uid, u.gid };
		} else if (h.cmsg_level == SOL_SOCKET) {
			return -EINVAL;
		}
		off += ABI_CMSG_ALIGN(h.cmsg_len);
		if (off > len)
			break;
	}
	return 0;
}

/* The common send: u over fd with the control buffer (user memory) and
 * the name to (NULL: none). */
static long do_send(int fd, struct uio *u, uptr_t ctl, uint64_t ctllen, const struct unix_addr *to,
		    unsigned flags)
{
	struct unix_scm scm;
	uint8_t *c = NULL;
	struct file *f;
	long r;

	if (flags & ~(unsigned)(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR | MSG_CMSG_CLOEXEC))
		return flags & MSG_OOB ? -EOPNOTSUPP : -EINVAL;
	if (ctllen > CONTROL_MAX)
		return -ENOBUFS;
	if ((r = sock_get(fd, RIGHT_WRITE, &f)))
		return r;
	scm.nfds = 0;
	scm.has_cred = false;
	if (ctllen) {
		c = kmalloc(ctllen);
		if (!c)
			r = -ENOMEM;
		else if (copy_from_user(c, ctl, ctllen))
			r = -EFAULT;
		else
			r = control_in(c, ctllen, &scm);
		kfree(c);
	}
	if (!r)
		r = unix_send(f, u, &scm, to, flags);
	unix_scm_put(&scm);
	if (r == -EPIPE && unix_type(f) != SOCK_DGRAM && !(flags & MSG_NOSIGNAL))
		process_signal_self(SIGPIPE);
	file_put(f);
	return r;
}

long sys_sendto(int fd, uptr_t buf, size_t len, unsigned int flags, uptr_t addr, unsigned int alen)
{
	struct unix_addr a;
	struct uio u;
	long r;

	if (len > 0x7ffff000u)
		len = 0x7ffff000u;
	if (!uptr_is_null(addr) && (r = addr_in(addr, alen, &a)))
		return r;
	uio_init_user(&u, buf, len);
	return do_send(fd, &u, uptr(0), 0, uptr_is_null(addr) ? NULL : &a, flags);
}

long sys_sendmsg(int fd, uptr_t msg, unsigned int flags)
{
	struct kiovec small[IOV_SMALL], *v;
	struct abi_msghdr m;
	struct unix_addr a;
	struct uio u;
	long r;

	if (copy_from_user(&m, msg, sizeof(m)))
		return -EFAULT;
	if (m.msg_name && m.msg_namelen && (r = addr_in(uptr(m.msg_name), m.msg_namelen, &a)))
		return r;
	if (m.msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if ((r = iov_get(uptr(m.msg_iov), (int)m.msg_iovlen, small, &v, &u)))
		return r;
	r = do_send(fd, &u, uptr(m.msg_control), m.msg_controllen,
		    m.msg_name && m.msg_namelen ? &a : NULL, flags);
	iov_put(v, small);
	return r;
}

/* The received message's control part, written at ctl (room: *ctllen,
 * then the bytes used): the sender's credentials if SO_PASSCRED is on,
 * the descriptors installed (with MSG_CMSG_CLOEXEC: close-on-exec) as far
 * as they fit; the others are closed and MSG_CTRUNC is set in *mflags. */
static int control_out(struct file *f, struct unix_scm *scm, uptr_t ctl, uint64_t *ctllen,
		       unsigned flags, int32_t *mflags)
{
	struct handle_table *t = process_current()->files;
	uint64_t room = uptr_is_null(ctl) ? 0 : *ctllen, used = 0;
	int32_t fds[UNIX_FDS_MAX];
	uint32_t n = 0;

	if (unix_passcred(f)) {
		struct {
			struct abi_cmsghdr h;
			struct abi_ucred u;
		} c = { { ABI_CMSG_LEN(sizeof(struct abi_ucred)), SOL_SOCKET, SCM_CREDENTIALS },
			{ scm->cred.pid, scm->cred.uid, scm->cred.gid } };

		if (room >= sizeof(c)) {
			if (copy_to_user(ctl, &c, sizeof(c)))
				return -EFAULT;
			used = ABI_CMSG_SPACE(sizeof(struct abi_ucred));
		} else {
			*mflags |= MSG_CTRUNC;
		}
	}
	if (scm->nfds) {
		uint64_t left = room > used ? room - used : 0;
		uint64_t fit = left > sizeof(struct abi_cmsghdr) ?
			       (left - sizeof(struct abi_cmsghdr)) / sizeof(int32_t) : 0;
		int err = 0;

		for (; n < scm->nfds && n < fit; n++) {
			int fd = handle_install(t, scm->fds[n].obj, scm->fds[n].rights,
						(flags & MSG_CMSG_CLOEXEC) ? HANDLE_CLOEXEC : 0, 0);

			if (fd < 0)
				break;
			fds[n] = fd;
		}
		if (n < scm->nfds)
			*mflags |= MSG_CTRUNC;   /* the rest are dropped (unix_scm_put) */
		if (n) {
			struct abi_cmsghdr h = { ABI_CMSG_LEN(n * sizeof(int32_t)), SOL_SOCKET,
						 SCM_RIGHTS };

			if (copy_to_user(uptr_add(ctl, used), &h, sizeof(h)) ||
			    copy_to_user(uptr_add(ctl, used + sizeof(h)), fds, n * sizeof(int32_t)))
				err = -EFAULT;
			if (err) {
				for (uint32_t i = 0; i < n; i++)
					handle_close(t, fds[i]);
				return err;
			}
			used += ABI_CMSG_SPACE(n * sizeof(int32_t));
			if (used > room)
				used = room;
		}
	}
	*ctllen = used;
	return 0;
}

/* The common receive. m: the program's msghdr (copied in, updated for
 * writing back), NULL for recvfrom. */
static long do_recv(int fd, struct uio *u, struct abi_msghdr *m, uptr_t name, uptr_t namelenp,
		    unsigned flags)
{
	struct unix_scm scm;
	struct file *f;
	int32_t mflags = 0;
	long r;

	if (flags & ~(unsigned)(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL |
				MSG_CMSG_CLOEXEC | MSG_NOSIGNAL))
		return flags & MSG_OOB ? -EOPNOTSUPP : -EINVAL;
	if ((r = sock_get(fd, RIGHT_READ, &f)))
		return r;
	r = unix_recv(f, u, &scm, flags);
	if (r >= 0) {
		int err = 0;

		if (scm.trunc)
			mflags |= MSG_TRUNC;
		if (m) {
			err = control_out(f, &scm, uptr(m->msg_control), &m->msg_controllen, flags,
					  &mflags);
			if (!err && m->msg_name) {
				uint32_t k = m->msg_namelen < scm.from.len ? m->msg_namelen : scm.from.len;

				if (copy_to_user(uptr(m->msg_name), &scm.from.sa, k))
					err = -EFAULT;
			}
			m->msg_namelen = scm.from.len;
			m->msg_flags = mflags;
		} else if (!uptr_is_null(name)) {
			err = addr_out(name, namelenp, &scm.from);
		}
		if (err)
			r = err;
		else if ((flags & MSG_TRUNC) && unix_type(f) != SOCK_STREAM)
			r = scm.len;
	}
	unix_scm_put(&scm);
	file_put(f);
	return r;
}

long sys_recvfrom(int fd, uptr_t buf, size_t len, unsigned int flags, uptr_t addr, uptr_t alenp)
{
	struct uio u;

	if (len > 0x7ffff000u)
		len = 0x7ffff000u;
	uio_init_user(&u, buf, len);
	return do_recv(fd, &u, NULL, addr, alenp, flags);
}

long sys_recvmsg(int fd, uptr_t msg, unsigned int flags)
{
	struct kiovec small[IOV_SMALL], *v;
	struct abi_msghdr m;
	struct uio u;
	long r;

	if (copy_from_user(&m, msg, sizeof(m)))
		return -EFAULT;
	if (m.msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if ((r = iov_get(uptr(m.msg_iov), (int)m.msg_iovlen, small, &v, &u)))
		return r;
	r = do_recv(fd, &u, &m, uptr(0), uptr(0), flags);
	iov_put(v, small);
	if (r >= 0 && copy_to_user(msg, &m, sizeof(m)))
		r = -EFAULT;
	return r;
}

long sys_setsockopt(int fd, int level, int name, uptr_t val, unsigned int len)
{
	struct file *f;
	int32_t v;
	long r;

	if ((r = sock_get(fd, 0, &f)))
		return r;
	if (level != SOL_SOCKET)
		r = -EOPNOTSUPP;
	else if (len < sizeof(v))
		r = -EINVAL;
	else if (copy_from_user(&v, val, sizeof(v)))
		r = -EFAULT;
	else
		r = unix_setsockopt_int(f, name, v);
	file_put(f);
	return r;
}

long sys_getsockopt(int fd, int level, int name, uptr_t val, uptr_t lenp)
{
	struct abi_ucred uc;
	struct unix_cred c;
	struct file *f;
	int32_t len, v;
	const void *src = &v;
	uint32_t size = sizeof(v);
	long r;

	if (copy_from_user(&len, lenp, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if ((r = sock_get(fd, 0, &f)))
		return r;
	if (level != SOL_SOCKET) {
		r = -EOPNOTSUPP;
	} else if (name == SO_PEERCRED) {
		r = unix_peercred(f, &c);
		uc = (struct abi_ucred){ c.pid, c.uid, c.gid };
		src = &uc;
		size = sizeof(uc);
	} else {
		r = unix_getsockopt_int(f, name, &v);
	}
	file_put(f);
	if (r)
		return r;
	if ((uint32_t)len > size)
		len = (int32_t)size;
	if (copy_to_user(val, src, (uint32_t)len))
		return -EFAULT;
	return copy_to_user(lenp, &len, sizeof(len)) ? -EFAULT : 0;
}
