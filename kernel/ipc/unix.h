/* AF_UNIX sockets: stream, datagram and seqpacket sockets between
 * processes, named in the file system or in the abstract namespace, whose
 * messages are the channels' kernel messages (struct ipc_msg: bytes plus
 * handles in transit). This layer holds kernel copies and references only;
 * sys/socket.c copies between programs and these calls and turns
 * descriptors into handles and back. docs/ipc.md, "AF_UNIX sockets". */
#ifndef KERNEL_IPC_UNIX_H
#define KERNEL_IPC_UNIX_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/abi/socket.h>
#include <cosmos/compiler.h>
#include <kernel/ipc/channel.h>

struct file;
struct uio;

/* A socket address as the program gave it (len: bytes of struct
 * abi_sockaddr_un used, 2 for an unnamed socket). An abstract name starts
 * with a NUL in sun_path; a path name is NUL-terminated. */
struct unix_addr {
	uint32_t len;
	struct abi_sockaddr_un sa;
};

struct unix_cred {
	int32_t pid;
	uint32_t uid, gid;
};

/* Most descriptors in one message (Linux allows 253). */
#define UNIX_FDS_MAX CHAN_HANDLES_MAX

/* What travels beside the bytes. On send, the handles' references go to
 * the message on success; the caller puts whatever is left (unix_scm_put).
 * On receive, the handles are references the caller owns. */
struct unix_scm {
	uint32_t nfds;
	struct ipc_handle fds[UNIX_FDS_MAX];
	bool has_cred;                /* send: given by the program (checked) */
	struct unix_cred cred;        /* receive: the sender's */
	struct unix_addr from;        /* receive: the sender's name */
	uint32_t len;                 /* receive: the message's full length */
	bool trunc;                   /* receive: the message did not fit */
};
void unix_scm_put(struct unix_scm *scm);

/* A new socket of type SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (with
 * O_NONBLOCK in flags): 0, -ESOCKTNOSUPPORT, -ENOMEM. */
int unix_socket(int type, uint32_t flags, struct file **out) __must_check;
/* Two connected sockets. */
int unix_socketpair(int type, uint32_t flags, struct file **a, struct file **b) __must_check;
bool unix_is_socket(const struct file *f);
int unix_type(const struct file *f);

/* addr checked by the caller: family AF_UNIX, 2 <= len <= sizeof sa. */
int unix_bind(struct file *f, const struct unix_addr *addr);
int unix_listen(struct file *f, int backlog);
int unix_connect(struct file *f, const struct unix_addr *addr);
/* connect with AF_UNSPEC: a datagram socket forgets its peer (its unread
 * messages go, as Linux's); -EINVAL for other types. */
int unix_disconnect(struct file *f);
/* The next connection (flags: O_NONBLOCK for the new file); *peer gets
 * the connecting socket's name. */
int unix_accept(struct file *f, uint32_t flags, struct file **out, struct unix_addr *peer);
int unix_shutdown(struct file *f, int how);
/* peer: the connected socket's name instead of our own. */
int unix_getname(struct file *f, bool peer, struct unix_addr *out);

/* Send the bytes of u (to: a name for an unconnected datagram socket, or
 * NULL) with scm; flags MSG_DONTWAIT. Bytes sent or -errno (-EPIPE
 * without the signal: the caller raises SIGPIPE). */
long unix_send(struct file *f, struct uio *u, struct unix_scm *scm, const struct unix_addr *to,
	       unsigned flags);
/* Receive into u; scm is filled in (flags MSG_DONTWAIT, MSG_PEEK,
 * MSG_WAITALL). Bytes copied (0 at the end of the stream) or -errno. */
long unix_recv(struct file *f, struct uio *u, struct unix_scm *scm, unsigned flags);

/* SOL_SOCKET options with int values, and SO_PEERCRED. */
int unix_getsockopt_int(struct file *f, int name, int *val);
int unix_setsockopt_int(struct file *f, int name, int val);
int unix_peercred(struct file *f, struct unix_cred *out);
/* SO_PASSCRED is on: received messages report their sender. */
bool unix_passcred(struct file *f);

void unix_init(void);

#endif
