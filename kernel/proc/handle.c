/* Handle tables and counted kernel objects (see handle.h). */
#include <kernel/proc/handle.h>
#include <cosmos/errno.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>

void kobject_init(struct kobject *o, uint32_t type, void (*release)(struct kobject *o))
{
	o->type = type;
	o->refs = 1;
	o->release = release;
}

void kobject_get(struct kobject *o)
{
	__atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
}

void kobject_put(struct kobject *o)
{
	uint32_t left = __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);

	if (left == ~0u)
		panic("kobject %p: reference count below zero", (void *)o);
	if (left == 0 && o->release)
		o->release(o);
}

void handle_table_init(struct handle_table *t)
{
	t->slots = 0;
	t->size = t->used = 0;
}

void handle_table_destroy(struct handle_table *t)
{
	for (uint32_t i = 0; i < t->size; i++)
		if (t->slots[i].obj)
			kobject_put(t->slots[i].obj);
	kfree(t->slots);
	handle_table_init(t);
}

int handle_add(struct handle_table *t, struct kobject *o, uint32_t rights)
{
	uint32_t i;

	for (i = 0; i < t->size && t->slots[i].obj; i++)
		;
	if (i == t->size) {
		uint32_t size = t->size ? t->size * 2 : 16;
		struct handle_entry *s;

		if (t->size >= HANDLE_MAX)
			return -EMFILE;
		s = krealloc(t->slots, size * sizeof(*s));
		if (!s)
			return -ENOMEM;
		for (uint32_t j = t->size; j < size; j++)
			s[j].obj = 0;
		t->slots = s;
		t->size = size;
	}
	kobject_get(o);
	t->slots[i].obj = o;
	t->slots[i].rights = rights;
	t->used++;
	return (int)i;
}

struct kobject *handle_get(struct handle_table *t, int h, uint32_t type, uint32_t rights)
{
	struct handle_entry *e;

	if (h < 0 || (uint32_t)h >= t->size)
		return 0;
	e = &t->slots[h];
	if (!e->obj || (type && e->obj->type != type) || (e->rights & rights) != rights)
		return 0;
	kobject_get(e->obj);
	return e->obj;
}

int handle_close(struct handle_table *t, int h)
{
	struct kobject *o;

	if (h < 0 || (uint32_t)h >= t->size || !t->slots[h].obj)
		return -EBADF;
	o = t->slots[h].obj;
	t->slots[h].obj = 0;
	t->used--;
	kobject_put(o);
	return 0;
}
