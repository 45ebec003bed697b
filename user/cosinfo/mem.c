/* cosinfo's memory section: what is in use (/proc/meminfo) and the
 * firmware's memory map by type (/sys/firmware/memmap/N/{start,end,type},
 * laid out as Linux does: start and end inclusive, in hex). */
#include "cosinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *key, *label;
} meminfo_fields[] = {
	{ "MemTotal", "total" },         { "MemFree", "free" },
	{ "MemAvailable", "available" }, { "Buffers", "buffers" },
	{ "Cached", "cached" },          { "Shmem", "shared" },
	{ "AnonPages", "anonymous" },    { "Slab", "kernel slab" },
	{ "KernelStack", "kernel stacks" }, { "PageTables", "page tables" },
	{ "SwapTotal", "swap" },
};

/* A meminfo value in KiB ("MemTotal:  1234 kB"); false if absent or bad. */
static bool meminfo_kib(const char *text, const char *key, uint64_t *kib)
{
	char v[64];

	if (!field_value(text, key, v, sizeof v))
		return false;
	size_t n = strlen(v);
	if (n > 3 && strcmp(v + n - 3, " kB") == 0)
		v[n - 3] = '\0';
	return parse_u64(v, 10, kib);
}

static void show_meminfo(void)
{
	const char *path = kpath("/proc/meminfo");
	char *text = read_file(path, 1 << 16, NULL);
	char sz[32], sz2[32];

	if (!text) {
		missing(path, errno);
		return;
	}
	uint64_t total = 0, avail = 0, kib;
	bool have_total = meminfo_kib(text, "MemTotal", &total);
	bool have_avail = meminfo_kib(text, "MemAvailable", &avail);
	if (!have_avail) {      /* older kernels: free + buffers + cache */
		uint64_t f = 0, b = 0, c = 0;
		have_avail = meminfo_kib(text, "MemFree", &f);
		meminfo_kib(text, "Buffers", &b);
		meminfo_kib(text, "Cached", &c);
		avail = f + b + c;
	}
	if (have_total && have_avail && avail <= total)
		printf("  %-14s%s of %s (%llu%%)\n", "in use", human_size((total - avail) * 1024, sz, sizeof sz),
		       human_size(total * 1024, sz2, sizeof sz2),
		       total ? (unsigned long long)((total - avail) * 100 / total) : 0ULL);
	for (size_t i = 0; i < sizeof meminfo_fields / sizeof meminfo_fields[0]; i++) {
		if (meminfo_kib(text, meminfo_fields[i].key, &kib))
			printf("  %-14s%s\n", meminfo_fields[i].label, human_size(kib * 1024, sz, sizeof sz));
		else
			printf("  %-14s(%s missing or not a number in %s)\n", meminfo_fields[i].label,
			       meminfo_fields[i].key, path);
	}
	free(text);
}

struct range {
	unsigned index;
	uint64_t start, end;
	char type[48];
};

static int by_index(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

#define MAX_RANGES 1024
#define MAX_TYPES  16

static void show_memmap(void)
{
	const char *dir = kpath("/sys/firmware/memmap");
	static struct range r[MAX_RANGES];
	size_t count;
	unsigned n = 0, bad = 0;
	char **names = list_dir(dir, &count);

	if (!names) {
		missing(dir, errno);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		uint64_t idx;
		if (!parse_u64(names[i], 10, &idx) || idx > 0xffffffffu)
			continue;
		if (n == MAX_RANGES) {
			printf("  (more than %d ranges; the rest left out)\n", MAX_RANGES);
			break;
		}
		struct range *x = &r[n];
		x->index = (unsigned)idx;
		if (!read_u64(kpath("/sys/firmware/memmap/%s/start", names[i]), &x->start) ||
		    !read_u64(kpath("/sys/firmware/memmap/%s/end", names[i]), &x->end) ||
		    !read_line(kpath("/sys/firmware/memmap/%s/type", names[i]), x->type, sizeof x->type) ||
		    x->end < x->start) {
			printf("  (firmware map entry %s unreadable or its end is before its start)\n", names[i]);
			bad++;
			continue;
		}
		n++;
	}
	free_list(names, count);
	qsort(r, n, sizeof r[0], by_index);

	struct {
		const char *type;
		uint64_t bytes;
		unsigned count;
	} types[MAX_TYPES];
	unsigned ntypes = 0;
	char sz[32];

	printf("  firmware memory map (%u ranges%s):\n", n, bad ? ", some unreadable" : "");
	for (unsigned i = 0; i < n; i++) {
		uint64_t bytes = r[i].end - r[i].start + 1;     /* 0 only for the whole 2^64 */
		printf("    0x%016llx-0x%016llx %10s  %s\n", (unsigned long long)r[i].start,
		       (unsigned long long)r[i].end, human_size(bytes, sz, sizeof sz), r[i].type);
		unsigned t = 0;
		while (t < ntypes && strcmp(types[t].type, r[i].type) != 0)
			t++;
		if (t == ntypes && ntypes < MAX_TYPES)
			types[ntypes++] = (typeof(types[0])){ r[i].type, 0, 0 };
		if (t < ntypes) {
			types[t].bytes += bytes;
			types[t].count++;
		}
	}
	printf("  by type:\n");
	for (unsigned t = 0; t < ntypes; t++)
		printf("    %-28s%10s in %u range%s\n", types[t].type, human_size(types[t].bytes, sz, sizeof sz),
		       types[t].count, types[t].count == 1 ? "" : "s");
}

void show_memory(void)
{
	section("Memory");
	show_meminfo();
	show_memmap();
}
