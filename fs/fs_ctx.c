/* Per-process root, working directory and umask (see fs_ctx.h), and the
 * calls that change them: chdir, fchdir, chroot, getcwd, umask. Each
 * context's spinlock protects its root, cwd and umask. */
#include <fs/fs_ctx.h>
#include <cosmos/errno.h>
#include <fs/internal.h>
#include <fs/namei.h>
#include <fs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/proc/process.h>

/* Kernel threads' and process-less callers' context, rooted at the VFS
 * root once vfs_init has mounted it. */
static struct fs_ctx kernel_fs = { .refs = 1, .lock = SPINLOCK_INIT("fs_ctx"), .umask = 022 };

void fs_ctx_init_kernel(void)
{
	vfs_root_path(&kernel_fs.root);
	vfs_root_path(&kernel_fs.cwd);
}

struct fs_ctx *fs_ctx_new(void)
{
	struct fs_ctx *c = kzalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->refs = 1;
	spin_init(&c->lock, "fs_ctx");
	vfs_root_path(&c->root);
	vfs_root_path(&c->cwd);
	c->umask = 022;
	return c;
}

struct fs_ctx *fs_ctx_clone(struct fs_ctx *src)
{
	struct fs_ctx *c = kzalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->refs = 1;
	spin_init(&c->lock, "fs_ctx");
	fs_ctx_root(src, &c->root);
	fs_ctx_cwd(src, &c->cwd);
	c->umask = fs_ctx_umask(src);
	return c;
}

struct fs_ctx *fs_ctx_get(struct fs_ctx *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void fs_ctx_put(struct fs_ctx *c)
{
	uint32_t left = __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);

	if (left == ~0u || (left == 0 && c == &kernel_fs))
		panic("fs_ctx_put: reference count broken");
	if (left)
		return;
	path_put(&c->root);
	path_put(&c->cwd);
	kfree(c);
}

struct fs_ctx *fs_ctx_current(void)
{
	struct process *p = process_current();

	return p && p->fs ? p->fs : &kernel_fs;
}

struct fs_ctx *fs_ctx_kernel(void)
{
	return &kernel_fs;
}

void fs_ctx_root(struct fs_ctx *c, struct path *out)
{
	uint64_t f = spin_lock_irqsave(&c->lock);

	*out = c->root;
	path_get(out);
	spin_unlock_irqrestore(&c->lock, f);
}

void fs_ctx_cwd(struct fs_ctx *c, struct path *out)
{
	uint64_t f = spin_lock_irqsave(&c->lock);

	*out = c->cwd;
	path_get(out);
	spin_unlock_irqrestore(&c->lock, f);
}

static void set_path(struct fs_ctx *c, struct path *slot, const struct path *p)
{
	struct path old;
	uint64_t f;

	path_get(p);
	f = spin_lock_irqsave(&c->lock);
	old = *slot;
	*slot = *p;
	spin_unlock_irqrestore(&c->lock, f);
	path_put(&old);
}

void fs_ctx_set_cwd(struct fs_ctx *c, const struct path *p) { set_path(c, &c->cwd, p); }
void fs_ctx_set_root(struct fs_ctx *c, const struct path *p) { set_path(c, &c->root, p); }

uint32_t fs_ctx_set_umask(struct fs_ctx *c, uint32_t mask)
{
	uint64_t f = spin_lock_irqsave(&c->lock);
	uint32_t old = c->umask;

	c->umask = mask & 0777;
	spin_unlock_irqrestore(&c->lock, f);
	return old;
}

uint32_t fs_ctx_umask(struct fs_ctx *c)
{
	return __atomic_load_n(&c->umask, __ATOMIC_RELAXED);
}

/* A directory the caller may search (for chdir and chroot). */
static int lookup_dir(const char *path, struct path *out)
{
	int err = vfs_lookup(NULL, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, out);

	if (err)
		return err;
	err = inode_permission(out->dentry->inode, MAY_EXEC);
	if (err)
		path_put(out);
	return err;
}

int vfs_chdir(const char *path)
{
	struct path p;
	int err = lookup_dir(path, &p);

	if (err)
		return err;
	fs_ctx_set_cwd(fs_ctx_current(), &p);
	path_put(&p);
	return 0;
}

int vfs_fchdir(struct file *f)
{
	if (!f->path.dentry)
		return -ENOTDIR;
	if (!S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (inode_permission(f->inode, MAY_EXEC))
		return -EACCES;
	fs_ctx_set_cwd(fs_ctx_current(), &f->path);
	return 0;
}

int vfs_chroot(const char *path)
{
	struct path p;
	int err = lookup_dir(path, &p);

	if (err)
		return err;
	if (cred_current()->euid != 0) {
		path_put(&p);
		return -EPERM;
	}
	fs_ctx_set_root(fs_ctx_current(), &p);
	path_put(&p);
	return 0;
}

long vfs_getcwd(char *buf, size_t size)
{
	struct path cwd;
	long n;

	fs_ctx_cwd(fs_ctx_current(), &cwd);
	if (d_unhashed(cwd.dentry) && cwd.dentry != cwd.mnt->root) {
		path_put(&cwd);
		return -ENOENT;
	}
	n = vfs_path_string(&cwd, buf, size);
	path_put(&cwd);
	if (n == -ENAMETOOLONG)
		return -ERANGE;
	return n < 0 ? n : n + 1;
}
