/* Terminal emulation subset shared by every screen console: printable text,
 * newline, carriage return, backspace, tab, line wrap, scrolling, and the
 * ANSI escapes for colours (SGR), cursor movement and clearing. Portable:
 * it only drives an output's cell operations, so it is host-tested. */
#ifndef DRIVERS_TERM_H
#define DRIVERS_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cell attributes use the VGA layout: bits 0-3 foreground colour, bits 4-7
 * background, colours in VGA order (0 black, 1 blue, 2 green, 3 cyan,
 * 4 red, 5 magenta, 6 brown, 7 light grey, +8 bright). */
#define TERM_ATTR_DEFAULT 0x07

struct term_ops {
	void (*put)(void *ctx, unsigned x, unsigned y, unsigned char ch, uint8_t attr);
	/* Fills columns [x0, x1) of rows [y0, y1) with blanks in attr. */
	void (*clear)(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t attr);
	/* Moves the whole screen up one row and blanks the bottom row. */
	void (*scroll)(void *ctx, uint8_t attr);
	/* May be NULL: where the cursor is after each term_write. */
	void (*cursor)(void *ctx, unsigned x, unsigned y);
};

#define TERM_MAX_PARAMS 8
#define TERM_PARAM_MAX  9999

enum term_state { TERM_NORMAL, TERM_ESC, TERM_CSI };

struct term {
	const struct term_ops *ops;
	void *ctx;
	unsigned cols, rows;
	unsigned x, y;              /* cursor; x == cols means a wrap is pending */
	unsigned saved_x, saved_y;
	uint8_t attr;
	bool reverse;
	enum term_state state;
	unsigned params[TERM_MAX_PARAMS];
	unsigned nparams;           /* parameters started so far */
	bool private_seq;           /* "ESC [ ?": parsed, then ignored */
};

/* cols and rows must be at least 1. Clears the screen. */
void term_init(struct term *t, const struct term_ops *ops, void *ctx, unsigned cols, unsigned rows);
void term_write(struct term *t, const char *s, size_t n);

#endif
