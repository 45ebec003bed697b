/* Fuzz target for the terminal emulator (drivers/term.c, term_sgr.c).
 * Input: columns and rows (1-256, 1-64), where a kernel log line cuts in,
 * then the bytes written. The same bytes go to two terminals, one in two
 * writes around the log line and one a byte per write, and their screens,
 * cursors, states and answers must end up identical: escape sequences may
 * be split anywhere, and the log must not disturb them. Every cell
 * operation must stay on the screen (the fake screen is sized exactly, so
 * AddressSanitizer sees a stray cell), the cursor it is told about must be
 * a real cell, and the screen must equal the terminal's own copy. */
#include "fuzz.h"

#include <drivers/term.h>

struct screen {
	unsigned cols, rows, cx, cy;
	bool visible;
	uint8_t *ch, *attr;         /* cols * rows each */
	size_t replied;             /* bytes of answers */
	uint32_t reply_sum;
};

static void s_put(void *ctx, unsigned x, unsigned y, unsigned char c, uint8_t a)
{
	struct screen *s = ctx;

	FUZZ_CHECK(x < s->cols && y < s->rows, "put at %u,%u on %ux%u", x, y, s->cols, s->rows);
	s->ch[y * s->cols + x] = c;
	s->attr[y * s->cols + x] = a;
}

static void s_clear(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t a)
{
	struct screen *s = ctx;

	FUZZ_CHECK(x0 < x1 && x1 <= s->cols && y0 < y1 && y1 <= s->rows,
		   "clear %u,%u-%u,%u on %ux%u", x0, y0, x1, y1, s->cols, s->rows);
	for (unsigned y = y0; y < y1; y++) {
		memset(s->ch + y * s->cols + x0, ' ', x1 - x0);
		memset(s->attr + y * s->cols + x0, a, x1 - x0);
	}
}

static void s_move_rows(void *ctx, unsigned dst, unsigned src, unsigned n)
{
	struct screen *s = ctx;

	FUZZ_CHECK(n > 0 && dst + n <= s->rows && src + n <= s->rows,
		   "move %u rows from %u to %u on %u", n, src, dst, s->rows);
	memmove(s->ch + dst * s->cols, s->ch + src * s->cols, (size_t)n * s->cols);
	memmove(s->attr + dst * s->cols, s->attr + src * s->cols, (size_t)n * s->cols);
}

static void s_cursor(void *ctx, unsigned x, unsigned y, bool visible)
{
	struct screen *s = ctx;

	FUZZ_CHECK(x < s->cols && y < s->rows, "cursor at %u,%u on %ux%u", x, y, s->cols, s->rows);
	s->cx = x;
	s->cy = y;
	s->visible = visible;
}

static void s_reply(void *ctx, const char *str, size_t n)
{
	struct screen *s = ctx;

	FUZZ_CHECK(n > 0 && n < 32, "an answer of %zu bytes", n);
	for (size_t i = 0; i < n; i++)
		s->reply_sum = s->reply_sum * 31 + (uint8_t)str[i];
	s->replied += n;
}

static const struct term_ops ops = { s_put, s_clear, s_move_rows, s_cursor };

static void screen_init(struct screen *s, unsigned cols, unsigned rows)
{
	memset(s, 0, sizeof(*s));
	s->cols = cols;
	s->rows = rows;
	s->cx = s->cy = ~0u;
	s->ch = malloc((size_t)cols * rows);
	s->attr = malloc((size_t)cols * rows);
	if (!s->ch || !s->attr)
		abort();
	memset(s->ch, '?', (size_t)cols * rows);
	memset(s->attr, 0xee, (size_t)cols * rows);
}

static void check_copy(const struct term *t, const struct screen *s)
{
	for (unsigned y = 0; y < s->rows; y++)
		for (unsigned x = 0; x < s->cols; x++) {
			struct term_cell c = term_cell_at(t, x, y);

			FUZZ_CHECK(c.ch == s->ch[y * s->cols + x] && c.attr == s->attr[y * s->cols + x],
				   "cell %u,%u differs from the terminal's copy", x, y);
		}
}

static bool same_state(const struct term *a, const struct term *b)
{
	return a->x == b->x && a->y == b->y && a->top == b->top && a->bottom == b->bottom &&
	       a->active == b->active && memcmp(&a->pen, &b->pen, sizeof(a->pen)) == 0 &&
	       a->autowrap == b->autowrap && a->origin == b->origin && a->insert == b->insert &&
	       a->newline == b->newline && a->cursor_visible == b->cursor_visible &&
	       a->app_cursor_keys == b->app_cursor_keys && a->p.state == b->p.state &&
	       a->saved.x == b->saved.x && a->saved.y == b->saved.y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char log_line[] = "[    1.000000] log: a line\n";
	struct fuzz_in in = fuzz_in(data, size);
	unsigned cols = 1 + fuzz_u8(&in), rows = 1 + fuzz_u8(&in) % 64;
	size_t cut = fuzz_u16(&in);
	const char *text = (const char *)in.p;
	size_t n = in.left, cells = (size_t)cols * rows;
	struct term_cell *ca = malloc(TERM_CELLS(cols, rows) * sizeof(*ca));
	struct term_cell *cb = malloc(TERM_CELLS(cols, rows) * sizeof(*cb));
	struct screen a, b;
	struct term ta, tb;

	if (!ca || !cb)
		abort();
	if (cut > n)
		cut = n;
	screen_init(&a, cols, rows);
	screen_init(&b, cols, rows);
	term_init(&ta, &ops, &a, cols, rows, ca);
	term_init(&tb, &ops, &b, cols, rows, cb);
	term_set_reply(&ta, s_reply, &a);
	term_set_reply(&tb, s_reply, &b);
	term_write(&ta, text, cut);
	term_write_log(&ta, log_line, sizeof(log_line) - 1);
	term_write(&ta, text + cut, n - cut);
	for (size_t i = 0; i < n; i++) {
		if (i == cut)
			term_write_log(&tb, log_line, sizeof(log_line) - 1);
		term_write(&tb, text + i, 1);
		FUZZ_CHECK(tb.x <= cols && tb.y < rows && tb.top < tb.bottom && tb.bottom <= rows,
			   "cursor %u,%u region %u-%u", tb.x, tb.y, tb.top, tb.bottom);
	}
	if (cut == n)
		term_write_log(&tb, log_line, sizeof(log_line) - 1);
	FUZZ_CHECK(memcmp(a.ch, b.ch, cells) == 0 && memcmp(a.attr, b.attr, cells) == 0,
		   "one write and byte-by-byte writes draw different screens");
	FUZZ_CHECK(a.cx == b.cx && a.cy == b.cy && a.visible == b.visible && same_state(&ta, &tb),
		   "one write and byte-by-byte writes leave different cursors or states");
	FUZZ_CHECK(a.replied == b.replied && a.reply_sum == b.reply_sum, "different answers");
	check_copy(&ta, &a);
	check_copy(&tb, &b);
	free(a.ch);
	free(a.attr);
	free(b.ch);
	free(b.attr);
	free(ca);
	free(cb);
	return 0;
}
