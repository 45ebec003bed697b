/* GPT parsing. Every field that sizes or places something is checked
 * against the disk before use; the table is all-or-nothing: any fault and
 * no partition is reported, so a damaged disk is only used raw. */
#include <drivers/block/gpt.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define HDR_MIN_SIZE 92

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CRC-32 as used by GPT (IEEE 802.3, reflected, init and final xor ~0). */
uint32_t gpt_crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

static int guid_zero(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return 0;
	return 1;
}

int gpt_parse(gpt_read_fn read, void *ctx, uint32_t sector_size, uint64_t sectors, void *scratch,
	      struct gpt_part *parts, unsigned max, const char **why)
{
	uint8_t *hdr = scratch, *arr = (uint8_t *)scratch + sector_size;
	uint32_t hdr_size, hdr_crc, nent, esize, arr_crc;
	uint64_t first_usable, last_usable, arr_lba, arr_bytes, arr_sectors;
	unsigned found = 0;
	int r;

	if (why)
		*why = "";
	if (sector_size < 512 || (sector_size & (sector_size - 1)) || sectors < 3)
		return -ENOENT;
	if ((r = read(ctx, 1, 1, hdr)) != 0)
		return r;
	if (memcmp(hdr, "EFI PART", 8) != 0)
		return -ENOENT;

	hdr_size = le32(hdr + 12);
	if (hdr_size < HDR_MIN_SIZE || hdr_size > sector_size)
		return fail(why, "header size out of range");
	hdr_crc = le32(hdr + 16);
	memset(hdr + 16, 0, 4);
	if (gpt_crc32(hdr, hdr_size) != hdr_crc)
		return fail(why, "header CRC mismatch");
	if (le64(hdr + 24) != 1)
		return fail(why, "header does not say it is at LBA 1");
	first_usable = le64(hdr + 40);
	last_usable = le64(hdr + 48);
	arr_lba = le64(hdr + 72);
	nent = le32(hdr + 80);
	esize = le32(hdr + 84);
	arr_crc = le32(hdr + 88);
	if (first_usable < 2 || first_usable > last_usable || last_usable >= sectors)
		return fail(why, "usable range outside the disk");
	if (esize < 128 || esize > 4096 || (esize & (esize - 1)))
		return fail(why, "entry size not a power of two in 128..4096");
	if (nent == 0 || (uint64_t)nent * esize > GPT_MAX_ARRAY_BYTES)
		return fail(why, "entry array empty or too large");
	arr_bytes = (uint64_t)nent * esize;
	arr_sectors = (arr_bytes + sector_size - 1) / sector_size;
	/* read in whole sectors: one over 64 KiB is more than the scratch holds */
	if (arr_sectors * sector_size > GPT_MAX_ARRAY_BYTES)
		return fail(why, "entry array empty or too large");
	if (arr_lba < 2 || arr_lba >= sectors || arr_sectors > sectors - arr_lba)
		return fail(why, "entry array outside the disk");
	if (arr_lba <= last_usable && arr_lba + arr_sectors > first_usable)
		return fail(why, "entry array overlaps the usable area");
	if ((r = read(ctx, arr_lba, (uint32_t)arr_sectors, arr)) != 0)
		return r;
	if (gpt_crc32(arr, arr_bytes) != arr_crc)
		return fail(why, "entry array CRC mismatch");

	for (uint32_t i = 0; i < nent; i++) {
		const uint8_t *e = arr + (size_t)i * esize;
		uint64_t first = le64(e + 32), last = le64(e + 40);

		if (guid_zero(e))
			continue;
		if (first > last || first < first_usable || last > last_usable)
			return fail(why, "partition outside the usable area");
		for (uint32_t j = 0; j < i; j++) {
			const uint8_t *o = arr + (size_t)j * esize;

			if (!guid_zero(o) && first <= le64(o + 40) && le64(o + 32) <= last)
				return fail(why, "partitions overlap");
		}
		if (found < max) {
			struct gpt_part *p = &parts[found];

			p->index = i + 1;
			p->first_lba = first;
			p->last_lba = last;
			memcpy(p->type_guid, e, 16);
			memcpy(p->part_guid, e + 16, 16);
			for (int k = 0; k < 36; k++) {
				uint16_t c = (uint16_t)(e[56 + 2 * k] | e[57 + 2 * k] << 8);

				p->name[k] = c == 0 ? 0 : (c < 0x20 || c > 0x7e) ? '?' : (char)c;
				if (c == 0)
					break;
			}
			p->name[36] = 0;
		}
		found++;
	}
	return (int)(found < max ? found : max);
}
