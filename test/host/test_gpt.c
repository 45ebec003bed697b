/* Host tests of GPT parsing over an in-memory disk: a valid table, a disk
 * without one, corrupt header and entry-array CRCs, truncated disks and
 * tables, overlapping and out-of-bounds partitions (each boundary by one
 * sector), and read errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <drivers/block/gpt.h>

#define SS 512
#define DISK_SECTORS 4096

static uint8_t disk[DISK_SECTORS * SS];
static uint64_t disk_sectors = DISK_SECTORS;
static int fail_reads;
static uint8_t scratch[SS + GPT_MAX_ARRAY_BYTES];

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	(void)ctx;
	if (fail_reads)
		return -EIO;
	assert_true(lba + count <= disk_sectors);   /* the parser never reads past the end */
	memcpy(buf, disk + lba * SS, (size_t)count * SS);
	return 0;
}

static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static uint8_t *hdr(void) { return disk + SS; }
static uint8_t *entry(unsigned i) { return disk + 2 * SS + i * 128; }

static void set_entry(unsigned i, uint64_t first, uint64_t last, const char *name)
{
	uint8_t *e = entry(i);

	memset(e, 0, 128);
	memset(e, 0xaf, 16);           /* type GUID: any non-zero */
	memset(e + 16, (int)(i + 1), 16);
	put64(e + 32, first);
	put64(e + 40, last);
	for (int k = 0; name && name[k]; k++)
		e[56 + 2 * k] = (uint8_t)name[k];
}

/* Recomputes both CRCs (array first: the header covers it). */
static void seal(void)
{
	put32(hdr() + 88, gpt_crc32(entry(0), 128 * 128));
	put32(hdr() + 16, 0);
	put32(hdr() + 16, gpt_crc32(hdr(), 92));
}

static int setup(void **state)
{
	(void)state;
	memset(disk, 0, sizeof(disk));
	disk_sectors = DISK_SECTORS;
	fail_reads = 0;
	memcpy(hdr(), "EFI PART", 8);
	put32(hdr() + 8, 0x10000);
	put32(hdr() + 12, 92);
	put64(hdr() + 24, 1);
	put64(hdr() + 32, DISK_SECTORS - 1);
	put64(hdr() + 40, 34);
	put64(hdr() + 48, DISK_SECTORS - 34);
	put64(hdr() + 72, 2);
	put32(hdr() + 80, 128);
	put32(hdr() + 84, 128);
	set_entry(0, 64, 1087, "boot");
	set_entry(3, 1088, 4000, "data");
	seal();
	return 0;
}

static int parse(struct gpt_part *p, unsigned max, const char **why)
{
	return gpt_parse(disk_read, NULL, SS, disk_sectors, scratch, p, max, why);
}

static void test_crc32_known_value(void **state)
{
	(void)state;
	/* the standard check value of CRC-32/ISO-HDLC */
	assert_int_equal(gpt_crc32("123456789", 9), 0xcbf43926);
}

static void test_valid(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	assert_int_equal(parse(p, 4, &why), 2);
	assert_int_equal(p[0].index, 1);
	assert_int_equal(p[0].first_lba, 64);
	assert_int_equal(p[0].last_lba, 1087);
	assert_string_equal(p[0].name, "boot");
	assert_int_equal(p[1].index, 4);
	assert_int_equal(p[1].first_lba, 1088);
	assert_string_equal(p[1].name, "data");
	assert_int_equal(p[1].part_guid[0], 4);
	/* fewer slots than partitions: the first ones, still checked */
	assert_int_equal(parse(p, 1, &why), 1);
}

static void test_no_signature(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	hdr()[0] = 'X';
	assert_int_equal(parse(p, 4, &why), -ENOENT);
	/* a disk too small to hold one */
	disk_sectors = 2;
	assert_int_equal(parse(p, 4, &why), -ENOENT);
}

static void test_header_crc(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	hdr()[40] ^= 1;     /* first usable LBA changed, CRC not updated */
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "header CRC mismatch");
}

static void test_array_crc(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	entry(0)[32] ^= 1;
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "entry array CRC mismatch");
}

static void test_truncated_disk(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	/* the image was cut short: the table speaks of sectors it does not have */
	disk_sectors = 2000;
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "usable range outside the disk");
	/* the entry array runs off the end of a tiny disk */
	disk_sectors = 20;
	put64(hdr() + 40, 3);
	put64(hdr() + 48, 3);
	put64(hdr() + 72, 4);
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "entry array outside the disk");
}

static void test_bad_header_fields(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	put32(hdr() + 12, 600);            /* header larger than a sector */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "header size out of range");

	setup(NULL);
	put32(hdr() + 84, 100);            /* entry size */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);

	setup(NULL);
	put32(hdr() + 80, 0x10000000);     /* absurd entry count: would overflow a 32-bit product */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "entry array empty or too large");

	setup(NULL);
	put64(hdr() + 72, 40);             /* entry array inside the usable area */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "entry array overlaps the usable area");

	setup(NULL);
	put64(hdr() + 24, 7);              /* claims to live elsewhere */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
}

static void test_overlap(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	set_entry(5, 1087, 1100, "late");  /* shares sector 1087 with the first */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partitions overlap");

	setup(NULL);
	set_entry(5, 100, 200, "inside");  /* wholly inside the first */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partitions overlap");
}

/* Each case overlaps exactly one other partition by exactly one sector, so
 * an off-by-one in either half of the overlap test is seen on its own. */
static void test_overlap_by_one_sector(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	set_entry(5, 1087, 1087, "last");  /* the first partition's last sector, nothing of "data" */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partitions overlap");

	setup(NULL);
	set_entry(5, 34, 64, "first");     /* ends on the first partition's first sector */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partitions overlap");

	setup(NULL);
	set_entry(1, 4000, 4010, "after"); /* listed before "data", starts on its last sector */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partitions overlap");
}

/* Partitions that touch without sharing a sector, and partitions exactly at
 * the edges of the usable area (and one-sector partitions), are valid. */
static void test_touching_and_edges_are_valid(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	set_entry(5, 34, 63, "head");      /* first usable LBA up to "boot" */
	set_entry(6, 4001, 4062, "tail");  /* just after "data" to the last usable LBA */
	seal();
	assert_int_equal(parse(p, 4, &why), 4);
	assert_int_equal(p[2].first_lba, 34);
	assert_int_equal(p[2].last_lba, 63);
	assert_int_equal(p[3].first_lba, 4001);
	assert_int_equal(p[3].last_lba, 4062);

	setup(NULL);
	set_entry(5, 34, 34, "one");       /* a single sector, at the first usable LBA */
	set_entry(6, 4062, 4062, "end");   /* and one at the last */
	seal();
	assert_int_equal(parse(p, 4, &why), 4);
	assert_int_equal(p[2].last_lba, 34);
	assert_int_equal(p[3].first_lba, 4062);
}

/* One sector past either edge of the usable area is refused. */
static void test_edges_plus_one(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	set_entry(5, 33, 40, "early");     /* one sector before the first usable LBA */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partition outside the usable area");

	setup(NULL);
	set_entry(5, 4050, 4063, "late");  /* one sector past the last usable LBA */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partition outside the usable area");
}

static void test_out_of_bounds_partition(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	set_entry(5, 4001, 4090, "tail");  /* past the last usable sector */
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
	assert_string_equal(why, "partition outside the usable area");

	setup(NULL);
	set_entry(5, 3000, 2000, "backwards");
	seal();
	assert_int_equal(parse(p, 4, &why), -EINVAL);
}

/* Found by fuzzing: the entry array is read in whole sectors, and one
 * sector larger than 64 KiB is more than the scratch buffer holds after the
 * header. Such a table is refused before anything is read into it. */
#define BIG_SS (128u * 1024)
static uint8_t *big_disk;

static int big_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	(void)ctx;
	assert_true(lba + count <= 4);
	memcpy(buf, big_disk + lba * BIG_SS, (size_t)count * BIG_SS);
	return 0;
}

static void test_sector_larger_than_scratch(void **state)
{
	uint8_t *h, *scr;
	struct gpt_part p[4];
	const char *why;

	(void)state;
	big_disk = calloc(4, BIG_SS);
	scr = malloc(BIG_SS + GPT_MAX_ARRAY_BYTES);      /* exactly what gpt.h asks for */
	assert_non_null(big_disk);
	assert_non_null(scr);
	h = big_disk + BIG_SS;
	memcpy(h, "EFI PART", 8);
	put32(h + 12, 92);
	put64(h + 24, 1);
	put64(h + 40, 3);
	put64(h + 48, 3);
	put64(h + 72, 2);
	put32(h + 80, 128);
	put32(h + 84, 128);
	put32(h + 88, gpt_crc32(big_disk + 2 * BIG_SS, 128 * 128));
	put32(h + 16, gpt_crc32(h, 92));
	assert_int_equal(gpt_parse(big_read, NULL, BIG_SS, 4, scr, p, 4, &why), -EINVAL);
	assert_string_equal(why, "entry array empty or too large");
	free(scr);
	free(big_disk);
}

static void test_read_error(void **state)
{
	struct gpt_part p[4];
	const char *why;

	(void)state;
	fail_reads = 1;
	assert_int_equal(parse(p, 4, &why), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_known_value),
		cmocka_unit_test_setup(test_valid, setup),
		cmocka_unit_test_setup(test_no_signature, setup),
		cmocka_unit_test_setup(test_header_crc, setup),
		cmocka_unit_test_setup(test_array_crc, setup),
		cmocka_unit_test_setup(test_truncated_disk, setup),
		cmocka_unit_test_setup(test_bad_header_fields, setup),
		cmocka_unit_test_setup(test_overlap, setup),
		cmocka_unit_test_setup(test_overlap_by_one_sector, setup),
		cmocka_unit_test_setup(test_touching_and_edges_are_valid, setup),
		cmocka_unit_test_setup(test_edges_plus_one, setup),
		cmocka_unit_test_setup(test_out_of_bounds_partition, setup),
		cmocka_unit_test_setup(test_read_error, setup),
		cmocka_unit_test(test_sector_larger_than_scratch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
