/* epoll's wait, for sys/poll.c's epoll_wait and epoll_pwait (which put
 * the signal mask in place around it). */
#ifndef SYS_EPOLL_H
#define SYS_EPOLL_H

#include <stdint.h>
#include <sys/usercopy.h>

/* Up to max ready events of epoll descriptor epfd into the user array
 * uevents, waiting until the deadline (fs/poll.h: POLL_FOREVER, or a
 * time_ns() value). How many, 0 at the deadline, -EBADF, -EINVAL (not an
 * epoll descriptor, max <= 0 or too large), -EFAULT, -EINTR, -ENOMEM. */
long epoll_wait_user(int epfd, uptr_t uevents, int max, uint64_t deadline);

#endif
