/* Reading the kernel's files for cosinfo: bounded, every number checked,
 * and a clear word when something is missing. Also the small text helpers
 * the sections share. */
#include "cosinfo.h"
#include "file.h"
#include "kservice.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *root_prefix = "";

const char *kpath(const char *fmt, ...)
{
	static char bufs[4][512];
	static unsigned next;
	char *buf = bufs[next++ % 4];
	char rel[448];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	snprintf(buf, sizeof bufs[0], "%s%s", root_prefix, rel);
	return buf;
}

/* The kernel service's report that has the text of path, or 0. */
static uint32_t service_report(const char *path)
{
	if (root_prefix[0])
		return 0;
	if (strcmp(path, "/proc/cpuinfo") == 0)
		return KSVC_CPU;
	if (strcmp(path, "/proc/meminfo") == 0)
		return KSVC_MEMORY;
	return 0;
}

bool reports_from_service;

char *read_file(const char *path, size_t max, size_t *lenp)
{
	/* the kernel services' channel when init passed it on, else /proc */
	uint32_t op = service_report(path);
	int ksvc = op ? kservice_fd() : -1;
	char *text;
	size_t tlen;
	if (ksvc >= 0 && kservice_report(ksvc, op, &text, &tlen) == 0) {
		reports_from_service = true;
		if (tlen > max)
			text[tlen = max] = '\0';
		if (lenp)
			*lenp = tlen;
		return text;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = malloc(max + 1);
	ssize_t len = buf ? read_full(fd, buf, max) : -1;
	int err = buf ? errno : ENOMEM;
	close(fd);
	if (len < 0) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = '\0';       /* a longer file is cut at max */
	if (lenp)
		*lenp = (size_t)len;
	return buf;
}

bool read_line(const char *path, char *buf, size_t size)
{
	char *text = read_file(path, 4096, NULL);
	if (!text)
		return false;
	char *s = text + strspn(text, " \t");
	size_t n = strcspn(s, "\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	free(text);
	return true;
}

bool parse_u64(const char *s, int base, uint64_t *value)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == ' ')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s || *end != '\0')
		return false;
	*value = v;
	return true;
}

bool read_u64(const char *path, uint64_t *value)
{
	char buf[64];
	return read_line(path, buf, sizeof buf) && parse_u64(buf, 0, value);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **list_dir(const char *path, size_t *count)
{
	DIR *d = opendir(path);
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return NULL;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **g = realloc(names, cap * sizeof *names);
			if (!g)
				break;
			names = g;
		}
		if ((names[n] = strdup(e->d_name)))
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, compare_names);
	*count = n;
	return names ? names : calloc(1, sizeof *names);
}

void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void missing(const char *path, int err)
{
	printf("  (missing: %s: %s)\n", path, strerror(err));
}

const char *human_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (rem == 0 || whole >= 100)
		snprintf(buf, size, "%llu %s", (unsigned long long)whole, units[u]);
	else
		snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole,
			 (unsigned long long)(rem * 10 / 1024), units[u]);
	return buf;
}

const char *field_value(const char *text, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > klen && strncmp(line, key, klen) == 0) {
			const char *p = line + klen;
			const char *end = line + len;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p == ':') {
				p++;
				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				size_t n = (size_t)(end - p);
				while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
					n--;
				if (n >= size)
					n = size - 1;
				memcpy(buf, p, n);
				buf[n] = '\0';
				return buf;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

#define WIDTH 78
#define INDENT 16

void print_wrapped(const char *label, const char *words)
{
	int col = printf("  %-*s", INDENT - 2, label);
	const char *p = words;

	while (*p) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (!n)
			break;
		if (col > INDENT && col + 1 + (int)n > WIDTH) {
			printf("\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", (int)n, p);
		p += n;
	}
	putchar('\n');
}

void section(const char *title)
{
	printf("\n%s\n", title);
}
