/* O_ASYNC file lists (fasync.h). */
#include <fs/fasync.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <kernel/mm/heap.h>

struct fasync_entry {
	struct list_node node;
	struct file *f;
};

static struct fasync_entry *find(struct list_node *list, struct file *f)
{
	list_for_each(n, list) {
		struct fasync_entry *a = list_entry(n, struct fasync_entry, node);

		if (a->f == f)
			return a;
	}
	return NULL;
}

int fasync_update(struct list_node *list, struct file *f, bool on)
{
	struct fasync_entry *a = find(list, f);

	if (on && !a) {
		a = kmalloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->f = f;
		list_add_tail(list, &a->node);
	} else if (!on && a) {
		list_del(&a->node);
		kfree(a);
	}
	return 0;
}

void fasync_notify(struct list_node *list, unsigned fmode)
{
	list_for_each(n, list) {
		struct fasync_entry *a = list_entry(n, struct fasync_entry, node);

		if (a->f->fmode & fmode)
			file_send_sigio(a->f);
	}
}
