/* The terminal emulation behind every screen console: what full-screen
 * programs (busybox vi, less, top, ash's line editing) send, in the subset
 * of the Linux console and xterm that docs/terminal.md lists. Portable: it
 * keeps a copy of the screen's cells and drives an output's cell
 * operations, so it is host-tested. */
#ifndef DRIVERS_TERM_H
#define DRIVERS_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cell attributes use the VGA layout: bits 0-3 foreground colour, bits 4-7
 * background, colours in VGA order (0 black, 1 blue, 2 green, 3 cyan,
 * 4 red, 5 magenta, 6 brown, 7 light grey, +8 bright). */
#define TERM_ATTR_DEFAULT 0x07

/* The 16 colours as 0xRRGGBB, in VGA order: what the screens show. */
extern const uint32_t term_palette[16];

struct term_cell {
	uint8_t ch;
	uint8_t attr;
};

/* Cells a terminal of cols x rows needs: the main and the alternate screen. */
#define TERM_CELLS(cols, rows) (2u * (size_t)(cols) * (size_t)(rows))

struct term_ops {
	void (*put)(void *ctx, unsigned x, unsigned y, unsigned char ch, uint8_t attr);
	/* Fills columns [x0, x1) of rows [y0, y1) with blanks in attr. */
	void (*clear)(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t attr);
	/* Copies n whole rows starting at row src to start at row dst; the
	 * two ranges may overlap. */
	void (*move_rows)(void *ctx, unsigned dst, unsigned src, unsigned n);
	/* May be NULL: where the cursor is after each write, and whether it
	 * shows. */
	void (*cursor)(void *ctx, unsigned x, unsigned y, bool visible);
};

/* Where answers to the program's questions go (cursor position report,
 * device attributes): the bytes a terminal "types" back. */
typedef void (*term_reply_fn)(void *ctx, const char *s, size_t n);

#define TERM_MAX_PARAMS 16
#define TERM_PARAM_MAX  9999

enum term_state {
	TERM_NORMAL,
	TERM_ESC,               /* after ESC */
	TERM_ESC_INTER,         /* ESC and intermediates (ESC ( B): until a final byte */
	TERM_CSI,               /* ESC [ */
	TERM_CSI_IGNORE,        /* a CSI we cannot parse: until its final byte */
	TERM_STRING,            /* OSC, DCS, APC, PM, SOS: until BEL or ESC \ */
};

/* What SGR sets: colours in VGA order, before bold and reverse apply. */
struct term_pen {
	uint8_t fg, bg;
	bool bold, reverse, conceal;
};

struct term_saved {
	unsigned x, y;
	struct term_pen pen;
	bool origin, autowrap;
};

struct term_parser {
	enum term_state state;
	unsigned params[TERM_MAX_PARAMS];
	unsigned nparams;       /* parameters started so far (capped) */
	char private_mark;      /* '?', '>', '<', '=' right after CSI, else 0 */
	bool intermediate;      /* a byte 0x20-0x2f came before the final */
};

struct term {
	const struct term_ops *ops;
	void *ctx;
	term_reply_fn reply;
	void *reply_ctx;
	unsigned cols, rows;
	struct term_cell *screen[2];    /* main, alternate */
	unsigned active;                /* which of them shows */
	unsigned x, y;                  /* cursor; x == cols: a wrap is pending */
	unsigned top, bottom;           /* scroll region: rows [top, bottom) */
	struct term_pen pen;
	struct term_saved saved;        /* ESC 7 / CSI s / ?1048h / ?1049h */
	bool autowrap;                  /* ?7 */
	bool origin;                    /* ?6: rows count from the region's top */
	bool insert;                    /* IRM (CSI 4 h) */
	bool newline;                   /* LNM (CSI 20 h): LF, VT and FF also return */
	bool cursor_visible;            /* ?25 */
	bool app_cursor_keys;           /* ?1: arrows send ESC O x (the keyboard side reads it) */
	bool in_log;                    /* inside term_write_log: line feeds jump-scroll */
	struct term_parser p;
};

/* cols and rows at least 1; cells holds TERM_CELLS(cols, rows). Resets
 * every mode and clears the screen. */
void term_init(struct term *t, const struct term_ops *ops, void *ctx, unsigned cols, unsigned rows,
	       struct term_cell *cells);
/* Bytes from a program (a terminal device's output, after its own output
 * processing): a line feed only moves down, as on a real terminal. */
void term_write(struct term *t, const char *s, size_t n);
/* Text from the kernel log, written between the program's bytes without
 * disturbing them: each '\n' starts a new line, the text starts in the
 * default colours, and an escape sequence the program left half written
 * resumes after it. */
void term_write_log(struct term *t, const char *s, size_t n);
void term_set_reply(struct term *t, term_reply_fn fn, void *ctx);
/* The cell at column x, row y of the screen that shows (for tests). */
struct term_cell term_cell_at(const struct term *t, unsigned x, unsigned y);
/* The one of the 16 colours (VGA order) that stands for 0xRRGGBB: the
 * hue from the components above half the largest, bright when the largest
 * is above the dark colours' 0xaa; greys by lightness. */
uint8_t term_rgb_colour(uint32_t rgb);
/* For term.c: applies the SGR sequence just parsed (term_sgr.c). */
void term_sgr(struct term *t);

#endif
