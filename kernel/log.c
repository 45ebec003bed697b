/* Kernel log. Lines are formatted into one buffer and then handed to each
 * sink, so a line never interleaves with itself across consoles.
 * Locking: single CPU with interrupts off during boot; the scheduler issue
 * adds a spinlock around log_line. */
#include <kernel/log.h>
#include <kernel/time.h>
#include <lib/fmt.h>

#define LOG_MAX_SINKS 4
#define LOG_LINE_MAX  512

static log_sink_fn sinks[LOG_MAX_SINKS];
static int nsinks;
static int max_level = LOG_INFO;

int log_add_sink(log_sink_fn fn)
{
	if (nsinks == LOG_MAX_SINKS)
		return -1;
	sinks[nsinks++] = fn;
	return 0;
}

void log_set_level(int level)
{
	max_level = level;
}

void kputs(const char *s, size_t n)
{
	for (int i = 0; i < nsinks; i++)
		sinks[i](s, n);
}

struct line {
	char buf[LOG_LINE_MAX];
	size_t len;
};

static void line_sink(void *ctx, const char *s, size_t n)
{
	struct line *l = ctx;

	for (size_t i = 0; i < n; i++) {
		if (l->len == sizeof(l->buf) - 1) {
			kputs(l->buf, l->len);
			l->len = 0;
		}
		l->buf[l->len++] = s[i];
	}
}

static void flush(struct line *l)
{
	if (l->len)
		kputs(l->buf, l->len);
	l->len = 0;
}

static const char *const level_tag[] = { "ERROR ", "WARN ", "", "" };

void klog(int level, const char *fmt, ...)
{
	struct line l = { .len = 0 };
	uint64_t ns = time_ns();
	va_list ap;

	if (level > max_level)
		return;
	fmt_snprintf(l.buf, sizeof(l.buf), "[%5llu.%06llu] %s",
		     (unsigned long long)(ns / 1000000000ULL),
		     (unsigned long long)(ns / 1000ULL % 1000000ULL),
		     level_tag[level < 0 ? 0 : level > 3 ? 3 : level]);
	while (l.buf[l.len])
		l.len++;
	va_start(ap, fmt);
	fmt_vformat(line_sink, &l, fmt, ap);
	va_end(ap);
	line_sink(&l, "\n", 1);
	flush(&l);
}

void kprintf(const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(line_sink, &l, fmt, ap);
	va_end(ap);
	flush(&l);
}
