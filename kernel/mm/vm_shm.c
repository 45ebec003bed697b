/* Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS): an object of a
 * fixed size whose pages every region mapping it finds by offset, so the
 * memory stays shared across fork, mremap and splits. Pages are zeroed on
 * first use and kept in a radix tree of 512-way nodes (sparse use of a big
 * mapping costs little); the object goes with its last region. */
#include <kernel/mm/vm_region.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/pmm.h>
#include <kernel/sync/mutex.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define FANOUT_BITS 9
#define FANOUT      (1u << FANOUT_BITS)

struct vm_shm {
	uint32_t refs;      /* atomic: regions using it */
	uint64_t npages;    /* size, fixed at creation (beyond it: SIGBUS) */
	unsigned levels;    /* tree height: FANOUT^levels >= npages */
	uint64_t ino;       /* for /proc/pid/maps */
	struct mutex lock;  /* the tree */
	void *root;         /* NULL until the first page */
};

static uint64_t next_ino = 1;   /* atomic */

void *vm_shm_create(uint64_t len)
{
	struct vm_shm *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	s->npages = len / PAGE_SIZE;
	s->levels = 1;
	while (s->levels * FANOUT_BITS < 64 && (s->npages - 1) >> (s->levels * FANOUT_BITS))
		s->levels++;
	s->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	mutex_init(&s->lock, "vm_shm");
	return s;
}

/* The leaf slot of page idx, creating nodes on the way when asked. */
static uint64_t *slot(struct vm_shm *s, uint64_t idx, bool create)
{
	void **node = &s->root;

	for (unsigned l = s->levels; l-- > 0;) {
		if (!*node && (!create || !(*node = kzalloc(FANOUT * sizeof(void *)))))
			return NULL;
		if (l == 0)
			return &((uint64_t *)*node)[idx % FANOUT];
		node = &((void **)*node)[(idx >> (l * FANOUT_BITS)) % FANOUT];
	}
	return NULL;
}

static int shm_getpage(void *obj, uint64_t off, uint64_t *phys)
{
	struct vm_shm *s = obj;
	uint64_t *e;
	int err = 0;

	if (off / PAGE_SIZE >= s->npages)
		return -ENXIO;
	if ((err = mutex_lock(&s->lock)))
		return err;
	if (!(e = slot(s, off / PAGE_SIZE, true)) || (!*e && !(*e = pmm_alloc_zeroed(0)))) {
		err = -ENOMEM;
	} else {
		pmm_ref(*e);
		*phys = *e;
	}
	mutex_unlock(&s->lock);
	return err;
}

static void free_tree(void *node, unsigned level)
{
	if (!node)
		return;
	for (unsigned i = 0; i < FANOUT; i++) {
		if (level == 0 && ((uint64_t *)node)[i])
			pmm_unref(((uint64_t *)node)[i]);
		else if (level > 0)
			free_tree(((void **)node)[i], level - 1);
	}
	kfree(node);
}

static void shm_hold(void *obj) { __atomic_add_fetch(&((struct vm_shm *)obj)->refs, 1, __ATOMIC_RELAXED); }

static void shm_release(void *obj)
{
	struct vm_shm *s = obj;

	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free_tree(s->root, s->levels - 1);
		kfree(s);
	}
}

/* Linux names shared anonymous memory after the file behind it. */
static void shm_describe(void *obj, struct vm_object_id *id, char *name, size_t size)
{
	*id = (struct vm_object_id){ .major = 0, .minor = 1, .ino = ((struct vm_shm *)obj)->ino };
	strlcpy(name, "/dev/zero (deleted)", size);
}

const struct vm_pager_ops vm_shm_ops = {
	.getpage = shm_getpage,
	.hold = shm_hold,
	.release = shm_release,
	.describe = shm_describe,
};
