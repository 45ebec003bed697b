/* cosinfo's kernel section: uname (name, release, the build string with its
 * date), /proc/version, the command line, and when the system booted and
 * how long it has been up (/proc/uptime, /proc/stat's btime). */
#include "cosinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

/* The "btime SECONDS" line of /proc/stat (never its first line). */
static bool stat_btime(uint64_t *btime)
{
	char *stat = read_file(kpath("/proc/stat"), 1 << 20, NULL);
	bool ok = false;

	if (!stat)
		return false;
	char *p = strstr(stat, "\nbtime ");
	if (p) {
		char num[32];
		size_t n = strcspn(p + 7, "\n");
		if (n < sizeof num) {
			memcpy(num, p + 7, n);
			num[n] = '\0';
			ok = parse_u64(num, 10, btime);
		}
	}
	free(stat);
	return ok;
}

static void show_boot_time(void)
{
	char buf[128];
	const char *path = kpath("/proc/uptime");

	if (!read_line(path, buf, sizeof buf)) {
		missing(path, errno);
		return;
	}
	/* "12345.67 23456.78": seconds up, seconds idle (summed over CPUs). */
	char *end;
	errno = 0;
	unsigned long long up = strtoull(buf, &end, 10);
	if (errno || end == buf || buf[0] == '-' || (*end != '.' && *end != ' ' && *end != '\0')) {
		printf("  (%s: not \"seconds.hundredths idle\")\n", path);
		return;
	}
	printf("  %-14s%llu d %02llu:%02llu:%02llu\n", "up for", up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);

	/* The boot's wall-clock time: btime in /proc/stat when there is one,
	 * else now less the uptime. */
	uint64_t btime = 0;
	const char *from = "/proc/stat btime";
	if (!stat_btime(&btime)) {
		btime = (uint64_t)time(NULL) - up;
		from = "now less uptime";
	}
	time_t t = (time_t)btime;
	struct tm tm;
	char when[64];
	if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
		printf("  %-14s%s (%s)\n", "booted", when, from);
}

void show_kernel(void)
{
	struct utsname u;
	char buf[4096];

	section("Kernel");
	if (uname(&u) == 0) {
		printf("  %-14s%s %s (%s)\n", "system", u.sysname, u.release, u.machine);
		printf("  %-14s%s\n", "build", u.version);
		printf("  %-14s%s\n", "host name", u.nodename);
	} else {
		printf("  (uname: %s)\n", strerror(errno));
	}
	const char *path = kpath("/proc/version");
	if (read_line(path, buf, sizeof buf))
		print_wrapped("/proc/version", buf);
	else
		missing(path, errno);
	path = kpath("/proc/cmdline");
	if (read_line(path, buf, sizeof buf))
		print_wrapped("command line", buf[0] ? buf : "(empty)");
	else
		missing(path, errno);
	show_boot_time();
}
