/* In-kernel tests of poll and select: readiness of pipes (data, room,
 * hang-up, error) and regular files, POLLNVAL, timeouts, a wake-up from
 * another thread, and an interrupted wait. */
#include <kernel/ktest.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/limits.h>
#include <cosmos/errno.h>
#include <fs/pipe.h>
#include <fs/poll.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>
#include <lib/string.h>
#include "blocked.h"
#include "vfs_util.h"

static unsigned now_mask(struct file *f)
{
	return file_poll(f, NULL);
}

KTEST(poll_pipe_readiness)
{
	struct file *r, *w;
	char *buf = kzalloc(PIPE_DEF_BYTES);

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, pipe_create(O_NONBLOCK, &r, &w) == 0);
	KT_EXPECT_EQ(t, now_mask(r), 0);
	KT_EXPECT_EQ(t, now_mask(w), POLLOUT | POLLWRNORM);
	KT_EXPECT_EQ(t, vt_fd_write(w, "x", 1), 1);
	KT_EXPECT_EQ(t, now_mask(r), POLLIN | POLLRDNORM);
	/* writable only while a PIPE_BUF write would go in whole */
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, PIPE_DEF_BYTES - PIPE_BUF), PIPE_DEF_BYTES - PIPE_BUF);
	KT_EXPECT_EQ(t, now_mask(w), 0);
	KT_EXPECT_EQ(t, vt_fd_read(r, buf, 1), 1);
	KT_EXPECT_EQ(t, now_mask(w), POLLOUT | POLLWRNORM);
	file_put(w);
	KT_EXPECT_EQ(t, now_mask(r), POLLIN | POLLRDNORM | POLLHUP);
	file_put(r);
	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	file_put(r);
	KT_EXPECT_EQ(t, now_mask(w), POLLOUT | POLLWRNORM | POLLERR);
	file_put(w);
	kfree(buf);
}

KTEST(poll_files_and_nval)
{
	struct file *r, *w, *reg;
	struct vt v;
	struct poll_file pf[4];

	KT_ASSERT(t, vt_setup(&v, "poll1", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "reg"), "data", 4, 0644) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "reg"), O_RDONLY, 0, &reg) == 0);
	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	pf[0] = (struct poll_file){ .file = r, .fd = 3, .events = POLLIN };
	pf[1] = (struct poll_file){ .file = reg, .fd = 4, .events = POLLIN | POLLOUT };
	pf[2] = (struct poll_file){ .file = NULL, .fd = 9, .events = POLLIN };   /* not open */
	pf[3] = (struct poll_file){ .file = NULL, .fd = -1, .events = POLLIN };  /* ignored */
	KT_EXPECT_EQ(t, poll_files(pf, 4, 0), 2);
	KT_EXPECT_EQ(t, pf[0].revents, 0);
	KT_EXPECT_EQ(t, pf[1].revents, POLLIN | POLLOUT);       /* regular files: always */
	KT_EXPECT_EQ(t, pf[2].revents, POLLNVAL);
	KT_EXPECT_EQ(t, pf[3].revents, 0);
	/* asked for POLLOUT only, a hung-up reader still reports POLLHUP */
	file_put(w);
	pf[0].events = POLLOUT;
	KT_EXPECT_EQ(t, poll_files(pf, 1, 0), 1);
	KT_EXPECT_EQ(t, pf[0].revents, POLLHUP);
	file_put(r);
	file_put(reg);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(poll_times_out)
{
	struct file *r, *w;
	struct poll_file pf;
	uint64_t t0 = time_ns();

	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	pf = (struct poll_file){ .file = r, .fd = 0, .events = POLLIN };
	KT_EXPECT_EQ(t, poll_files(&pf, 1, t0 + 20000000ull), 0);
	KT_EXPECT(t, time_ns() - t0 >= 20000000ull);
	KT_EXPECT(t, time_ns() - t0 < 1000000000ull);
	file_put(r);
	file_put(w);
}

struct poller {
	struct poll_file pf[2];
	long ret;
};

static void poller_thread(void *p)
{
	struct poller *po = p;

	po->ret = poll_files(po->pf, 2, POLL_FOREVER);
}

/* A thread waits on two pipes; a write to the second wakes it. */
KTEST(poll_woken_by_write)
{
	struct file *r1, *w1, *r2, *w2;
	struct poller po = { 0 };
	struct thread *th;

	KT_ASSERT(t, pipe_create(0, &r1, &w1) == 0);
	KT_ASSERT(t, pipe_create(0, &r2, &w2) == 0);
	po.pf[0] = (struct poll_file){ .file = r1, .fd = 3, .events = POLLIN };
	po.pf[1] = (struct poll_file){ .file = r2, .fd = 4, .events = POLLIN };
	po.ret = 99;
	th = thread_create("poller", poller_thread, &po, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_until_blocked(th));
	KT_EXPECT_EQ(t, po.ret, 99);
	KT_EXPECT_EQ(t, vt_fd_write(w2, "!", 1), 1);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, po.ret, 1);
	KT_EXPECT_EQ(t, po.pf[0].revents, 0);
	KT_EXPECT_EQ(t, po.pf[1].revents, POLLIN);
	file_put(r1);
	file_put(w1);
	file_put(r2);
	file_put(w2);
}

KTEST(poll_interrupted)
{
	struct file *r, *w;
	struct poller po = { 0 };
	struct thread *th;

	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	po.pf[0] = (struct poll_file){ .file = r, .fd = 3, .events = POLLIN };
	po.pf[1] = (struct poll_file){ .file = NULL, .fd = -1 };
	th = thread_create("poller", poller_thread, &po, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_until_blocked(th));
	thread_interrupt(th);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, po.ret, -EINTR);
	file_put(r);
	file_put(w);
}

static void set_bit(abi_fd_set *s, unsigned fd)
{
	s->fds_bits[fd / 64] |= 1ull << (fd % 64);
}

static bool is_set(const abi_fd_set *s, unsigned fd)
{
	return s->fds_bits[fd / 64] >> (fd % 64) & 1;
}

KTEST(select_pipe_sets)
{
	struct file *r, *w;
	struct file *files[70] = { 0 };
	abi_fd_set in, out, ex;

	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	files[5] = r;
	files[66] = w;                   /* in the second word of the set */
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	memset(&ex, 0, sizeof(ex));
	set_bit(&in, 5);
	set_bit(&out, 66);
	set_bit(&ex, 5);
	set_bit(&in, 66);
	KT_EXPECT_EQ(t, select_files(70, files, in.fds_bits, out.fds_bits, ex.fds_bits, 0), 1);
	KT_EXPECT(t, !is_set(&in, 5) && !is_set(&in, 66) && is_set(&out, 66) && !is_set(&ex, 5));
	KT_EXPECT_EQ(t, vt_fd_write(w, "s", 1), 1);
	memset(&in, 0, sizeof(in));
	set_bit(&in, 5);
	KT_EXPECT_EQ(t, select_files(70, files, in.fds_bits, NULL, NULL, time_ns() + 1000000000ull), 1);
	KT_EXPECT(t, is_set(&in, 5));
	KT_EXPECT_EQ(t, select_files(SELECT_NFDS_MAX + 1, files, in.fds_bits, NULL, NULL, 0), -EINVAL);
	/* a timeout leaves empty sets */
	KT_EXPECT_EQ(t, vt_fd_read(r, &in, 1), 1);
	memset(&in, 0, sizeof(in));
	set_bit(&in, 5);
	KT_EXPECT_EQ(t, select_files(70, files, in.fds_bits, NULL, NULL, time_ns() + 5000000ull), 0);
	KT_EXPECT(t, !is_set(&in, 5));
	file_put(r);
	file_put(w);
}
