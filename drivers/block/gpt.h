/* GUID partition tables (UEFI 2.x chapter 5): the primary header and its
 * entry array, checked (CRCs, bounds, overlaps) before anything is trusted.
 * Portable: reads through a callback, so it is host-tested. */
#ifndef DRIVERS_BLOCK_GPT_H
#define DRIVERS_BLOCK_GPT_H

#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

#define GPT_MAX_PARTS 128
#define GPT_MAX_ARRAY_BYTES (64u * 1024)   /* 4x the usual 128 x 128 bytes */

struct gpt_part {
	unsigned index;          /* 1-based slot in the entry array */
	uint64_t first_lba, last_lba;
	uint8_t type_guid[16];
	uint8_t part_guid[16];
	char name[37];           /* UTF-16 name, non-ASCII shown as '?' */
};

/* Reads count sectors at lba into buf: 0 or a negative errno. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t lba, uint32_t count, void *buf);

/* scratch: at least sector_size + GPT_MAX_ARRAY_BYTES bytes. Returns the
 * number of partitions found (up to max), -ENOENT when the disk has no GPT
 * signature, -EINVAL for a damaged table (*why says what), or the reader's
 * error. */
int gpt_parse(gpt_read_fn read, void *ctx, uint32_t sector_size, uint64_t sectors, void *scratch,
	      struct gpt_part *parts, unsigned max, const char **why) __must_check;

uint32_t gpt_crc32(const void *data, size_t len);

#endif
