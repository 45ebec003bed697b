/* Linux's poll(2) and select(2) ABI on x86-64: event bits, struct pollfd,
 * the fd_set bitmap and its size. Shared by the kernel and user/. */
#ifndef COSMOS_ABI_POLL_H
#define COSMOS_ABI_POLL_H

#include <stdint.h>

#define POLLIN     0x0001
#define POLLPRI    0x0002
#define POLLOUT    0x0004
#define POLLERR    0x0008
#define POLLHUP    0x0010
#define POLLNVAL   0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG    0x0400
#define POLLRDHUP  0x2000

struct pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* select(2): a bitmap of FD_SETSIZE descriptors in 64-bit words. */
#define FD_SETSIZE 1024
#define ABI_NFDBITS 64
typedef struct {
	uint64_t fds_bits[FD_SETSIZE / ABI_NFDBITS];
} abi_fd_set;

/* What select's three sets mean in poll bits (as Linux's fs/select.c). */
#define POLLIN_SET  (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET  (POLLPRI)

#endif
