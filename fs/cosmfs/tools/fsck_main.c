/* fsck.cosmfs [-n|-y] IMAGE: checks a cosmfs image (fsck.h); exit codes
 * as e2fsck's: 0 clean, 1 errors fixed, 4 errors left, 8 failure. */
#include <fs/cosmfs/tools/fsck.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: fsck.cosmfs [-n|-y] IMAGE\n"
			"  -n  check only, change nothing (the default)\n"
			"  -y  repair what is found\n");
}

int main(int argc, char **argv)
{
	struct fsck_opts o = { false, stdout };
	struct fsck_result r;
	struct host_dev *dev;
	int opt, code, err;

	while ((opt = getopt(argc, argv, "nyfp")) != -1) {
		switch (opt) {
		case 'n': o.repair = false; break;
		case 'y': case 'p': o.repair = true; break;
		case 'f': break;         /* always a full check */
		default: usage(); return 16;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 16;
	}
	dev = host_dev_open(argv[optind], !o.repair, false, 0);
	if (!dev) {
		fprintf(stderr, "fsck.cosmfs: %s: %s\n", argv[optind], strerror(errno));
		return FSCK_FAIL;
	}
	code = cfs_fsck(dev, &o, &r);
	err = host_dev_close(dev);
	if (err && code != FSCK_FAIL) {
		fprintf(stderr, "fsck.cosmfs: writing %s failed (error %d)\n", argv[optind], err);
		code = FSCK_FAIL;
	}
	printf("%s: %u problem%s found, %u fixed%s%s\n", argv[optind], r.problems,
	       r.problems == 1 ? "" : "s", r.fixed, r.notices ? ", notices above" : "",
	       code == FSCK_CLEAN ? ": clean" : code == FSCK_FIXED ? ": repaired" : "");
	return code;
}
