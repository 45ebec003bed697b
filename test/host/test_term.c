/* Host tests for drivers/term.c and term_sgr.c, the screen consoles'
 * terminal emulation: text, wrap and scroll, control characters, colours,
 * cursor addressing, erasing, inserting and deleting, scroll regions, the
 * alternate screen, modes, reports, the kernel log's writes, malformed and
 * split sequences, and byte streams captured from busybox vi, less, top
 * and ash. After every test the fake screen must equal the terminal's own
 * copy of its cells, and nothing may have been drawn outside it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/term.h>

#define MAX_COLS 80
#define MAX_ROWS 25

/* A fake screen that records what the terminal drew. */
struct screen {
	unsigned cols, rows;
	char ch[MAX_ROWS][MAX_COLS];
	uint8_t attr[MAX_ROWS][MAX_COLS];
	unsigned moves, cx, cy;
	bool visible;
	int bad_calls;          /* operations outside the screen */
	char replies[256];
	size_t nreplies;
};

static void s_put(void *ctx, unsigned x, unsigned y, unsigned char c, uint8_t a)
{
	struct screen *s = ctx;

	if (x >= s->cols || y >= s->rows) {
		s->bad_calls++;
		return;
	}
	s->ch[y][x] = (char)c;
	s->attr[y][x] = a;
}

static void s_clear(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t a)
{
	struct screen *s = ctx;

	if (x1 > s->cols || y1 > s->rows || x0 >= x1 || y0 >= y1) {
		s->bad_calls++;
		return;
	}
	for (unsigned y = y0; y < y1; y++)
		for (unsigned x = x0; x < x1; x++) {
			s->ch[y][x] = ' ';
			s->attr[y][x] = a;
		}
}

static void s_move_rows(void *ctx, unsigned dst, unsigned src, unsigned n)
{
	struct screen *s = ctx;

	if (n == 0 || dst + n > s->rows || src + n > s->rows) {
		s->bad_calls++;
		return;
	}
	memmove(s->ch[dst], s->ch[src], sizeof(s->ch[0]) * n);
	memmove(s->attr[dst], s->attr[src], sizeof(s->attr[0]) * n);
	s->moves++;
}

static void s_cursor(void *ctx, unsigned x, unsigned y, bool visible)
{
	struct screen *s = ctx;

	if (x >= s->cols || y >= s->rows)
		s->bad_calls++;
	s->cx = x;
	s->cy = y;
	s->visible = visible;
}

static void s_reply(void *ctx, const char *str, size_t n)
{
	struct screen *s = ctx;

	assert_true(s->nreplies + n < sizeof(s->replies));
	memcpy(s->replies + s->nreplies, str, n);
	s->nreplies += n;
	s->replies[s->nreplies] = 0;
}

static const struct term_ops ops = { s_put, s_clear, s_move_rows, s_cursor };

struct fixture {
	struct screen s;
	struct term t;
	struct term_cell cells[TERM_CELLS(MAX_COLS, MAX_ROWS)];
};

static void start(struct fixture *f, unsigned cols, unsigned rows)
{
	memset(&f->s, 0, sizeof(f->s));
	f->s.cols = cols;
	f->s.rows = rows;
	term_init(&f->t, &ops, &f->s, cols, rows, f->cells);
	term_set_reply(&f->t, s_reply, &f->s);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	start(f, 10, 4);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->s.bad_calls, 0);
	for (unsigned y = 0; y < f->s.rows; y++)
		for (unsigned x = 0; x < f->s.cols; x++) {
			struct term_cell c = term_cell_at(&f->t, x, y);

			assert_int_equal(c.ch, (unsigned char)f->s.ch[y][x]);
			assert_int_equal(c.attr, f->s.attr[y][x]);
		}
	free(f);
	return 0;
}

static void w(struct fixture *f, const char *text)
{
	term_write(&f->t, text, strlen(text));
}

static void assert_row(struct fixture *f, unsigned y, const char *want)
{
	char got[MAX_COLS + 1];

	memcpy(got, f->s.ch[y], f->s.cols);
	got[f->s.cols] = 0;
	/* trailing blanks are left out of want */
	for (size_t i = f->s.cols; i > 0 && got[i - 1] == ' '; i--)
		got[i - 1] = 0;
	assert_string_equal(got, want);
}

static void assert_cursor(struct fixture *f, unsigned x, unsigned y)
{
	assert_int_equal(f->s.cx, x);
	assert_int_equal(f->s.cy, y);
}

/* ---------------------------------------------------------------- text */

static void test_text_and_newline(void **state)
{
	struct fixture *f = *state;

	w(f, "hi\r\nyou");
	assert_row(f, 0, "hi");
	assert_row(f, 1, "you");
	assert_cursor(f, 3, 1);
	assert_int_equal(f->s.attr[0][0], TERM_ATTR_DEFAULT);
	/* a line feed alone only moves down, as on a real terminal */
	w(f, "\nme");
	assert_row(f, 2, "   me");
	w(f, "\v1\f2");
	assert_row(f, 3, "      2");        /* FF at the bottom scrolled */
	assert_row(f, 2, "     1");
	assert_row(f, 1, "   me");
	assert_int_equal(f->s.moves, 1);
}

static void test_wrap_is_deferred(void **state)
{
	struct fixture *f = *state;

	/* exactly one full row then a newline must not leave an empty row */
	w(f, "0123456789\r\nx");
	assert_row(f, 0, "0123456789");
	assert_row(f, 1, "x");
	w(f, "abcdefghijKL");
	assert_row(f, 1, "xabcdefghi");
	assert_row(f, 2, "jKL");
	assert_int_equal(f->s.moves, 0);
	/* the pending wrap keeps the cursor drawn on the last column */
	w(f, "\x1b[3;1H0123456789");
	assert_cursor(f, 9, 2);
}

static void test_scroll(void **state)
{
	struct fixture *f = *state;

	w(f, "a\r\nb\r\nc\r\nd\r\ne");
	assert_int_equal(f->s.moves, 1);
	assert_row(f, 0, "b");
	assert_row(f, 3, "e");
	assert_cursor(f, 1, 3);
}

static void test_controls(void **state)
{
	struct fixture *f = *state;

	w(f, "abc\bX");
	assert_row(f, 0, "abX");
	w(f, "\rZ\tT");
	assert_row(f, 0, "ZbX     T");
	w(f, "\t\tQ");          /* tabs stop at the last column */
	assert_row(f, 0, "ZbX     TQ");
	w(f, "\b\b\b\b\b\b\b\b\b\b\b\bY");  /* backspace stops at column 0 */
	assert_row(f, 0, "YbX     TQ");
	w(f, "\a\x01\x0e\x0f\x7f");     /* no visible effect */
	assert_row(f, 0, "YbX     TQ");
	assert_cursor(f, 1, 0);
	/* CHT and CBT: forward and back by tab stops */
	w(f, "\x1b[I");
	assert_cursor(f, 8, 0);
	w(f, "\x1b[Z");
	assert_cursor(f, 0, 0);
	w(f, "\x1b[5G\x1b[Z");
	assert_cursor(f, 0, 0);
}

/* ---------------------------------------------------------------- colours */

static void test_colours(void **state)
{
	struct fixture *f = *state;

	w(f, "\x1b[31ma\x1b[1;44mb\x1b[0mc\x1b[92;103md\x1b[7me\x1b[39;49;27mf");
	assert_int_equal(f->s.attr[0][0], 0x04);       /* red */
	assert_int_equal(f->s.attr[0][1], 0x1c);       /* bright red on blue */
	assert_int_equal(f->s.attr[0][2], 0x07);
	assert_int_equal(f->s.attr[0][3], 0xea);       /* bright green on yellow */
	assert_int_equal(f->s.attr[0][4], 0xae);       /* reversed */
	assert_int_equal(f->s.attr[0][5], 0x07);
	w(f, "\x1b[32m\x1b[mg\x1b[1m\x1b[22mh\x1b[8mi\x1b[28mj");  /* ESC[m resets; 22 ends bold */
	assert_int_equal(f->s.attr[0][6], 0x07);
	assert_int_equal(f->s.attr[0][7], 0x07);
	assert_int_equal(f->s.attr[0][8], 0x00);       /* concealed: foreground = background */
	assert_int_equal(f->s.attr[0][9], 0x07);
	assert_row(f, 0, "abcdefghij");
	/* bold and reverse together: the bright foreground becomes the background */
	w(f, "\x1b[2;1H\x1b[0;1;7;34mk\x1b[4;5;3;9ml\x1b[0m");
	assert_int_equal(f->s.attr[1][0], 0x90);
	assert_int_equal(f->s.attr[1][1], 0x90);       /* underline, blink...: ignored */
}

static void test_256_and_rgb_colours(void **state)
{
	struct fixture *f = *state;

	/* 0-15 are the ANSI colours; the cube and the greys go to the closest */
	w(f, "\x1b[38;5;1ma\x1b[38;5;12mb\x1b[38;5;196mc\x1b[38;5;21md\x1b[38;5;232me"
	     "\x1b[38;5;255mf\x1b[48;5;2;38;5;0mg\x1b[0m");
	assert_int_equal(f->s.attr[0][0], 0x04);
	assert_int_equal(f->s.attr[0][1], 0x09);       /* bright blue */
	assert_int_equal(f->s.attr[0][2], 0x0c);       /* 255,0,0: bright red */
	assert_int_equal(f->s.attr[0][3], 0x09);       /* 0,0,255: bright blue */
	assert_int_equal(f->s.attr[0][4], 0x00);       /* grey 8: black */
	assert_int_equal(f->s.attr[0][5], 0x0f);       /* grey 238: white */
	assert_int_equal(f->s.attr[0][6], 0x20);       /* black on green */
	w(f, "\x1b[38;2;170;170;0mh\x1b[48;2;255;255;255;31mi\x1b[0m");
	assert_int_equal(f->s.attr[0][7], 0x06);       /* brown, exactly */
	assert_int_equal(f->s.attr[0][8], 0xf4);       /* red on white: parameters after RGB count */
	/* incomplete or out-of-range forms change nothing */
	w(f, "\x1b[2;1H\x1b[31;38;5mj\x1b[38;5;256mk\x1b[38;2;1;2ml\x1b[38;7;1;32mm\x1b[0m");
	assert_int_equal(f->s.attr[1][0], 0x04);
	assert_int_equal(f->s.attr[1][1], 0x04);
	assert_int_equal(f->s.attr[1][2], 0x04);
	assert_int_equal(f->s.attr[1][3], 0x04);       /* unknown 38 form: the rest is skipped */
	assert_int_equal(term_rgb_colour(0x808080), 7);
	assert_int_equal(term_rgb_colour(0x555555), 8);
	assert_int_equal(term_rgb_colour(0x202020), 0);
	assert_int_equal(term_rgb_colour(0xd8d8d8), 15);
	assert_int_equal(term_rgb_colour(0x5f0000), 4);
	assert_int_equal(term_rgb_colour(0x00aaaa), 3);
	assert_int_equal(term_rgb_colour(0xffff60), 14);
	assert_int_equal(term_rgb_colour(0xaf5fff), 13);
}

/* ---------------------------------------------------------------- cursor */

static void test_cursor_movement(void **state)
{
	struct fixture *f = *state;

	w(f, "\x1b[3;4HA");
	assert_int_equal(f->s.ch[2][3], 'A');
	w(f, "\x1b[2AB\x1b[BC\x1b[3DD\x1b[10CE");
	assert_int_equal(f->s.ch[0][4], 'B');
	assert_int_equal(f->s.ch[1][5], 'C');
	assert_int_equal(f->s.ch[1][3], 'D');
	assert_int_equal(f->s.ch[1][9], 'E');
	w(f, "\x1b[HF\x1b[99;99HG\x1b[;2HH");  /* home, clamped, empty row param */
	assert_int_equal(f->s.ch[0][0], 'F');
	assert_int_equal(f->s.ch[3][9], 'G');
	assert_int_equal(f->s.ch[0][1], 'H');
	w(f, "\x1b[s\x1b[4;1HI\x1b[uJ\x1b[3GK");
	assert_int_equal(f->s.ch[3][0], 'I');
	assert_int_equal(f->s.ch[0][2], 'K');   /* J went there first, then K */
	assert_cursor(f, 3, 0);
}

static void test_absolute_and_line_moves(void **state)
{
	struct fixture *f = *state;

	w(f, "\x1b[3dA");               /* VPA keeps the column */
	assert_int_equal(f->s.ch[2][0], 'A');
	w(f, "\x1b[7`B\x1b[2aC");       /* HPA, HPR */
	assert_int_equal(f->s.ch[2][6], 'B');
	assert_int_equal(f->s.ch[2][9], 'C');
	w(f, "\x1b[2FD\x1b[EE\x1b[1eF");        /* CPL, CNL, VPR */
	assert_int_equal(f->s.ch[0][0], 'D');
	assert_int_equal(f->s.ch[1][0], 'E');
	assert_int_equal(f->s.ch[2][1], 'F');
	w(f, "\x1b[4;3fG\x1b[0;0HH\x1b[99dI\x1b[0GJ");  /* HVP; 0 counts as 1 */
	assert_int_equal(f->s.ch[3][2], 'G');
	assert_int_equal(f->s.ch[0][0], 'H');
	assert_int_equal(f->s.ch[3][1], 'I');
	assert_int_equal(f->s.ch[3][0], 'J');
	w(f, "\x1b[9999A\x1b[9999DK");
	assert_int_equal(f->s.ch[0][0], 'K');
}

static void test_save_restore_cursor(void **state)
{
	struct fixture *f = *state;

	/* ESC 7 keeps the position and the colours; ESC 8 brings both back */
	w(f, "\x1b[2;3H\x1b[1;31m\x1b" "7\x1b[0m\x1b[4;8Hx\x1b" "8y");
	assert_int_equal(f->s.ch[1][2], 'y');
	assert_int_equal(f->s.attr[1][2], 0x0c);
	assert_int_equal(f->s.attr[3][7], 0x07);
	/* restoring with nothing saved goes home */
	start(f, 10, 4);
	w(f, "\x1b[3;3H\x1b" "8z");
	assert_int_equal(f->s.ch[0][0], 'z');
}

/* ---------------------------------------------------------------- erase, insert, delete */

static void fill(struct fixture *f)
{
	w(f, "\x1b[H");
	for (unsigned i = 0; i < f->s.rows; i++)
		w(f, i < f->s.rows - 1 ? "abcdefghij" : "abcdefghi");
}

static void test_clearing(void **state)
{
	struct fixture *f = *state;

	fill(f);
	w(f, "\x1b[2;3H\x1b[K");
	assert_row(f, 1, "ab");
	w(f, "\x1b[1K");
	assert_row(f, 1, "");
	w(f, "\x1b[1;5H\x1b[2K");
	assert_row(f, 0, "");
	fill(f);
	w(f, "\x1b[3;4H\x1b[J");
	assert_row(f, 1, "abcdefghij");
	assert_row(f, 2, "abc");
	assert_row(f, 3, "");
	fill(f);
	w(f, "\x1b[2;2H\x1b[1J");
	assert_row(f, 0, "");
	assert_row(f, 1, "  cdefghij");
	w(f, "\x1b[3J");                /* scrollback only: the screen stays */
	assert_row(f, 1, "  cdefghij");
	w(f, "\x1b[2J");
	for (unsigned y = 0; y < 4; y++)
		assert_row(f, y, "");
	assert_cursor(f, 1, 1);         /* erasing does not move the cursor */
	/* erasing uses the current background */
	w(f, "\x1b[44m\x1b[K\x1b[0m");
	assert_int_equal(f->s.attr[1][5], 0x17);
}

static void test_insert_delete_chars(void **state)
{
	struct fixture *f = *state;

	fill(f);
	w(f, "\x1b[1;3H\x1b[2@");               /* ICH */
	assert_row(f, 0, "ab  cdefgh");
	w(f, "\x1b[3P");                        /* DCH */
	assert_row(f, 0, "abdefgh");
	w(f, "\x1b[99P");
	assert_row(f, 0, "ab");
	w(f, "\x1b[2;2H\x1b[3X");               /* ECH: no shift */
	assert_row(f, 1, "a   efghij");
	w(f, "\x1b[2;9H\x1b[99X");
	assert_row(f, 1, "a   efgh");
	w(f, "\x1b[3;8H\x1b[99@");
	assert_row(f, 2, "abcdefg");
	assert_cursor(f, 7, 2);
	/* insert mode (IRM) pushes the rest of the row right */
	w(f, "\x1b[4;1H\x1b[4hXY\x1b[4lZ");
	assert_row(f, 3, "XYZbcdefgh");
}

static void test_insert_delete_lines(void **state)
{
	struct fixture *f = *state;

	start(f, 10, 6);
	w(f, "1\r\n2\r\n3\r\n4\r\n5\r\n6");
	w(f, "\x1b[2;1H\x1b[L");                /* IL at row 2 */
	assert_row(f, 1, "");
	assert_row(f, 2, "2");
	assert_row(f, 5, "5");
	w(f, "\x1b[2M");                        /* DL two */
	assert_row(f, 1, "3");
	assert_row(f, 3, "5");
	assert_row(f, 4, "");
	assert_row(f, 5, "");
	/* inside a region only the region's rows move */
	start(f, 10, 6);
	w(f, "1\r\n2\r\n3\r\n4\r\n5\r\n6");
	w(f, "\x1b[2;4r\x1b[3;1H\x1b[L");
	assert_row(f, 2, "");
	assert_row(f, 3, "3");
	assert_row(f, 4, "5");                  /* below the region: untouched */
	w(f, "\x1b[2;1H\x1b[9M");
	assert_row(f, 0, "1");
	assert_row(f, 1, "");
	assert_row(f, 3, "");
	assert_row(f, 4, "5");
	/* outside the region IL does nothing */
	w(f, "\x1b[6;1H\x1b[L");
	assert_row(f, 5, "6");
}

/* ---------------------------------------------------------------- scroll regions */

static void test_scroll_region(void **state)
{
	struct fixture *f = *state;

	start(f, 10, 6);
	w(f, "1\r\n2\r\n3\r\n4\r\n5\r\n6");
	w(f, "\x1b[2;4r");
	assert_cursor(f, 0, 0);                 /* DECSTBM homes the cursor */
	w(f, "\x1b[4;1H\nX");                   /* LF at the bottom margin scrolls the region */
	assert_row(f, 0, "1");
	assert_row(f, 1, "3");
	assert_row(f, 2, "4");
	assert_row(f, 3, "X");
	assert_row(f, 4, "5");
	w(f, "\x1b[2;1H\x1bMY");                /* RI at the top margin scrolls it down */
	assert_row(f, 1, "Y");
	assert_row(f, 2, "3");
	assert_row(f, 3, "4");
	assert_row(f, 4, "5");
	w(f, "\x1b[4;1H\x1b" "DZ");             /* IND */
	assert_row(f, 3, "Z");
	assert_row(f, 1, "3");
	assert_row(f, 2, "4");
	w(f, "\x1b[S");                         /* SU: the region up one */
	assert_row(f, 1, "4");
	assert_row(f, 3, "");
	w(f, "\x1b[2T");                        /* SD */
	assert_row(f, 1, "");
	assert_row(f, 3, "4");
	assert_row(f, 5, "6");
	/* below the region a line feed does not scroll, and stops at the last row */
	w(f, "\x1b[6;1H\n\nW");
	assert_row(f, 5, "W");
	assert_row(f, 4, "5");
	/* CUU and CUD stop at the margins from inside */
	w(f, "\x1b[3;1H\x1b[9A");
	assert_cursor(f, 0, 1);
	w(f, "\x1b[9B");
	assert_cursor(f, 0, 3);
	/* a bad region is ignored; CSI r resets to the whole screen */
	w(f, "\x1b[4;2r\x1b[3;3r\x1b[5;99r");
	assert_cursor(f, 0, 0);
	assert_int_equal(f->t.top, 4);
	assert_int_equal(f->t.bottom, 6);
	w(f, "\x1b[r\x1b[6;1H\r\nV");
	assert_row(f, 5, "V");
	assert_row(f, 4, "W");
	/* ESC E: new line */
	w(f, "\x1b[1;5H\x1b" "EU");
	assert_row(f, 1, "U");
}

static void test_origin_mode(void **state)
{
	struct fixture *f = *state;

	start(f, 10, 6);
	w(f, "\x1b[3;5r\x1b[?6h");
	assert_cursor(f, 0, 2);
	w(f, "\x1b[1;1HA\x1b[9;1HB\x1b[6n");
	assert_int_equal(f->s.ch[2][0], 'A');
	assert_int_equal(f->s.ch[4][0], 'B');
	assert_string_equal(f->s.replies, "\x1b[3;2R");  /* rows counted from the margin */
	w(f, "\x1b[?6l");
	assert_cursor(f, 0, 0);
}

/* ---------------------------------------------------------------- modes */

static void test_alternate_screen(void **state)
{
	struct fixture *f = *state;

	w(f, "shell$ vi\r\n$ ");
	w(f, "\x1b[?1049h");
	assert_row(f, 0, "");
	assert_row(f, 1, "");
	w(f, "\x1b[HEDITOR\x1b[31m\x1b[4;1H~");
	assert_row(f, 0, "EDITOR");
	w(f, "\x1b[?1049l");
	assert_row(f, 0, "shell$ vi");
	assert_row(f, 1, "$");
	assert_row(f, 3, "");
	assert_cursor(f, 2, 1);
	w(f, "x");
	assert_int_equal(f->s.attr[1][2], 0x07);        /* the colours came back too */
	/* ?47 switches without clearing: the alternate screen is as it was left */
	w(f, "\x1b[?47h");
	assert_row(f, 0, "EDITOR");
	assert_row(f, 3, "~");
	w(f, "\x1b[?47l");
	assert_row(f, 0, "shell$ vi");
	/* ?1047 clears it on the way out */
	w(f, "\x1b[?1047h\x1b[?1047l\x1b[?47h");
	assert_row(f, 0, "");
	assert_row(f, 3, "");
	w(f, "\x1b[?47l");
	/* leaving twice or entering twice does no harm */
	w(f, "\x1b[?1049l\x1b[?1049h\x1b[?1049h\x1b[?1049l");
	assert_row(f, 0, "shell$ vi");
	/* ?1048 saves and restores the cursor alone */
	w(f, "\x1b[2;5H\x1b[?1048h\x1b[H\x1b[?1048lQ");
	assert_int_equal(f->s.ch[1][4], 'Q');
}

static void test_cursor_visibility_and_autowrap(void **state)
{
	struct fixture *f = *state;

	assert_true(f->s.visible);
	w(f, "\x1b[?25l");
	assert_false(f->s.visible);
	w(f, "\x1b[?25h");
	assert_true(f->s.visible);
	w(f, "\x1b[?7l0123456789ABC");
	assert_row(f, 0, "012345678C");
	assert_row(f, 1, "");
	w(f, "\x1b[?7h\rxxxxxxxxxxY");
	assert_row(f, 1, "Y");
	/* several modes in one sequence; unknown ones are ignored */
	w(f, "\x1b[?1000;25;2004l");
	assert_false(f->s.visible);
	assert_false(f->t.app_cursor_keys);
	w(f, "\x1b[?1h");
	assert_true(f->t.app_cursor_keys);
	/* a non-DEC private marker is not a DEC mode */
	w(f, "\x1b[>25h\x1b[>4h1\x1b[4;1H");
	assert_false(f->s.visible);
	assert_false(f->t.insert);
}

static void test_newline_mode(void **state)
{
	struct fixture *f = *state;

	w(f, "ab\x1b[20h\ncd\x1b[20l\nef");
	assert_row(f, 0, "ab");
	assert_row(f, 1, "cd");
	assert_row(f, 2, "  ef");
}

static void test_reports(void **state)
{
	struct fixture *f = *state;

	w(f, "\x1b[3;7H\x1b[6n");
	assert_string_equal(f->s.replies, "\x1b[3;7R");
	f->s.nreplies = 0;
	w(f, "\x1b[1;1H0123456789\x1b[6n");     /* a pending wrap reports the last column */
	assert_string_equal(f->s.replies, "\x1b[1;10R");
	f->s.nreplies = 0;
	w(f, "\x1b[5n\x1b[c\x1b[0c\x1b[>c\x1b[7n");
	assert_string_equal(f->s.replies, "\x1b[0n\x1b[?6c\x1b[?6c");
	/* what busybox vi asks to learn the size */
	start(f, 80, 25);
	w(f, "\x1b[999;999H\x1b[6n");
	assert_string_equal(f->s.replies, "\x1b[25;80R");
	/* nobody to answer: nothing happens */
	term_set_reply(&f->t, NULL, NULL);
	w(f, "\x1b[6n");
}

static void test_reset(void **state)
{
	struct fixture *f = *state;

	w(f, "abc\x1b[2;3r\x1b[?25l\x1b[?7l\x1b[31m\x1b[?1049h");
	w(f, "\x1b" "cX");
	assert_row(f, 0, "X");
	assert_int_equal(f->s.attr[0][0], 0x07);
	assert_true(f->s.visible);
	assert_int_equal(f->t.top, 0);
	assert_int_equal(f->t.bottom, 4);
	assert_int_equal(f->t.active, 0);
	assert_true(f->t.autowrap);
}

/* ---------------------------------------------------------------- malformed input */

static void test_malformed(void **state)
{
	struct fixture *f = *state;

	/* unknown final byte, too many parameters, huge numbers */
	w(f, "\x1b[5Za\x1b[?25hb\x1b[1;2;3;4;5;6;8;9;10;11;21;24;25;27;28;29;31mc\x1b[99999999999Cd");
	assert_row(f, 0, "abc      d");
	assert_int_equal(f->s.attr[0][2], 0x0f);   /* bold; the 31 beyond 16 parameters is dropped */
	/* a control byte aborts a sequence and is then obeyed */
	w(f, "\x1b[2\r\nx");
	assert_row(f, 1, "x");
	/* ESC inside a sequence restarts it; unknown ESC x is dropped */
	w(f, "\x1b[3\x1b[1;1Hy\x1bQz");
	assert_row(f, 0, "yzc      d");
	/* intermediate bytes (cursor style, soft reset) make a sequence we ignore */
	w(f, "\x1b[1 q!\x1b[!p\x1b[2 1H#");
	assert_int_equal(f->s.ch[0][2], '!');
	assert_int_equal(f->s.ch[0][3], '#');
	/* a private marker after a parameter: the whole sequence is skipped */
	w(f, "\x1b[1?5H$");
	assert_int_equal(f->s.ch[0][4], '$');
	/* CAN aborts a sequence without drawing */
	w(f, "\x1b[3\x18%");
	assert_int_equal(f->s.ch[0][5], '%');
	/* SL and SR (ECMA-48, with an intermediate): not ICH, not CUU */
	w(f, "\x1b[2;1H\x1b[2 @\x1b[1 A");
	assert_row(f, 0, "yz!#$%   d");
	assert_cursor(f, 0, 1);
}

static void test_strings_and_charsets(void **state)
{
	struct fixture *f = *state;

	/* a window title (OSC ... BEL or ST), DCS, charset designators, DECALN */
	w(f, "\x1b]0;my title\aA\x1b]2;t\x1b\\B\x1bP1$r\x1b\\C\x1b(B\x1b)0D\x1b#8E\x1b%GF");
	assert_row(f, 0, "ABCDEF");
	/* a string ends at CAN, and a control inside one is swallowed */
	w(f, "\x1b]0;a\nb\x18G");
	assert_row(f, 0, "ABCDEFG");
	assert_row(f, 1, "");
	/* keypad modes */
	w(f, "\x1b=\x1b>H");
	assert_row(f, 0, "ABCDEFGH");
}

static void test_split_and_truncated(void **state)
{
	struct fixture *f = *state;
	const char *seq = "\x1b[4;7HQ\x1b[?1049h\x1b]0;t\a\x1b[?1049lR";

	for (size_t i = 0; i < strlen(seq); i++)
		term_write(&f->t, seq + i, 1);
	assert_int_equal(f->s.ch[3][6], 'Q');
	assert_int_equal(f->s.ch[3][7], 'R');
	/* a write ending inside a sequence leaves nothing on screen */
	w(f, "\x1b[1;1");
	assert_row(f, 0, "");
	w(f, "HR");
	assert_int_equal(f->s.ch[0][0], 'R');
	w(f, "\x1b");
	w(f, "[");
	w(f, "32mS");
	assert_int_equal(f->s.ch[0][1], 'S');
	assert_int_equal(f->s.attr[0][1], 0x02);
}

/* ---------------------------------------------------------------- the kernel log */

static void test_log_writes(void **state)
{
	struct fixture *f = *state;

	/* each '\n' of the log starts a line, in the default colours */
	w(f, "\x1b[31mab");
	term_write_log(&f->t, "log\n", 4);
	assert_row(f, 0, "ablog");
	assert_int_equal(f->s.attr[0][2], 0x07);
	assert_cursor(f, 0, 1);
	w(f, "c");
	assert_int_equal(f->s.attr[1][0], 0x04);       /* the program's colour is back */
	/* a sequence the program left half written resumes after the log */
	w(f, "\x1b[3;");
	term_write_log(&f->t, "x\n", 2);
	w(f, "5HZ");
	assert_int_equal(f->s.ch[2][4], 'Z');
	assert_row(f, 1, "cx");
	/* the log's own sequences stay its own: its ESC 7 does not replace
	 * the program's saved cursor */
	w(f, "\x1b[4;2H\x1b" "7");
	term_write_log(&f->t, "\x1b[1;1H\x1b" "7\x1b[32mq\x1b" "8", strlen("\x1b[1;1H\x1b" "7\x1b[32mq\x1b" "8"));
	w(f, "\x1b" "8W");
	assert_int_equal(f->s.ch[3][1], 'W');
	assert_int_equal(f->s.attr[3][1], 0x04);
	assert_int_equal(f->s.ch[0][0], 'q');
	assert_int_equal(f->s.attr[0][0], 0x02);
}

/* At the bottom of the whole screen a kernel log line feed scrolls it
 * by a sixteenth of its rows at once (2 of 32), leaving the rows below
 * the cursor blank until the next lines fill them; a program's line feed
 * there, and the log's inside a scroll region, scroll by one. */
static struct term_cell jump_cells[TERM_CELLS(8, 32)];
static void n_put(void *c, unsigned x, unsigned y, unsigned char ch, uint8_t a) { (void)c; (void)x; (void)y; (void)ch; (void)a; }
static void n_clear(void *c, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t a)
{
	(void)c; (void)x0; (void)y0; (void)x1; (void)y1; (void)a;
}
static void n_move(void *c, unsigned d, unsigned s, unsigned n) { (void)c; (void)d; (void)s; (void)n; }
static void n_cursor(void *c, unsigned x, unsigned y, bool v) { (void)c; (void)x; (void)y; (void)v; }
static const struct term_ops null_ops = { n_put, n_clear, n_move, n_cursor };

static void test_log_jump_scroll(void **state)
{
	struct term t;
	char line[16];

	(void)state;
	term_init(&t, &null_ops, NULL, 8, 32, jump_cells);
	for (int i = 0; i < 32; i++) {
		snprintf(line, sizeof(line), "l%d\n", i);
		term_write_log(&t, line, strlen(line));
	}
	/* l31's line feed at the bottom row: 2 rows up, the cursor on row 30 */
	assert_int_equal(term_cell_at(&t, 0, 28).ch, 'l');
	assert_int_equal(term_cell_at(&t, 1, 28).ch, '3');
	assert_int_equal(term_cell_at(&t, 2, 28).ch, '0');
	assert_int_equal(term_cell_at(&t, 2, 29).ch, '1');   /* l31 */
	assert_int_equal(term_cell_at(&t, 0, 30).ch, ' ');
	assert_int_equal(term_cell_at(&t, 1, 0).ch, '2');    /* l0 and l1 went */
	assert_int_equal(t.y, 30);
	term_write_log(&t, "a\n", 2);
	assert_int_equal(t.y, 31);
	term_write_log(&t, "b\n", 2);                      /* on the bottom row again */
	assert_int_equal(t.y, 30);
	assert_int_equal(term_cell_at(&t, 0, 28).ch, 'a');
	assert_int_equal(term_cell_at(&t, 0, 29).ch, 'b');
	/* a program's line feed at the bottom scrolls one row */
	term_write(&t, "\n\n", 2);
	assert_int_equal(t.y, 31);
	term_write(&t, "p\n", 2);
	assert_int_equal(t.y, 31);
	assert_int_equal(term_cell_at(&t, 0, 30).ch, 'p');
	assert_int_equal(term_cell_at(&t, 0, 27).ch, 'b');
	/* inside a scroll region the log scrolls one row too */
	term_write(&t, "\x1b[1;10r\x1b[10;1H", strlen("\x1b[1;10r\x1b[10;1H"));
	term_write_log(&t, "r\n", 2);
	assert_int_equal(t.y, 9);
	assert_int_equal(term_cell_at(&t, 0, 8).ch, 'r');
}

/* ---------------------------------------------------------------- captured programs
 *
 * Output of Debian's busybox 1.35.0 (the one the system runs) under a
 * pseudo-terminal of the stated size with TERM=linux, recorded between
 * keystrokes. */

static void test_busybox_vi(void **state)
{
	struct fixture *f = *state;

	start(f, 20, 6);
	w(f, "$ vi f.txt\r\n");
	/* "busybox vi f.txt" on alpha/beta/gamma, 6x20 */
	w(f, "\x1b[?1049h\x1b[H\x1b[J\x1b[1;1Halpha\x1b[2;1Hbeta\x1b[3;1Hgamma\x1b[4;1H~\x1b[5;1H~"
	     "\x1b[1;1H\x1b[6;1H\x1b[K- f.txt 1/3 33%\x1b[1;1H");
	assert_row(f, 0, "alpha");
	assert_row(f, 3, "~");
	assert_row(f, 5, "- f.txt 1/3 33%");
	assert_cursor(f, 0, 0);
	/* "j", "x" */
	w(f, "\x1b[2;1H\x1b[6;1H\x1b[K- f.txt 2/3 66%\x1b[2;1H");
	w(f, "\x1b[2;1Heta \x1b[2;1H\x1b[6;1H\x1b[K- f.txt [Modified] 2\x1b[2;1H");
	assert_row(f, 1, "eta");
	assert_row(f, 5, "- f.txt [Modified] 2");
	assert_cursor(f, 0, 1);
	/* ":q!" and return */
	w(f, "\x1b[6;1H\x1b[K:q!");
	assert_row(f, 5, ":q!");
	w(f, "\x1b[2;1H\x1b[2;1H\x1b[6;1H\x1b[K- f.txt [Modified] 2\x1b[2;1H\x1b[6;1H\x1b[K\x1b[?1049l");
	assert_row(f, 0, "$ vi f.txt");
	for (unsigned y = 1; y < 6; y++)
		assert_row(f, y, "");
	assert_cursor(f, 0, 1);
}

static void test_busybox_vi_scrolling_edit(void **state)
{
	struct fixture *f = *state;

	start(f, 20, 6);
	/* "busybox vi long.txt" (line 1 .. line 30), then "G" */
	w(f, "\x1b[?1049h\x1b[H\x1b[J\x1b[1;1Hline 1\x1b[2;1Hline 2\x1b[3;1Hline 3\x1b[4;1Hline 4"
	     "\x1b[5;1Hline 5\x1b[1;1H\x1b[6;1H\x1b[K- long.txt 1/30 3%\x1b[1;1H");
	w(f, "\x1b[1;6H28\x1b[2;7H9\x1b[3;7H0\x1b[4;1H~     \x1b[5;1H~     \x1b[3;1H\x1b[6;1H\x1b[K"
	     "- long.txt 30/30 100\x1b[3;1H");
	assert_row(f, 0, "line 28");
	assert_row(f, 1, "line 29");
	assert_row(f, 2, "line 30");
	assert_row(f, 3, "~");
	assert_row(f, 5, "- long.txt 30/30 100");
	/* "k", "gg", "dd" */
	w(f, "\x1b[2;1H\x1b[6;1H\x1b[K- long.txt 29/30 96%\x1b[2;1H");
	w(f, "\x1b[1;6H1 \x1b[2;7H \x1b[3;7H \x1b[4;1Hline 4\x1b[5;1Hline 5\x1b[1;1H\x1b[6;1H\x1b[K"
	     "- long.txt 1/30 3%\x1b[1;1H");
	assert_row(f, 0, "line 1");
	assert_row(f, 2, "line 3");
	w(f, "\x1b[1;6H2\x1b[2;6H3\x1b[3;6H4\x1b[4;6H5\x1b[5;6H6\x1b[1;1H\x1b[6;1H\x1b[K"
	     "Delete 1 lines (7 chars) from [D]\x1b[7m[Hit return to continue]\x1b[m");
	/* the message is longer than a row: it wrapped and scrolled twice */
	assert_int_equal(f->s.moves, 2);
	assert_row(f, 0, "line 4");
	assert_row(f, 2, "line 6");
	assert_row(f, 3, "Delete 1 lines (7 ch");
	assert_row(f, 4, "ars) from [D][Hit re");
	assert_row(f, 5, "turn to continue]");
	assert_int_equal(f->s.attr[4][12], 0x07);
	assert_int_equal(f->s.attr[4][13], 0x70);
	assert_int_equal(f->s.attr[5][0], 0x70);
	w(f, "\x1b[H\x1b[J\x1b[1;1Hline 2              \x1b[2;1Hline 3              \x1b[3;1Hline 4"
	     "              \x1b[4;1Hline 5              \x1b[5;1Hline 6              \x1b[1;1H"
	     "\x1b[6;1H\x1b[K- long.txt [Modified\x1b[1;1H\x1b[1;1H");
	assert_row(f, 0, "line 2");
	assert_row(f, 4, "line 6");
	assert_row(f, 5, "- long.txt [Modified");
	assert_int_equal(f->s.attr[5][0], 0x07);
}

static void test_busybox_less(void **state)
{
	struct fixture *f = *state;

	start(f, 20, 6);
	/* "busybox less long.txt", then space */
	w(f, "\x1b[0;0H\x1b[Kline 1\r\n\x1b[Kline 2\r\n\x1b[Kline 3\r\n\x1b[Kline 4\r\n\x1b[Kline 5\r\n"
	     "\x1b[6;0H\x1b[K\x1b[7mlong.txt\x1b[m");
	assert_row(f, 0, "line 1");
	assert_row(f, 4, "line 5");
	assert_row(f, 5, "long.txt");
	assert_int_equal(f->s.attr[5][0], 0x70);
	assert_int_equal(f->s.moves, 0);        /* nothing scrolled */
	w(f, "\x1b[0;0H\x1b[Kline 6\r\n\x1b[Kline 7\r\n\x1b[Kline 8\r\n\x1b[Kline 9\r\n\x1b[Kline 10\r\n"
	     "\x1b[6;0H\x1b[K:");
	assert_row(f, 0, "line 6");
	assert_row(f, 4, "line 10");
	assert_row(f, 5, ":");
	assert_int_equal(f->s.attr[5][0], 0x07);
	/* "G": the end, with its marker */
	w(f, "\x1b[0;0H\x1b[Kline 28\r\n\x1b[Kline 29\r\n\x1b[Kline 30\r\n\x1b[K\r\n\x1b[K~\r\n"
	     "\x1b[6;0H\x1b[K\x1b[7m(END)\x1b[m");
	assert_row(f, 2, "line 30");
	assert_row(f, 3, "");
	assert_row(f, 4, "~");
	assert_row(f, 5, "(END)");
	/* "q" */
	w(f, "\x1b[6;0H\x1b[K");
	assert_row(f, 5, "");
	assert_cursor(f, 0, 5);
}

static void test_busybox_top(void **state)
{
	struct fixture *f = *state;

	start(f, 40, 8);
	w(f, "old text\r\n");
	/* "busybox top -n 1", 8x40 */
	w(f, "\x1b[H\x1b[JMem: 2294872K used, 22388676K free, 935\r\n"
	     "CPU:  28% usr  52% sys   0% nic  19% id\r\n"
	     "Load average: 4.17 3.83 5.67 2/110 3572\r\n"
	     "\x1b[7m  PID  PPID USER     STAT   VSZ %VSZ %CP\x1b[m\r\n"
	     " 1539  1538 root     S     5004   0%   5\r\n"
	     " 1538     1 root     S     1392   0%   5\r\n"
	     "    1     0 root     S<   48712   0%   0\r\n"
	     " 3280  3272 root     S    17984   0%   0\r\r\n");
	/* the last line's line feed scrolled the screen by one */
	assert_row(f, 0, "CPU:  28% usr  52% sys   0% nic  19% id");
	assert_row(f, 2, "  PID  PPID USER     STAT   VSZ %VSZ %CP");
	assert_int_equal(f->s.attr[2][0], 0x70);
	assert_int_equal(f->s.attr[2][39], 0x70);
	assert_int_equal(f->s.attr[3][0], 0x07);
	assert_row(f, 6, " 3280  3272 root     S    17984   0%   0");
	assert_row(f, 7, "");
}

static void test_busybox_ash_editing(void **state)
{
	struct fixture *f = *state;

	start(f, 30, 6);
	/* "busybox sh -i" with PS1='$ ': "echo hello", return, up arrow,
	 * three backspaces, two left arrows, "X", return */
	w(f, "$ \x1b[6n");
	assert_string_equal(f->s.replies, "\x1b[1;3R");
	w(f, "echo hello\r\nhello\r\n$ \x1b[6n");
	assert_string_equal(f->s.replies, "\x1b[1;3R\x1b[3;3R");
	w(f, "\r$ echo hello\x1b[J");
	assert_row(f, 2, "$ echo hello");
	w(f, "\x08\x1b[J\x08\x1b[J\x08\x1b[J");
	assert_row(f, 2, "$ echo he");
	w(f, "\x08\x08Xhe\x08\x08");
	assert_row(f, 2, "$ echo Xhe");
	assert_cursor(f, 8, 2);
	w(f, "he\r\nXhe\r\n$ ");
	assert_row(f, 3, "Xhe");
	assert_row(f, 4, "$");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_and_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_is_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scroll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_controls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_colours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_256_and_rgb_colours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_movement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_and_line_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_restore_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clearing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_delete_chars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_delete_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scroll_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_origin_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alternate_screen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_visibility_and_autowrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newline_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_and_charsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_and_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_writes, setup, teardown),
		cmocka_unit_test(test_log_jump_scroll),
		cmocka_unit_test_setup_teardown(test_busybox_vi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busybox_vi_scrolling_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busybox_less, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busybox_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busybox_ash_editing, setup, teardown),
	};
	return cmocka_run_group_tests_name("term", tests, NULL, NULL);
}
