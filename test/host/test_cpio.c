/* Host tests of the cpio newc reader: valid archives with every entry
 * type, name normalisation, concatenated archives with padding, and
 * crafted broken inputs (truncated headers, bad magic, non-hex digits,
 * lying and huge lengths, missing NULs, ".." names, duplicates, bad
 * padding, checksums), plus random corruption under the sanitizers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/abi/stat.h>
#include <fs/cpio.h>

/* ---- building archives ---- */

struct ar {
	uint8_t *buf;
	size_t len, cap;
};

static void ar_put(struct ar *a, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 64;
		a->buf = realloc(a->buf, a->cap);
		assert_non_null(a->buf);
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	static const uint8_t z[4];

	ar_put(a, z, (4 - a->len % 4) % 4);
}

/* One entry; namesize 0 means strlen(name) + 1. */
static void ar_entry_raw(struct ar *a, const char *magic, uint32_t ino, uint32_t mode,
			 uint32_t nlink, const char *name, uint32_t namesize,
			 const void *data, uint32_t size, uint32_t check)
{
	char h[CPIO_HEADER_SIZE + 1];

	if (!namesize)
		namesize = (uint32_t)strlen(name) + 1;
	snprintf(h, sizeof(h), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
		 ino, mode, 1000u, 100u, nlink, 1700000000u, size, 0u, 0u, 4u, 5u, namesize, check);
	ar_put(a, h, CPIO_HEADER_SIZE);
	ar_put(a, name, strlen(name) + 1);
	ar_pad(a);
	ar_put(a, data, size);
	ar_pad(a);
}

static void ar_entry(struct ar *a, uint32_t ino, uint32_t mode, const char *name,
		     const char *data)
{
	ar_entry_raw(a, "070701", ino, mode, 1, name, 0, data, data ? (uint32_t)strlen(data) : 0, 0);
}

static void ar_trailer(struct ar *a)
{
	ar_entry(a, 0, 0, "TRAILER!!!", NULL);
}

static const struct cpio_alloc mem = { malloc, free };
static int fail_alloc;
static void *failing_alloc(size_t n) { return fail_alloc ? NULL : malloc(n); }
static const struct cpio_alloc failing_mem = { failing_alloc, free };

struct result {
	int codes[64];
	char names[64][128];
	size_t sizes[64];
	unsigned archives[64];
	uint32_t modes[64];
	char why[64][64];
	size_t offsets[64];
	int n;
};

/* Reads the whole archive, recording each result; stops at END/BROKEN. */
static void read_all(const struct ar *a, struct result *res, const struct cpio_alloc *m)
{
	struct cpio_reader *r = malloc(sizeof(*r));
	struct cpio_entry e;
	struct cpio_error err;

	assert_non_null(r);
	memset(res, 0, sizeof(*res));
	cpio_reader_init(r, a->buf, a->len, m);
	for (;;) {
		int c = cpio_next(r, &e, &err);

		assert_true(res->n < 64);
		res->codes[res->n] = c;
		if (c == CPIO_ENTRY) {
			snprintf(res->names[res->n], 128, "%.*s", (int)e.name_len, e.name);
			res->sizes[res->n] = e.size;
			res->archives[res->n] = e.archive;
			res->modes[res->n] = e.mode;
			assert_true(e.data >= a->buf && e.data + e.size <= a->buf + a->len);
		} else if (c != CPIO_END) {
			snprintf(res->names[res->n], 128, "%s", err.name);
			snprintf(res->why[res->n], 64, "%s", err.why);
			res->offsets[res->n] = err.offset;
		}
		res->n++;
		if (c == CPIO_END || c == CPIO_BROKEN || c == CPIO_NOMEM)
			break;
	}
	/* once done, the reader stays done */
	if (res->codes[res->n - 1] == CPIO_BROKEN)
		assert_int_equal(cpio_next(r, &e, &err), CPIO_BROKEN);
	cpio_reader_destroy(r);
	free(r);
}

static void valid_archive(struct ar *a)
{
	ar_entry(a, 1, S_IFDIR | 0755, ".", NULL);
	ar_entry(a, 2, S_IFDIR | 0755, "bin", NULL);
	ar_entry(a, 3, S_IFREG | 0755, "bin/init", "#!/bin/sh\necho hi\n");
	ar_entry(a, 4, S_IFLNK | 0777, "bin/sh", "busybox");
	ar_entry(a, 5, S_IFCHR | 0600, "console", NULL);
	ar_entry(a, 6, S_IFIFO | 0644, "fifo", NULL);
	ar_trailer(a);
}

static void test_valid_entries(void **state)
{
	struct ar a = { 0 };
	struct result r;

	(void)state;
	valid_archive(&a);
	read_all(&a, &r, &mem);
	assert_int_equal(r.n, 7);
	for (int i = 0; i < 6; i++)
		assert_int_equal(r.codes[i], CPIO_ENTRY);
	assert_int_equal(r.codes[6], CPIO_END);
	assert_string_equal(r.names[0], ".");
	assert_string_equal(r.names[2], "bin/init");
	assert_int_equal(r.sizes[2], strlen("#!/bin/sh\necho hi\n"));
	assert_string_equal(r.names[3], "bin/sh");
	assert_int_equal(r.modes[3], S_IFLNK | 0777);
	assert_int_equal(r.modes[4], S_IFCHR | 0600);
	free(a.buf);
}

static void test_fields(void **state)
{
	struct ar a = { 0 };
	struct cpio_reader *r = malloc(sizeof(*r));
	struct cpio_entry e;
	struct cpio_error err;

	(void)state;
	ar_entry(&a, 0x1234, S_IFREG | 0640, "file", "data!");
	ar_trailer(&a);
	cpio_reader_init(r, a.buf, a.len, &mem);
	assert_int_equal(cpio_next(r, &e, &err), CPIO_ENTRY);
	assert_int_equal(e.ino, 0x1234);
	assert_int_equal(e.mode, S_IFREG | 0640);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.gid, 100);
	assert_int_equal(e.mtime, 1700000000u);
	assert_int_equal(e.rdev_major, 4);
	assert_int_equal(e.rdev_minor, 5);
	assert_int_equal(e.offset, 0);
	assert_memory_equal(e.data, "data!", 5);
	/* name "file" + NUL = 5: header+name 115 -> data at 116 */
	assert_ptr_equal(e.data, a.buf + 116);
	assert_int_equal(cpio_next(r, &e, &err), CPIO_END);
	cpio_reader_destroy(r);
	free(r);
	free(a.buf);
}

static void test_name_normalisation(void **state)
{
	char out[CPIO_NAME_MAX];

	(void)state;
	assert_int_equal(cpio_normalise_name("./a//b/", 7, out), 3);
	assert_string_equal(out, "a/b");
	assert_int_equal(cpio_normalise_name("/etc/passwd", 11, out), 10);
	assert_string_equal(out, "etc/passwd");
	assert_int_equal(cpio_normalise_name(".", 1, out), 1);
	assert_string_equal(out, ".");
	assert_int_equal(cpio_normalise_name("", 0, out), 1);
	assert_string_equal(out, ".");
	assert_int_equal(cpio_normalise_name("a/./b", 5, out), 3);
	assert_string_equal(out, "a/b");
	assert_int_equal(cpio_normalise_name("..", 2, out), -1);
	assert_int_equal(cpio_normalise_name("../etc", 6, out), -1);
	assert_int_equal(cpio_normalise_name("a/../../x", 9, out), -1);
	assert_int_equal(cpio_normalise_name("/..", 3, out), -1);
	/* "..." and "..a" are ordinary names */
	assert_int_equal(cpio_normalise_name(".../..a", 7, out), 7);
	assert_string_equal(out, ".../..a");
}

static void test_dotdot_and_absolute_names(void **state)
{
	struct ar a = { 0 };
	struct result r;

	(void)state;
	ar_entry(&a, 1, S_IFREG | 0644, "../escape", "x");
	ar_entry(&a, 2, S_IFREG | 0644, "a/../../escape2", "x");
	ar_entry(&a, 3, S_IFREG | 0644, "/abs/file", "x");
	ar_entry(&a, 4, S_IFREG | 0644, "ok", "x");
	ar_trailer(&a);
	read_all(&a, &r, &mem);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.codes[0], CPIO_SKIP);
	assert_string_equal(r.names[0], "../escape");
	assert_string_equal(r.why[0], "name has a '..' component");
	assert_int_equal(r.offsets[0], 0);
	assert_int_equal(r.codes[1], CPIO_SKIP);
	assert_int_equal(r.codes[2], CPIO_ENTRY);
	assert_string_equal(r.names[2], "abs/file");   /* stays under the root */
	assert_int_equal(r.codes[3], CPIO_ENTRY);
	assert_int_equal(r.codes[4], CPIO_END);
	free(a.buf);
}

static void test_truncated_header(void **state)
{
	struct ar a = { 0 };
	struct result r;
	size_t first;

	(void)state;
	ar_entry(&a, 1, S_IFREG | 0644, "a", "abc");
	first = a.len;
	ar_entry(&a, 2, S_IFREG | 0644, "b", "def");
	for (size_t cut = first + 1; cut < first + CPIO_HEADER_SIZE; cut += 13) {
		struct ar t = { a.buf, cut, cut };

		read_all(&t, &r, &mem);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.codes[0], CPIO_ENTRY);    /* what came before stays */
		assert_int_equal(r.codes[1], CPIO_BROKEN);
		assert_string_equal(r.why[1], "truncated header");
		assert_int_equal(r.offsets[1], first);
	}
	free(a.buf);
}

static void test_bad_magic(void **state)
{
	struct ar a = { 0 };
	struct result r;

	(void)state;
	ar_entry_raw(&a, "070707", 1, S_IFREG | 0644, 1, "old", 0, "x", 1, 0);  /* odc, not newc */
	read_all(&a, &r, &mem);
	assert_int_equal(r.codes[0], CPIO_BROKEN);
	assert_string_equal(r.why[0], "bad magic");
	free(a.buf);
}

static void test_non_hex_digits(void **state)
{
	(void)state;
	for (int field = 0; field < 13; field++) {
		struct ar a = { 0 };
		struct result r;
		char want[64];
		static const char *names[] = { "ino", "mode", "uid", "gid", "nlink", "mtime",
			"filesize", "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check" };

		ar_entry(&a, 1, S_IFREG | 0644, "f", "x");
		a.buf[6 + 8 * field + 3] = 'g';
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		snprintf(want, sizeof(want), "non-hex digit in %s", names[field]);
		assert_string_equal(r.why[0], want);
		/* the name is reported when the name size still reads */
		assert_string_equal(r.names[0], field == 11 ? "" : "f");
		free(a.buf);
	}
	/* a space or a sign is not a hex digit either */
	{
		struct ar a = { 0 };
		struct result r;

		ar_entry(&a, 1, S_IFREG | 0644, "f", "x");
		a.buf[6 + 8 * 6] = ' ';
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		free(a.buf);
	}
}

static void test_name_lengths(void **state)
{
	struct result r;

	(void)state;
	{	/* namesize 0: no room for the NUL */
		struct ar a = { 0 };

		ar_entry_raw(&a, "070701", 1, S_IFREG | 0644, 1, "", 0, NULL, 0, 0);
		memcpy(a.buf + 6 + 8 * 11, "00000000", 8);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		free(a.buf);
	}
	{	/* huge: far past the buffer */
		struct ar a = { 0 };

		ar_entry_raw(&a, "070701", 1, S_IFREG | 0644, 1, "f", 0xffffffffu, NULL, 0, 0);
		ar_trailer(&a);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		assert_string_equal(r.why[0], "name length runs past the end");
		free(a.buf);
	}
	{	/* a name size that ends on a non-NUL byte (too short by one) */
		struct ar a = { 0 };

		ar_entry_raw(&a, "070701", 1, S_IFREG | 0644, 1, "name", 4, NULL, 0, 0);
		ar_trailer(&a);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		assert_string_equal(r.why[0], "name not NUL-terminated");
		assert_string_equal(r.names[0], "name");
		free(a.buf);
	}
	{	/* a name size that counts past the NUL: a NUL inside the name */
		struct ar a = { 0 };

		ar_entry_raw(&a, "070701", 1, S_IFREG | 0644, 1, "name", 8, NULL, 0, 0);
		ar_trailer(&a);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		free(a.buf);
	}
	{	/* longer than PATH_MAX but inside the buffer: refused, reading goes on */
		struct ar a = { 0 };
		char *longname = malloc(5000);

		memset(longname, 'x', 4999);
		longname[4999] = 0;
		ar_entry(&a, 1, S_IFREG | 0644, longname, "x");
		ar_entry(&a, 2, S_IFREG | 0644, "after", "y");
		ar_trailer(&a);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_SKIP);
		assert_string_equal(r.why[0], "name longer than PATH_MAX");
		assert_int_equal(r.codes[1], CPIO_ENTRY);
		assert_string_equal(r.names[1], "after");
		free(longname);
		free(a.buf);
	}
}

static void test_lying_sizes(void **state)
{
	struct result r;

	(void)state;
	{	/* filesize one byte more than the buffer holds */
		struct ar a = { 0 };

		ar_entry_raw(&a, "070701", 1, S_IFREG | 0644, 1, "f", 0, "abcd", 4, 0);
		memcpy(a.buf + 6 + 8 * 6, "00000009", 8);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		assert_string_equal(r.why[0], "data runs past the end");
		assert_string_equal(r.names[0], "f");
		free(a.buf);
	}
	{	/* filesize 0xffffffff: no overflow, refused */
		struct ar a = { 0 };

		ar_entry(&a, 1, S_IFREG | 0644, "ok", "1");
		ar_entry_raw(&a, "070701", 2, S_IFREG | 0644, 1, "big", 0, "abcd", 4, 0);
		memcpy(a.buf + 120 + 6 + 8 * 6, "FFFFFFFF", 8);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_ENTRY);
		assert_int_equal(r.codes[1], CPIO_BROKEN);
		assert_int_equal(r.offsets[1], 120);
		free(a.buf);
	}
	{	/* the last entry's padding missing at the end of the buffer is fine */
		struct ar a = { 0 };

		ar_entry(&a, 1, S_IFREG | 0644, "f", "x");
		ar_trailer(&a);
		a.len -= 2;   /* "TRAILER!!!" + NUL = 11 -> three padding bytes */
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_ENTRY);
		assert_int_equal(r.codes[1], CPIO_END);
		free(a.buf);
	}
}

static void test_duplicates(void **state)
{
	struct ar a = { 0 };
	struct result r;

	(void)state;
	ar_entry(&a, 1, S_IFREG | 0644, "etc/passwd", "root");
	ar_entry(&a, 2, S_IFREG | 0644, "./etc//passwd", "evil");
	ar_entry(&a, 3, S_IFDIR | 0755, "etc", NULL);
	ar_entry(&a, 4, S_IFDIR | 0755, "etc/", NULL);
	ar_trailer(&a);
	/* a later archive may replace what an earlier one made, as Linux allows */
	ar_entry(&a, 1, S_IFREG | 0644, "etc/passwd", "new");
	ar_trailer(&a);
	read_all(&a, &r, &mem);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.codes[0], CPIO_ENTRY);
	assert_int_equal(r.codes[1], CPIO_SKIP);
	assert_string_equal(r.why[1], "duplicate name in the archive");
	assert_string_equal(r.names[1], "./etc//passwd");
	assert_int_equal(r.codes[2], CPIO_ENTRY);
	assert_int_equal(r.codes[3], CPIO_SKIP);
	assert_int_equal(r.codes[4], CPIO_ENTRY);
	assert_int_equal(r.archives[4], 1);
	assert_int_equal(r.codes[5], CPIO_END);
	free(a.buf);
}

/* mkinitrd.py's page alignment: a name padded in front with "/" (here
 * to 4,000 bytes) is the plain name, and its data starts where the
 * padding put it; a broken entry's report names it without the "/"s. */
static void test_slash_padded_names(void **state)
{
	struct ar a = { 0 };
	struct result r;
	char *padded = malloc(4000 + 16);
	char body[8192];
	struct cpio_reader *rd = malloc(sizeof(*rd));
	struct cpio_entry e;
	struct cpio_error err;

	(void)state;
	memset(padded, '/', 4000);
	strcpy(padded + 4000, "bin/busybox");
	memset(body, 'x', sizeof(body));
	body[sizeof(body) - 1] = 0;
	ar_entry(&a, 1, S_IFREG | 0755, padded, body);
	ar_trailer(&a);
	read_all(&a, &r, &mem);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.codes[0], CPIO_ENTRY);
	assert_string_equal(r.names[0], "bin/busybox");
	assert_int_equal(r.sizes[0], sizeof(body) - 1);
	cpio_reader_init(rd, a.buf, a.len, &mem);
	assert_int_equal(cpio_next(rd, &e, &err), CPIO_ENTRY);
	assert_ptr_equal(e.data, a.buf + ((CPIO_HEADER_SIZE + 4000 + 12 + 3) & ~3u));
	cpio_reader_destroy(rd);
	/* cut in the middle of the data */
	a.len = CPIO_HEADER_SIZE + 4012 + 100;
	read_all(&a, &r, &mem);
	assert_int_equal(r.codes[0], CPIO_BROKEN);
	assert_string_equal(r.why[0], "data runs past the end");
	assert_string_equal(r.names[0], "bin/busybox");
	free(rd);
	free(padded);
	free(a.buf);
}

static void test_many_entries_and_late_duplicate(void **state)
{
	struct ar a = { 0 };
	struct cpio_reader *rd = malloc(sizeof(*rd));
	struct cpio_entry e;
	struct cpio_error err;
	char name[32];
	int entries = 0, skips = 0, c;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "d/file%d", i);
		ar_entry(&a, (uint32_t)i + 1, S_IFREG | 0644, name, NULL);
	}
	ar_entry(&a, 9999, S_IFREG | 0644, "d/file17", NULL);
	ar_trailer(&a);
	cpio_reader_init(rd, a.buf, a.len, &mem);
	while ((c = cpio_next(rd, &e, &err)) != CPIO_END) {
		assert_true(c == CPIO_ENTRY || c == CPIO_SKIP);
		entries += c == CPIO_ENTRY;
		skips += c == CPIO_SKIP;
	}
	assert_int_equal(entries, 3000);
	assert_int_equal(skips, 1);
	assert_string_equal(err.name, "d/file17");
	cpio_reader_destroy(rd);
	free(rd);
	free(a.buf);
}

static void test_out_of_memory(void **state)
{
	struct ar a = { 0 };
	struct result r;

	(void)state;
	valid_archive(&a);
	fail_alloc = 1;
	read_all(&a, &r, &failing_mem);
	fail_alloc = 0;
	assert_int_equal(r.codes[0], CPIO_NOMEM);
	free(a.buf);
}

static void test_concatenated_archives(void **state)
{
	struct ar a = { 0 };
	struct result r;
	static const uint8_t zeros[512];

	(void)state;
	ar_entry(&a, 1, S_IFREG | 0644, "one", "1");
	ar_trailer(&a);
	ar_put(&a, zeros, 512 - a.len % 512);      /* cpio pads archives to 512 */
	ar_entry(&a, 1, S_IFREG | 0644, "two", "22");
	ar_trailer(&a);
	ar_entry(&a, 1, S_IFREG | 0644, "three", "333");   /* no padding at all */
	ar_trailer(&a);
	ar_put(&a, zeros, 100);                     /* trailing zeros */
	read_all(&a, &r, &mem);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.names[0], "one");
	assert_int_equal(r.archives[0], 0);
	assert_string_equal(r.names[1], "two");
	assert_int_equal(r.archives[1], 1);
	assert_string_equal(r.names[2], "three");
	assert_int_equal(r.archives[2], 2);
	assert_int_equal(r.codes[3], CPIO_END);
	free(a.buf);
}

static void test_broken_padding_and_missing_trailer(void **state)
{
	struct result r;

	(void)state;
	{	/* the second archive starts off a 4-byte boundary */
		struct ar a = { 0 };
		static const uint8_t z[3];

		ar_entry(&a, 1, S_IFREG | 0644, "one", "1");
		ar_trailer(&a);
		ar_put(&a, z, 1);
		ar_put(&a, "0", 1);
		ar_entry(&a, 1, S_IFREG | 0644, "two", "2");
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_ENTRY);
		assert_int_equal(r.codes[1], CPIO_BROKEN);
		assert_string_equal(r.why[1], "broken padding between archives");
		free(a.buf);
	}
	{	/* garbage after the trailer */
		struct ar a = { 0 };

		ar_entry(&a, 1, S_IFREG | 0644, "one", "1");
		ar_trailer(&a);
		ar_put(&a, "junkjunk", 8);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[1], CPIO_BROKEN);
		assert_string_equal(r.why[1], "bad magic");
		free(a.buf);
	}
	{	/* entries, then the end of the buffer with no trailer */
		struct ar a = { 0 };

		ar_entry(&a, 1, S_IFREG | 0644, "one", "1");
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_ENTRY);
		assert_int_equal(r.codes[1], CPIO_BROKEN);
		assert_string_equal(r.why[1], "archive ends without a TRAILER!!! entry");
		free(a.buf);
	}
	{	/* empty and all-zero buffers hold no archive */
		struct ar a = { 0 };
		static const uint8_t z[64];

		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_END);
		ar_put(&a, z, sizeof(z));
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_END);
		free(a.buf);
	}
}

static void test_checksums(void **state)
{
	struct result r;
	uint32_t sum = 'a' + 'b' + 'c';

	(void)state;
	{
		struct ar a = { 0 };

		ar_entry_raw(&a, "070702", 1, S_IFREG | 0644, 1, "f", 0, "abc", 3, sum);
		ar_entry_raw(&a, "070702", 0, 0, 1, "TRAILER!!!", 0, NULL, 0, 0);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_ENTRY);
		assert_int_equal(r.codes[1], CPIO_END);
		free(a.buf);
	}
	{
		struct ar a = { 0 };

		ar_entry_raw(&a, "070702", 1, S_IFREG | 0644, 1, "f", 0, "abc", 3, sum + 1);
		read_all(&a, &r, &mem);
		assert_int_equal(r.codes[0], CPIO_BROKEN);
		assert_string_equal(r.why[0], "checksum mismatch");
		free(a.buf);
	}
}

static void test_refused_types(void **state)
{
	struct ar a = { 0 };
	struct result r;
	char longtarget[4200];

	(void)state;
	memset(longtarget, 'a', sizeof(longtarget) - 1);
	longtarget[sizeof(longtarget) - 1] = 0;
	ar_entry(&a, 1, S_IFLNK | 0777, "emptylink", NULL);
	ar_entry(&a, 2, S_IFLNK | 0777, "longlink", longtarget);
	ar_entry(&a, 3, 0170000 | 0644, "weird", NULL);
	ar_entry(&a, 4, S_IFDIR | 0755, "dirdata", "body");
	ar_entry_raw(&a, "070701", 5, S_IFLNK | 0777, 1, "nullink", 0, "a\0b", 3, 0);
	ar_entry(&a, 6, S_IFSOCK | 0755, "sock", NULL);
	ar_trailer(&a);
	read_all(&a, &r, &mem);
	assert_int_equal(r.n, 7);
	assert_int_equal(r.codes[0], CPIO_SKIP);
	assert_string_equal(r.why[0], "bad symlink target");
	assert_int_equal(r.codes[1], CPIO_SKIP);
	assert_int_equal(r.codes[2], CPIO_SKIP);
	assert_string_equal(r.why[2], "unknown file type");
	assert_int_equal(r.codes[3], CPIO_SKIP);
	assert_int_equal(r.codes[4], CPIO_SKIP);
	assert_int_equal(r.codes[5], CPIO_ENTRY);
	assert_int_equal(r.codes[6], CPIO_END);
	free(a.buf);
}

/* Random corruption of a valid archive: the reader must stay inside the
 * buffer (ASan watches), end in a bounded number of steps, and never hand
 * out an entry whose data lies outside the buffer. */
static void test_random_corruption(void **state)
{
	struct ar a = { 0 };
	struct cpio_reader *rd = malloc(sizeof(*rd));
	uint32_t seed = 12345;

	(void)state;
	valid_archive(&a);
	valid_archive(&a);
	for (int round = 0; round < 20000; round++) {
		uint8_t *copy = malloc(a.len);
		size_t len = a.len;
		struct cpio_entry e;
		struct cpio_error err;
		int steps = 0, c;

		memcpy(copy, a.buf, a.len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] = (uint8_t)(seed >> 24);
		}
		seed = seed * 1103515245u + 12345u;
		if (round % 3 == 0)
			len = (seed >> 8) % (len + 1);
		cpio_reader_init(rd, copy, len, &mem);
		while ((c = cpio_next(rd, &e, &err)) == CPIO_ENTRY || c == CPIO_SKIP) {
			if (c == CPIO_ENTRY)
				assert_true(e.data >= copy && e.data + e.size <= copy + len);
			assert_true(++steps < 100);
		}
		cpio_reader_destroy(rd);
		free(copy);
	}
	free(rd);
	free(a.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_entries),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_name_normalisation),
		cmocka_unit_test(test_dotdot_and_absolute_names),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_non_hex_digits),
		cmocka_unit_test(test_name_lengths),
		cmocka_unit_test(test_slash_padded_names),
		cmocka_unit_test(test_lying_sizes),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_many_entries_and_late_duplicate),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_concatenated_archives),
		cmocka_unit_test(test_broken_padding_and_missing_trailer),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_refused_types),
		cmocka_unit_test(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
