/* The cpio "newc" archive format (magic 070701, or 070702 with a
 * checksum), as the initramfs uses it: a reader that checks every header
 * before it hands out an entry. Pure code over a byte buffer and a
 * length, built for the kernel and for host tests and fuzzers. */
#ifndef FS_CPIO_H
#define FS_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_HEADER_SIZE 110
#define CPIO_NAME_MAX    4096       /* name bytes with the NUL: PATH_MAX */

struct cpio_entry {
	const char *name;        /* normalised: no leading "./" or "/", no "//",
				    no trailing "/"; "." is the root itself */
	size_t name_len;
	uint32_t ino, mode, uid, gid, nlink;
	uint32_t mtime;
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
	const uint8_t *data;     /* file body (regular files, symlink targets) */
	size_t size;
	size_t offset;           /* of the header in the buffer */
	unsigned archive;        /* which of the concatenated archives (0, 1, ...) */
};

/* Errors the reader reports: where and why it stopped or what it skipped. */
struct cpio_error {
	size_t offset;           /* of the header at fault */
	const char *why;         /* a short reason, e.g. "bad magic" */
	char name[64];           /* the entry's name when it was readable, else "" */
};

/* Allocation for the duplicate-name set (kmalloc in the kernel, malloc
 * in host tests). */
struct cpio_alloc {
	void *(*alloc)(size_t n);
	void (*free)(void *p);
};

/* Reader state (8 KiB: allocate it, do not put it on a kernel stack);
 * one thread uses it (no lock). */
struct cpio_reader {
	const uint8_t *buf;
	size_t len, off;
	unsigned archive;
	bool in_archive;         /* between a first header and its trailer */
	bool failed;             /* a structural error: nothing more to read */
	struct cpio_alloc mem;
	/* Names seen in the current archive (duplicate check): an open
	 * hash set of (name hash, header offset). */
	struct cpio_seen *seen;
	size_t seen_cap, seen_used;
	char namebuf[CPIO_NAME_MAX];      /* the current entry's name */
	char cmpbuf[CPIO_NAME_MAX];       /* an earlier name, re-read to compare */
};
struct cpio_seen {
	uint64_t hash;
	size_t off;                       /* header offset + 1; 0: empty slot */
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len,
		      const struct cpio_alloc *mem);
void cpio_reader_destroy(struct cpio_reader *r);

/* Results of cpio_next. */
#define CPIO_ENTRY  1            /* *e describes the next entry */
#define CPIO_END    0            /* no more archives */
#define CPIO_BROKEN (-1)         /* a header is broken: *err says where; the
				    reader is done (entries before it stand) */
#define CPIO_SKIP   (-2)         /* a sound header with a refused entry (a
				    ".." name, a duplicate): *err says which;
				    call again for the next one */
#define CPIO_NOMEM  (-3)
int cpio_next(struct cpio_reader *r, struct cpio_entry *e, struct cpio_error *err);

/* Normalises an archive name into out (size CPIO_NAME_MAX): strips "./"
 * and "/" prefixes, "//" and a trailing "/"; an empty result is ".".
 * Returns the length, or -1 for a ".." component or a name too long. */
long cpio_normalise_name(const char *name, size_t len, char *out);

#endif
