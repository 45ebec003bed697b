/* Fuzz target for fs/cpio.c, the reader the initramfs unpacker
 * (fs/initramfs.c) takes every entry from. The first byte picks how many
 * allocations of the duplicate-name set succeed (0: all; n: n - 1, then
 * every one fails); the rest is the archive. Each entry handed out must
 * lie inside the buffer, carry a normalised name (no "." or ".." or empty
 * component, no leading or trailing "/", shorter than PATH_MAX) that no
 * earlier entry of the same archive had, a known type, and a symlink
 * target without NULs; every call must move forward, and a reader that
 * stopped stays stopped. */
#include "fuzz.h"

#include <cosmos/abi/limits.h>
#include <cosmos/abi/stat.h>
#include <fs/cpio.h>

static int allocs_left;   /* < 0: no limit */

static void *fuzz_alloc(size_t n)
{
	if (allocs_left == 0)
		return NULL;
	if (allocs_left > 0)
		allocs_left--;
	return malloc(n);
}

static const struct cpio_alloc mem = { fuzz_alloc, free };

static void check_name(const char *name, size_t len)
{
	FUZZ_CHECK(len > 0 && len < CPIO_NAME_MAX && name[len] == 0, "name length %zu", len);
	FUZZ_CHECK(strlen(name) == len, "NUL inside the name");
	if (len == 1 && name[0] == '.')
		return;   /* the root itself */
	FUZZ_CHECK(name[0] != '/' && name[len - 1] != '/', "slash at an end of \"%s\"", name);
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && name[j] != '/')
			j++;
		FUZZ_CHECK(j > i, "empty component in \"%s\"", name);
		FUZZ_CHECK(!(j - i == 1 && name[i] == '.'), "\".\" component in \"%s\"", name);
		FUZZ_CHECK(!(j - i == 2 && name[i] == '.' && name[i + 1] == '.'),
			   "\"..\" component in \"%s\"", name);
		i = j + 1;
	}
}

/* The names handed out in the current archive, to catch a duplicate. */
struct names {
	char **v;
	size_t n, cap;
	unsigned archive;
};

static void names_clear(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

static void names_add(struct names *s, const struct cpio_entry *e)
{
	if (e->archive != s->archive) {
		FUZZ_CHECK(e->archive > s->archive, "archive number went back");
		names_clear(s);
		s->archive = e->archive;
	}
	for (size_t i = 0; i < s->n; i++)
		FUZZ_CHECK(strcmp(s->v[i], e->name) != 0, "duplicate \"%s\" handed out", e->name);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n++] = fuzz_strndup(e->name, e->name_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t budget = fuzz_u8(&in);
	uint8_t *buf = fuzz_dup(in.p, in.left);
	size_t len = in.left, last_off = 0;
	struct cpio_reader *r = malloc(sizeof(*r));
	struct names seen = { 0 };
	struct cpio_entry e;
	struct cpio_error err;
	int c, calls = 0;

	if (!r)
		abort();
	allocs_left = budget ? budget - 1 : -1;
	cpio_reader_init(r, buf, len, &mem);
	do {
		c = cpio_next(r, &e, &err);
		/* each entry takes at least a header: no more calls than that */
		FUZZ_CHECK(++calls <= (int)(len / CPIO_HEADER_SIZE) + 2, "no progress");
		if (c == CPIO_ENTRY) {
			FUZZ_CHECK(e.offset + CPIO_HEADER_SIZE <= len && e.offset >= last_off,
				   "header offset %zu", e.offset);
			FUZZ_CHECK(e.data >= buf && e.size <= len && e.data + e.size <= buf + len,
				   "data outside the buffer");
			check_name(e.name, e.name_len);
			switch (e.mode & S_IFMT) {
			case S_IFREG:
				break;
			case S_IFLNK:
				FUZZ_CHECK(e.size > 0 && e.size < PATH_MAX &&
					   !memchr(e.data, 0, e.size), "bad symlink target");
				break;
			case S_IFDIR: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
				FUZZ_CHECK(e.size == 0, "data on type %#o", e.mode & S_IFMT);
				break;
			default:
				FUZZ_CHECK(0, "unknown type %#o handed out", e.mode & S_IFMT);
			}
			/* touch every byte, so a lie about the size is an ASan report */
			volatile uint8_t sum = 0;
			for (size_t i = 0; i < e.size; i++)
				sum += e.data[i];
			(void)sum;
			names_add(&seen, &e);
			last_off = e.offset;
		} else if (c != CPIO_END) {
			FUZZ_CHECK(c == CPIO_SKIP || c == CPIO_BROKEN || c == CPIO_NOMEM, "result %d", c);
			FUZZ_CHECK(err.why && err.offset <= len, "error at %zu of %zu", err.offset, len);
			FUZZ_CHECK(strlen(err.name) < sizeof(err.name), "error name not terminated");
			FUZZ_CHECK(c != CPIO_NOMEM || allocs_left == 0, "out of memory with memory left");
		}
	} while (c == CPIO_ENTRY || c == CPIO_SKIP);
	if (c != CPIO_END)
		FUZZ_CHECK(cpio_next(r, &e, &err) == CPIO_BROKEN, "a stopped reader went on");
	cpio_reader_destroy(r);
	names_clear(&seen);
	free(seen.v);
	free(r);
	free(buf);
	return 0;
}
