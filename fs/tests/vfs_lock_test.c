/* VFS ktests of advisory locks: POSIX record locks (conflicts, F_GETLK
 * answers, splitting and merging, release on close, F_SETLKW waiting and
 * deadlock detection), OFD locks and flock, and signals ending waits. */
#include "vfs_util.h"
#include <fs/lock.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait.h>
#include <kernel/time.h>

static int owner_a, owner_b;
static const struct lock_owner A = { &owner_a, 100 }, B = { &owner_b, 200 };

static struct flock range(int type, int64_t start, int64_t len)
{
	return (struct flock){ .l_type = (int16_t)type, .l_whence = SEEK_SET, .l_start = start,
			       .l_len = len };
}

static int getlk(struct file *f, const struct lock_owner *o, int type, int64_t start,
		 int64_t len, struct flock *out)
{
	*out = range(type, start, len);
	return vfs_lock_get(f, o, FL_POSIX, out);
}

KTEST(vfs_posix_locks)
{
	struct vt v;
	struct file *fa, *fb, *ro;
	struct flock fl;

	KT_ASSERT(t, vt_setup(&v, "locks", NULL) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &fa) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &fb) == 0);
	fl = range(F_WRLCK, 0, 10);
	KT_EXPECT_EQ(t, vfs_lock_set(fa, &A, FL_POSIX, &fl, false), 0);
	/* B sees A's lock, with A's pid */
	KT_EXPECT_EQ(t, getlk(fb, &B, F_RDLCK, 5, 10, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_WRLCK);
	KT_EXPECT_EQ(t, fl.l_start, 0);
	KT_EXPECT_EQ(t, fl.l_len, 10);
	KT_EXPECT_EQ(t, fl.l_pid, 100);
	/* A does not conflict with itself */
	KT_EXPECT_EQ(t, getlk(fa, &A, F_WRLCK, 0, 10, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_UNLCK);
	fl = range(F_RDLCK, 5, 1);
	KT_EXPECT_ERR(t, vfs_lock_set(fb, &B, FL_POSIX, &fl, false), -EAGAIN);
	fl = range(F_RDLCK, 10, 0);                     /* 10 to the end: free */
	KT_EXPECT_EQ(t, vfs_lock_set(fb, &B, FL_POSIX, &fl, false), 0);
	/* A unlocks the middle: its lock splits in two */
	fl = range(F_UNLCK, 3, 4);
	KT_EXPECT_EQ(t, vfs_lock_set(fa, &A, FL_POSIX, &fl, false), 0);
	KT_EXPECT_EQ(t, getlk(fb, &B, F_WRLCK, 3, 4, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_UNLCK);
	KT_EXPECT_EQ(t, getlk(fb, &B, F_WRLCK, 7, 1, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_WRLCK);
	KT_EXPECT_EQ(t, fl.l_start, 7);
	KT_EXPECT_EQ(t, fl.l_len, 3);
	/* B's read lock to the end keeps A's writes out, readers in */
	KT_EXPECT_EQ(t, getlk(fa, &A, F_WRLCK, 1000, 1, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_RDLCK);
	KT_EXPECT_EQ(t, fl.l_len, 0);                      /* "to the end" */
	KT_EXPECT_EQ(t, getlk(fa, &A, F_RDLCK, 1000, 1, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_UNLCK);
	/* closing any descriptor of A's drops all of A's locks on the file */
	vfs_locks_close(fb, &owner_a);
	KT_EXPECT_EQ(t, getlk(fb, &B, F_WRLCK, 0, 10, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_UNLCK);
	/* bad requests */
	fl = range(F_WRLCK, -5, 1);
	KT_EXPECT_ERR(t, vfs_lock_set(fa, &A, FL_POSIX, &fl, false), -EINVAL);
	fl = range(7, 0, 1);
	KT_EXPECT_ERR(t, vfs_lock_set(fa, &A, FL_POSIX, &fl, false), -EINVAL);
	fl = range(F_WRLCK, 0, 1);
	fl.l_whence = 9;
	KT_EXPECT_ERR(t, vfs_lock_set(fa, &A, FL_POSIX, &fl, false), -EINVAL);
	/* the lock type must match the access mode */
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &ro) == 0);
	fl = range(F_WRLCK, 0, 1);
	KT_EXPECT_ERR(t, vfs_lock_set(ro, &A, FL_POSIX, &fl, false), -EBADF);
	fl = range(F_RDLCK, 0, 1);
	KT_EXPECT_EQ(t, vfs_lock_set(ro, &A, FL_POSIX, &fl, false), 0);
	vfs_locks_close(ro, &owner_a);
	vfs_locks_close(fb, &owner_b);
	file_put(ro);
	file_put(fa);
	file_put(fb);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

struct waiter {
	struct file *f;
	const struct lock_owner *o;
	int64_t start;
	volatile int state;     /* 0 not started, 1 waiting, 2 got it */
	int err;
};

static void setlkw_thread(void *p)
{
	struct waiter *w = p;
	struct flock fl = range(F_WRLCK, w->start, 1);

	w->state = 1;
	w->err = vfs_lock_set(w->f, w->o, FL_POSIX, &fl, true);
	w->state = 2;
}

KTEST(vfs_setlkw_waits_and_detects_deadlock)
{
	struct vt v;
	struct file *f;
	struct flock fl;
	struct waiter w;
	struct thread *th;
	uint64_t deadline;

	KT_ASSERT(t, vt_setup(&v, "setlkw", NULL) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &f) == 0);
	fl = range(F_WRLCK, 0, 1);
	KT_ASSERT(t, vfs_lock_set(f, &A, FL_POSIX, &fl, false) == 0);
	fl = range(F_WRLCK, 1, 1);
	KT_ASSERT(t, vfs_lock_set(f, &B, FL_POSIX, &fl, false) == 0);
	/* B waits for A's byte 0 */
	w = (struct waiter){ .f = f, .o = &B, .start = 0 };
	th = thread_create("setlkw", setlkw_thread, &w, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	deadline = time_ns() + 2000000000ull;
	while (w.state != 1 && time_ns() < deadline)
		thread_yield();
	for (int i = 0; i < 50; i++)
		thread_yield();        /* let it reach the wait */
	KT_EXPECT_EQ(t, w.state, 1);
	/* A waiting for B's byte 1 now would close the circle */
	fl = range(F_WRLCK, 1, 1);
	KT_EXPECT_ERR(t, vfs_lock_set(f, &A, FL_POSIX, &fl, true), -EDEADLK);
	/* A lets go: B gets its lock */
	fl = range(F_UNLCK, 0, 1);
	KT_EXPECT_EQ(t, vfs_lock_set(f, &A, FL_POSIX, &fl, false), 0);
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_EQ(t, w.state, 2);
	KT_EXPECT_EQ(t, w.err, 0);
	KT_EXPECT_EQ(t, getlk(f, &A, F_RDLCK, 0, 2, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_WRLCK);
	KT_EXPECT_EQ(t, fl.l_pid, 200);
	KT_EXPECT_EQ(t, fl.l_len, 2);                 /* B's two bytes merged */
	vfs_locks_close(f, &owner_b);
	file_put(f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

static void flock_thread(void *p)
{
	struct waiter *w = p;

	w->state = 1;
	w->err = vfs_flock(w->f, LOCK_EX);
	w->state = 2;
}

/* Waits up to 5 s for w's call to return. */
static bool finished(struct waiter *w)
{
	uint64_t deadline = time_ns() + 5000000000ull;

	while (w->state != 2 && time_ns() < deadline)
		thread_yield();
	return w->state == 2;
}

/* A signal ends F_SETLKW and flock waits with -EINTR. thread_interrupt is
 * what the signal code calls; it holds until cleared, so it ends the wait
 * whenever the thread gets there. The interrupted waiter holds nothing
 * and no longer counts as waiting. */
KTEST(vfs_lock_waits_are_interruptible)
{
	struct vt v;
	struct file *f, *f2, *f3;
	struct flock fl;
	struct waiter w;
	struct thread *th;

	KT_ASSERT(t, vt_setup(&v, "lockintr", NULL) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &f) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &f2) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &f3) == 0);
	fl = range(F_WRLCK, 0, 1);
	KT_ASSERT(t, vfs_lock_set(f, &A, FL_POSIX, &fl, false) == 0);
	fl = range(F_WRLCK, 1, 1);
	KT_ASSERT(t, vfs_lock_set(f, &B, FL_POSIX, &fl, false) == 0);
	/* B waits for A's byte 0 until a signal comes */
	w = (struct waiter){ .f = f, .o = &B, .start = 0 };
	th = thread_create("setlkw-intr", setlkw_thread, &w, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	thread_interrupt(th);
	if (!finished(&w)) {
		KT_EXPECT(t, false);    /* still waiting: let it through */
		fl = range(F_UNLCK, 0, 1);
		KT_EXPECT_EQ(t, vfs_lock_set(f, &A, FL_POSIX, &fl, false), 0);
	}
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_ERR(t, w.err, -EINTR);
	KT_EXPECT_EQ(t, getlk(f, &B, F_WRLCK, 0, 1, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_pid, 100);               /* byte 0 is still A's */
	/* A waiting for B's byte 1 closes no cycle now: the wait starts (and
	 * is interrupted), where a stale B-waits-for-A would be -EDEADLK.
	 * Only when interrupting works at all, or this would wait forever. */
	if (w.err == -EINTR) {
		thread_interrupt(thread_current());
		fl = range(F_WRLCK, 1, 1);
		KT_EXPECT_ERR(t, vfs_lock_set(f, &A, FL_POSIX, &fl, true), -EINTR);
		thread_clear_interrupt(thread_current());
	}
	vfs_locks_close(f, &owner_a);
	vfs_locks_close(f, &owner_b);

	/* flock: f2 waits for f's exclusive lock until a signal comes */
	KT_ASSERT(t, vfs_flock(f, LOCK_EX) == 0);
	w = (struct waiter){ .f = f2 };
	th = thread_create("flock-intr", flock_thread, &w, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	thread_interrupt(th);
	if (!finished(&w)) {
		KT_EXPECT(t, false);
		KT_EXPECT_EQ(t, vfs_flock(f, LOCK_UN), 0);
	}
	KT_EXPECT_EQ(t, thread_join(th, NULL), 0);
	KT_EXPECT_ERR(t, w.err, -EINTR);
	KT_EXPECT_EQ(t, vfs_flock(f, LOCK_UN), 0);
	KT_EXPECT_EQ(t, vfs_flock(f3, LOCK_EX | LOCK_NB), 0);   /* f2 holds nothing */
	file_put(f);
	file_put(f2);
	file_put(f3);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_flock_and_ofd_locks)
{
	struct vt v;
	struct file *f1, *f2;
	struct flock fl;

	KT_ASSERT(t, vt_setup(&v, "flock", NULL) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &f1) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &f2) == 0);
	KT_EXPECT_EQ(t, vfs_flock(f1, LOCK_SH), 0);
	KT_EXPECT_EQ(t, vfs_flock(f2, LOCK_SH | LOCK_NB), 0);
	KT_EXPECT_ERR(t, vfs_flock(f1, LOCK_EX | LOCK_NB), -EAGAIN);
	KT_EXPECT_EQ(t, vfs_flock(f2, LOCK_UN), 0);
	KT_EXPECT_EQ(t, vfs_flock(f1, LOCK_EX | LOCK_NB), 0);       /* converts */
	KT_EXPECT_ERR(t, vfs_flock(f2, LOCK_SH | LOCK_NB), -EAGAIN);
	KT_EXPECT_ERR(t, vfs_flock(f2, 0x40), -EINVAL);
	/* flock and record locks do not see each other */
	fl = range(F_RDLCK, 0, 0);
	KT_EXPECT_EQ(t, vfs_lock_set(f2, &B, FL_POSIX, &fl, false), 0);
	vfs_locks_close(f2, &owner_b);
	/* OFD locks belong to the open file: two files of one owner conflict */
	fl = range(F_WRLCK, 0, 10);
	KT_EXPECT_EQ(t, vfs_lock_set(f1, &A, FL_OFD, &fl, false), 0);
	fl = range(F_RDLCK, 0, 1);
	KT_EXPECT_ERR(t, vfs_lock_set(f2, &A, FL_OFD, &fl, false), -EAGAIN);
	KT_EXPECT_EQ(t, vfs_lock_get(f2, &A, FL_OFD, &fl), 0);
	KT_EXPECT_EQ(t, fl.l_type, F_WRLCK);
	KT_EXPECT_EQ(t, fl.l_pid, -1);
	/* the last close of f1 drops its flock and OFD locks */
	file_put(f1);
	KT_EXPECT_EQ(t, vfs_flock(f2, LOCK_SH | LOCK_NB), 0);
	fl = range(F_RDLCK, 0, 1);
	KT_EXPECT_EQ(t, vfs_lock_set(f2, &A, FL_OFD, &fl, false), 0);
	file_put(f2);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}
