/* Kernel log. Lines are formatted into one buffer and then handed to each
 * sink, so a line never interleaves with itself across consoles.
 * Locking: log_lock (a spinlock, so interrupt handlers may log) is held
 * while a line is formatted and written, and protects the sink table. A
 * CPU that already holds it (a panic inside a sink) writes without it, and
 * so does everyone once a panic has stopped the other CPUs (one of which
 * may have held it). */
#include <kernel/log.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <lib/fmt.h>

#define LOG_MAX_SINKS 4
#define LOG_LINE_MAX  512

static struct spinlock log_lock = SPINLOCK_INIT("log");
static log_sink_fn sinks[LOG_MAX_SINKS];
static int nsinks;
static const int max_level = LOG_INFO;   /* log_debug lines are not shown */
static int lockless;                     /* set once, by log_panic_mode */

void log_panic_mode(void)
{
	__atomic_store_n(&lockless, 1, __ATOMIC_RELEASE);
}

static bool log_lock_take(uint64_t *flags)
{
	if (spin_held(&log_lock) || __atomic_load_n(&lockless, __ATOMIC_ACQUIRE))
		return false;
	*flags = spin_lock_irqsave(&log_lock);
	return true;
}

static void log_lock_give(bool taken, uint64_t flags)
{
	if (taken)
		spin_unlock_irqrestore(&log_lock, flags);
}

int log_add_sink(log_sink_fn fn)
{
	uint64_t f = 0;
	bool taken = log_lock_take(&f);
	int err = -1;

	if (nsinks < LOG_MAX_SINKS) {
		sinks[nsinks++] = fn;
		err = 0;
	}
	log_lock_give(taken, f);
	return err;
}

static void emit(const char *s, size_t n)
{
	for (int i = 0; i < nsinks; i++)
		sinks[i](s, n);
}

void kputs(const char *s, size_t n)
{
	uint64_t f = 0;
	bool taken = log_lock_take(&f);

	emit(s, n);
	log_lock_give(taken, f);
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
			emit(l->buf, l->len);
			l->len = 0;
		}
		l->buf[l->len++] = s[i];
	}
}

static void flush(struct line *l)
{
	if (l->len)
		emit(l->buf, l->len);
	l->len = 0;
}

static const char *const level_tag[] = { "ERROR ", "WARN ", "", "" };

void klog(int level, const char *fmt, ...)
{
	struct line l = { .len = 0 };
	uint64_t ns = time_ns(), f = 0;
	va_list ap;
	bool taken;

	if (level > max_level)
		return;
	taken = log_lock_take(&f);
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
	log_lock_give(taken, f);
}

void kprintf(const char *fmt, ...)
{
	struct line l = { .len = 0 };
	uint64_t f = 0;
	bool taken = log_lock_take(&f);
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(line_sink, &l, fmt, ap);
	va_end(ap);
	flush(&l);
	log_lock_give(taken, f);
}
