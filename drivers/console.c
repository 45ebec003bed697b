/* Console fan-out. Locking: console_lock covers outputs[], history, the
 * reply hook and every output's state (the screens' too: their pointer
 * moves from the mouse handler take it through console_lock_irqsave), on
 * any CPU. A CPU that already holds it (a panic inside an output) writes
 * without it rather than spin on itself. */
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/serial.h>
#include <kernel/sync/spinlock.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <lib/string.h>

#define CONSOLE_MAX     4
#define HISTORY_SIZE    8192

struct output {
	const char *name;
	const struct console_ops *ops;
	void *ctx;
	bool active;
};

static struct spinlock console_lock = SPINLOCK_INIT("console");
static struct output outputs[CONSOLE_MAX];
static unsigned noutputs;
static char history[HISTORY_SIZE];     /* ring of the last bytes written */
static size_t history_pos;
static bool history_wrapped;
static term_reply_fn screen_reply;
static void *screen_reply_ctx;

/* Returns whether it took the lock (false: this CPU holds it already). */
bool console_lock_irqsave(uint64_t *flags)
{
	if (spin_held(&console_lock))
		return false;
	*flags = spin_lock_irqsave(&console_lock);
	return true;
}

void console_unlock_irqrestore(bool taken, uint64_t flags)
{
	if (taken)
		spin_unlock_irqrestore(&console_lock, flags);
}

static void serial_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	serial_write(s, n);
}

static const struct console_ops serial_ops = { .write = serial_out };

void console_early_init(void)
{
	/* the first output into an empty table: it always fits */
	if (serial_init() && console_add("serial", &serial_ops, NULL, false) != 0)
		panic("console: no room for the serial console");
	log_add_sink(console_write);
}

static void replay(struct output *o)
{
	size_t start = history_wrapped ? history_pos : 0;
	size_t len = history_wrapped ? HISTORY_SIZE : history_pos;
	size_t skip = 0;

	/* begin at a line start, so no half line or half escape shows */
	if (history_wrapped) {
		while (skip < len && history[(start + skip) % HISTORY_SIZE] != '\n')
			skip++;
		skip++;
	}
	/* a screen shows its last rows lines (each at least one row): what
	 * would only scroll through is not drawn */
	if (o->ops->term) {
		size_t lines = 0, i = len;

		while (i > skip && lines <= o->ops->term(o->ctx)->rows)
			if (history[(start + --i) % HISTORY_SIZE] == '\n')
				lines++;
		if (lines > o->ops->term(o->ctx)->rows)
			skip = i + 1;
	}
	for (size_t i = skip; i < len;) {
		size_t at = (start + i) % HISTORY_SIZE;
		size_t run = HISTORY_SIZE - at < len - i ? HISTORY_SIZE - at : len - i;

		o->ops->write(o->ctx, history + at, run);
		i += run;
	}
}

int console_add(const char *name, const struct console_ops *ops, void *ctx, bool do_replay)
{
	uint64_t flags = 0;
	struct output *o;
	bool taken = console_lock_irqsave(&flags);

	if (noutputs == CONSOLE_MAX) {
		console_unlock_irqrestore(taken, flags);
		return -ENOSPC;
	}
	o = &outputs[noutputs];
	*o = (struct output){ .name = name, .ops = ops, .ctx = ctx, .active = true };
	if (do_replay)
		replay(o);
	noutputs++;
	console_unlock_irqrestore(taken, flags);
	return 0;
}

static struct output *find(const char *name)
{
	for (unsigned i = 0; i < noutputs; i++)
		if (strcmp(outputs[i].name, name) == 0)
			return &outputs[i];
	return NULL;
}

int console_enable(const char *name, bool on)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);
	struct output *o = find(name);

	if (o)
		o->active = on;
	console_unlock_irqrestore(taken, flags);
	return o ? 0 : -ENOENT;
}

bool console_active(const char *name)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);
	struct output *o = find(name);
	bool on = o && o->active;

	console_unlock_irqrestore(taken, flags);
	return on;
}

void console_write(const char *s, size_t n)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);

	for (size_t i = 0; i < n; i++) {
		history[history_pos++] = s[i];
		if (history_pos == HISTORY_SIZE) {
			history_pos = 0;
			history_wrapped = true;
		}
	}
	for (unsigned i = 0; i < noutputs; i++)
		if (outputs[i].active)
			outputs[i].ops->write(outputs[i].ctx, s, n);
	console_unlock_irqrestore(taken, flags);
}

static struct output *first_screen(void)
{
	for (unsigned i = 0; i < noutputs; i++)
		if (outputs[i].active && outputs[i].ops->term)
			return &outputs[i];
	return NULL;
}

bool console_screen_write(const char *s, size_t n)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);
	struct output *first = first_screen();

	for (unsigned i = 0; i < noutputs; i++) {
		struct output *o = &outputs[i];

		if (!o->active || !o->ops->term)
			continue;
		/* one answer per question: only the first screen replies */
		if (o == first)
			term_set_reply(o->ops->term(o->ctx), screen_reply, screen_reply_ctx);
		else
			term_set_reply(o->ops->term(o->ctx), NULL, NULL);
		o->ops->write_term(o->ctx, s, n);
	}
	console_unlock_irqrestore(taken, flags);
	return first != NULL;
}

bool console_screen_size(unsigned *cols, unsigned *rows)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);
	struct output *o = first_screen();

	if (o) {
		*cols = o->ops->term(o->ctx)->cols;
		*rows = o->ops->term(o->ctx)->rows;
	}
	console_unlock_irqrestore(taken, flags);
	return o != NULL;
}

void console_screen_set_reply(term_reply_fn fn, void *ctx)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);

	screen_reply = fn;
	screen_reply_ctx = ctx;
	console_unlock_irqrestore(taken, flags);
}

bool console_screen_app_cursor_keys(void)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);
	struct output *o = first_screen();
	bool on = o && o->ops->term(o->ctx)->app_cursor_keys;

	console_unlock_irqrestore(taken, flags);
	return on;
}

bool console_screen_cell(unsigned x, unsigned y, struct term_cell *c)
{
	uint64_t flags = 0;
	bool taken = console_lock_irqsave(&flags);
	struct output *o = first_screen();

	if (o)
		*c = term_cell_at(o->ops->term(o->ctx), x, y);
	console_unlock_irqrestore(taken, flags);
	return o != NULL;
}
