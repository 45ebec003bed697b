/* In-kernel tests of pipes and FIFOs through the kernel API: data in order,
 * EOF, EPIPE, EAGAIN, PIPE_BUF atomicity with several writers, blocking
 * and interrupted waits, F_GETPIPE_SZ/F_SETPIPE_SZ and the FIFO open
 * rules. */
#include <kernel/ktest.h>
#include <kernel/kbench.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/ioctl.h>
#include <cosmos/abi/limits.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/inode.h>
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

static long pread_all(struct file *f, void *buf, size_t n)
{
	return vt_fd_read(f, buf, n);
}

KTEST(pipe_data_in_order_and_eof)
{
	struct file *r, *w;
	char buf[32];

	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(w, "hello ", 6), 6);
	KT_EXPECT_EQ(t, vt_fd_write(w, "pipe", 4), 4);
	KT_EXPECT_EQ(t, pread_all(r, buf, 3), 3);
	KT_EXPECT(t, memcmp(buf, "hel", 3) == 0);
	KT_EXPECT_EQ(t, pread_all(r, buf, sizeof(buf)), 7);
	KT_EXPECT(t, memcmp(buf, "lo pipe", 7) == 0);
	file_put(w);                            /* the last writer: EOF */
	KT_EXPECT_EQ(t, pread_all(r, buf, sizeof(buf)), 0);
	file_put(r);
}

KTEST(pipe_epipe_without_reader)
{
	struct file *r, *w;

	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	file_put(r);
	KT_EXPECT_EQ(t, vt_fd_write(w, "x", 1), -EPIPE);
	KT_EXPECT_EQ(t, vt_fd_write(w, "", 0), 0);
	file_put(w);
}

KTEST(pipe_nonblocking_rules)
{
	struct file *r, *w;
	char *buf = kmalloc(PIPE_DEF_BYTES);
	long n, total = 0;

	KT_ASSERT(t, buf != NULL);
	memset(buf, 'a', PIPE_DEF_BYTES);
	KT_ASSERT(t, pipe_create(O_NONBLOCK, &r, &w) == 0);
	KT_EXPECT_EQ(t, pread_all(r, buf, 1), -EAGAIN);        /* empty, writers left */
	/* fill it: 64 KiB go in, then nothing */
	while ((n = vt_fd_write(w, buf, 1024)) > 0)
		total += n;
	KT_EXPECT_EQ(t, n, -EAGAIN);
	KT_EXPECT_EQ(t, total, PIPE_DEF_BYTES);
	/* 100 bytes free: a PIPE_BUF write does not go in part by part */
	KT_EXPECT_EQ(t, pread_all(r, buf, 100), 100);
	int32_t ready = -1;
	KT_EXPECT_EQ(t, vfs_ioctl(r, FIONREAD, 0, &ready), 0);
	KT_EXPECT_EQ(t, ready, PIPE_DEF_BYTES - 100);
	KT_EXPECT_EQ(t, vfs_ioctl(r, FIONREAD, 0, NULL), -EFAULT);
	KT_EXPECT_EQ(t, vfs_ioctl(r, 0x5401, 0, &ready), -ENOTTY);
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, PIPE_BUF), -EAGAIN);
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, 50), 50);
	/* but a larger write fills what is free and says so */
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, PIPE_BUF + 1), 50);
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, PIPE_BUF + 1), -EAGAIN);
	file_put(r);
	file_put(w);
	kfree(buf);
}

KTEST(pipe_flags_checked)
{
	struct file *r, *w;

	KT_EXPECT_EQ(t, pipe_create(O_DIRECT, &r, &w), -EINVAL);
	KT_EXPECT_EQ(t, pipe_create(0x80000000u, &r, &w), -EINVAL);
	KT_ASSERT(t, pipe_create(O_CLOEXEC, &r, &w) == 0);
	KT_EXPECT(t, (r->fmode & FMODE_READ) && !(r->fmode & FMODE_WRITE));
	KT_EXPECT(t, (w->fmode & FMODE_WRITE) && !(w->fmode & FMODE_READ));
	KT_EXPECT(t, S_ISFIFO(r->inode->mode) && r->inode == w->inode);
	file_put(r);
	file_put(w);
}

KTEST(pipe_size_fcntl)
{
	struct file *r, *w;
	char buf[64];
	int n = 0;

	KT_ASSERT(t, pipe_create(O_NONBLOCK, &r, &w) == 0);
	KT_EXPECT_EQ(t, pipe_fcntl(r, F_GETPIPE_SZ, 0), PIPE_DEF_BYTES);
	KT_EXPECT_EQ(t, pipe_fcntl(w, F_SETPIPE_SZ, 5000), 8192);      /* rounded up */
	KT_EXPECT_EQ(t, pipe_fcntl(r, F_GETPIPE_SZ, 0), 8192);
	KT_EXPECT_EQ(t, pipe_fcntl(w, F_SETPIPE_SZ, 1), 4096);        /* at least a page */
	KT_EXPECT_EQ(t, pipe_fcntl(w, F_SETPIPE_SZ, 0), -EINVAL);
	KT_EXPECT_EQ(t, pipe_fcntl(w, F_SETPIPE_SZ, (1ull << 31) + 1), -EINVAL);
	memset(buf, 'z', sizeof(buf));
	while (vt_fd_write(w, buf, sizeof(buf)) == sizeof(buf))
		n++;
	KT_EXPECT_EQ(t, n * 64, 4096);
	/* 4096 bytes waiting: growing keeps them, in order */
	KT_EXPECT_EQ(t, pread_all(r, buf, 10), 10);
	KT_EXPECT_EQ(t, vt_fd_write(w, "0123456789", 10), 10);   /* wraps around */
	KT_EXPECT_EQ(t, pipe_fcntl(w, F_SETPIPE_SZ, 65536), 65536);
	for (int i = 0; i < 4086 / 64; i++)
		pread_all(r, buf, 64);
	KT_EXPECT_EQ(t, pread_all(r, buf, 64), 4086 % 64 + 10);
	KT_EXPECT(t, memcmp(buf + 4086 % 64, "0123456789", 10) == 0);
	/* shrinking below what waits is refused */
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, 64), 64);
	KT_EXPECT_EQ(t, vt_fd_write(w, buf, 4096 - 64 + 1), 4096 - 64 + 1);
	KT_EXPECT_EQ(t, pipe_fcntl(w, F_SETPIPE_SZ, 4096), -EBUSY);
	KT_EXPECT_EQ(t, pipe_fcntl(NULL, F_GETPIPE_SZ, 0), -EBADF);
	file_put(r);
	file_put(w);
}

/* Several writers put PIPE_BUF-sized records (writer id and sequence in
 * every byte pair) into one pipe; the reader takes odd-sized pieces. Every
 * record must arrive whole, and each writer's in order. */
#define WRITERS 4
#define RECORDS 48

struct writer_arg {
	struct file *w;
	int id;
	long err;
};

static void writer_thread(void *p)
{
	struct writer_arg *a = p;
	uint8_t *rec = kmalloc(PIPE_BUF);

	if (!rec) {
		a->err = -ENOMEM;
		file_put(a->w);
		return;
	}
	for (int s = 0; s < RECORDS; s++) {
		for (int i = 0; i < PIPE_BUF; i += 2) {
			rec[i] = (uint8_t)a->id;
			rec[i + 1] = (uint8_t)s;
		}
		long n = vt_fd_write(a->w, rec, PIPE_BUF);
		if (n != PIPE_BUF) {
			a->err = n < 0 ? n : -EIO;
			break;
		}
	}
	kfree(rec);
	file_put(a->w);         /* the last writer's close ends the reader's loop */
}

KTEST(pipe_buf_writes_are_atomic)
{
	struct file *r, *w;
	struct writer_arg args[WRITERS];
	struct thread *th[WRITERS];
	uint8_t *rec = kmalloc(PIPE_BUF);
	int next_seq[WRITERS] = { 0 }, records = 0, torn = 0, order = 0;
	size_t have = 0;

	KT_ASSERT(t, rec != NULL);
	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	for (int i = 0; i < WRITERS; i++) {
		kobject_get(&w->obj);      /* each writer holds the write end */
		args[i] = (struct writer_arg){ w, i, 0 };
		/* different priorities, so that the writer that runs first
		 * after room appears is not always the one that used it last */
		th[i] = thread_create("pipe-writer", writer_thread, &args[i],
				      SCHED_PRIO_DEFAULT - 1 + i, 0);
		KT_ASSERT(t, th[i] != NULL);
	}
	file_put(w);
	for (;;) {
		/* 1000 at a time: frees room that is not a multiple of PIPE_BUF */
		size_t want = PIPE_BUF - have < 1000 ? PIPE_BUF - have : 1000;
		long n = pread_all(r, rec + have, want);

		if (n <= 0)
			break;
		/* let the writers at the room just made, while it is short of
		 * a record: that is when a torn write would happen */
		thread_yield();
		have += (size_t)n;
		if (have < PIPE_BUF)
			continue;
		have = 0;
		records++;
		int id = rec[0], seq = rec[1];
		for (int i = 0; i < PIPE_BUF; i += 2)
			if (rec[i] != id || rec[i + 1] != seq)
				torn++;
		if (id < WRITERS && seq == next_seq[id])
			next_seq[id]++;
		else
			order++;
	}
	for (int i = 0; i < WRITERS; i++) {
		KT_EXPECT_EQ(t, thread_join(th[i], NULL), 0);
		KT_EXPECT_EQ(t, args[i].err, 0);
	}
	KT_EXPECT_EQ(t, records, WRITERS * RECORDS);
	KT_EXPECT_EQ(t, torn, 0);
	KT_EXPECT_EQ(t, order, 0);
	KT_EXPECT_EQ(t, have, 0);
	file_put(r);
	kfree(rec);
}

struct record_writer {
	struct file *w;
	char c;
	long n;
};

static void record_writer_thread(void *p)
{
	struct record_writer *rw = p;
	char *rec = kmalloc(PIPE_BUF);

	if (!rec) {
		rw->n = -ENOMEM;
		return;
	}
	memset(rec, rw->c, PIPE_BUF);
	rw->n = vt_fd_write(rw->w, rec, PIPE_BUF);
	kfree(rec);
}

/* Two writers wait on a full pipe with a PIPE_BUF record each, and room
 * for less than a record appears twice: first with only B waiting, then
 * with C (of higher priority, so it runs first) waiting too. Neither may
 * put in part of its record; afterwards each comes out in one piece. */
KTEST(pipe_buf_write_waits_for_whole_room)
{
	struct file *r, *w;
	struct record_writer b = { .c = 'B' }, c = { .c = 'C' };
	struct thread *tb, *tc;
	char *buf = kmalloc(PIPE_DEF_BYTES);
	long n, got = 0, runs = 0;
	char last = 0;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	memset(buf, 'a', PIPE_DEF_BYTES);
	KT_ASSERT(t, vt_fd_write(w, buf, PIPE_DEF_BYTES) == PIPE_DEF_BYTES);
	b.w = c.w = w;
	tb = thread_create("rec-b", record_writer_thread, &b, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, tb != NULL && wait_until_blocked(tb));
	KT_EXPECT_EQ(t, vt_fd_read(r, buf, 1000), 1000);
	thread_yield();
	KT_EXPECT(t, wait_until_blocked(tb));
	tc = thread_create("rec-c", record_writer_thread, &c, SCHED_PRIO_DEFAULT + 1, 0);
	KT_ASSERT(t, tc != NULL && wait_until_blocked(tc));
	KT_EXPECT_EQ(t, vt_fd_read(r, buf, 1000), 1000);
	thread_yield();
	KT_EXPECT(t, wait_until_blocked(tb) && wait_until_blocked(tc));
	/* drain: count the runs of equal bytes after the filler */
	while (got < PIPE_DEF_BYTES - 2000 + 2 * PIPE_BUF) {
		n = vt_fd_read(r, buf, 700);
		if (n <= 0)
			break;
		for (long i = 0; i < n; i++) {
			if (buf[i] != 'a' && buf[i] != last)
				runs++;
			last = buf[i];
		}
		got += n;
	}
	KT_EXPECT_EQ(t, thread_join(tb, NULL), 0);
	KT_EXPECT_EQ(t, thread_join(tc, NULL), 0);
	KT_EXPECT_EQ(t, b.n, PIPE_BUF);
	KT_EXPECT_EQ(t, c.n, PIPE_BUF);
	KT_EXPECT_EQ(t, got, PIPE_DEF_BYTES - 2000 + 2 * PIPE_BUF);
	KT_EXPECT_EQ(t, runs, 2);          /* one run of B's, one of C's */
	file_put(r);
	file_put(w);
	kfree(buf);
}

struct reader_arg {
	struct file *r;
	char buf[16];
	long n;
};

static void reader_thread(void *p)
{
	struct reader_arg *a = p;

	a->n = vt_fd_read(a->r, a->buf, sizeof(a->buf));
}

/* A new pipe and a thread asleep reading its read end (a->n stays 99
 * until the read ends); NULL if either could not be made. */
static struct thread *blocked_reader(struct reader_arg *a, struct file **w)
{
	struct thread *th;

	a->n = 99;
	if (pipe_create(0, &a->r, w))
		return NULL;
	th = thread_create("pipe-reader", reader_thread, a, SCHED_PRIO_DEFAULT, 0);
	if (!th || !wait_until_blocked(th))
		return NULL;
	return th;
}

KTEST(pipe_blocked_reader_woken_by_write)
{
	struct reader_arg a;
	struct file *w;
	struct thread *th = blocked_reader(&a, &w);

	KT_ASSERT(t, th != NULL);
	KT_EXPECT_EQ(t, a.n, 99);
	KT_EXPECT_EQ(t, vt_fd_write(w, "wake", 4), 4);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, a.n, 4);
	KT_EXPECT(t, memcmp(a.buf, "wake", 4) == 0);
	file_put(a.r);
	file_put(w);
}

KTEST(pipe_blocked_reader_interrupted)
{
	struct reader_arg a;
	struct file *w;
	struct thread *th = blocked_reader(&a, &w);

	KT_ASSERT(t, th != NULL);
	thread_interrupt(th);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, a.n, -EINTR);
	file_put(a.r);
	file_put(w);
}

KTEST(pipe_blocked_reader_sees_eof)
{
	struct reader_arg a;
	struct file *w;
	struct thread *th = blocked_reader(&a, &w);

	KT_ASSERT(t, th != NULL);
	file_put(w);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, a.n, 0);
	file_put(a.r);
}

struct big_writer {
	struct file *w;
	size_t len;
	long n;
};

static void big_writer_thread(void *p)
{
	struct big_writer *b = p;
	uint8_t *buf = kmalloc(b->len);

	if (!buf) {
		b->n = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < b->len; i++)
		buf[i] = (uint8_t)(i * 7);
	b->n = vt_fd_write(b->w, buf, b->len);
	kfree(buf);
}

/* A write larger than the pipe waits for room and completes in full. */
KTEST(pipe_large_write_waits_for_room)
{
	struct file *r, *w;
	struct big_writer b = { .len = 200 * 1024 };
	struct thread *th;
	uint8_t buf[1500];
	size_t got = 0;
	int bad = 0;

	KT_ASSERT(t, pipe_create(0, &r, &w) == 0);
	b.w = w;
	th = thread_create("pipe-big", big_writer_thread, &b, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	while (got < b.len) {
		long n = vt_fd_read(r, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (long i = 0; i < n; i++)
			bad += buf[i] != (uint8_t)((got + (size_t)i) * 7);
		got += (size_t)n;
	}
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, b.n, (long)b.len);
	KT_EXPECT_EQ(t, got, b.len);
	KT_EXPECT_EQ(t, bad, 0);
	file_put(r);
	file_put(w);
}

/* FIFOs. */

struct fifo_opener {
	const char *path;
	uint32_t flags;
	struct file *f;
	int err;
};

static void fifo_open_thread(void *p)
{
	struct fifo_opener *o = p;

	o->err = vt_open(o->path, o->flags, 0, &o->f);
}

KTEST(fifo_nonblocking_open_rules)
{
	struct vt v;
	struct file *rd, *wr, *rw;
	char buf[8];

	KT_ASSERT(t, vt_setup(&v, "fifo1", NULL) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "f"), S_IFIFO | 0666, 0) == 0);
	/* a writer with no reader: -ENXIO at once */
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, "f"), O_WRONLY | O_NONBLOCK, 0, &wr), -ENXIO);
	/* a reader does not wait */
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY | O_NONBLOCK, 0, &rd) == 0);
	/* and reads nothing yet, without EOF being an error; poll does not
	 * call it hung up before a writer has come */
	KT_EXPECT_EQ(t, vt_fd_read(rd, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, file_poll(rd, NULL), 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_WRONLY | O_NONBLOCK, 0, &wr) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(wr, "fifo", 4), 4);
	KT_EXPECT_EQ(t, vt_fd_read(rd, buf, sizeof(buf)), 4);
	KT_EXPECT(t, memcmp(buf, "fifo", 4) == 0);
	/* O_RDWR never waits, even when blocking */
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &rw) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(rw, "rw", 2), 2);
	KT_EXPECT_EQ(t, vt_fd_read(rd, buf, sizeof(buf)), 2);
	file_put(rw);
	file_put(wr);
	KT_EXPECT_EQ(t, vt_fd_read(rd, buf, sizeof(buf)), 0);    /* writers gone: EOF */
	KT_EXPECT_EQ(t, file_poll(rd, NULL), POLLHUP);
	file_put(rd);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(fifo_blocking_open_waits_for_partner)
{
	struct vt v;
	struct fifo_opener o = { 0 };
	struct thread *th;
	struct file *wr;
	char buf[8];

	KT_ASSERT(t, vt_setup(&v, "fifo2", NULL) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "f"), S_IFIFO | 0666, 0) == 0);
	o.path = vt_path(&v, "f");
	o.flags = O_RDONLY;
	o.err = 1;
	th = thread_create("fifo-open", fifo_open_thread, &o, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_until_blocked(th));
	KT_EXPECT_EQ(t, o.err, 1);                     /* still waiting */
	KT_ASSERT(t, vt_open(o.path, O_WRONLY, 0, &wr) == 0);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_ASSERT(t, o.err == 0);
	KT_EXPECT_EQ(t, vt_fd_write(wr, "hi", 2), 2);
	KT_EXPECT_EQ(t, vt_fd_read(o.f, buf, sizeof(buf)), 2);
	file_put(wr);
	file_put(o.f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(fifo_blocking_open_interrupted)
{
	struct vt v;
	struct fifo_opener o = { 0 };
	struct thread *th;
	struct file *rd;
	struct stat st;

	KT_ASSERT(t, vt_setup(&v, "fifo3", NULL) == 0);
	KT_ASSERT(t, vfs_mknodat(NULL, vt_path(&v, "f"), S_IFIFO | 0666, 0) == 0);
	o.path = vt_path(&v, "f");
	o.flags = O_WRONLY;
	th = thread_create("fifo-open", fifo_open_thread, &o, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_until_blocked(th));
	thread_interrupt(th);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, o.err, -EINTR);
	/* the interrupted writer left no trace: a non-blocking reader sees
	 * no writer and EOF, and the FIFO is still a FIFO */
	KT_ASSERT(t, vt_open(o.path, O_RDONLY | O_NONBLOCK, 0, &rd) == 0);
	KT_EXPECT_EQ(t, vt_fd_read(rd, &st, 1), 0);
	file_put(rd);
	KT_EXPECT_EQ(t, vt_stat(o.path, &st), 0);
	KT_EXPECT(t, S_ISFIFO(st.st_mode));
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* Pipe throughput: 64 KiB writes from one thread, 64 KiB reads in another. */
struct pump {
	struct file *w;
	unsigned rounds;
};

static void pump_thread(void *p)
{
	struct pump *pu = p;
	uint8_t *buf = kzalloc(64 * 1024);

	for (unsigned i = 0; buf && i < pu->rounds; i++)
		if (vt_fd_write(pu->w, buf, 64 * 1024) != 64 * 1024)
			break;
	kfree(buf);
}

KBENCH(pipe_throughput_64k)
{
	struct file *r, *w;
	struct pump pu = { .rounds = 256 };
	uint8_t *buf = kmalloc(64 * 1024);
	uint64_t total = 0, t0, ns;
	struct thread *th;

	if (!buf || pipe_create(0, &r, &w))
		return;
	pu.w = w;
	t0 = time_ns();
	th = thread_create("pipe-pump", pump_thread, &pu, SCHED_PRIO_DEFAULT, 0);
	while (th && total < 64ull * 1024 * pu.rounds) {
		long n = vt_fd_read(r, buf, 64 * 1024);
		if (n <= 0)
			break;
		total += (uint64_t)n;
	}
	ns = time_ns() - t0;
	if (th && thread_join(th, NULL))
		return;
	kbench_report("pipe_throughput_64k", ns ? total * 1000000000ull / ns / (1024 * 1024) : 0, 0,
		      "MiB/s");
	file_put(r);
	file_put(w);
	kfree(buf);
}
