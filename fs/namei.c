/* The path walk (see namei.h and docs/vfs.md "The path walk"). Symlinks
 * nest on an explicit stack of link bodies instead of by recursion, so a
 * deep chain costs heap, not kernel stack: a few frames sit in the walk
 * itself (on the caller's stack), more come from the heap. */
#include <fs/namei.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/fs_ctx.h>
#include <fs/inode.h>
#include <fs/internal.h>
#include <fs/pathname.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/cred.h>
#include <lib/string.h>

struct walk_frame {
	char *buf;             /* a link body we own, or NULL (the caller's string) */
	const char *p;         /* the rest of this frame */
};

#define INLINE_FRAMES 4

/* One walk's state; one thread owns it (no lock). */
struct walk {
	struct path root, cur;     /* references; root empty until needed (walk_root) */
	unsigned flags;
	int links;                 /* symlinks followed so far */
	int depth;
	struct walk_frame *stack;  /* inline, or SYMLOOP_MAX + 1 on the heap */
	struct walk_frame inline_stack[INLINE_FRAMES];
	enum last_type last_type;
	bool fast_last;            /* walk_cached may resolve the last component too */
	bool trailing_slash;
	size_t last_len;
	char last[NAME_MAX + 1];
};

static void walk_pop_all(struct walk *w)
{
	while (w->depth > 0)
		kfree(w->stack[--w->depth].buf);
}

static void walk_end(struct walk *w)
{
	walk_pop_all(w);
	if (w->stack != w->inline_stack)
		kfree(w->stack);
	path_put(&w->root);
	path_put(&w->cur);
}

void start_path(const struct path *dir, struct path *out)
{
	if (dir) {
		*out = *dir;
		path_get(out);
	} else {
		fs_ctx_cwd(fs_ctx_current(), out);
	}
}

static int walk_start(struct walk *w, const struct path *dir, const char *name, unsigned flags)
{
	int err;

	w->flags = flags;
	w->links = 0;
	w->depth = 0;
	w->stack = w->inline_stack;
	w->last_type = LAST_ROOT;
	w->fast_last = false;
	w->trailing_slash = false;
	w->last_len = 0;
	w->last[0] = 0;
	w->cur.mnt = NULL;
	w->cur.dentry = NULL;
	w->root.mnt = NULL;
	w->root.dentry = NULL;
	err = pathname_check(name, flags & LOOKUP_EMPTY);
	if (err)
		return err;
	/* a descriptor with no place in the tree (a pipe, an anonymous
	 * inode) is no directory to start from */
	if (dir && name[0] != '/' && (!dir->mnt || !dir->dentry))
		return -ENOTDIR;
	/* the root is fetched when the walk needs it: at once for an
	 * absolute path, else only for ".." or an absolute symlink */
	if (name[0] == '/') {
		fs_ctx_root(fs_ctx_current(), &w->root);
		w->cur = w->root;
		path_get(&w->cur);
	} else {
		start_path(dir, &w->cur);
	}
	w->stack[0].buf = NULL;
	w->stack[0].p = name;
	w->depth = 1;
	return 0;
}

/* Search permission on the current directory. */
static int may_lookup(struct walk *w)
{
	struct inode *dir = w->cur.dentry->inode;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	return inode_permission(dir, MAY_EXEC);
}

/* The caller's root, fetched at the first need (a walk that never
 * meets ".." or an absolute symlink never takes it). */
static const struct path *walk_root(struct walk *w)
{
	if (!w->root.mnt)
		fs_ctx_root(fs_ctx_current(), &w->root);
	return &w->root;
}

static void step_dotdot(struct walk *w)
{
	walk_root(w);
	for (;;) {
		struct dentry *parent;

		if (path_equal(&w->cur, &w->root))
			return;                  /* a chroot is not escaped */
		if (w->cur.dentry != w->cur.mnt->root) {
			parent = dget_parent(w->cur.dentry);
			dput(w->cur.dentry);
			w->cur.dentry = parent;
			break;
		}
		if (!mount_follow_up(&w->cur))
			return;                  /* the top of everything */
	}
	mount_follow_down(&w->cur);
}

struct dentry *lookup_one_locked(struct dentry *parent, const char *name, size_t len, int *err)
{
	struct inode *dir = parent->inode;
	struct dentry *d = d_lookup(parent, name, len);

	if (d)
		return d;
	if (dir->nlink == 0) {
		*err = -ENOENT;          /* a removed directory has no entries */
		return NULL;
	}
	if (!dir->ops || !dir->ops->lookup) {
		*err = -ENOTDIR;
		return NULL;
	}
	d = d_alloc(parent, name, len);
	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = dir->ops->lookup(dir, d);
	if (*err) {
		d_drop(d);
		dput(d);
		return NULL;
	}
	return d;
}

/* The child name of the current directory, positive, with a reference
 * (no mount crossing). A dentry found without the directory's lock and
 * without an inode may be one another thread's ->lookup is still filling
 * (lookup_one_locked hashes it first): only under the lock, which that
 * lookup holds, is its answer known. */
static int lookup_child(struct walk *w, const char *name, size_t len, struct dentry **out)
{
	struct dentry *d = d_lookup(w->cur.dentry, name, len);
	int err = 0;

	if (d && !d->inode) {
		dput(d);
		d = NULL;
	}
	if (!d) {
		struct inode *dir = w->cur.dentry->inode;

		err = mutex_lock(&dir->lock);
		if (err)
			return err;
		d = lookup_one_locked(w->cur.dentry, name, len, &err);
		mutex_unlock(&dir->lock);
		if (!d)
			return err;
	}
	if (!d->inode) {
		dput(d);
		return -ENOENT;
	}
	*out = d;
	return 0;
}

/* May walk_cached take c, the next component of the top frame? */
static bool cached_may_take(const struct walk *w, const struct path_comp *c)
{
	if (!c->last)
		return true;
	/* the last one only for vfs_lookup, at the bottom, with no slash */
	return w->fast_last && w->depth == 1 && !c->trailing_slash;
}

/* The fast part of the walk: as many of the top frame's components as
 * the name cache answers, under one hold of the dcache lock and with no
 * reference taken on the dentries passed (none can be freed, renamed or
 * turned negative while the lock is held), then one reference on where
 * it stopped. It leaves to the step-by-step walk below (which reports
 * the errors) a component that ends a link body, the bottom frame's last
 * component for vfs_lookup_parent (and with a trailing slash), a name
 * not cached or negative, a symlink to follow, a mountpoint, ".." at the
 * walk's root or a mount's root, and a directory the caller may not
 * search or that is no directory. Returns true when it resolved the
 * whole path (w->cur is the result, no frame left). */
static bool walk_cached(struct walk *w)
{
	struct walk_frame *f = &w->stack[w->depth - 1];
	struct dentry *start = w->cur.dentry, *d = start;
	const struct cred *cred;
	const char *p = f->p, *q = p;
	struct path_comp c;
	bool done = false;
	uint64_t fl;

	if (pathname_next(&q, &c) <= 0 || !cached_may_take(w, &c))
		return false;            /* nothing for the fast part: no lock */
	cred = cred_current();
	fl = dcache_walk_begin();
	for (;;) {
		struct inode *dir = d->inode;
		struct dentry *next;

		if (!dir || !S_ISDIR(dir->mode) || inode_permission_as(cred, dir, MAY_EXEC))
			break;
		if (c.kind == COMP_DOTDOT) {
			/* the root not fetched yet: the step-by-step walk fetches it */
			if (!w->root.mnt || (d == w->root.dentry && w->cur.mnt == w->root.mnt) ||
			    d == w->cur.mnt->root)
				break;
			next = d->parent;
		} else if (c.kind == COMP_DOT) {
			next = d;
		} else {
			next = d_lookup_locked(d, c.name, c.len);
			if (!next || !next->inode)
				break;
			if (S_ISLNK(next->inode->mode) && (!c.last || (w->flags & LOOKUP_FOLLOW)))
				break;
		}
		if (next != d && __atomic_load_n(&next->mounted, __ATOMIC_ACQUIRE))
			break;
		d = next;
		p = q;
		if (c.last) {
			done = true;
			break;
		}
		if (pathname_next(&q, &c) <= 0 || !cached_may_take(w, &c))
			break;
	}
	if (d != start)
		d_get_locked(d);
	dcache_walk_end(fl);
	if (d != start) {
		dput(start);
		w->cur.dentry = d;
	}
	f->p = p;
	if (done) {
		kfree(f->buf);
		w->depth = 0;
		w->last_type = LAST_ROOT;
	}
	return done;
}

/* Follows the symlink at link: its body becomes the walk's top frame. */
static int push_link(struct walk *w, const struct path *link)
{
	struct inode *ino = link->dentry->inode;
	char *buf;
	long n;

	if (++w->links > SYMLOOP_MAX)
		return -ELOOP;
	if (link->mnt->flags & MNT_NOSYMFOLLOW)
		return -ELOOP;
	if (!ino->ops || !ino->ops->readlink)
		return -EINVAL;
	if (w->depth == INLINE_FRAMES && w->stack == w->inline_stack) {
		struct walk_frame *s = kmalloc((SYMLOOP_MAX + 1) * sizeof(*s));

		if (!s)
			return -ENOMEM;
		memcpy(s, w->inline_stack, sizeof(w->inline_stack));
		w->stack = s;
	}
	buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	n = mutex_lock(&ino->lock);
	if (!n) {
		n = ino->ops->readlink(ino, buf, PATH_MAX - 1);
		mutex_unlock(&ino->lock);
	}
	if (n <= 0) {
		kfree(buf);
		return n < 0 ? (int)n : -ENOENT;
	}
	buf[n] = 0;
	w->stack[w->depth].buf = buf;
	w->stack[w->depth].p = buf;
	w->depth++;
	if (buf[0] == '/') {
		path_put(&w->cur);
		w->cur = *walk_root(w);
		path_get(&w->cur);
	}
	return 0;
}

/* One step: ".", "..", or a name (following it if it is a symlink and
 * follow is set; then the current directory stays where the link was). */
static int walk_component(struct walk *w, const char *name, size_t len, bool follow)
{
	struct dentry *d = NULL;
	int err;

	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		step_dotdot(w);
		return 0;
	}
	err = lookup_child(w, name, len, &d);
	if (err)
		return err;
	if (__atomic_load_n(&d->mounted, __ATOMIC_ACQUIRE)) {
		/* a mountpoint: the walk goes on in the mount (if there is
		 * still one); the path carries a reference of its own */
		struct path next = { mnt_get(w->cur.mnt), d };

		mount_follow_down(&next);
		if (follow && S_ISLNK(next.dentry->inode->mode)) {
			err = push_link(w, &next);
			path_put(&next);
			return err;
		}
		path_put(&w->cur);
		w->cur = next;
		return 0;
	}
	if (follow && S_ISLNK(d->inode->mode)) {
		struct path link = { w->cur.mnt, d };   /* the mount's reference is w->cur's */

		err = push_link(w, &link);
		dput(d);
		return err;
	}
	/* same mount: only the dentry changes hands */
	dput(w->cur.dentry);
	w->cur.dentry = d;
	return 0;
}

/* Walks every component but the last of the bottom frame, which it
 * records in w->last. Link bodies pushed on the way are walked whole. */
static int walk_frames(struct walk *w)
{
	while (w->depth > 0) {
		struct walk_frame *f;
		struct path_comp c;
		int r;

		if (walk_cached(w))
			return 0;
		f = &w->stack[w->depth - 1];
		r = pathname_next(&f->p, &c);

		if (r < 0)
			return r;
		if (r == 0) {
			/* "/" alone, or a link body that ended: nothing left here */
			kfree(f->buf);
			if (--w->depth == 0)
				w->last_type = LAST_ROOT;
			continue;
		}
		if (c.last && w->depth == 1) {
			memcpy(w->last, c.name, c.len);
			w->last[c.len] = 0;
			w->last_len = c.len;
			w->trailing_slash = c.trailing_slash;
			w->last_type = c.kind == COMP_DOT ? LAST_DOT
				       : c.kind == COMP_DOTDOT ? LAST_DOTDOT : LAST_NORM;
			kfree(f->buf);
			w->depth = 0;
			return 0;
		}
		r = may_lookup(w);
		if (!r)
			r = walk_component(w, c.name, c.len, true);
		if (r)
			return r;
	}
	return 0;
}

/* Resolves the recorded last component (following a final symlink when
 * asked), leaving the result in w->cur. */
static int walk_last(struct walk *w)
{
	for (;;) {
		bool follow;
		int err;

		if (w->last_type == LAST_ROOT)
			break;
		err = may_lookup(w);
		if (err)
			return err;
		if (w->trailing_slash)
			w->flags |= LOOKUP_FOLLOW | LOOKUP_DIRECTORY;
		follow = w->flags & LOOKUP_FOLLOW;
		err = walk_component(w, w->last, w->last_len, follow);
		if (err)
			return err;
		if (w->depth == 0)
			break;                /* not a link: w->cur is the result */
		/* a link: its body is the new bottom frame */
		w->stack[0] = w->stack[w->depth - 1];
		w->depth = 1;
		w->last_type = LAST_ROOT;
		err = walk_frames(w);
		if (err)
			return err;
	}
	if ((w->flags & LOOKUP_DIRECTORY) && !S_ISDIR(w->cur.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

int vfs_lookup(const struct path *dir, const char *path, unsigned flags, struct path *out)
{
	struct walk walk, *w = &walk;
	int err;

	err = walk_start(w, dir, path, flags);
	if (err)
		return err;
	if (path[0] == 0) {
		w->depth = 0;     /* AT_EMPTY_PATH: the start itself */
		w->last_type = LAST_ROOT;
	} else {
		w->fast_last = true;
		err = walk_frames(w);
	}
	if (!err)
		err = walk_last(w);
	if (!err) {
		*out = w->cur;
		w->cur.mnt = NULL;
		w->cur.dentry = NULL;
	}
	walk_end(w);
	return err;
}

int vfs_lookup_parent(const struct path *dir, const char *path, unsigned flags,
		      struct lookup_last *out)
{
	struct walk walk, *w = &walk;
	int err;

	err = walk_start(w, dir, path, flags & ~LOOKUP_EMPTY);
	if (err)
		return err;
	err = walk_frames(w);
	if (!err && w->last_type == LAST_NORM && !S_ISDIR(w->cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (!err) {
		out->parent = w->cur;
		w->cur.mnt = NULL;
		w->cur.dentry = NULL;
		out->type = w->last_type;
		out->trailing_slash = w->trailing_slash;
		out->len = w->last_len;
		memcpy(out->name, w->last, w->last_len + 1);
	}
	walk_end(w);
	return err;
}

void lookup_last_put(struct lookup_last *l)
{
	path_put(&l->parent);
}

long vfs_path_string(const struct path *p, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)", unreachable[] = "(unreachable)";
	struct path root, cur = *p;
	bool any = false, outside = false;
	size_t pos = size, n;
	char *name;
	long ret;

	name = kmalloc(NAME_MAX + 1);
	if (!name)
		return -ENOMEM;
	path_get(&cur);
	fs_ctx_root(fs_ctx_current(), &root);
	/* the end first: the NUL, after " (deleted)" for a removed name */
	n = d_unhashed(cur.dentry) && !dentry_is_root(cur.dentry) ? sizeof(deleted) : 1;
	if (size < n) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	pos -= n;
	memcpy(buf + pos, n > 1 ? deleted : "", n);
	while (!path_equal(&cur, &root)) {
		struct dentry *parent;

		if (cur.dentry == cur.mnt->root) {
			if (!mount_follow_up(&cur)) {
				outside = true;      /* above the caller's root */
				break;
			}
			continue;
		}
		n = d_name_copy(cur.dentry, name);
		if (pos < n + 1) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		pos -= n;
		memcpy(buf + pos, name, n);
		buf[--pos] = '/';
		any = true;
		parent = dget_parent(cur.dentry);
		dput(cur.dentry);
		cur.dentry = parent;
	}
	if (!any) {
		if (pos < 1) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		buf[--pos] = '/';
	}
	if (outside) {
		if (pos < sizeof(unreachable) - 1) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		pos -= sizeof(unreachable) - 1;
		memcpy(buf + pos, unreachable, sizeof(unreachable) - 1);
	}
	ret = (long)(size - pos - 1);
	memmove(buf, buf + pos, (size_t)ret + 1);
out:
	path_put(&cur);
	path_put(&root);
	kfree(name);
	return ret;
}
