/* cpio newc reader (see cpio.h). Every length and offset is checked
 * against the buffer before it is used; a header that fails a check ends
 * the read (nothing after it can be trusted), while a sound header whose
 * entry is refused (a ".." name, a duplicate, an unknown type) is skipped. */
#include <fs/cpio.h>
#include <cosmos/abi/limits.h>
#include <cosmos/abi/stat.h>
#include <lib/string.h>

#define TRAILER "TRAILER!!!"

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ, F_DEVMIN,
       F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK, F_COUNT };

static const char *const field_errors[F_COUNT] = {
	"non-hex digit in ino", "non-hex digit in mode", "non-hex digit in uid",
	"non-hex digit in gid", "non-hex digit in nlink", "non-hex digit in mtime",
	"non-hex digit in filesize", "non-hex digit in devmajor", "non-hex digit in devminor",
	"non-hex digit in rdevmajor", "non-hex digit in rdevminor", "non-hex digit in namesize",
	"non-hex digit in check",
};

static size_t align4(size_t x) { return (x + 3) & ~(size_t)3; }

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int d = hexval(p[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len,
		      const struct cpio_alloc *mem)
{
	memset(r, 0, offsetof(struct cpio_reader, namebuf));
	r->buf = buf;
	r->len = buf ? len : 0;
	r->mem = *mem;
}

void cpio_reader_destroy(struct cpio_reader *r)
{
	if (r->seen)
		r->mem.free(r->seen);
	r->seen = NULL;
	r->seen_cap = r->seen_used = 0;
}

long cpio_normalise_name(const char *name, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		size_t start, clen;

		while (i < len && name[i] == '/')
			i++;
		start = i;
		while (i < len && name[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && name[start] == '.'))
			continue;
		if (clen == 2 && name[start] == '.' && name[start + 1] == '.')
			return -1;
		if (o + (o ? 1 : 0) + clen >= CPIO_NAME_MAX)
			return -1;
		if (o)
			out[o++] = '/';
		memcpy(out + o, name + start, clen);
		o += clen;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = 0;
	return (long)o;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	return h;
}

static void fail(struct cpio_error *err, size_t off, const char *why, const char *name, size_t nlen)
{
	size_t n;

	/* leading "/"s say nothing in a report (mkinitrd.py pads names with
	 * up to 4 KiB of them to page-align file data) */
	while (name && nlen && name[0] == '/') {
		name++;
		nlen--;
	}
	n = nlen < sizeof(err->name) - 1 ? nlen : sizeof(err->name) - 1;
	err->offset = off;
	err->why = why;
	if (name)
		memcpy(err->name, name, n);
	else
		n = 0;
	err->name[n] = 0;
}

/* The name of a whole header at off whose other fields did not all parse,
 * for the report: when its namesize field parses and the name lies
 * NUL-terminated inside the buffer; else NULL. */
static const char *name_for_report(const struct cpio_reader *r, size_t off, size_t *len)
{
	const uint8_t *h = r->buf + off;
	uint32_t ns;

	if (!parse_hex8(h + 6 + 8 * F_NAMESIZE, &ns) || ns == 0 ||
	    ns > r->len - off - CPIO_HEADER_SIZE || h[CPIO_HEADER_SIZE + ns - 1] != 0)
		return NULL;
	*len = ns - 1;
	return (const char *)h + CPIO_HEADER_SIZE;
}

static bool seen_grow(struct cpio_reader *r)
{
	size_t cap = r->seen_cap ? r->seen_cap * 2 : 64;
	struct cpio_seen *s = r->mem.alloc(cap * sizeof(*s));

	if (!s)
		return false;
	memset(s, 0, cap * sizeof(*s));
	for (size_t i = 0; i < r->seen_cap; i++) {
		size_t j;

		if (!r->seen[i].off)
			continue;
		for (j = r->seen[i].hash & (cap - 1); s[j].off; j = (j + 1) & (cap - 1))
			;
		s[j] = r->seen[i];
	}
	if (r->seen)
		r->mem.free(r->seen);
	r->seen = s;
	r->seen_cap = cap;
	return true;
}

/* The normalised name of the (already checked) header at off, in cmpbuf. */
static long reread_name(struct cpio_reader *r, size_t off)
{
	uint32_t namesize;

	parse_hex8(r->buf + off + 6 + 8 * F_NAMESIZE, &namesize);
	return cpio_normalise_name((const char *)r->buf + off + CPIO_HEADER_SIZE, namesize - 1,
				   r->cmpbuf);
}

/* 1 if name was already seen in this archive, 0 if it is new (and now
 * recorded), -1 when out of memory. */
static int seen_check_add(struct cpio_reader *r, const char *name, size_t len, size_t off)
{
	uint64_t h = name_hash(name, len);
	size_t j;

	if ((r->seen_used + 1) * 2 > r->seen_cap && !seen_grow(r))
		return -1;
	for (j = h & (r->seen_cap - 1); r->seen[j].off; j = (j + 1) & (r->seen_cap - 1)) {
		if (r->seen[j].hash != h)
			continue;
		if (reread_name(r, r->seen[j].off - 1) == (long)len && memcmp(r->cmpbuf, name, len) == 0)
			return 1;
	}
	r->seen[j].hash = h;
	r->seen[j].off = off + 1;
	r->seen_used++;
	return 0;
}

static void end_archive(struct cpio_reader *r)
{
	if (r->seen)
		memset(r->seen, 0, r->seen_cap * sizeof(*r->seen));
	r->seen_used = 0;
	r->in_archive = false;
	r->archive++;
}

static bool has_nul(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0)
			return true;
	return false;
}

static bool known_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return true;
	}
	return false;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e, struct cpio_error *err)
{
	uint32_t f[F_COUNT];
	const uint8_t *h;
	const char *raw;
	size_t off, name_end, data_off, next;
	long nlen;
	bool crc;

	if (r->failed)
		return CPIO_BROKEN;
again:
	off = r->off;
	if (!r->in_archive) {
		/* Between archives: zero padding, then the next archive (or the end). */
		while (off < r->len && r->buf[off] == 0)
			off++;
		r->off = off;
		if (off == r->len)
			return CPIO_END;
		if (off & 3) {
			fail(err, off, "broken padding between archives", NULL, 0);
			r->failed = true;
			return CPIO_BROKEN;
		}
	} else if (off == r->len) {
		fail(err, off, "archive ends without a TRAILER!!! entry", NULL, 0);
		r->failed = true;
		return CPIO_BROKEN;
	}
	h = r->buf + off;
	if (r->len - off >= 6 && (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))) {
		fail(err, off, "bad magic", NULL, 0);
		r->failed = true;
		return CPIO_BROKEN;
	}
	if (r->len - off < CPIO_HEADER_SIZE) {
		fail(err, off, "truncated header", NULL, 0);
		r->failed = true;
		return CPIO_BROKEN;
	}
	crc = h[5] == '2';
	for (int i = 0; i < F_COUNT; i++) {
		if (!parse_hex8(h + 6 + 8 * i, &f[i])) {
			size_t len = 0;
			const char *name = name_for_report(r, off, &len);

			fail(err, off, field_errors[i], name, len);
			r->failed = true;
			return CPIO_BROKEN;
		}
	}
	raw = (const char *)h + CPIO_HEADER_SIZE;
	if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > r->len - off - CPIO_HEADER_SIZE) {
		fail(err, off, "name length runs past the end", NULL, 0);
		r->failed = true;
		return CPIO_BROKEN;
	}
	name_end = off + CPIO_HEADER_SIZE + f[F_NAMESIZE];
	if (raw[f[F_NAMESIZE] - 1] != 0) {
		fail(err, off, "name not NUL-terminated", raw, f[F_NAMESIZE]);
		r->failed = true;
		return CPIO_BROKEN;
	}
	if (strnlen(raw, f[F_NAMESIZE]) != f[F_NAMESIZE] - 1) {
		fail(err, off, "NUL inside the name", raw, f[F_NAMESIZE]);
		r->failed = true;
		return CPIO_BROKEN;
	}
	/* The last entry's padding may be cut off by the end of the buffer. */
	data_off = align4(name_end);
	if (data_off > r->len && f[F_FILESIZE] == 0)
		data_off = r->len;
	if (data_off > r->len || f[F_FILESIZE] > r->len - data_off) {
		fail(err, off, "data runs past the end", raw, f[F_NAMESIZE] - 1);
		r->failed = true;
		return CPIO_BROKEN;
	}
	next = align4(data_off + f[F_FILESIZE]);
	if (next > r->len)
		next = r->len;
	if (crc) {
		uint32_t sum = 0;

		for (size_t i = 0; i < f[F_FILESIZE]; i++)
			sum += r->buf[data_off + i];
		if (sum != f[F_CHECK]) {
			fail(err, off, "checksum mismatch", raw, f[F_NAMESIZE] - 1);
			r->failed = true;
			return CPIO_BROKEN;
		}
	}
	r->off = next;
	r->in_archive = true;

	if (f[F_NAMESIZE] == sizeof(TRAILER) && memcmp(raw, TRAILER, sizeof(TRAILER)) == 0) {
		end_archive(r);
		goto again;
	}
	if (f[F_NAMESIZE] > CPIO_NAME_MAX) {
		fail(err, off, "name longer than PATH_MAX", raw, f[F_NAMESIZE] - 1);
		return CPIO_SKIP;
	}
	nlen = cpio_normalise_name(raw, f[F_NAMESIZE] - 1, r->namebuf);
	if (nlen < 0) {
		fail(err, off, "name has a '..' component", raw, f[F_NAMESIZE] - 1);
		return CPIO_SKIP;
	}
	if (!known_type(f[F_MODE])) {
		fail(err, off, "unknown file type", raw, f[F_NAMESIZE] - 1);
		return CPIO_SKIP;
	}
	if (S_ISLNK(f[F_MODE]) && (f[F_FILESIZE] == 0 || f[F_FILESIZE] >= PATH_MAX ||
				   has_nul(r->buf + data_off, f[F_FILESIZE]))) {
		fail(err, off, "bad symlink target", raw, f[F_NAMESIZE] - 1);
		return CPIO_SKIP;
	}
	if (!S_ISREG(f[F_MODE]) && !S_ISLNK(f[F_MODE]) && f[F_FILESIZE] != 0) {
		fail(err, off, "data on a file type that has none", raw, f[F_NAMESIZE] - 1);
		return CPIO_SKIP;
	}
	switch (seen_check_add(r, r->namebuf, (size_t)nlen, off)) {
	case -1:
		fail(err, off, "out of memory", raw, f[F_NAMESIZE] - 1);
		r->failed = true;
		return CPIO_NOMEM;
	case 1:
		fail(err, off, "duplicate name in the archive", raw, f[F_NAMESIZE] - 1);
		return CPIO_SKIP;
	}
	e->name = r->namebuf;
	e->name_len = (size_t)nlen;
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->dev_major = f[F_DEVMAJ];
	e->dev_minor = f[F_DEVMIN];
	e->rdev_major = f[F_RDEVMAJ];
	e->rdev_minor = f[F_RDEVMIN];
	e->data = r->buf + data_off;
	e->size = f[F_FILESIZE];
	e->offset = off;
	e->archive = r->archive;
	return CPIO_ENTRY;
}
