/* poll, ppoll, select and pselect6 over files sys/ has already looked up,
 * and poll_wait for the files' poll ops. A poll op returns the file's
 * ready bits (POLLIN ...) and calls poll_wait for each wait queue whose
 * wake-up can change them; the core sleeps on all of them at once
 * (kernel/sched/wait.h entries) until one is woken, the deadline passes
 * or a signal interrupts the wait. */
#ifndef FS_POLL_H
#define FS_POLL_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/abi/poll.h>

struct file;
struct poll_table;
struct waitq;

/* In a file's poll op: register on wq. pt may be NULL (just asking). */
void poll_wait(struct poll_table *pt, struct waitq *wq);
/* The caller of the poll op will sleep unless this file is ready (a
 * look that does not wait, or the first counting pass, answers false). */
bool poll_will_wait(const struct poll_table *pt);

/* What a file is ready for now: its poll op's answer, or POLLIN|POLLOUT|
 * POLLRDNORM|POLLWRNORM for files without one (regular files). */
unsigned file_poll(struct file *f, struct poll_table *pt);
/* file_poll, also giving the sum of the wake counts of the queues the
 * file named (read before its bits): the sum changes once one of them is
 * woken, which is how EPOLLET tells a new event from an old one. */
unsigned file_poll_wakes(struct file *f, struct poll_table *pt, uint64_t *wakes);

/* Deadlines are time_ns() values; one already passed (0 included) means
 * look once without waiting; POLL_FOREVER waits without a limit. */
#define POLL_FOREVER UINT64_MAX

/* One pollfd after sys/ looked its descriptor up. */
struct poll_file {
	struct file *file;   /* NULL: fd < 0 (ignored) or not open (POLLNVAL) */
	int fd;
	int16_t events;
	int16_t revents;     /* set by poll_files */
};

/* One pass over a caller's files (registering on their queues with pt,
 * which may be NULL): how many are ready. */
typedef long (*poll_scan_fn)(void *ctx, struct poll_table *pt);
/* The wait of poll, select and epoll: calls scan until it finds something
 * ready (its answer is returned; the scan that answers above 0 is the
 * last), the deadline passes (0), a signal comes (-EINTR) or memory runs
 * out (-ENOMEM). */
long poll_scan_wait(poll_scan_fn scan, void *ctx, uint64_t deadline);

/* poll/ppoll: sets every revents to the ready events asked for (POLLERR
 * and POLLHUP always count; POLLNVAL for a descriptor that is not open)
 * and returns how many are non-zero; 0 when the deadline came first;
 * -EINTR when a signal interrupted the wait with nothing ready; -ENOMEM. */
long poll_files(struct poll_file *fds, unsigned n, uint64_t deadline);

/* select/pselect6: in, out and ex are bitmaps of (nfds + 63) / 64 words
 * (bit fd % 64 of word fd / 64), each may be NULL; files[i] is descriptor
 * i's file for each i < nfds that is in one of them (sys/ answers -EBADF
 * itself for a descriptor in a set that is not open), NULL otherwise. On
 * success each set is replaced by its ready subset. Returns the number of
 * bits set, 0 at the deadline, -EINTR (sets untouched), -ENOMEM, -EINVAL
 * (nfds above SELECT_NFDS_MAX, the most descriptors a table holds). */
#define SELECT_NFDS_MAX 65536u
long select_files(unsigned nfds, struct file *const *files, uint64_t *in, uint64_t *out,
		  uint64_t *ex, uint64_t deadline);

#endif
