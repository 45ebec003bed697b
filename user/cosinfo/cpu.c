/* cosinfo's CPU section: /proc/cpuinfo (model, counts, clock, address
 * sizes, flags, bugs), the security features among the flags, the caches
 * (/sys/devices/system/cpu/cpu0/cache, or CPUID when the kernel has no such
 * directory) and the kernel's verdict on known vulnerabilities
 * (/sys/devices/system/cpu/vulnerabilities). */
#include "cosinfo.h"

#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Flags (Linux's names in /proc/cpuinfo) that protect something. */
static const char *const security_flags[] = {
	"nx",        /* no-execute pages */
	"smep",      /* supervisor mode execution prevention */
	"smap",      /* supervisor mode access prevention */
	"umip",      /* user-mode instruction prevention */
	"pku",       /* protection keys for user pages */
	"ospke",     /* ... enabled by the kernel */
	"user_shstk",/* CET shadow stacks for user space */
	"ibt",       /* CET indirect branch tracking */
	"rdrand", "rdseed",                      /* hardware random numbers */
	"ibrs", "ibpb", "stibp", "ssbd",         /* speculation controls */
	"md_clear", "flush_l1d", "arch_capabilities",
	"pti",       /* the kernel isolates its page tables */
	"sme", "sev", "sev_es",                  /* memory encryption */
};

/* Is word one of the blank-separated words of list? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return true;
	return false;
}

static void show_security(const char *flags)
{
	char present[512] = "", absent[512] = "";

	for (size_t i = 0; i < sizeof security_flags / sizeof security_flags[0]; i++) {
		char *list = has_word(flags, security_flags[i]) ? present : absent;
		size_t len = strlen(list);
		snprintf(list + len, 512 - len, "%s%s", len ? " " : "", security_flags[i]);
	}
	print_wrapped("security", present[0] ? present : "(none of those known)");
	print_wrapped("not present", absent[0] ? absent : "(none)");
}

/* Counts "processor" entries and distinct "physical id" values. */
static void count_cpus(const char *text, unsigned *cpus, unsigned *packages)
{
	unsigned ids[256];
	unsigned nids = 0;
	char val[32];

	*cpus = 0;
	for (const char *line = text; line && *line;) {
		if (strncmp(line, "processor", 9) == 0 && field_value(line, "processor", val, sizeof val))
			(*cpus)++;
		uint64_t id;
		if (strncmp(line, "physical id", 11) == 0 && field_value(line, "physical id", val, sizeof val) &&
		    parse_u64(val, 10, &id)) {
			bool seen = false;
			for (unsigned i = 0; i < nids; i++)
				seen |= ids[i] == id;
			if (!seen && nids < sizeof ids / sizeof ids[0])
				ids[nids++] = (unsigned)id;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	*packages = nids;
}

/* One cache as both sources describe it. */
static void print_cache(unsigned level, const char *type, uint64_t size, unsigned ways, unsigned line,
			const char *shared)
{
	char sz[32], label[16];

	snprintf(label, sizeof label, "L%u %s", level, type);
	printf("    %-15s%9s", label, human_size(size, sz, sizeof sz));
	const char *sep = "  ";
	if (ways) {
		printf("%s%u-way", sep, ways);
		sep = ", ";
	}
	if (line) {
		printf("%s%u B lines", sep, line);
		sep = ", ";
	}
	if (shared && shared[0])
		printf("%sshared by %s", sep, shared);
	putchar('\n');
}

static bool caches_from_sysfs(void)
{
	const char *dir = kpath("/sys/devices/system/cpu/cpu0/cache");
	if (access(dir, F_OK) != 0) {
		missing(dir, errno);
		return false;
	}
	printf("  caches (%s):\n", "sysfs");
	for (unsigned i = 0; i < 16; i++) {
		char type[32], size[32], shared[64];
		uint64_t level, ways = 0, line = 0, bytes;
#define CACHE_FILE(name) kpath("/sys/devices/system/cpu/cpu0/cache/index%u/" name, i)
		if (!read_u64(CACHE_FILE("level"), &level))
			break;
		if (!read_line(CACHE_FILE("type"), type, sizeof type))
			snprintf(type, sizeof type, "?");
		if (!read_line(CACHE_FILE("size"), size, sizeof size))
			size[0] = '\0';
		read_u64(CACHE_FILE("ways_of_associativity"), &ways);
		read_u64(CACHE_FILE("coherency_line_size"), &line);
		if (!read_line(CACHE_FILE("shared_cpu_list"), shared, sizeof shared))
			shared[0] = '\0';
#undef CACHE_FILE
		/* size is "32K" (Linux writes KiB with a K). */
		size_t n = strlen(size);
		bytes = 0;
		if (n && size[n - 1] == 'K') {
			size[n - 1] = '\0';
			if (parse_u64(size, 10, &bytes))
				bytes *= 1024;
		} else {
			parse_u64(size, 10, &bytes);
		}
		char cpus[80];
		snprintf(cpus, sizeof cpus, "cpus %s", shared);
		print_cache((unsigned)level, type, bytes, (unsigned)ways, (unsigned)line, shared[0] ? cpus : NULL);
	}
	return true;
}

/* CPUID leaf 4 (Intel) or 0x8000001D (AMD, with topology extensions):
 * the same layout, one subleaf per cache until type 0. False if the leaf
 * describes nothing (some hypervisors leave it empty). */
static bool caches_from_leaf(unsigned leaf)
{
	static const char *const types[] = { "", "Data", "Instruction", "Unified" };
	unsigned a, b, c, d, shown = 0;

	for (unsigned i = 0; i < 16; i++) {
		__cpuid_count(leaf, i, a, b, c, d);
		unsigned type = a & 0x1f;
		if (type == 0 || type > 3)
			break;
		if (!shown++)
			printf("  caches (CPUID %#x):\n", leaf);
		unsigned level = (a >> 5) & 7;
		unsigned line = (b & 0xfff) + 1, parts = ((b >> 12) & 0x3ff) + 1, ways = ((b >> 22) & 0x3ff) + 1;
		uint64_t size = (uint64_t)ways * parts * line * ((uint64_t)c + 1);
		char shared[48];
		snprintf(shared, sizeof shared, "up to %u logical CPUs", ((a >> 14) & 0xfff) + 1);
		print_cache(level, types[type], size, ways, line, shared);
	}
	return shown > 0;
}

/* AMD's older leaves: 0x80000005 (L1) and 0x80000006 (L2, L3), whose L2
 * and L3 associativity is a code (AMD64 Architecture Programmer's Manual). */
static unsigned amd_ways(unsigned code)
{
	static const unsigned ways[16] = { 0, 1, 2, 3, 4, 6, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0 };
	return ways[code & 0xf];
}

static void caches_from_amd_legacy(void)
{
	unsigned a, b, c, d;

	printf("  caches (CPUID 0x80000005, 0x80000006):\n");
	__cpuid(0x80000005, a, b, c, d);
	print_cache(1, "Data", (uint64_t)(c >> 24) * 1024, (c >> 16) & 0xff, c & 0xff, NULL);
	print_cache(1, "Instruction", (uint64_t)(d >> 24) * 1024, (d >> 16) & 0xff, d & 0xff, NULL);
	__cpuid(0x80000006, a, b, c, d);
	if (c >> 16)
		print_cache(2, "Unified", (uint64_t)(c >> 16) * 1024, amd_ways(c >> 12), c & 0xff, NULL);
	if (d >> 18)
		print_cache(3, "Unified", (uint64_t)(d >> 18) * 512 * 1024, amd_ways(d >> 12), d & 0xff, NULL);
}

static void caches_from_cpuid(void)
{
	unsigned a, b, c, d;
	char vendor[13];

	if (!__get_cpuid(0, &a, &b, &c, &d))
		return;
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	unsigned ext_max = __get_cpuid_max(0x80000000, NULL);
	if (strcmp(vendor, "GenuineIntel") == 0 && a >= 4 && caches_from_leaf(4))
		return;
	if (strcmp(vendor, "AuthenticAMD") == 0) {
		if (ext_max >= 0x8000001d && caches_from_leaf(0x8000001d))
			return;
		if (ext_max >= 0x80000006) {
			caches_from_amd_legacy();
			return;
		}
	}
	printf("  caches: CPUID does not describe them on this %s CPU\n", vendor);
}

static void show_vulnerabilities(void)
{
	const char *dir = kpath("/sys/devices/system/cpu/vulnerabilities");
	size_t n;
	char **names = list_dir(dir, &n);

	if (!names) {
		missing(dir, errno);
		return;
	}
	printf("  vulnerabilities (%s):\n", "sysfs");
	for (size_t i = 0; i < n; i++) {
		char state[256];
		if (read_line(kpath("/sys/devices/system/cpu/vulnerabilities/%s", names[i]), state, sizeof state))
			printf("    %-26s%s\n", names[i], state);
	}
	free_list(names, n);
}

void show_cpu(void)
{
	const char *path = kpath("/proc/cpuinfo");
	char *text = read_file(path, 1 << 20, NULL);
	char v[4096], w[256];

	section("CPU");
	if (!text) {
		missing(path, errno);
	} else {
		unsigned cpus, packages;
		count_cpus(text, &cpus, &packages);
		printf("  %-14s%s\n", "model", field_value(text, "model name", v, sizeof v) ? v : "(no model name)");
		printf("  %-14s%s", "vendor", field_value(text, "vendor_id", v, sizeof v) ? v : "?");
		if (field_value(text, "cpu family", v, sizeof v))
			printf(", family %s", v);
		if (field_value(text, "model", v, sizeof v))
			printf(", model %s", v);
		if (field_value(text, "stepping", v, sizeof v))
			printf(", stepping %s", v);
		if (field_value(text, "microcode", v, sizeof v))
			printf(", microcode %s", v);
		putchar('\n');
		printf("  %-14s%u", "processors", cpus);
		if (packages)
			printf(" in %u package%s", packages, packages == 1 ? "" : "s");
		if (field_value(text, "cpu cores", v, sizeof v))
			printf(", %s cores each", v);
		putchar('\n');
		if (field_value(text, "cpu MHz", v, sizeof v))
			printf("  %-14s%s MHz\n", "clock", v);
		if (field_value(text, "address sizes", v, sizeof v))
			printf("  %-14s%s\n", "address sizes", v);
		if (field_value(text, "cache size", w, sizeof w))
			printf("  %-14s%s\n", "cache size", w);
		if (field_value(text, "flags", v, sizeof v)) {
			show_security(v);
			print_wrapped("flags", v);
		} else {
			printf("  (no flags line in %s)\n", path);
		}
		if (field_value(text, "bugs", v, sizeof v))
			print_wrapped("bugs", v[0] ? v : "(none)");
		free(text);
	}
	if (!caches_from_sysfs())
		caches_from_cpuid();
	show_vulnerabilities();
}
