/* Counted kernel objects and descriptor tables (see handle.h).
 *
 * Locking: each table has its own spinlock over its slots, size, count,
 * limit and free hint; allocation happens under it (the heap's locks nest
 * inside). One reader skips it: handle_get_rights_sole, for the table's
 * only possible writer (said there). An object's release can do anything, so references are always
 * dropped after the table lock is released. */
#include <kernel/proc/handle.h>
#include <stdbool.h>
#include <cosmos/errno.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

/* The counts of objects and tables: atomic, so no lock is needed. */
static void ref_get(volatile uint32_t *refs)
{
	__atomic_add_fetch(refs, 1, __ATOMIC_RELAXED);
}

/* Takes one away; true when it was the last. */
static bool ref_put(volatile uint32_t *refs, const char *what, const void *owner)
{
	uint32_t left = __atomic_sub_fetch(refs, 1, __ATOMIC_ACQ_REL);

	if (left == ~0u)
		panic("%s %p: reference count below zero", what, owner);
	return left == 0;
}

void kobject_init(struct kobject *o, uint32_t type, void (*release)(struct kobject *o))
{
	o->type = type;
	o->refs = 1;
	o->release = release;
}

void kobject_get(struct kobject *o) { ref_get(&o->refs); }

void kobject_put_last(struct kobject *o, uint32_t left)
{
	if (left == ~0u)
		panic("kobject %p: reference count below zero", o);
	if (o->release)
		o->release(o);
}

struct handle_entry {
	struct kobject *obj;          /* NULL: the descriptor is free */
	uint32_t rights;
	uint32_t flags;
};

struct handle_table {
	volatile uint32_t refs;       /* atomic */
	struct spinlock lock;
	/* Under lock: */
	struct handle_entry *slots;
	unsigned size;                /* slots allocated */
	unsigned used;                /* open descriptors */
	unsigned limit;               /* descriptors are below it */
	unsigned free_hint;           /* every slot below it is in use */
};

struct handle_table *handle_table_create(unsigned limit)
{
	struct handle_table *t;

	if (limit > HANDLE_LIMIT_MAX)
		return 0;
	t = kzalloc(sizeof(*t));
	if (!t)
		return 0;
	t->refs = 1;
	spin_init(&t->lock, "handles");
	t->limit = limit;
	return t;
}

void handle_table_get(struct handle_table *t) { ref_get(&t->refs); }

void handle_table_put(struct handle_table *t)
{
	if (!ref_put(&t->refs, "handle table", t))
		return;
	/* the last reference: nobody else can reach the table */
	for (unsigned i = 0; i < t->size; i++)
		if (t->slots[i].obj)
			kobject_put(t->slots[i].obj);
	kfree(t->slots);
	kfree(t);
}

int handle_table_set_limit(struct handle_table *t, unsigned limit)
{
	uint64_t f;

	if (limit > HANDLE_LIMIT_MAX)
		return -EINVAL;
	f = spin_lock_irqsave(&t->lock);
	t->limit = limit;
	spin_unlock_irqrestore(&t->lock, f);
	return 0;
}

/* Lock held for everything below until the public functions again. */

static bool valid_fd(const struct handle_table *t, int fd)
{
	return fd >= 0 && (unsigned)fd < t->size && t->slots[fd].obj;
}

/* Makes slot fd exist (fd < limit <= HANDLE_LIMIT_MAX); 0 or -ENOMEM. */
static int grow(struct handle_table *t, unsigned fd)
{
	unsigned size = t->size ? t->size : 16;
	struct handle_entry *s;

	if (fd < t->size)
		return 0;
	while (size <= fd)
		size *= 2;
	if (size > t->limit)
		size = fd + 1 > t->limit ? fd + 1 : t->limit;
	s = krealloc(t->slots, size * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + t->size, 0, (size - t->size) * sizeof(*s));
	t->slots = s;
	t->size = size;
	return 0;
}

/* The lowest free descriptor >= min_fd, or -EMFILE / -EINVAL. */
static int find_free(struct handle_table *t, int min_fd)
{
	unsigned i;

	if (min_fd < 0 || (unsigned)min_fd >= t->limit)
		return -EINVAL;
	i = (unsigned)min_fd > t->free_hint ? (unsigned)min_fd : t->free_hint;
	while (i < t->size && t->slots[i].obj)
		i++;
	if (i >= t->limit)
		return -EMFILE;
	return (int)i;
}

/* Puts o (with a new reference) at slot fd, which exists; returns what
 * was there, for the caller to put after unlocking. */
static struct kobject *set_slot(struct handle_table *t, int fd, struct kobject *o,
				uint32_t rights, unsigned fdflags)
{
	struct handle_entry *e = &t->slots[fd];
	struct kobject *old = e->obj;

	kobject_get(o);
	e->obj = o;
	e->rights = rights;
	e->flags = fdflags;
	if (!old)
		t->used++;
	return old;
}

static struct kobject *clear_slot(struct handle_table *t, int fd)
{
	struct kobject *old = t->slots[fd].obj;

	t->slots[fd].obj = 0;
	t->used--;
	if ((unsigned)fd < t->free_hint)
		t->free_hint = fd;
	return old;
}

static bool bad_args(uint32_t rights, unsigned fdflags)
{
	return (rights & ~RIGHTS_ALL) || (fdflags & ~HANDLE_CLOEXEC);
}

static int install(struct handle_table *t, struct kobject *o, uint32_t rights,
		   unsigned fdflags, int min_fd)
{
	int fd = find_free(t, min_fd);

	if (fd < 0)
		return fd;
	if (grow(t, fd))
		return -ENOMEM;
	set_slot(t, fd, o, rights, fdflags);
	/* the search went from the hint up to fd over slots in use */
	if ((unsigned)min_fd <= t->free_hint)
		t->free_hint = fd + 1;
	return fd;
}

/* Returns newfd or an error; *old is what newfd named before. */
static int install_at(struct handle_table *t, int fd, struct kobject *o, uint32_t rights,
		      unsigned fdflags, struct kobject **old)
{
	if (fd < 0 || (unsigned)fd >= t->limit)
		return -EBADF;
	if (grow(t, fd))
		return -ENOMEM;
	*old = set_slot(t, fd, o, rights, fdflags);
	return fd;
}

int handle_install(struct handle_table *t, struct kobject *o, uint32_t rights,
		   unsigned fdflags, int min_fd)
{
	uint64_t f;
	int fd;

	if (!o || bad_args(rights, fdflags))
		return -EINVAL;
	f = spin_lock_irqsave(&t->lock);
	fd = install(t, o, rights, fdflags, min_fd);
	spin_unlock_irqrestore(&t->lock, f);
	return fd;
}

int handle_install_at(struct handle_table *t, int fd, struct kobject *o, uint32_t rights,
		      unsigned fdflags)
{
	struct kobject *old = 0;
	uint64_t f;

	if (!o || bad_args(rights, fdflags))
		return -EINVAL;
	f = spin_lock_irqsave(&t->lock);
	fd = install_at(t, fd, o, rights, fdflags, &old);
	spin_unlock_irqrestore(&t->lock, f);
	if (old)
		kobject_put(old);
	return fd;
}

/* dup (at false: target is the lowest descriptor to use) and dup2 (at
 * true: target is the descriptor). */
static int dup_common(struct handle_table *t, int fd, int target, bool at, unsigned fdflags)
{
	struct kobject *old = 0;
	struct handle_entry *e;
	uint64_t f;
	int err;

	if (bad_args(0, fdflags))
		return -EINVAL;
	f = spin_lock_irqsave(&t->lock);
	e = valid_fd(t, fd) ? &t->slots[fd] : 0;
	if (!e)
		err = -EBADF;
	else if (!(e->rights & RIGHT_DUP))
		err = -EPERM;
	else if (at && target == fd)
		err = fd;
	else if (at)
		err = install_at(t, target, e->obj, e->rights, fdflags, &old);
	else
		err = install(t, e->obj, e->rights, fdflags, target);
	spin_unlock_irqrestore(&t->lock, f);
	if (old)
		kobject_put(old);
	return err;
}

int handle_dup(struct handle_table *t, int fd, int min_fd, unsigned fdflags)
{
	return dup_common(t, fd, min_fd, false, fdflags);
}

int handle_dup_at(struct handle_table *t, int fd, int newfd, unsigned fdflags)
{
	return dup_common(t, fd, newfd, true, fdflags);
}

struct kobject *handle_get(struct handle_table *t, int fd, uint32_t type, uint32_t rights)
{
	struct kobject *o = 0;
	uint64_t f = spin_lock_irqsave(&t->lock);

	if (valid_fd(t, fd)) {
		struct handle_entry *e = &t->slots[fd];

		if ((!type || e->obj->type == type) && (e->rights & rights) == rights) {
			o = e->obj;
			kobject_get(o);
		}
	}
	spin_unlock_irqrestore(&t->lock, f);
	return o;
}

int handle_close(struct handle_table *t, int fd)
{
	struct kobject *o = 0;
	uint64_t f = spin_lock_irqsave(&t->lock);

	if (valid_fd(t, fd))
		o = clear_slot(t, fd);
	spin_unlock_irqrestore(&t->lock, f);
	if (!o)
		return -EBADF;
	kobject_put(o);
	return 0;
}

int handle_free_check(struct handle_table *t)
{
	uint64_t f = spin_lock_irqsave(&t->lock);
	int r = find_free(t, 0) < 0 ? -EMFILE : 0;

	spin_unlock_irqrestore(&t->lock, f);
	return r;
}

int handle_next_open(struct handle_table *t, int fd)
{
	uint64_t f = spin_lock_irqsave(&t->lock);
	unsigned i = fd < 0 ? 0 : (unsigned)fd;

	while (i < t->size && !t->slots[i].obj)
		i++;
	fd = i < t->size ? (int)i : -1;
	spin_unlock_irqrestore(&t->lock, f);
	return fd;
}

int handle_get_flags(struct handle_table *t, int fd)
{
	uint64_t f = spin_lock_irqsave(&t->lock);
	int r = valid_fd(t, fd) ? (int)t->slots[fd].flags : -EBADF;

	spin_unlock_irqrestore(&t->lock, f);
	return r;
}

int handle_set_flags(struct handle_table *t, int fd, unsigned fdflags)
{
	uint64_t f;
	int r = 0;

	if (bad_args(0, fdflags))
		return -EINVAL;
	f = spin_lock_irqsave(&t->lock);
	if (valid_fd(t, fd))
		t->slots[fd].flags = fdflags;
	else
		r = -EBADF;
	spin_unlock_irqrestore(&t->lock, f);
	return r;
}

struct kobject *handle_get_rights(struct handle_table *t, int fd, uint32_t *rights)
{
	struct kobject *o = 0;
	uint64_t f = spin_lock_irqsave(&t->lock);

	if (valid_fd(t, fd)) {
		o = t->slots[fd].obj;
		*rights = t->slots[fd].rights;
		kobject_get(o);
	}
	spin_unlock_irqrestore(&t->lock, f);
	return o;
}

/* Without the lock: the caller is the only thread that can change t (it
 * says its process has no other thread, and refs == 1 says no other
 * process shares t), and every other change of a table's slots is made
 * by a thread of a process holding it. Anything else holding a reference
 * (a /proc reader) only reads, under the lock, and makes refs > 1 while it
 * does, which sends the caller the locked way. The acquire load pairs
 * with ref_put's: a sharer's last changes are seen once its put is. */
struct kobject *handle_get_rights_sole(struct handle_table *t, int fd, uint32_t *rights)
{
	struct kobject *o;

	if (__atomic_load_n(&t->refs, __ATOMIC_ACQUIRE) != 1)
		return handle_get_rights(t, fd, rights);
	if (!valid_fd(t, fd))
		return 0;
	o = t->slots[fd].obj;
	*rights = t->slots[fd].rights;
	kobject_get(o);
	return o;
}

struct kobject *handle_borrow_sole(struct handle_table *t, int fd, uint32_t *rights)
{
	if (__atomic_load_n(&t->refs, __ATOMIC_ACQUIRE) != 1 || !valid_fd(t, fd))
		return 0;
	*rights = t->slots[fd].rights;
	return t->slots[fd].obj;
}

int handle_restrict(struct handle_table *t, int fd, uint32_t rights)
{
	uint64_t f = spin_lock_irqsave(&t->lock);
	int r = 0;

	if (!valid_fd(t, fd))
		r = -EBADF;
	else if (rights & ~t->slots[fd].rights)
		r = -EPERM;
	else
		t->slots[fd].rights = rights;
	spin_unlock_irqrestore(&t->lock, f);
	return r;
}

struct handle_table *handle_table_clone(struct handle_table *t)
{
	struct handle_table *c = handle_table_create(0);
	uint64_t f;

	if (!c)
		return 0;
	f = spin_lock_irqsave(&t->lock);
	if (t->size) {
		c->slots = kmalloc(t->size * sizeof(*c->slots));
		if (!c->slots) {
			spin_unlock_irqrestore(&t->lock, f);
			kfree(c);
			return 0;
		}
		memcpy(c->slots, t->slots, t->size * sizeof(*c->slots));
		for (unsigned i = 0; i < t->size; i++)
			if (c->slots[i].obj)
				kobject_get(c->slots[i].obj);
	}
	c->size = t->size;
	c->used = t->used;
	c->limit = t->limit;
	c->free_hint = t->free_hint;
	spin_unlock_irqrestore(&t->lock, f);
	return c;
}

void handle_table_close_on_exec(struct handle_table *t)
{
	/* One at a time, each object put with the lock released. */
	for (unsigned i = 0;; i++) {
		struct kobject *o = 0;
		uint64_t f = spin_lock_irqsave(&t->lock);

		while (i < t->size && !(t->slots[i].obj && (t->slots[i].flags & HANDLE_CLOEXEC)))
			i++;
		if (i < t->size)
			o = clear_slot(t, (int)i);
		spin_unlock_irqrestore(&t->lock, f);
		if (!o)
			return;
		kobject_put(o);
	}
}
