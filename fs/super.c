/* File-system types and super blocks (see super.h). fstype_lock (a
 * mutex) protects the type registry; anon_lock the anonymous device
 * numbers. */
#include <fs/super.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <fs/inode.h>
#include <fs/internal.h>
#include <kernel/mm/heap.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

static struct mutex fstype_lock;
static bool fstype_lock_ready;
static struct list_node fstypes = LIST_INIT(fstypes);
static struct spinlock anon_lock = SPINLOCK_INIT("anon_dev");
static uint32_t next_anon_minor = 1;

static int fstype_lock_take(void)
{
	if (!fstype_lock_ready) {      /* first use is at boot, single-threaded */
		mutex_init(&fstype_lock, "fstypes");
		fstype_lock_ready = true;
	}
	return mutex_lock(&fstype_lock);
}

static const struct file_system_type *find_locked(const char *name)
{
	list_for_each(n, &fstypes) {
		const struct file_system_type *t = list_entry(n, struct file_system_type, node);

		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

int fs_register(struct file_system_type *t)
{
	int err = fstype_lock_take();

	if (err)
		return err;
	if (find_locked(t->name))
		err = -EBUSY;
	else
		list_add_tail(&fstypes, &t->node);
	mutex_unlock(&fstype_lock);
	return err;
}

int fs_find(const char *name, const struct file_system_type **out)
{
	int err = fstype_lock_take();

	if (err)
		return err;
	*out = find_locked(name);
	mutex_unlock(&fstype_lock);
	return *out ? 0 : -ENODEV;
}

int fs_for_each(void (*fn)(const struct file_system_type *t, void *ctx), void *ctx)
{
	int err = fstype_lock_take();

	if (err)
		return err;
	list_for_each(n, &fstypes)
		fn(list_entry(n, struct file_system_type, node), ctx);
	mutex_unlock(&fstype_lock);
	return 0;
}

struct super_block *sb_alloc(const struct file_system_type *t, const struct super_ops *ops)
{
	struct super_block *sb = kzalloc(sizeof(*sb));
	uint64_t f;

	if (!sb)
		return NULL;
	sb->type = t;
	sb->ops = ops;
	sb->blocksize = 4096;
	sb->max_bytes = INT64_MAX;
	sb->time_gran_ns = 1;
	mutex_init(&sb->rename_lock, "rename");
	list_init(&sb->inodes);
	list_init(&sb->all_node);
	f = spin_lock_irqsave(&anon_lock);
	sb->dev = DEV_MAKE(0, next_anon_minor++);
	spin_unlock_irqrestore(&anon_lock, f);
	return sb;
}

void sb_free(struct super_block *sb)
{
	if (sb->root)
		dput(sb->root);
	icache_evict_sb(sb);
	kfree(sb);
}

void sb_kill(struct super_block *sb)
{
	dcache_prune_sb(sb);
	if (sb->root)
		dput(sb->root);
	sb->root = NULL;
	icache_evict_sb(sb);
	if (sb->ops->put_super)
		sb->ops->put_super(sb);
	kfree(sb);
}
