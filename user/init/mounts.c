/* File systems: the four init mounts at boot (/dev, /proc, /sys, /tmp) and,
 * at shutdown, unmounting everything /proc/mounts lists, newest first, with
 * the root remounted read-only instead. */
#include "init.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* CosmOS's device file system. Linux has no file system of that name, so
 * on a Linux host (init -t) /dev gets devtmpfs instead. */
#define DEVFS_TYPE     "devfs"
#define DEVFS_FALLBACK "devtmpfs"

struct boot_mount {
	const char *dir;
	const char *type;
	const char *fallback;   /* tried when the kernel does not know type */
	unsigned long flags;
	mode_t mode;            /* set on the root of the mount; 0: leave it */
};

static const struct boot_mount boot_mounts[] = {
	{ "/dev", DEVFS_TYPE, DEVFS_FALLBACK, MS_NOSUID, 0 },
	{ "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "/tmp", "tmpfs", NULL, MS_NOSUID | MS_NODEV, 01777 },
};

/* The type /dev got from mount_dev_early, which ran before the console was
 * open and so could not say so; NULL if it did not run or failed. */
static const char *dev_mounted_early;

/* How many mounts there were before init made any (init -t: the host's);
 * shutdown leaves those alone. 0 when init is the system's init. */
static int mounts_before_init;

static int mount_one(const struct boot_mount *m, const char **type)
{
	*type = m->type;
	if (mkdir(m->dir, 0755) != 0 && errno != EEXIST)
		return errno;
	if (mount(m->type, m->dir, m->type, m->flags, NULL) != 0) {
		if (errno != ENODEV || !m->fallback)
			return errno;
		*type = m->fallback;
		if (mount(m->fallback, m->dir, m->fallback, m->flags, NULL) != 0)
			return errno;
	}
	/* The mode is set afterwards rather than passed as "mode=": not every
	 * tmpfs takes options, every one takes chmod. */
	if (m->mode && chmod(m->dir, m->mode) != 0)
		say("chmod %o %s: %s", (unsigned)m->mode, m->dir, strerror(errno));
	return 0;
}

bool mount_dev_early(void)
{
	const char *type;

	if (mount_one(&boot_mounts[0], &type) != 0)
		return false;
	dev_mounted_early = type;
	return true;
}

#define MAX_MOUNTS 256

/* The mount points of a mounts file, in order, decoded in place (the
 * kernel writes a space as \040, a tab \011, a newline \012, a backslash
 * \134). Returns how many; lines that do not parse are skipped. */
static int parse_mounts(char *buf, char **dirs, int max)
{
	int n = 0;

	for (char *line = buf; *line && n < max;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *dir = strchr(line, ' ');
		char *end = dir ? strchr(dir + 1, ' ') : NULL;
		if (end) {
			*end = '\0';
			dir++;
			char *w = dir;
			for (char *r = dir; *r; r++) {
				if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
				    r[3] >= '0' && r[3] <= '7') {
					*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
					r += 3;
				} else {
					*w++ = *r;
				}
			}
			*w = '\0';
			if (dir[0] == '/')
				dirs[n++] = dir;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return n;
}

static char mounts_buf[64 * 1024];

void mount_boot_filesystems(void)
{
	char *dirs[MAX_MOUNTS];

	if (init.test && read_small_file("/proc/self/mounts", mounts_buf, sizeof mounts_buf) >= 0)
		mounts_before_init = parse_mounts(mounts_buf, dirs, MAX_MOUNTS);

	for (size_t i = 0; i < sizeof boot_mounts / sizeof boot_mounts[0]; i++) {
		const struct boot_mount *m = &boot_mounts[i];
		const char *type = dev_mounted_early;
		int err = 0;
		if (i != 0 || !dev_mounted_early)
			err = mount_one(m, &type);
		if (err == EBUSY)      /* Linux: this file system is mounted there already */
			say("%s already mounted on %s", type, m->dir);
		else if (err)
			say("cannot mount %s on %s: %s", type, m->dir, strerror(err));
		else
			say("mounted %s on %s", type, m->dir);
	}
}

void unmount_all(void)
{
	char *dirs[MAX_MOUNTS];
	int n, first = mounts_before_init, done = 0, failed = 0;

	if (read_small_file("/proc/self/mounts", mounts_buf, sizeof mounts_buf) >= 0) {
		n = parse_mounts(mounts_buf, dirs, MAX_MOUNTS);
	} else {
		/* No /proc: at least the mounts init made. */
		say("cannot read /proc/self/mounts: %s; unmounting init's own mounts", strerror(errno));
		n = first = 0;
		for (size_t i = 0; i < sizeof boot_mounts / sizeof boot_mounts[0]; i++)
			dirs[n++] = (char *)boot_mounts[i].dir;
	}
	for (int i = n - 1; i >= first; i--) {
		if (strcmp(dirs[i], "/") == 0)
			continue;
		if (umount2(dirs[i], 0) == 0) {
			done++;
		} else {
			say("cannot unmount %s: %s", dirs[i], strerror(errno));
			failed++;
		}
	}
	say("unmounted %d file systems%s", done, failed ? "; some are still mounted" : "");

	/* The root cannot be unmounted; read-only, it is clean. On a Linux
	 * host (-t) only this namespace's view of it becomes read-only (a bind
	 * remount), never the host's file system. */
	unsigned long flags = MS_REMOUNT | MS_RDONLY | (init.test ? MS_BIND : 0);
	if (mount(NULL, "/", NULL, flags, NULL) == 0)
		say("remounted / read-only");
	else
		say("cannot remount / read-only: %s", strerror(errno));
}
