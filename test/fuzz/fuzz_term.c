/* Fuzz target for the terminal emulator (drivers/term.c). Input: columns
 * and rows (1-256, 1-64), then the bytes written. The same bytes go to two
 * terminals, one in a single write and one a byte per write, and their
 * screens, cursors and attributes must end up identical: escape sequences
 * may be split anywhere. Every cell operation must stay on the screen (the
 * fake screen is sized exactly, so AddressSanitizer sees a stray cell) and
 * the cursor it is told about must be a real cell. */
#include "fuzz.h"

#include <drivers/term.h>

struct screen {
	unsigned cols, rows, cx, cy;
	uint8_t *ch, *attr;         /* cols * rows each */
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

static void s_scroll(void *ctx, uint8_t a)
{
	struct screen *s = ctx;
	size_t row = s->cols, all = (size_t)s->cols * s->rows;

	memmove(s->ch, s->ch + row, all - row);
	memmove(s->attr, s->attr + row, all - row);
	memset(s->ch + all - row, ' ', row);
	memset(s->attr + all - row, a, row);
}

static void s_cursor(void *ctx, unsigned x, unsigned y)
{
	struct screen *s = ctx;

	FUZZ_CHECK(x < s->cols && y < s->rows, "cursor at %u,%u on %ux%u", x, y, s->cols, s->rows);
	s->cx = x;
	s->cy = y;
}

static const struct term_ops ops = { s_put, s_clear, s_scroll, s_cursor };

static void screen_init(struct screen *s, unsigned cols, unsigned rows)
{
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	unsigned cols = 1 + fuzz_u8(&in), rows = 1 + fuzz_u8(&in) % 64;
	const char *text = (const char *)in.p;
	size_t n = in.left, cells = (size_t)cols * rows;
	struct screen a, b;
	struct term ta, tb;

	screen_init(&a, cols, rows);
	screen_init(&b, cols, rows);
	term_init(&ta, &ops, &a, cols, rows);
	term_init(&tb, &ops, &b, cols, rows);
	term_write(&ta, text, n);
	for (size_t i = 0; i < n; i++) {
		term_write(&tb, text + i, 1);
		FUZZ_CHECK(tb.x <= cols && tb.y < rows, "cursor %u,%u", tb.x, tb.y);
	}
	FUZZ_CHECK(memcmp(a.ch, b.ch, cells) == 0 && memcmp(a.attr, b.attr, cells) == 0,
		   "one write and byte-by-byte writes draw different screens");
	FUZZ_CHECK(a.cx == b.cx && a.cy == b.cy && ta.x == tb.x && ta.y == tb.y && ta.attr == tb.attr &&
		   ta.reverse == tb.reverse && ta.state == tb.state,
		   "one write and byte-by-byte writes leave different cursors or attributes");
	free(a.ch);
	free(a.attr);
	free(b.ch);
	free(b.attr);
	return 0;
}
