/* Path strings (see pathname.h). */
#include <fs/pathname.h>
#include <cosmos/abi/limits.h>
#include <cosmos/errno.h>
#include <lib/string.h>

int pathname_check(const char *path, bool empty_ok)
{
	size_t n = strnlen(path, PATH_MAX);

	if (n == PATH_MAX)
		return -ENAMETOOLONG;
	if (n == 0 && !empty_ok)
		return -ENOENT;
	return 0;
}

int pathname_next(const char **p, struct path_comp *c)
{
	const char *s = *p, *rest;
	size_t len;

	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	for (len = 0; s[len] && s[len] != '/'; len++)
		if (len == NAME_MAX)
			return -ENAMETOOLONG;
	for (rest = s + len; *rest == '/'; rest++)
		;
	c->name = s;
	c->len = len;
	c->kind = len == 1 && s[0] == '.' ? COMP_DOT
		  : len == 2 && s[0] == '.' && s[1] == '.' ? COMP_DOTDOT : COMP_NAME;
	c->last = *rest == 0;
	c->trailing_slash = c->last && rest != s + len;
	*p = rest;
	return 1;
}
