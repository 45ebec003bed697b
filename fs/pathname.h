/* Path strings: splitting into components, with Linux's limits. Pure
 * code over a string, built for the kernel and for host tests. */
#ifndef FS_PATHNAME_H
#define FS_PATHNAME_H

#include <stdbool.h>
#include <stddef.h>

enum comp_kind { COMP_NAME, COMP_DOT, COMP_DOTDOT };

struct path_comp {
	const char *name;      /* into the string; not NUL-terminated */
	size_t len;
	enum comp_kind kind;
	bool last;             /* nothing but slashes follows */
	bool trailing_slash;   /* and at least one slash does */
};

/* 0, -ENOENT for "" (unless empty_ok), -ENAMETOOLONG when no NUL comes
 * within PATH_MAX bytes. */
int pathname_check(const char *path, bool empty_ok);
/* The next component at *p (leading slashes skipped) in *c, and *p moved
 * past it: 1, or 0 at the end of the string, or -ENAMETOOLONG for a
 * component longer than NAME_MAX. */
int pathname_next(const char **p, struct path_comp *c);

#endif
