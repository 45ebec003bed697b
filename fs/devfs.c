/* The device registry and devfs (fs/devfs.h).
 *
 * devfs is a tmpfs that devfs fills at mount with the registered names
 * (and, while mounted, with names registered later); its super block's
 * type is "devtmpfs" so /proc/mounts reads as on Linux.
 *
 * Locking: devfs_lock (a mutex) protects the driver registry, the name
 * list and the list of mounted devfs super blocks. It is taken before any
 * inode lock (adding a name locks the devfs root directory). Opening a
 * device walks the registry under it; the drivers' open functions must not
 * register anything. */
#include <fs/devfs.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/file.h>
#include <fs/namei.h>
#include <fs/special.h>
#include <fs/super.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/sync/mutex.h>
#include <lib/string.h>

struct devfs_name {
	char name[32];
	uint32_t mode, gid, dev;
	char target[48];              /* symlinks */
	struct devfs_name *next;
};

struct devfs_sb {
	struct super_block *sb;
	struct devfs_sb *next;
};

static struct mutex devfs_lock;
static struct devfs_driver *drivers;
static struct devfs_name *names, **names_tail = &names;
static struct devfs_sb *mounted;
static struct super_ops devfs_sops;       /* tmpfs's, with our put_super */
static const struct super_ops *tmpfs_sops;

static bool overlaps(const struct devfs_driver *a, const struct devfs_driver *b)
{
	return a->type == b->type && a->major == b->major &&
	       a->minor_first < b->minor_first + b->minor_count &&
	       b->minor_first < a->minor_first + a->minor_count;
}

int devfs_register_driver(struct devfs_driver *d)
{
	struct devfs_driver **p;
	int err = mutex_lock(&devfs_lock);

	if (err)
		return err;
	for (p = &drivers; *p; p = &(*p)->next) {
		if (overlaps(*p, d)) {
			mutex_unlock(&devfs_lock);
			return -EBUSY;
		}
	}
	d->next = NULL;
	*p = d;
	mutex_unlock(&devfs_lock);
	return 0;
}

static int device_open(struct inode *ino, struct file *f)
{
	uint32_t type = ino->mode & S_IFMT, dev = ino->rdev;
	int (*open)(struct file *f, uint32_t dev) = NULL;
	int err = mutex_lock(&devfs_lock);

	if (err)
		return err;
	for (struct devfs_driver *d = drivers; d; d = d->next) {
		if (d->type == type && d->major == DEV_MAJOR(dev) &&
		    DEV_MINOR(dev) - d->minor_first < d->minor_count) {
			open = d->open;
			break;
		}
	}
	mutex_unlock(&devfs_lock);
	return open ? open(f, dev) : -ENXIO;
}

/* Creates n in the devfs super block sb (devfs_lock held). */
static int add_to_sb(struct super_block *sb, const struct devfs_name *n)
{
	struct dentry *root = sb->root, *d;
	struct inode *dir = root->inode;
	int err = mutex_lock(&dir->lock);

	if (err)
		return err;
	d = lookup_one_locked(root, n->name, strlen(n->name), &err);
	if (!d) {
		mutex_unlock(&dir->lock);
		return err;
	}
	if (d->inode)
		err = -EEXIST;
	else if (n->target[0])
		err = dir->ops->symlink(dir, d, n->target, strlen(n->target));
	else
		err = dir->ops->mknod(dir, d, n->mode, n->dev);
	if (!err && !n->target[0] && d->inode) {
		struct inode *ino = d->inode;

		err = mutex_lock(&ino->lock);
		if (!err) {
			ino->uid = 0;
			ino->gid = n->gid;
			mutex_unlock(&ino->lock);
		}
	}
	mutex_unlock(&dir->lock);
	dput(d);
	return err;
}

static int add_name(const char *name, uint32_t mode, uint32_t gid, uint32_t dev, const char *target)
{
	struct devfs_name *n;
	int err;

	if (strlen(name) >= sizeof(n->name) || (target && strlen(target) >= sizeof(n->target)))
		return -ENAMETOOLONG;
	n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	strlcpy(n->name, name, sizeof(n->name));
	n->mode = mode;
	n->gid = gid;
	n->dev = dev;
	if (target)
		strlcpy(n->target, target, sizeof(n->target));
	if ((err = mutex_lock(&devfs_lock))) {
		kfree(n);
		return err;
	}
	for (struct devfs_name *o = names; o; o = o->next) {
		if (strcmp(o->name, name) == 0) {
			mutex_unlock(&devfs_lock);
			kfree(n);
			return -EEXIST;
		}
	}
	*names_tail = n;
	names_tail = &n->next;
	for (struct devfs_sb *m = mounted; m; m = m->next)
		add_to_sb(m->sb, n);
	mutex_unlock(&devfs_lock);
	return 0;
}

int devfs_add_node(const char *name, uint32_t mode, uint32_t gid, uint32_t dev)
{
	uint32_t type = mode & S_IFMT;

	if (type != S_IFCHR && type != S_IFBLK)
		return -EINVAL;
	return add_name(name, mode, gid, dev, NULL);
}

int devfs_add_symlink(const char *name, const char *target)
{
	return add_name(name, S_IFLNK | 0777, 0, 0, target);
}

static void devfs_put_super(struct super_block *sb)
{
	int err = mutex_lock(&devfs_lock);

	/* umount cannot fail here: a lock that cannot be taken is a bug */
	if (err)
		panic("devfs: cannot take its lock at umount (%d)", err);
	for (struct devfs_sb **p = &mounted; *p; p = &(*p)->next) {
		if ((*p)->sb == sb) {
			struct devfs_sb *gone = *p;

			*p = gone->next;
			kfree(gone);
			break;
		}
	}
	mutex_unlock(&devfs_lock);
	if (tmpfs_sops->put_super)
		tmpfs_sops->put_super(sb);
}

static struct file_system_type devfs_type;

static int devfs_mount(const struct file_system_type *t, const char *source, unsigned long flags,
		       const char *data, struct super_block **out)
{
	const struct file_system_type *tmpfs;
	struct devfs_sb *m;
	struct super_block *sb;
	int err = fs_find("tmpfs", &tmpfs);

	(void)t;
	if (err)
		return err;
	m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	if ((err = mutex_lock(&devfs_lock))) {
		kfree(m);
		return err;
	}
	err = tmpfs->mount(tmpfs, source, flags, data ? data : "mode=755", &sb);
	if (err) {
		mutex_unlock(&devfs_lock);
		kfree(m);
		return err;
	}
	if (!tmpfs_sops) {
		tmpfs_sops = sb->ops;
		devfs_sops = *sb->ops;
		devfs_sops.put_super = devfs_put_super;
	}
	sb->ops = &devfs_sops;
	sb->type = &devfs_type;
	for (struct devfs_name *n = names; n; n = n->next) {
		err = add_to_sb(sb, n);
		if (err)
			log_warn("devfs: cannot create %s: error %d", n->name, err);
	}
	m->sb = sb;
	m->next = mounted;
	mounted = m;
	mutex_unlock(&devfs_lock);
	*out = sb;
	return 0;
}

static struct file_system_type devfs_type = { .name = "devtmpfs", .mount = devfs_mount };

/* One line per major, in order, named after its first driver. */
static void show_major_list(struct seqbuf *s, uint32_t type)
{
	uint32_t last = 0;

	for (;;) {
		struct devfs_driver *next = NULL;

		for (struct devfs_driver *d = drivers; d; d = d->next)
			if (d->type == type && d->major > last && (!next || d->major < next->major))
				next = d;
		if (!next)
			return;
		seq_printf(s, "%3u %s\n", next->major, next->name);
		last = next->major;
	}
}

int devfs_show_devices(struct seqbuf *s)
{
	int err = mutex_lock(&devfs_lock);

	if (err)
		return err;
	seq_puts(s, "Character devices:\n");
	show_major_list(s, S_IFCHR);
	seq_puts(s, "\nBlock devices:\n");
	show_major_list(s, S_IFBLK);
	mutex_unlock(&devfs_lock);
	return 0;
}

void devfs_init(void)
{
	mutex_init(&devfs_lock, "devfs");
	vfs_set_special_open(S_IFCHR, device_open);
	vfs_set_special_open(S_IFBLK, device_open);
	devfs_mem_init();
	devfs_kmsg_init();
	devfs_block_init();
	tty_devfs_init();
	devfs_add_symlink("fd", "/proc/self/fd");
	devfs_add_symlink("stdin", "/proc/self/fd/0");
	devfs_add_symlink("stdout", "/proc/self/fd/1");
	devfs_add_symlink("stderr", "/proc/self/fd/2");
	fs_register(&devfs_type);
}
