/* Argument and environment strings of an exec (see args.h). */
#include <kernel/exec/args.h>
#include <cosmos/errno.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vmm.h>
#include <lib/string.h>

/* Above this the buffer comes from the kernel's virtual area rather than
 * the heap, which hands out physically contiguous blocks. */
#define HEAP_MAX (64u << 10)

void exec_args_init(struct exec_args *a, uint64_t stack_limit)
{
	uint64_t lim = stack_limit / 4;

	memset(a, 0, sizeof(*a));
	a->limit = lim < EXEC_ARGS_MIN ? EXEC_ARGS_MIN : lim > EXEC_ARGS_MAX ? EXEC_ARGS_MAX : lim;
}

static void buf_free(char *p, size_t cap)
{
	if (!p)
		return;
	if (cap > HEAP_MAX)
		vmm_free(p);
	else
		kfree(p);
}

void exec_args_free(struct exec_args *a)
{
	buf_free(a->buf, a->cap);
	a->buf = 0;
	a->cap = a->len = 0;
}

static int grow(struct exec_args *a, size_t need)
{
	size_t cap = a->cap ? a->cap : 4096;
	char *p;

	while (cap < need)
		cap *= 2;
	p = cap > HEAP_MAX ? vmm_alloc(cap) : kmalloc(cap);
	if (!p)
		return -ENOMEM;
	if (a->len)
		memcpy(p, a->buf, a->len);
	buf_free(a->buf, a->cap);
	a->buf = p;
	a->cap = cap;
	return 0;
}

/* What the limits leave for the next string, its NUL included. */
static size_t limit_room(const struct exec_args *a)
{
	size_t left = a->used + 8 < a->limit ? a->limit - a->used - 8 : 0;

	return left < EXEC_ARG_STRLEN ? left : EXEC_ARG_STRLEN;
}

char *exec_args_room(struct exec_args *a, size_t *room)
{
	size_t lim = limit_room(a), have = a->cap - a->len;

	if (a->argc + a->envc >= EXEC_ARGC_MAX)
		lim = 0;
	*room = have < lim ? have : lim;
	return a->buf ? a->buf + a->len : 0;
}

int exec_args_grow(struct exec_args *a)
{
	size_t lim = limit_room(a);

	if (a->cap - a->len >= lim)
		return -E2BIG;
	return grow(a, a->len + (a->cap - a->len) * 2 + 4096);
}

int exec_args_commit(struct exec_args *a, size_t len, int env)
{
	if (len + 1 > EXEC_ARG_STRLEN || a->used + 8 + len + 1 > a->limit ||
	    len + 1 > a->cap - a->len)
		return -E2BIG;
	if (!env && a->envc)
		return -EINVAL;       /* argv strings must come first */
	a->buf[a->len + len] = 0;
	a->len += len + 1;
	a->used += 8 + len + 1;
	if (env)
		a->envc++;
	else
		a->argc++;
	return 0;
}

int exec_args_add(struct exec_args *a, const char *s, int env)
{
	size_t len = strlen(s), room;
	char *p;

	for (;;) {
		int err;

		p = exec_args_room(a, &room);
		if (room > len)
			break;
		err = exec_args_grow(a);
		if (err)
			return err;
	}
	memcpy(p, s, len);
	return exec_args_commit(a, len, env);
}

const char *exec_args_next(const struct exec_args *a, const char *prev)
{
	const char *p = prev ? prev + strlen(prev) + 1 : a->buf;

	return p < a->buf + a->len ? p : 0;
}
