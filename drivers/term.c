/* The terminal state machine behind every screen console. Escape sequences
 * may be split across writes; a malformed or unknown sequence is dropped
 * without moving the cursor, and a control byte inside a sequence (other
 * than ESC, which starts a new one) aborts it and is then obeyed, so
 * garbage never wedges the parser. Every number is clamped before it is
 * used, so no sequence can reach outside the screen. */
#include <drivers/term.h>
#include <lib/string.h>

#define ESC 0x1b
#define CAN 0x18
#define SUB 0x1a
#define BEL 0x07

/* ---------------------------------------------------------------- cells */

static struct term_cell *cells(const struct term *t, unsigned y)
{
	return t->screen[t->active] + (size_t)y * t->cols;
}

static uint8_t pen_attr_of(const struct term_pen *p)
{
	uint8_t fg = p->fg, bg = p->bg, tmp;

	if (p->bold)
		fg |= 8;
	if (p->reverse) {
		tmp = fg;
		fg = bg;
		bg = tmp;
	}
	if (p->conceal)
		fg = bg;
	return (uint8_t)((bg & 15) << 4 | (fg & 15));
}

static uint8_t pen_attr(const struct term *t)
{
	return pen_attr_of(&t->pen);
}

static void set_cell(struct term *t, unsigned x, unsigned y, unsigned char ch, uint8_t attr)
{
	cells(t, y)[x] = (struct term_cell){ ch, attr };
	t->ops->put(t->ctx, x, y, ch, attr);
}

/* Blanks columns [x0, x1) of rows [y0, y1) in the pen's colours (as the
 * Linux console and xterm erase: with the current background). */
static void erase_rect(struct term *t, unsigned x0, unsigned y0, unsigned x1, unsigned y1)
{
	uint8_t attr = pen_attr(t);

	if (x0 >= x1 || y0 >= y1)
		return;
	for (unsigned y = y0; y < y1; y++)
		for (unsigned x = x0; x < x1; x++)
			cells(t, y)[x] = (struct term_cell){ ' ', attr };
	t->ops->clear(t->ctx, x0, y0, x1, y1, attr);
}

/* Draws columns [x0, cols) of row y again from the cells. */
static void redraw_row_from(struct term *t, unsigned y, unsigned x0)
{
	for (unsigned x = x0; x < t->cols; x++)
		t->ops->put(t->ctx, x, y, cells(t, y)[x].ch, cells(t, y)[x].attr);
}

static void move_rows(struct term *t, unsigned dst, unsigned src, unsigned n)
{
	if (n == 0 || dst == src)
		return;
	memmove(cells(t, dst), cells(t, src), (size_t)n * t->cols * sizeof(struct term_cell));
	t->ops->move_rows(t->ctx, dst, src, n);
}

/* Rows [top, bottom) move up by n; n blank rows come in at the bottom. */
static void scroll_up(struct term *t, unsigned top, unsigned bottom, unsigned n)
{
	if (n > bottom - top)
		n = bottom - top;
	move_rows(t, top, top + n, bottom - top - n);
	erase_rect(t, 0, bottom - n, t->cols, bottom);
}

static void scroll_down(struct term *t, unsigned top, unsigned bottom, unsigned n)
{
	if (n > bottom - top)
		n = bottom - top;
	move_rows(t, top + n, top, bottom - top - n);
	erase_rect(t, 0, top, t->cols, top + n);
}

static void redraw_all(struct term *t)
{
	for (unsigned y = 0; y < t->rows; y++)
		redraw_row_from(t, y, 0);
}

/* ---------------------------------------------------------------- cursor */

/* The column the cursor is on (a pending wrap still sits on the last). */
static unsigned col(const struct term *t)
{
	return t->x < t->cols ? t->x : t->cols - 1;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static unsigned sub_floor(unsigned v, unsigned d, unsigned floor)
{
	return v >= floor + d ? v - d : floor;
}

/* Absolute move; row counts from the region's top in origin mode. */
static void go_to(struct term *t, unsigned x, unsigned row)
{
	unsigned lo = t->origin ? t->top : 0, hi = t->origin ? t->bottom - 1 : t->rows - 1;

	t->x = clamp(x, 0, t->cols - 1);
	t->y = clamp(lo + (row < t->rows ? row : t->rows), lo, hi);
}

/* How many rows a kernel log line scrolls the whole screen by when it
 * reaches the bottom: a sixteenth of it (3 of 50 rows, 1 of 25), so the
 * screen always shows at least 15/16 of it in log and each scroll (a copy
 * of the whole screen's pixels, ~0.2 ms of guest instructions at
 * 1280x800) comes every few lines of a boot instead of every line. */
static unsigned log_jump(const struct term *t)
{
	return t->rows / 16 > 1 ? t->rows / 16 : 1;
}

/* Line feed: at the region's bottom the region scrolls (a kernel log line
 * at the bottom of the whole screen by log_jump rows); below the region
 * the cursor stops at the last row. */
static void index_down(struct term *t)
{
	if (t->y == t->bottom - 1 && t->in_log && t->top == 0 && t->bottom == t->rows) {
		scroll_up(t, t->top, t->bottom, log_jump(t));
		t->y = t->bottom - log_jump(t);
	} else if (t->y == t->bottom - 1)
		scroll_up(t, t->top, t->bottom, 1);
	else if (t->y + 1 < t->rows)
		t->y++;
}

static void index_up(struct term *t)
{
	if (t->y == t->top)
		scroll_down(t, t->top, t->bottom, 1);
	else if (t->y > 0)
		t->y--;
}

/* Up and down stop at the region's margins when the cursor is inside. */
static void cursor_up(struct term *t, unsigned n)
{
	t->x = col(t);
	t->y = sub_floor(t->y, n, t->y >= t->top ? t->top : 0);
}

static void cursor_down(struct term *t, unsigned n)
{
	unsigned last = t->y < t->bottom ? t->bottom - 1 : t->rows - 1;

	t->x = col(t);
	t->y = t->y + n < last ? t->y + n : last;
}

static void save_cursor(struct term *t)
{
	t->saved = (struct term_saved){ col(t), t->y, t->pen, t->origin, t->autowrap };
}

static void restore_cursor(struct term *t)
{
	t->pen = t->saved.pen;
	t->origin = t->saved.origin;
	t->autowrap = t->saved.autowrap;
	t->x = clamp(t->saved.x, 0, t->cols - 1);
	t->y = clamp(t->saved.y, 0, t->rows - 1);
}

static void tab(struct term *t, unsigned n, bool forward)
{
	unsigned x = col(t);

	while (n--) {
		if (forward)
			x = (x / 8 + 1) * 8;
		else
			x = x ? (x - 1) / 8 * 8 : 0;
	}
	t->x = x < t->cols ? x : t->cols - 1;
}

/* ---------------------------------------------------------------- text */

static void insert_blanks(struct term *t, unsigned x, unsigned n)
{
	struct term_cell *row = cells(t, t->y);
	uint8_t attr = pen_attr(t);

	if (n > t->cols - x)
		n = t->cols - x;
	memmove(row + x + n, row + x, (t->cols - x - n) * sizeof(*row));
	for (unsigned i = x; i < x + n; i++)
		row[i] = (struct term_cell){ ' ', attr };
	redraw_row_from(t, t->y, x);
}

static void delete_chars(struct term *t, unsigned x, unsigned n)
{
	struct term_cell *row = cells(t, t->y);
	uint8_t attr = pen_attr(t);

	if (n > t->cols - x)
		n = t->cols - x;
	memmove(row + x, row + x + n, (t->cols - x - n) * sizeof(*row));
	for (unsigned i = t->cols - n; i < t->cols; i++)
		row[i] = (struct term_cell){ ' ', attr };
	redraw_row_from(t, t->y, x);
}

static void put_char(struct term *t, unsigned char c)
{
	if (t->x >= t->cols) {          /* the wrap left pending by the last column */
		t->x = 0;
		index_down(t);
	}
	if (t->insert)
		insert_blanks(t, t->x, 1);
	set_cell(t, t->x, t->y, c, pen_attr(t));
	if (t->x + 1 < t->cols || t->autowrap)
		t->x++;
}

static void control(struct term *t, unsigned char c)
{
	switch (c) {
	case '\n':
	case '\v':
	case '\f':
		if (t->newline)
			t->x = 0;
		else
			t->x = col(t);
		index_down(t);
		break;
	case '\r':
		t->x = 0;
		break;
	case '\b':
		t->x = col(t);
		if (t->x > 0)
			t->x--;
		break;
	case '\t':
		tab(t, 1, true);
		break;
	default:
		break;          /* BEL, SO, SI, NUL...: nothing to draw */
	}
}

/* ---------------------------------------------------------------- erase */

static void erase_display(struct term *t, unsigned mode)
{
	unsigned x = col(t);

	switch (mode) {
	case 0:         /* from the cursor on */
		erase_rect(t, x, t->y, t->cols, t->y + 1);
		erase_rect(t, 0, t->y + 1, t->cols, t->rows);
		break;
	case 1:         /* up to and including the cursor */
		erase_rect(t, 0, 0, t->cols, t->y);
		erase_rect(t, 0, t->y, x + 1, t->y + 1);
		break;
	case 2:
		erase_rect(t, 0, 0, t->cols, t->rows);
		break;
	default:        /* 3 erases the scrollback, which there is none of */
		break;
	}
}

static void erase_line(struct term *t, unsigned mode)
{
	unsigned x = col(t);

	if (mode == 0)
		erase_rect(t, x, t->y, t->cols, t->y + 1);
	else if (mode == 1)
		erase_rect(t, 0, t->y, x + 1, t->y + 1);
	else if (mode == 2)
		erase_rect(t, 0, t->y, t->cols, t->y + 1);
}

/* ---------------------------------------------------------------- modes */

static void reset_state(struct term *t)
{
	t->pen = (struct term_pen){ .fg = TERM_ATTR_DEFAULT & 15, .bg = TERM_ATTR_DEFAULT >> 4 };
	t->x = t->y = 0;
	t->top = 0;
	t->bottom = t->rows;
	t->autowrap = true;
	t->origin = t->insert = t->newline = t->app_cursor_keys = false;
	t->cursor_visible = true;
	t->p.state = TERM_NORMAL;
	save_cursor(t);
}

/* Shows screen 0 (main) or 1 (alternate) as it was left. */
static void show_screen(struct term *t, unsigned which)
{
	if (t->active == which)
		return;
	t->active = which;
	redraw_all(t);
}

static void private_mode(struct term *t, unsigned mode, bool on)
{
	switch (mode) {
	case 1:
		t->app_cursor_keys = on;
		break;
	case 6:
		t->origin = on;
		go_to(t, 0, 0);
		break;
	case 7:
		t->autowrap = on;
		break;
	case 25:
		t->cursor_visible = on;
		break;
	case 47:
		show_screen(t, on);
		break;
	case 1047:              /* the alternate screen is cleared on leaving */
		if (!on && t->active == 1)
			erase_rect(t, 0, 0, t->cols, t->rows);
		show_screen(t, on);
		break;
	case 1048:
		if (on)
			save_cursor(t);
		else
			restore_cursor(t);
		break;
	case 1049:              /* save, switch and clear; switch back and restore */
		if (on) {
			if (t->active == 0)
				save_cursor(t);
			show_screen(t, 1);
			erase_rect(t, 0, 0, t->cols, t->rows);
		} else if (t->active == 1) {
			show_screen(t, 0);
			restore_cursor(t);
		}
		break;
	default:
		break;          /* mouse reporting, bracketed paste...: not supported */
	}
}

static void set_modes(struct term *t, bool on)
{
	unsigned n = t->p.nparams;

	if (t->p.private_mark && t->p.private_mark != '?')
		return;
	for (unsigned i = 0; i < n; i++) {
		unsigned mode = t->p.params[i];

		if (t->p.private_mark == '?')
			private_mode(t, mode, on);
		else if (mode == 4)
			t->insert = on;
		else if (mode == 20)
			t->newline = on;
	}
}

static void set_region(struct term *t)
{
	unsigned top = t->p.nparams > 0 && t->p.params[0] ? t->p.params[0] : 1;
	unsigned bottom = t->p.nparams > 1 && t->p.params[1] ? t->p.params[1] : t->rows;

	if (bottom > t->rows)
		bottom = t->rows;
	if (top >= bottom)
		return;         /* a region needs two rows at least */
	t->top = top - 1;
	t->bottom = bottom;
	go_to(t, 0, 0);
}

/* ---------------------------------------------------------------- reports */

static void put_decimal(char *buf, size_t *len, unsigned v)
{
	char digits[10];
	unsigned n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(digits));
	while (n)
		buf[(*len)++] = digits[--n];
}

static void reply(struct term *t, const char *s, size_t n)
{
	if (t->reply)
		t->reply(t->reply_ctx, s, n);
}

static void status_report(struct term *t, unsigned what)
{
	char buf[32];
	size_t len = 0;

	if (what == 5) {
		reply(t, "\033[0n", 4);         /* "terminal OK" */
	} else if (what == 6) {
		unsigned row = t->y - (t->origin ? t->top : 0);

		buf[len++] = ESC;
		buf[len++] = '[';
		put_decimal(buf, &len, row + 1);
		buf[len++] = ';';
		put_decimal(buf, &len, col(t) + 1);
		buf[len++] = 'R';
		reply(t, buf, len);
	}
}

/* ---------------------------------------------------------------- CSI */

static unsigned param(const struct term *t, unsigned i, unsigned dflt)
{
	if (i >= t->p.nparams || t->p.params[i] == 0)
		return dflt;
	return t->p.params[i];
}

static void csi_dispatch(struct term *t, unsigned char c)
{
	unsigned n = param(t, 0, 1);

	if (t->p.intermediate)
		return;         /* cursor style, soft reset...: not supported */
	if (c == 'h' || c == 'l') {
		set_modes(t, c == 'h');
		return;
	}
	if (t->p.private_mark)
		return;         /* secondary DA and other private requests */
	switch (c) {
	case 'A': cursor_up(t, n); break;
	case 'B': case 'e': cursor_down(t, n); break;
	case 'C': case 'a': t->x = col(t) + n < t->cols ? col(t) + n : t->cols - 1; break;
	case 'D': t->x = sub_floor(col(t), n, 0); break;
	case 'E': cursor_down(t, n); t->x = 0; break;
	case 'F': cursor_up(t, n); t->x = 0; break;
	case 'G': case '`': t->x = n <= t->cols ? n - 1 : t->cols - 1; break;
	case 'd': go_to(t, col(t), n - 1); break;
	case 'H': case 'f': go_to(t, param(t, 1, 1) - 1, n - 1); break;
	case 'I': tab(t, n, true); break;
	case 'Z': tab(t, n, false); break;
	case 'J': erase_display(t, param(t, 0, 0)); break;
	case 'K': erase_line(t, param(t, 0, 0)); break;
	case 'L':
	case 'M':
		if (t->y >= t->top && t->y < t->bottom) {
			if (c == 'L')
				scroll_down(t, t->y, t->bottom, n);
			else
				scroll_up(t, t->y, t->bottom, n);
		}
		t->x = col(t);
		break;
	case '@': t->x = col(t); insert_blanks(t, t->x, n); break;
	case 'P': t->x = col(t); delete_chars(t, t->x, n); break;
	case 'X':
		t->x = col(t);
		erase_rect(t, t->x, t->y, t->x + (n < t->cols - t->x ? n : t->cols - t->x), t->y + 1);
		break;
	case 'S': scroll_up(t, t->top, t->bottom, n); break;
	case 'T': scroll_down(t, t->top, t->bottom, n); break;
	case 'r': set_region(t); break;
	case 'm': term_sgr(t); break;
	case 'n': status_report(t, param(t, 0, 0)); break;
	case 'c':
		if (param(t, 0, 0) == 0)
			reply(t, "\033[?6c", 5);        /* a VT102, as the Linux console says */
		break;
	case 's': save_cursor(t); break;
	case 'u': restore_cursor(t); break;
	default: break; /* unknown final byte: the sequence is dropped */
	}
}

static void csi_byte(struct term *t, unsigned char c)
{
	struct term_parser *p = &t->p;

	if (c >= '0' && c <= '9' && !p->intermediate) {
		unsigned i;

		if (p->nparams == 0)
			p->nparams = 1;
		i = p->nparams - 1;
		if (i < TERM_MAX_PARAMS) {
			p->params[i] = p->params[i] * 10 + (unsigned)(c - '0');
			if (p->params[i] > TERM_PARAM_MAX)
				p->params[i] = TERM_PARAM_MAX;
		}
		return;
	}
	if ((c == ';' || c == ':') && !p->intermediate) {
		if (p->nparams == 0)
			p->nparams = 1;     /* ";5H" has an empty first parameter */
		if (p->nparams < TERM_MAX_PARAMS)
			p->params[p->nparams] = 0;
		if (p->nparams <= TERM_MAX_PARAMS)
			p->nparams++;       /* one past the end marks "dropped" */
		return;
	}
	if (c >= '<' && c <= '?') {
		if (p->nparams == 0 && !p->private_mark && !p->intermediate)
			p->private_mark = (char)c;
		else
			p->state = TERM_CSI_IGNORE;
		return;
	}
	if (c >= 0x20 && c <= 0x2f) {
		p->intermediate = true;
		return;
	}
	if (c >= 0x30 && c <= 0x3f) {   /* a parameter byte after an intermediate */
		p->state = TERM_CSI_IGNORE;
		return;
	}
	p->state = TERM_NORMAL;
	if (p->nparams > TERM_MAX_PARAMS)
		p->nparams = TERM_MAX_PARAMS;
	csi_dispatch(t, c);
}

/* ---------------------------------------------------------------- ESC */

static void esc_final(struct term *t, unsigned char c)
{
	struct term_parser *p = &t->p;

	p->state = TERM_NORMAL;
	switch (c) {
	case '[':
		*p = (struct term_parser){ .state = TERM_CSI };
		break;
	case ']': case 'P': case '_': case '^': case 'X':
		p->state = TERM_STRING;
		break;
	case '7': save_cursor(t); break;
	case '8': restore_cursor(t); break;
	case 'D': t->x = col(t); index_down(t); break;
	case 'M': t->x = col(t); index_up(t); break;
	case 'E': t->x = 0; index_down(t); break;
	case 'c':
		t->active = 0;
		reset_state(t);
		erase_rect(t, 0, 0, t->cols, t->rows);
		break;
	default:
		if (c >= 0x20 && c <= 0x2f)
			p->state = TERM_ESC_INTER;  /* ESC ( B, ESC # 8...: skipped */
		break;          /* keypad modes, tab stops...: ignored */
	}
}

static void term_byte(struct term *t, unsigned char c)
{
	enum term_state st = t->p.state;

	if (c == ESC) {                 /* also ends a string (ESC \) or restarts a sequence */
		t->p.state = TERM_ESC;
		return;
	}
	if (st == TERM_STRING) {        /* its bytes are consumed; BEL, CAN, SUB end it */
		if (c == BEL || c == CAN || c == SUB)
			t->p.state = TERM_NORMAL;
		return;
	}
	if (c < 0x20 || c == 0x7f) {    /* a control aborts any sequence */
		t->p.state = TERM_NORMAL;
		control(t, c);
		return;
	}
	switch (st) {
	case TERM_NORMAL:
		put_char(t, c);
		break;
	case TERM_ESC:
		esc_final(t, c);
		break;
	case TERM_ESC_INTER:
		if (c >= 0x30)
			t->p.state = TERM_NORMAL;
		break;
	case TERM_CSI:
		csi_byte(t, c);
		break;
	case TERM_CSI_IGNORE:
		if (c >= 0x40)
			t->p.state = TERM_NORMAL;
		break;
	case TERM_STRING:
		break;
	}
}

static void show_cursor(struct term *t)
{
	if (t->ops->cursor)
		t->ops->cursor(t->ctx, col(t), t->y, t->cursor_visible);
}

void term_write(struct term *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		term_byte(t, (unsigned char)s[i]);
	show_cursor(t);
}

void term_write_log(struct term *t, const char *s, size_t n)
{
	struct term_parser parser = t->p;
	struct term_pen pen = t->pen;
	struct term_saved saved = t->saved;
	bool insert = t->insert;

	t->p.state = TERM_NORMAL;
	t->pen = (struct term_pen){ .fg = TERM_ATTR_DEFAULT & 15, .bg = TERM_ATTR_DEFAULT >> 4 };
	t->insert = false;
	t->in_log = true;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && t->p.state == TERM_NORMAL)
			term_byte(t, '\r');
		term_byte(t, (unsigned char)s[i]);
	}
	t->in_log = false;
	t->p = parser;
	t->pen = pen;
	t->saved = saved;
	t->insert = insert;
	show_cursor(t);
}

void term_init(struct term *t, const struct term_ops *ops, void *ctx, unsigned cols, unsigned rows,
	       struct term_cell *cell_buf)
{
	*t = (struct term){ .ops = ops, .ctx = ctx, .cols = cols ? cols : 1, .rows = rows ? rows : 1 };
	t->screen[0] = cell_buf;
	t->screen[1] = cell_buf + (size_t)t->cols * t->rows;
	reset_state(t);
	for (size_t i = 0; i < (size_t)t->cols * t->rows; i++)
		t->screen[1][i] = (struct term_cell){ ' ', TERM_ATTR_DEFAULT };
	erase_rect(t, 0, 0, t->cols, t->rows);
	show_cursor(t);
}

void term_set_reply(struct term *t, term_reply_fn fn, void *ctx)
{
	t->reply = fn;
	t->reply_ctx = ctx;
}

struct term_cell term_cell_at(const struct term *t, unsigned x, unsigned y)
{
	if (x >= t->cols || y >= t->rows)
		return (struct term_cell){ 0, 0 };
	return cells(t, y)[x];
}
