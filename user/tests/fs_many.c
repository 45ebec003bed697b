/* Many files in one directory: MANY_FILES of them (default 2,000; the
 * system case cosmfs_many_files asks for 100,000 on cosmfs) created,
 * listed, stat'ed and removed, with the cost of a directory lookup that
 * reaches the file system (a name never used before, so no cache answers)
 * measured near empty and at full size: it must not grow with the
 * directory the way a linear scan does, and a lookup that finds the file
 * must cost little more than one that misses. */
#include "tests.h"

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ns of one lookup: the best average of 5 batches of 400 (a busy host
 * only ever adds time). n == 0 looks up names that are not there (round
 * keeps each call's names apart); otherwise files that are, spread over all
 * n so few are still in the name cache: the file system then finds the
 * inode through the inode cache, which holds every inode of the directory. */
static long long lookup_ns(long n, int round)
{
	enum { BATCHES = 5, TRIES = 400 };
	char name[64];
	struct stat st;
	long long best = -1;
	for (int b = 0; b < BATCHES; b++) {
		long long t = now_ns();
		for (int i = 0; i < TRIES; i++) {
			if (n == 0) {
				snprintf(name, sizeof name, "d/absent-%d-%d-%d", round, b, i);
				if (stat(name, &st) == 0 || errno != ENOENT)
					UT_FAIL("stat %s: not ENOENT", name);
			} else {
				snprintf(name, sizeof name, "d/f%07ld",
					 ((long)(b * TRIES + i) * 48271) % n);
				if (stat(name, &st) != 0 || !S_ISREG(st.st_mode))
					UT_FAIL("stat %s", name);
			}
		}
		t = (now_ns() - t) / TRIES;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

TEST(fs_many_files_one_dir)
{
	const char *env = getenv("MANY_FILES");
	long n = env ? atol(env) : 2000;
	char name[64];
	struct stat st;
	CHECK(n >= 1000 && n <= 10000000);
	CHECK_OK(mkdir("d", 0755));
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "d/f%07d", i);
		CHECK_OK(close(CHECK_OK(open(name, O_WRONLY | O_CREAT | O_EXCL, 0644))));
	}
	long long small = lookup_ns(0, 0);
	long long t0 = now_ns();
	for (long i = 100; i < n; i++) {
		snprintf(name, sizeof name, "d/f%07ld", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			UT_FAIL("create %s (file %ld): %s", name, i, strerror(errno));
		close(fd);
	}
	long long create = (now_ns() - t0) / (n - 100);
	long long big = lookup_ns(0, 1);
	long long hit = lookup_ns(n, 0);
	/* every name listed exactly once */
	static unsigned char seen[10000000 / 8 + 1];
	memset(seen, 0, (size_t)(n / 8 + 1));
	DIR *dp = CHECK_OK(opendir("d"));
	long listed = 0;
	t0 = now_ns();
	struct dirent *e;
	while ((e = readdir(dp))) {
		long k;
		if (e->d_name[0] == '.')
			continue;
		if (sscanf(e->d_name, "f%ld", &k) != 1 || k < 0 || k >= n)
			UT_FAIL("unexpected name %s", e->d_name);
		if (seen[k / 8] & (1u << (k % 8)))
			UT_FAIL("%s listed twice", e->d_name);
		seen[k / 8] |= (unsigned char)(1u << (k % 8));
		listed++;
	}
	long long list = now_ns() - t0;
	closedir(dp);
	CHECK_EQ(listed, n);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof name, "d/f%07ld", (i * 7919) % n);
		if (stat(name, &st) != 0 || !S_ISREG(st.st_mode))
			UT_FAIL("stat %s", name);
	}
	long long stat_each = (now_ns() - t0) / n;
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof name, "d/f%07ld", i);
		if (unlink(name))
			UT_FAIL("unlink %s: %s", name, strerror(errno));
	}
	long long unlink_each = (now_ns() - t0) / n;
	CHECK_OK(rmdir("d"));
	printf("# fs_many_files_one_dir: %ld files: create %lld us, list %lld ms in all, stat %lld us, unlink %lld us each; "
		"a missed lookup %lld ns with 100 files, %lld ns with %ld; a found one %lld ns\n",
		n, create / 1000, list / 1000000, stat_each / 1000, unlink_each / 1000, small,
		big, n, hit);
	fflush(stdout);
	/* a linear scan would cost n/100 times as much; allow noise */
	CHECK(big <= 4 * small + 20000);
	/* finding the file costs little more than missing it (an inode cache
	 * whose chains grow with the files would not) */
	CHECK(hit <= 4 * big + 20000);
}
