/* Advisory file locks (see lock.h). lock_mutex protects every inode's
 * lock list and the waiter list; lock_cv is broadcast whenever a lock
 * goes away, and waiters look again. Waits end early with -EINTR when a
 * signal interrupts the waiting thread. */
#include <fs/lock.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/internal.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/sync/condvar.h>
#include <kernel/sync/mutex.h>

#define OFFSET_MAX ((uint64_t)INT64_MAX)

static struct mutex lock_mutex;
static struct condvar lock_cv;

void locks_init(void)
{
	mutex_init(&lock_mutex, "file_locks");
	cond_init(&lock_cv);
}

/* A POSIX owner waiting in F_SETLKW, and the owner it waits for (for the
 * deadlock check). */
struct lock_waiter {
	struct lock_waiter *next;
	const void *owner;
	const void *blocked_by;
};
static struct lock_waiter *waiters;

/* For the close paths, which cannot give up: they run in thread context,
 * so failing to take the lock table there is a kernel bug. */
static void lock_table_or_panic(void)
{
	int err = mutex_lock(&lock_mutex);

	if (err)
		panic("vfs: cannot take the lock table on a close (%d)", err);
}

static bool is_write(const struct file_lock *l) { return l->type == F_WRLCK; }

static bool same_owner(const struct file_lock *a, unsigned kind, const void *id)
{
	bool a_flock = a->kind == FL_FLOCK, b_flock = kind == FL_FLOCK;

	return a_flock == b_flock && a->owner.id == id;
}

/* Is there a lock on ino that keeps (kind, id, type, [start, end]) out? */
static struct file_lock *find_conflict(struct inode *ino, unsigned kind, const void *id, int type,
				       uint64_t start, uint64_t end)
{
	for (struct file_lock *l = ino->locks; l; l = l->next) {
		/* flock locks and record locks never meet */
		if ((l->kind == FL_FLOCK) != (kind == FL_FLOCK))
			continue;
		if (same_owner(l, kind, id))
			continue;
		if (l->end < start || l->start > end)
			continue;
		if (is_write(l) || type == F_WRLCK)
			return l;
	}
	return NULL;
}

/* The byte range a struct flock names for f; 0 or -EINVAL/-EOVERFLOW. */
static int flock_range(struct file *f, const struct flock *fl, uint64_t *start, uint64_t *end)
{
	int64_t base, s;

	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)f->inode->size; break;
	default: return -EINVAL;
	}
	if ((fl->l_start > 0 && base > INT64_MAX - fl->l_start) ||
	    (fl->l_start < 0 && base < INT64_MIN - fl->l_start))
		return -EOVERFLOW;
	s = base + fl->l_start;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > INT64_MAX - s)
			return -EOVERFLOW;
		*start = (uint64_t)s;
		*end = (uint64_t)(s + fl->l_len - 1);
	} else if (fl->l_len == 0) {
		*start = (uint64_t)s;
		*end = OFFSET_MAX;
	} else {
		if (s + fl->l_len < 0)
			return -EINVAL;
		*start = (uint64_t)(s + fl->l_len);
		*end = (uint64_t)(s - 1);
	}
	return 0;
}

static void lock_free_list(struct file_lock *l)
{
	while (l) {
		struct file_lock *n = l->next;

		kfree(l);
		l = n;
	}
}

/* Removes (kind, id)'s locks on [start, end], splitting those that
 * straddle it. spare: a preallocated lock for a split (consumed if used;
 * returns false if a split needed one and none was given). */
static bool remove_range(struct inode *ino, unsigned kind, const void *id, uint64_t start,
			 uint64_t end, struct file_lock **spare)
{
	struct file_lock **pp = &ino->locks;

	while (*pp) {
		struct file_lock *l = *pp;

		if (!same_owner(l, kind, id) || l->end < start || l->start > end) {
			pp = &l->next;
			continue;
		}
		if (l->start < start && l->end > end) {
			struct file_lock *tail = *spare;

			if (!tail)
				return false;
			*spare = NULL;
			*tail = *l;
			tail->start = end + 1;
			l->end = start - 1;
			tail->next = l->next;
			l->next = tail;
			return true;
		}
		if (l->start < start) {
			l->end = start - 1;
			pp = &l->next;
		} else if (l->end > end) {
			l->start = end + 1;
			pp = &l->next;
		} else {
			*pp = l->next;
			kfree(l);
		}
	}
	return true;
}

/* Merges nl with the owner's touching locks of the same type, then links it. */
static void insert_merged(struct inode *ino, struct file_lock *nl)
{
	struct file_lock **pp = &ino->locks;

	while (*pp) {
		struct file_lock *l = *pp;

		if (same_owner(l, nl->kind, nl->owner.id) && l->type == nl->type &&
		    l->start <= (nl->end == OFFSET_MAX ? OFFSET_MAX : nl->end + 1) &&
		    nl->start <= (l->end == OFFSET_MAX ? OFFSET_MAX : l->end + 1)) {
			if (l->start < nl->start)
				nl->start = l->start;
			if (l->end > nl->end)
				nl->end = l->end;
			*pp = l->next;
			kfree(l);
			continue;
		}
		pp = &l->next;
	}
	nl->next = ino->locks;
	ino->locks = nl;
}

/* Would owner waiting for blocker close a cycle of waiting POSIX owners? */
static bool would_deadlock(const void *owner, const void *blocker)
{
	for (int hops = 0; blocker && hops < 64; hops++) {
		const struct lock_waiter *w;

		if (blocker == owner)
			return true;
		for (w = waiters; w && w->owner != blocker; w = w->next)
			;
		blocker = w ? w->blocked_by : NULL;
	}
	return false;
}

int vfs_lock_get(struct file *f, const struct lock_owner *o, unsigned kind, struct flock *fl)
{
	uint64_t start, end;
	struct file_lock *c;
	int err;

	if (!f->inode || (f->fmode & FMODE_PATH))
		return -EBADF;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK)
		return -EINVAL;
	err = flock_range(f, fl, &start, &end);
	if (!err)
		err = mutex_lock(&lock_mutex);
	if (err)
		return err;
	c = find_conflict(f->inode, kind, kind == FL_OFD ? (const void *)f : o->id, fl->l_type,
			  start, end);
	if (!c) {
		fl->l_type = F_UNLCK;
	} else {
		fl->l_type = (int16_t)c->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = (int64_t)c->start;
		fl->l_len = c->end == OFFSET_MAX ? 0 : (int64_t)(c->end - c->start + 1);
		fl->l_pid = c->owner.pid;
	}
	mutex_unlock(&lock_mutex);
	return 0;
}

int vfs_lock_set(struct file *f, const struct lock_owner *o, unsigned kind,
		 const struct flock *fl, bool wait)
{
	struct inode *ino = f->inode;
	const void *id = kind == FL_OFD ? (const void *)f : o->id;
	struct file_lock *nl, *spare, *c;
	uint64_t start, end;
	int err;

	if (!ino || (f->fmode & FMODE_PATH))
		return -EBADF;
	if (kind != FL_POSIX && kind != FL_OFD)
		return -EINVAL;
	if (fl->l_type == F_RDLCK && !(f->fmode & FMODE_READ))
		return -EBADF;
	if (fl->l_type == F_WRLCK && !(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	err = flock_range(f, fl, &start, &end);
	if (err)
		return err;
	nl = kzalloc(sizeof(*nl));
	spare = kzalloc(sizeof(*spare));
	if (!nl || !spare) {
		kfree(nl);
		kfree(spare);
		return -ENOLCK;
	}
	nl->owner.id = id;
	nl->owner.pid = kind == FL_OFD ? -1 : o->pid;
	nl->file = f;
	nl->kind = kind;
	nl->type = fl->l_type;
	nl->start = start;
	nl->end = end;
	err = mutex_lock(&lock_mutex);
	if (err) {
		kfree(nl);
		kfree(spare);
		return err;
	}
	if (fl->l_type == F_UNLCK) {
		remove_range(ino, kind, id, start, end, &spare);
		kfree(nl);
		nl = NULL;
		cond_broadcast(&lock_cv);
		goto out;
	}
	while ((c = find_conflict(ino, kind, id, fl->l_type, start, end))) {
		struct lock_waiter me = { .owner = id, .blocked_by = c->owner.id };

		if (!wait) {
			err = -EAGAIN;
			goto out;
		}
		if (kind == FL_POSIX && c->kind == FL_POSIX && would_deadlock(id, c->owner.id)) {
			err = -EDEADLK;
			goto out;
		}
		me.next = waiters;
		waiters = &me;
		/* lock_mutex is held again after any result but -EPERM, which
		 * cannot happen here: it was held on the call */
		err = cond_wait_intr(&lock_cv, &lock_mutex, 0);
		for (struct lock_waiter **pp = &waiters; *pp; pp = &(*pp)->next) {
			if (*pp == &me) {
				*pp = me.next;
				break;
			}
		}
		if (err)
			goto out;
	}
	/* Replace what the owner held on the range (a lock changing type
	 * or size), then merge with its neighbours. */
	remove_range(ino, kind, id, start, end, &spare);
	insert_merged(ino, nl);
	nl = NULL;
	cond_broadcast(&lock_cv);
out:
	mutex_unlock(&lock_mutex);
	kfree(nl);
	kfree(spare);
	return err;
}

int vfs_flock(struct file *f, int op)
{
	struct inode *ino = f->inode;
	int type, err = 0;
	struct file_lock *nl;

	if (!ino || (f->fmode & FMODE_PATH))
		return -EBADF;
	switch (op & ~LOCK_NB) {
	case LOCK_SH: type = F_RDLCK; break;
	case LOCK_EX: type = F_WRLCK; break;
	case LOCK_UN: type = F_UNLCK; break;
	default: return -EINVAL;
	}
	nl = kzalloc(sizeof(*nl));
	if (!nl)
		return -ENOLCK;
	nl->owner.id = f;
	nl->owner.pid = -1;
	nl->file = f;
	nl->kind = FL_FLOCK;
	nl->type = type;
	nl->start = 0;
	nl->end = OFFSET_MAX;
	err = mutex_lock(&lock_mutex);
	if (err) {
		kfree(nl);
		return err;
	}
	/* Converting is not atomic, as on Linux: the old lock goes first. */
	remove_range(ino, FL_FLOCK, f, 0, OFFSET_MAX, &(struct file_lock *){ NULL });
	cond_broadcast(&lock_cv);
	if (type != F_UNLCK) {
		while (find_conflict(ino, FL_FLOCK, f, type, 0, OFFSET_MAX)) {
			if (op & LOCK_NB) {
				err = -EAGAIN;
				break;
			}
			err = cond_wait_intr(&lock_cv, &lock_mutex, 0);
			if (err)
				break;
		}
		if (!err) {
			nl->next = ino->locks;
			ino->locks = nl;
			nl = NULL;
		}
	}
	mutex_unlock(&lock_mutex);
	kfree(nl);
	return err;
}

/* Removes the locks of ino that match. */
static void remove_matching(struct inode *ino, bool (*match)(const struct file_lock *, const void *),
			    const void *arg)
{
	struct file_lock **pp, *dead = NULL;

	lock_table_or_panic();
	pp = &ino->locks;
	while (*pp) {
		struct file_lock *l = *pp;

		if (match(l, arg)) {
			*pp = l->next;
			l->next = dead;
			dead = l;
		} else {
			pp = &l->next;
		}
	}
	if (dead)
		cond_broadcast(&lock_cv);
	mutex_unlock(&lock_mutex);
	lock_free_list(dead);
}

static bool posix_of(const struct file_lock *l, const void *owner)
{
	return l->kind == FL_POSIX && l->owner.id == owner;
}

static bool of_file(const struct file_lock *l, const void *f)
{
	return (l->kind == FL_FLOCK || l->kind == FL_OFD) && l->file == f;
}

void vfs_locks_close(struct file *f, const void *owner)
{
	if (f->inode && __atomic_load_n(&f->inode->locks, __ATOMIC_RELAXED))
		remove_matching(f->inode, posix_of, owner);
}

void vfs_locks_release_file(struct file *f)
{
	if (__atomic_load_n(&f->inode->locks, __ATOMIC_RELAXED))
		remove_matching(f->inode, of_file, f);
}
