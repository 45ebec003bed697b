/* /proc/pid/maps: one line per region in Linux's format, e.g.
 *   7ffdddfee000-7ffdde00f000 rw-p 00000000 00:00 0                          [stack]
 *   55f8d07f8000-55f8d0808000 rw-p 00000000 00:00 0
 * (a name starts in column 74, as Linux's seq_pad puts it; a line without
 * one ends in a space). */
#include <kernel/mm/vm_region.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define NAME_COLUMN 73
#define NAME_MAX_LEN 256

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
}

static void line(struct out *o, const struct vm_region *r)
{
	char head[128], name[NAME_MAX_LEN] = "";
	struct vm_object_id id = { 0 };
	uint64_t off = 0;
	int n;

	if (r->pager) {
		off = r->off;
		if (r->pager->describe)
			r->pager->describe(r->obj, &id, name, sizeof(name));
	} else if (r->flags & VMR_HEAP) {
		strlcpy(name, "[heap]", sizeof(name));
	} else if (r->flags & VMR_STACK) {
		strlcpy(name, "[stack]", sizeof(name));
	}
	n = fmt_snprintf(head, sizeof(head), "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			 (unsigned long long)r->start, (unsigned long long)r->end,
			 r->prot & PROT_READ ? 'r' : '-', r->prot & PROT_WRITE ? 'w' : '-',
			 r->prot & PROT_EXEC ? 'x' : '-', r->flags & VMR_SHARED ? 's' : 'p',
			 (unsigned long long)off, id.major, id.minor, (unsigned long long)id.ino);
	put(o, head, (size_t)n);
	if (name[0]) {
		for (; n < NAME_COLUMN - 1; n++)
			put(o, " ", 1);
		put(o, " ", 1);
		put(o, name, strlen(name));
	}
	put(o, "\n", 1);
}

size_t vm_format_maps(struct vm_space *vm, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	vm_lock(vm);
	for (unsigned i = 0; i < vm->nregions; i++)
		line(&o, &vm->regions[i]);
	mutex_unlock(&vm->lock);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len;
}
