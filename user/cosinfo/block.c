/* cosinfo's block section: the disks under /sys/block with their size,
 * sector size, read-only and removable flags and partitions (each a
 * subdirectory with a "partition" file, "start" and "size" in 512-byte
 * sectors), then the kernel's partition table /proc/partitions. */
#include "cosinfo.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void show_partitions_of(const char *disk)
{
	size_t n;
	char **names = list_dir(kpath("/sys/block/%s", disk), &n);
	char sz[32];

	if (!names)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t number, start, size;
		if (!read_u64(kpath("/sys/block/%s/%s/partition", disk, names[i]), &number))
			continue;
		if (!read_u64(kpath("/sys/block/%s/%s/start", disk, names[i]), &start) ||
		    !read_u64(kpath("/sys/block/%s/%s/size", disk, names[i]), &size)) {
			printf("      %-10s(start or size unreadable)\n", names[i]);
			continue;
		}
		printf("      %-10s%10s  partition %llu, sectors %llu-%llu\n", names[i],
		       human_size(size * 512, sz, sizeof sz), (unsigned long long)number,
		       (unsigned long long)start, (unsigned long long)(start + size - (size ? 1 : 0)));
	}
	free_list(names, n);
}

static void show_sys_block(void)
{
	const char *dir = kpath("/sys/block");
	size_t n, empty = 0;
	char **disks = list_dir(dir, &n);
	char sz[32], model[64];

	if (!disks) {
		missing(dir, errno);
		return;
	}
	printf("  disks (/sys/block):\n");
	for (size_t i = 0; i < n; i++) {
		uint64_t sectors, ro = 0, removable = 0, lbs = 512;
		if (!read_u64(kpath("/sys/block/%s/size", disks[i]), &sectors)) {
			printf("    %-12s(size unreadable)\n", disks[i]);
			continue;
		}
		if (sectors == 0) {     /* unused loop devices and the like */
			empty++;
			continue;
		}
		read_u64(kpath("/sys/block/%s/ro", disks[i]), &ro);
		read_u64(kpath("/sys/block/%s/removable", disks[i]), &removable);
		read_u64(kpath("/sys/block/%s/queue/logical_block_size", disks[i]), &lbs);
		printf("    %-12s%10s  %llu sectors of 512 B, %llu B blocks%s%s", disks[i],
		       human_size(sectors * 512, sz, sizeof sz), (unsigned long long)sectors,
		       (unsigned long long)lbs, ro ? ", read-only" : "", removable ? ", removable" : "");
		if (read_line(kpath("/sys/block/%s/device/model", disks[i]), model, sizeof model) && model[0])
			printf(", %s", model);
		putchar('\n');
		show_partitions_of(disks[i]);
	}
	if (empty)
		printf("    (%zu empty device%s not shown)\n", empty, empty == 1 ? "" : "s");
	free_list(disks, n);
}

static void show_proc_partitions(void)
{
	const char *path = kpath("/proc/partitions");
	char *text = read_file(path, 1 << 16, NULL);
	char sz[32];

	if (!text) {
		missing(path, errno);
		return;
	}
	printf("  partitions (/proc/partitions):\n");
	/* "major minor  #blocks  name", the sizes in KiB, after a header line. */
	int shown = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned major, minor;
		unsigned long long kib;
		char name[64];
		if (sscanf(line, "%u %u %llu %63s", &major, &minor, &kib, name) != 4)
			continue;
		printf("    %-12s%10s  %u:%u\n", name, human_size(kib * 1024, sz, sizeof sz), major, minor);
		shown++;
	}
	if (!shown)
		printf("    (none)\n");
	free(text);
}

void show_block(void)
{
	section("Block devices");
	show_sys_block();
	show_proc_partitions();
}
