/* The terminal state machine behind every screen console. Escape sequences
 * may be split across writes; a malformed or unknown sequence is dropped
 * without moving the cursor, and a control byte inside one aborts it and is
 * then handled as ordinary text, so garbage never wedges the parser. */
#include <drivers/term.h>

#define ESC 0x1b

/* ANSI colour numbers (red = 1, blue = 4) to VGA order (blue = 1, red = 4). */
static const uint8_t ansi_to_vga[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

static uint8_t draw_attr(const struct term *t)
{
	if (!t->reverse)
		return t->attr;
	return (uint8_t)((t->attr >> 4) | (t->attr << 4));
}

static void clear_rect(struct term *t, unsigned x0, unsigned y0, unsigned x1, unsigned y1)
{
	if (x0 < x1 && y0 < y1)
		t->ops->clear(t->ctx, x0, y0, x1, y1, draw_attr(t));
}

void term_init(struct term *t, const struct term_ops *ops, void *ctx, unsigned cols, unsigned rows)
{
	*t = (struct term){ .ops = ops, .ctx = ctx, .cols = cols ? cols : 1, .rows = rows ? rows : 1,
			    .attr = TERM_ATTR_DEFAULT, .state = TERM_NORMAL };
	clear_rect(t, 0, 0, t->cols, t->rows);
	if (ops->cursor)
		ops->cursor(ctx, 0, 0);
}

static void line_feed(struct term *t)
{
	if (t->y + 1 < t->rows)
		t->y++;
	else
		t->ops->scroll(t->ctx, draw_attr(t));
}

static void put_char(struct term *t, unsigned char c)
{
	if (t->x >= t->cols) {          /* the wrap left pending by the last column */
		t->x = 0;
		line_feed(t);
	}
	t->ops->put(t->ctx, t->x, t->y, c, draw_attr(t));
	t->x++;
}

static void control(struct term *t, unsigned char c)
{
	switch (c) {
	case '\n':
		t->x = 0;       /* kernel text uses bare newlines */
		line_feed(t);
		break;
	case '\r':
		t->x = 0;
		break;
	case '\b':
		if (t->x >= t->cols)
			t->x = t->cols - 1;
		if (t->x > 0)
			t->x--;
		break;
	case '\t':
		if (t->x >= t->cols)
			break;
		t->x = (t->x / 8 + 1) * 8;
		if (t->x >= t->cols)
			t->x = t->cols - 1;
		break;
	default:
		break;          /* other controls (bell, NUL...) draw nothing */
	}
}

static unsigned param(const struct term *t, unsigned i, unsigned dflt)
{
	if (i >= t->nparams || t->params[i] == 0)
		return dflt;
	return t->params[i];
}

static void set_colours(struct term *t)
{
	unsigned n = t->nparams ? t->nparams : 1;

	for (unsigned i = 0; i < n && i < TERM_MAX_PARAMS; i++) {
		unsigned p = i < t->nparams ? t->params[i] : 0;

		if (p == 0) {
			t->attr = TERM_ATTR_DEFAULT;
			t->reverse = false;
		} else if (p == 1) {
			t->attr |= 0x08;
		} else if (p == 22) {
			t->attr &= (uint8_t)~0x08;
		} else if (p == 7) {
			t->reverse = true;
		} else if (p == 27) {
			t->reverse = false;
		} else if (p >= 30 && p <= 37) {
			t->attr = (uint8_t)((t->attr & 0xf8) | ansi_to_vga[p - 30]);
		} else if (p == 39) {
			t->attr = (uint8_t)((t->attr & 0xf0) | (TERM_ATTR_DEFAULT & 0x0f));
		} else if (p >= 40 && p <= 47) {
			t->attr = (uint8_t)((t->attr & 0x0f) | ansi_to_vga[p - 40] << 4);
		} else if (p == 49) {
			t->attr = (uint8_t)((t->attr & 0x0f) | (TERM_ATTR_DEFAULT & 0xf0));
		} else if (p >= 90 && p <= 97) {
			t->attr = (uint8_t)((t->attr & 0xf0) | 0x08 | ansi_to_vga[p - 90]);
		} else if (p >= 100 && p <= 107) {
			t->attr = (uint8_t)((t->attr & 0x0f) | (0x08 | ansi_to_vga[p - 100]) << 4);
		}
		/* anything else (underline, 256 colours...) is not supported: ignored */
	}
}

static void erase(struct term *t, bool whole_screen)
{
	unsigned mode = t->nparams ? t->params[0] : 0;
	unsigned x = t->x < t->cols ? t->x : t->cols - 1;

	switch (mode) {
	case 0:         /* from the cursor on */
		clear_rect(t, x, t->y, t->cols, t->y + 1);
		if (whole_screen)
			clear_rect(t, 0, t->y + 1, t->cols, t->rows);
		break;
	case 1:         /* up to and including the cursor */
		if (whole_screen)
			clear_rect(t, 0, 0, t->cols, t->y);
		clear_rect(t, 0, t->y, x + 1, t->y + 1);
		break;
	case 2:
	case 3:
		if (whole_screen)
			clear_rect(t, 0, 0, t->cols, t->rows);
		else
			clear_rect(t, 0, t->y, t->cols, t->y + 1);
		break;
	default:
		break;
	}
}

static unsigned clamp_sub(unsigned v, unsigned d)
{
	return v > d ? v - d : 0;
}

static void csi_final(struct term *t, unsigned char c)
{
	unsigned n = param(t, 0, 1);
	unsigned x = t->x < t->cols ? t->x : t->cols - 1;

	if (t->private_seq)
		return;         /* cursor visibility and other DEC modes: ignored */
	switch (c) {
	case 'A': t->y = clamp_sub(t->y, n); t->x = x; break;
	case 'B': t->y = t->y + n < t->rows ? t->y + n : t->rows - 1; t->x = x; break;
	case 'C': t->x = x + n < t->cols ? x + n : t->cols - 1; break;
	case 'D': t->x = clamp_sub(x, n); break;
	case 'G': t->x = n <= t->cols ? n - 1 : t->cols - 1; break;
	case 'd': t->y = n <= t->rows ? n - 1 : t->rows - 1; t->x = x; break;
	case 'H':
	case 'f': {
		unsigned row = param(t, 0, 1), col = param(t, 1, 1);

		t->y = row <= t->rows ? row - 1 : t->rows - 1;
		t->x = col <= t->cols ? col - 1 : t->cols - 1;
		break;
	}
	case 'J': erase(t, true); break;
	case 'K': erase(t, false); break;
	case 'm': set_colours(t); break;
	case 's': t->saved_x = x; t->saved_y = t->y; break;
	case 'u': t->x = t->saved_x; t->y = t->saved_y; break;
	default: break; /* unknown final byte: the sequence is dropped */
	}
}

static void csi_byte(struct term *t, unsigned char c)
{
	if (c >= '0' && c <= '9') {
		unsigned i;

		if (t->nparams == 0)
			t->nparams = 1;
		i = t->nparams - 1;
		if (i < TERM_MAX_PARAMS) {
			t->params[i] = t->params[i] * 10 + (c - '0');
			if (t->params[i] > TERM_PARAM_MAX)
				t->params[i] = TERM_PARAM_MAX;
		}
		return;
	}
	if (c == ';') {
		if (t->nparams == 0)
			t->nparams = 1;     /* ";5H" has an empty first parameter */
		if (t->nparams < TERM_MAX_PARAMS)
			t->params[t->nparams] = 0;
		t->nparams++;
		if (t->nparams > TERM_MAX_PARAMS)
			t->nparams = TERM_MAX_PARAMS + 1;   /* extra ones are dropped */
		return;
	}
	if (c == '?' && t->nparams == 0) {
		t->private_seq = true;
		return;
	}
	if (c >= 0x20 && c <= 0x3f)
		return;                 /* other parameter/intermediate bytes: ignored */
	t->state = TERM_NORMAL;
	if (t->nparams > TERM_MAX_PARAMS)
		t->nparams = TERM_MAX_PARAMS;
	if (c >= 0x40 && c <= 0x7e)
		csi_final(t, c);
}

static void term_byte(struct term *t, unsigned char c)
{
	if (c == ESC) {                 /* also restarts a sequence cut short */
		t->state = TERM_ESC;
		return;
	}
	if (c < 0x20 || c == 0x7f) {    /* a control aborts any sequence */
		t->state = TERM_NORMAL;
		if (c != 0x7f)
			control(t, c);
		return;
	}
	switch (t->state) {
	case TERM_NORMAL:
		put_char(t, c);
		break;
	case TERM_ESC:
		t->state = TERM_NORMAL;
		if (c == '[') {
			t->state = TERM_CSI;
			t->nparams = 0;
			t->params[0] = 0;
			t->private_seq = false;
		} else if (c == '7') {
			t->saved_x = t->x < t->cols ? t->x : t->cols - 1;
			t->saved_y = t->y;
		} else if (c == '8') {
			t->x = t->saved_x;
			t->y = t->saved_y;
		} else if (c == 'c') {
			term_init(t, t->ops, t->ctx, t->cols, t->rows);
		}
		break;
	case TERM_CSI:
		csi_byte(t, c);
		break;
	}
}

void term_write(struct term *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		term_byte(t, (unsigned char)s[i]);
	if (t->ops->cursor)
		t->ops->cursor(t->ctx, t->x < t->cols ? t->x : t->cols - 1, t->y);
}
