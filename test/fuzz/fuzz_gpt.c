/* Fuzz target for GPT parsing (drivers/block/gpt.c) over a fake disk.
 * Input: flags, a sector-size selector (512 << n), extra capacity in
 * sectors (32 bits), which read fails (0: none), how many partitions the
 * caller has room for, then the first 512 bytes of each sector from LBA 0
 * (the rest of a larger sector reads as zeros). Unless flag bit 0 is set
 * the harness first recomputes the entry-array and header CRCs where it
 * finds a header, so mutations reach the checks behind them. The disk
 * reports at least 3 sectors plus the extra capacity; the sectors past the
 * input read as zeros, or, with flag bit 1, fail like the end of a cut-off
 * image. Checked: no read outside the reported capacity and no read larger
 * than the scratch buffer (AddressSanitizer); an accepted table has correct
 * CRCs, and its partitions lie in the usable range, in slot order, do not
 * overlap and have printable names. */
#include "fuzz.h"

#include <cosmos/errno.h>
#include <drivers/block/gpt.h>

#define FLAG_KEEP_CRCS 1
#define FLAG_SHORT_DISK 2

/* The input holds the first CHUNK bytes of each sector, so a header on a
 * disk with 64 KiB sectors is still near the start of the input. */
#define CHUNK 512

struct disk {
	const uint8_t *data;
	size_t len;
	uint32_t ss;
	uint64_t sectors;            /* reported capacity */
	bool short_disk;
	unsigned reads, fail_at;
};

/* Is any of this sector's data in the input? */
static bool sector_present(const struct disk *d, uint64_t lba)
{
	return lba < d->len / CHUNK + (d->len % CHUNK != 0);
}

/* Bytes [off, off+n) of the disk: each sector's first CHUNK bytes from the
 * input, the rest zeros. */
static void vread(const struct disk *d, uint64_t off, size_t n, uint8_t *out)
{
	while (n) {
		uint64_t lba = off / d->ss, k = off % d->ss;
		size_t step = d->ss - k < n ? (size_t)(d->ss - k) : n, have = 0;

		if (k < CHUNK && sector_present(d, lba)) {
			size_t at = (size_t)(lba * CHUNK + k);

			have = CHUNK - k < step ? (size_t)(CHUNK - k) : step;
			if (have > d->len - at)
				have = d->len - at;
			memcpy(out, d->data + at, have);
		}
		memset(out + have, 0, step - have);
		out += step;
		off += step;
		n -= step;
	}
}

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct disk *d = ctx;

	FUZZ_CHECK(count > 0 && lba < d->sectors && count <= d->sectors - lba,
		   "read of %u sectors at %llu on a %llu-sector disk", count,
		   (unsigned long long)lba, (unsigned long long)d->sectors);
	if (++d->reads == d->fail_at)
		return -EIO;
	if (d->short_disk && !sector_present(d, lba + count - 1))
		return -EIO;
	vread(d, lba * d->ss, (size_t)count * d->ss, buf);   /* ASan: the scratch is exact */
	return 0;
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* The same CRC-32 as gpt_crc32, a table at a time: the harness computes
 * one for every input and should not double the parser's cost. */
static uint32_t crc32_fast(const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffffu;

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
			table[i] = c;
		}
	while (n--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
	return ~crc;
}

/* The CRC of the entry array the header at h describes; false when the
 * array is absurd or off the disk (the parser refuses it before reading). */
static bool array_crc(const struct disk *d, const uint8_t *h, uint32_t *crc)
{
	uint64_t lba = le64(h + 72), n = (uint64_t)le32(h + 80) * le32(h + 84);
	uint8_t *arr;

	if (n == 0 || n > GPT_MAX_ARRAY_BYTES || lba >= d->sectors)
		return false;
	arr = malloc(n);
	if (!arr)
		abort();
	vread(d, lba * d->ss, n, arr);
	*crc = crc32_fast(arr, n);
	free(arr);
	return true;
}

static void fix_crcs(struct disk *d, uint8_t *disk)
{
	uint8_t *h = disk + CHUNK, *sector;
	uint32_t hsize, crc;

	if (d->len < CHUNK + 92 || memcmp(h, "EFI PART", 8) != 0)
		return;
	if (array_crc(d, h, &crc))
		put32(h + 88, crc);
	hsize = le32(h + 12);
	if (hsize >= 92 && hsize <= d->ss) {
		if (!(sector = malloc(d->ss)))
			abort();
		put32(h + 16, 0);
		vread(d, d->ss, d->ss, sector);
		put32(h + 16, crc32_fast(sector, hsize));
		free(sector);
	}
}

static void check_table(const struct disk *d, const struct gpt_part *p, int n, unsigned max)
{
	uint8_t *h = malloc(d->ss);
	uint64_t first_usable, last_usable;
	uint32_t crc;

	if (!h)
		abort();
	FUZZ_CHECK((unsigned)n <= max, "%d partitions for %u slots", n, max);
	vread(d, d->ss, d->ss, h);          /* sector 1, as the parser read it */
	crc = le32(h + 16);
	put32(h + 16, 0);
	FUZZ_CHECK(le32(h + 12) >= 92 && le32(h + 12) <= d->ss, "header size %u", le32(h + 12));
	FUZZ_CHECK(crc32_fast(h, le32(h + 12)) == crc, "accepted a header with a wrong CRC");
	put32(h + 16, crc);
	FUZZ_CHECK(array_crc(d, h, &crc) && crc == le32(h + 88), "accepted an entry array with a wrong CRC");
	first_usable = le64(h + 40);
	last_usable = le64(h + 48);
	FUZZ_CHECK(first_usable <= last_usable && last_usable < d->sectors, "usable range");
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(p[i].first_lba <= p[i].last_lba && p[i].first_lba >= first_usable &&
			   p[i].last_lba <= last_usable, "partition %u outside the usable range", p[i].index);
		FUZZ_CHECK(p[i].index >= 1 && p[i].index <= le32(h + 80), "slot %u", p[i].index);
		FUZZ_CHECK(i == 0 || p[i].index > p[i - 1].index, "partitions out of slot order");
		FUZZ_CHECK(memchr(p[i].name, 0, sizeof(p[i].name)) != NULL, "name not terminated");
		for (const char *c = p[i].name; *c; c++)
			FUZZ_CHECK(*c >= 0x20 && *c <= 0x7e, "name byte %#x", (unsigned char)*c);
		for (int j = 0; j < i; j++)
			FUZZ_CHECK(p[i].last_lba < p[j].first_lba || p[j].last_lba < p[i].first_lba,
				   "partitions %u and %u overlap", p[j].index, p[i].index);
	}
	free(h);
}

/* The scratch buffer gpt.h asks for, exactly that size (so ASan sees any
 * byte past it), kept from one run to the next: one per sector size. */
static uint8_t *scratch_for(uint32_t ss)
{
	static uint8_t *cache[10];
	unsigned i = (unsigned)__builtin_ctz(ss / 512);

	if (!cache[i])
		cache[i] = malloc(ss + GPT_MAX_ARRAY_BYTES);
	return cache[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t flags = fuzz_u8(&in);
	uint32_t ss = 512u << (fuzz_u8(&in) % 10);
	uint32_t extra = fuzz_u32(&in);
	uint8_t fail_at = fuzz_u8(&in);
	unsigned max = 1 + fuzz_u8(&in) % GPT_MAX_PARTS;
	struct gpt_part *parts = malloc(max * sizeof(*parts));
	uint8_t *disk = fuzz_dup(in.p, in.left), *scratch = scratch_for(ss);
	struct disk d = { disk, in.left, ss, 0, flags & FLAG_SHORT_DISK, 0, fail_at };
	const char *why = NULL;
	int n;

	if (!parts || !scratch)
		abort();
	d.sectors = in.left / CHUNK + (in.left % CHUNK != 0);
	if (d.sectors < 3)
		d.sectors = 3;
	d.sectors += extra;
	if (!(flags & FLAG_KEEP_CRCS))
		fix_crcs(&d, disk);
	n = gpt_parse(disk_read, &d, ss, d.sectors, scratch, parts, max, &why);
	FUZZ_CHECK(n >= 0 || n == -ENOENT || n == -EINVAL || n == -EIO, "returned %d", n);
	FUZZ_CHECK(why != NULL && (n != -EINVAL || *why), "no reason for -EINVAL");
	if (n >= 0)
		check_table(&d, parts, n, max);
	free(disk);
	free(parts);
	return 0;
}
