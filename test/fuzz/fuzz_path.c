/* Fuzz target for fs/pathname.c, the string half of path resolution: any
 * bytes as a path (NUL-terminated, NULs inside allowed). fs/namei.c walks
 * dentries and inodes and is not built on the host; what it takes from the
 * string is checked here: pathname_check's verdict matches the length, and
 * pathname_next's components are non-empty, slash-free, at most NAME_MAX
 * bytes, of the right kind, flagged last and trailing-slash correctly, and,
 * joined with single slashes, give back the path with its slashes
 * collapsed (and a name over NAME_MAX is refused, never cut). */
#include "fuzz.h"

#include <cosmos/abi/limits.h>
#include <cosmos/errno.h>
#include <fs/pathname.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_strndup(data, size), *joined = malloc(size + 1);
	size_t n = strlen(path), jl = 0, i;
	const char *p = path;
	struct path_comp c;
	bool last_seen = false;
	int r, check;

	if (!joined)
		abort();
	check = pathname_check(path, size && data[0] & 1);
	FUZZ_CHECK(check == (n >= PATH_MAX ? -ENAMETOOLONG : n == 0 && !(size && data[0] & 1) ?
			     -ENOENT : 0), "pathname_check(%zu bytes) = %d", n, check);
	while ((r = pathname_next(&p, &c)) == 1) {
		FUZZ_CHECK(!last_seen, "a component after the last");
		FUZZ_CHECK(c.name >= path && c.name + c.len <= path + n, "component outside the path");
		FUZZ_CHECK(c.len > 0 && c.len <= NAME_MAX, "component of %zu bytes", c.len);
		FUZZ_CHECK(!memchr(c.name, '/', c.len) && !memchr(c.name, 0, c.len), "slash or NUL inside");
		FUZZ_CHECK(c.kind == (c.len == 1 && c.name[0] == '.' ? COMP_DOT :
				      c.len == 2 && !memcmp(c.name, "..", 2) ? COMP_DOTDOT : COMP_NAME),
			   "kind %d for \"%.*s\"", c.kind, (int)c.len, c.name);
		for (i = c.name + c.len - path; i < n && path[i] == '/'; i++)
			;
		FUZZ_CHECK(c.last == (i == n), "last flag %d", c.last);
		FUZZ_CHECK(c.trailing_slash == (c.last && c.name + c.len < path + n),
			   "trailing-slash flag %d", c.trailing_slash);
		FUZZ_CHECK(p == path + i, "cursor not past the slashes");
		last_seen = c.last;
		if (jl)
			joined[jl++] = '/';
		memcpy(joined + jl, c.name, c.len);
		jl += c.len;
	}
	if (r == 0) {
		FUZZ_CHECK(*p == 0, "end before the NUL");
		/* the path with its slashes collapsed and stripped at the ends */
		size_t k = 0;
		for (i = 0; i < n;) {
			while (i < n && path[i] == '/')
				i++;
			if (i == n)
				break;
			if (k) {
				FUZZ_CHECK(k < jl && joined[k] == '/', "components lost");
				k++;
			}
			while (i < n && path[i] != '/') {
				FUZZ_CHECK(k < jl && joined[k] == path[i], "components differ at %zu", i);
				k++, i++;
			}
		}
		FUZZ_CHECK(k == jl, "more components than the path holds");
	} else {
		FUZZ_CHECK(r == -ENAMETOOLONG, "pathname_next = %d", r);
		while (*p == '/')
			p++;
		for (i = 0; p[i] && p[i] != '/'; i++)
			;
		FUZZ_CHECK(i > NAME_MAX, "refused a name of %zu bytes", i);
	}
	free(joined);
	free(path);
	return 0;
}
