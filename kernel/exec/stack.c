/* The initial stack's layout (see stack.h). Every size is checked against
 * the plan's bound before it is added, so nothing wraps. */
#include <kernel/exec/stack.h>
#include <cosmos/abi/auxv.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define EXTRA_AUX 4   /* AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL */

int exec_stack_plan(uint64_t top, size_t strings_len, size_t argc, size_t envc,
		    size_t execfn_len, size_t platform_len, size_t naux, uint64_t max,
		    struct exec_stack_layout *out)
{
	uint64_t p = top, used;
	uint64_t nptr, table;

	/* Each piece is bounded by max before the next is added: counts and
	 * lengths above it cannot fit anyway. */
	if (strings_len > max || execfn_len > max || platform_len > max ||
	    argc > max / 8 || envc > max / 8 || naux > max / 16 || top < max)
		return -E2BIG;
	p -= 8;                                   /* end marker */
	p -= execfn_len + 1;
	out->execfn = p;
	p -= strings_len;
	out->strings = p;
	p -= platform_len + 1;
	out->platform = p;
	p -= EXEC_STACK_RANDOM;
	out->random = p;
	p &= ~15ull;
	nptr = 1 + (argc + 1) + (envc + 1);
	out->naux = naux + EXTRA_AUX;
	table = nptr * 8 + out->naux * 16;
	used = top - p;
	if (used > max || table > max - used)
		return -E2BIG;
	p = (p - table) & ~15ull;
	if (top - p > max)
		return -E2BIG;
	out->sp = p;
	out->table_size = table;
	return 0;
}

int exec_stack_table(void *buf, const struct exec_stack_layout *l, const char *strings,
		     size_t strings_len, size_t argc, size_t envc, const uint64_t (*aux)[2],
		     size_t naux)
{
	uint64_t *w = buf;
	size_t off = 0, i;

	if (naux + EXTRA_AUX != l->naux)
		return -EINVAL;
	*w++ = argc;
	for (i = 0; i < argc + envc; i++) {
		const char *nul;

		if (off >= strings_len)
			return -EINVAL;
		nul = memchr(strings + off, 0, strings_len - off);
		if (!nul)
			return -EINVAL;
		if (i == argc)
			*w++ = 0;                     /* argv's NULL */
		*w++ = l->strings + off;
		off = (size_t)(nul - strings) + 1;
	}
	if (envc == 0)
		*w++ = 0;                         /* argv's NULL */
	*w++ = 0;                                 /* envp's NULL */
	if (off != strings_len)
		return -EINVAL;
	for (i = 0; i < naux; i++) {
		*w++ = aux[i][0];
		*w++ = aux[i][1];
	}
	*w++ = AT_RANDOM;
	*w++ = l->random;
	*w++ = AT_EXECFN;
	*w++ = l->execfn;
	*w++ = AT_PLATFORM;
	*w++ = l->platform;
	*w++ = AT_NULL;
	*w++ = 0;
	return 0;
}
