/* Host tests for drivers/term.c, the console's terminal emulation: text,
 * wrap and scroll, control characters, colours, cursor movement, clearing,
 * and malformed, truncated and split escape sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/term.h>

#define COLS 10
#define ROWS 4

/* A fake screen that records what the terminal drew. */
struct screen {
	char ch[ROWS][COLS];
	uint8_t attr[ROWS][COLS];
	unsigned scrolls, cx, cy;
	int bad_calls;          /* operations outside the screen */
};

static void s_put(void *ctx, unsigned x, unsigned y, unsigned char c, uint8_t a)
{
	struct screen *s = ctx;

	if (x >= COLS || y >= ROWS) {
		s->bad_calls++;
		return;
	}
	s->ch[y][x] = (char)c;
	s->attr[y][x] = a;
}

static void s_clear(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t a)
{
	struct screen *s = ctx;

	if (x1 > COLS || y1 > ROWS || x0 >= x1 || y0 >= y1) {
		s->bad_calls++;
		return;
	}
	for (unsigned y = y0; y < y1; y++)
		for (unsigned x = x0; x < x1; x++) {
			s->ch[y][x] = ' ';
			s->attr[y][x] = a;
		}
}

static void s_scroll(void *ctx, uint8_t a)
{
	struct screen *s = ctx;

	memmove(s->ch[0], s->ch[1], sizeof(s->ch[0]) * (ROWS - 1));
	memmove(s->attr[0], s->attr[1], sizeof(s->attr[0]) * (ROWS - 1));
	memset(s->ch[ROWS - 1], ' ', COLS);
	memset(s->attr[ROWS - 1], a, COLS);
	s->scrolls++;
}

static void s_cursor(void *ctx, unsigned x, unsigned y)
{
	struct screen *s = ctx;

	if (x >= COLS || y >= ROWS)
		s->bad_calls++;
	s->cx = x;
	s->cy = y;
}

static const struct term_ops ops = { s_put, s_clear, s_scroll, s_cursor };

struct fixture {
	struct screen s;
	struct term t;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	term_init(&f->t, &ops, &f->s, COLS, ROWS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->s.bad_calls, 0);
	free(f);
	return 0;
}

static void w(struct fixture *f, const char *text)
{
	term_write(&f->t, text, strlen(text));
}

static void assert_row(struct fixture *f, unsigned y, const char *want)
{
	char got[COLS + 1];

	memcpy(got, f->s.ch[y], COLS);
	got[COLS] = 0;
	assert_string_equal(got, want);
}

static void test_text_and_newline(void **state)
{
	struct fixture *f = *state;

	w(f, "hi\nyou");
	assert_row(f, 0, "hi        ");
	assert_row(f, 1, "you       ");
	assert_int_equal(f->s.cx, 3);
	assert_int_equal(f->s.cy, 1);
	assert_int_equal(f->s.attr[0][0], TERM_ATTR_DEFAULT);
}

static void test_wrap_is_deferred(void **state)
{
	struct fixture *f = *state;

	/* exactly one full row then a newline must not leave an empty row */
	w(f, "0123456789\nx");
	assert_row(f, 0, "0123456789");
	assert_row(f, 1, "x         ");
	w(f, "abcdefghijKL");
	assert_row(f, 1, "xabcdefghi");
	assert_row(f, 2, "jKL       ");
	assert_int_equal(f->s.scrolls, 0);
}

static void test_scroll(void **state)
{
	struct fixture *f = *state;

	w(f, "a\nb\nc\nd\ne");
	assert_int_equal(f->s.scrolls, 1);
	assert_row(f, 0, "b         ");
	assert_row(f, 3, "e         ");
	assert_int_equal(f->s.cy, 3);
}

static void test_controls(void **state)
{
	struct fixture *f = *state;

	w(f, "abc\bX");
	assert_row(f, 0, "abX       ");
	w(f, "\rZ\tT");
	assert_row(f, 0, "ZbX     T ");
	w(f, "\t\tQ");          /* tabs stop at the last column */
	assert_row(f, 0, "ZbX     TQ");
	w(f, "\b\b\b\b\b\b\b\b\b\b\b\bY");  /* backspace stops at column 0 */
	assert_row(f, 0, "YbX     TQ");
	w(f, "\a\x01\x7f");     /* no visible effect */
	assert_row(f, 0, "YbX     TQ");
}

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
	w(f, "\x1b[32m\x1b[mg\x1b[38;5;200mh");        /* ESC[m resets; 256-colour ignored */
	assert_int_equal(f->s.attr[0][6], 0x07);
	assert_row(f, 0, "abcdefgh  ");
}

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
	assert_int_equal(f->s.cx, 3);
}

static void fill(struct fixture *f)
{
	w(f, "\x1b[H");
	for (int i = 0; i < ROWS; i++)
		w(f, i < ROWS - 1 ? "abcdefghij" : "abcdefghi");
}

static void test_clearing(void **state)
{
	struct fixture *f = *state;

	fill(f);
	w(f, "\x1b[2;3H\x1b[K");
	assert_row(f, 1, "ab        ");
	w(f, "\x1b[1K");
	assert_row(f, 1, "          ");
	w(f, "\x1b[1;5H\x1b[2K");
	assert_row(f, 0, "          ");
	fill(f);
	w(f, "\x1b[3;4H\x1b[J");
	assert_row(f, 1, "abcdefghij");
	assert_row(f, 2, "abc       ");
	assert_row(f, 3, "          ");
	fill(f);
	w(f, "\x1b[2;2H\x1b[1J");
	assert_row(f, 0, "          ");
	assert_row(f, 1, "  cdefghij");
	w(f, "\x1b[2J");
	for (int y = 0; y < ROWS; y++)
		assert_row(f, y, "          ");
	assert_int_equal(f->s.cy, 1);   /* erasing does not move the cursor */
}

static void test_malformed(void **state)
{
	struct fixture *f = *state;

	/* unknown final byte, private mode, too many parameters, huge numbers */
	w(f, "\x1b[5Za\x1b[?25lb\x1b[1;2;3;4;5;6;8;9;10;11;31mc\x1b[99999999999Cd");
	assert_row(f, 0, "abc      d");
	assert_int_equal(f->s.attr[0][2], 0x0f);   /* bold; the 31 beyond 8 parameters is dropped */
	/* a control byte aborts a sequence and is then obeyed */
	w(f, "\x1b[2\nx");
	assert_row(f, 1, "x         ");
	/* ESC inside a sequence restarts it; unknown ESC x is dropped */
	w(f, "\x1b[3\x1b[1;1Hy\x1bQz");
	assert_row(f, 0, "yzc      d");
	/* intermediate bytes are skipped until a final byte arrives */
	w(f, "\x1b[1 q!");
	assert_int_equal(f->s.ch[0][2], '!');
}

static void test_split_and_truncated(void **state)
{
	struct fixture *f = *state;
	const char *seq = "\x1b[4;7HQ";

	for (size_t i = 0; i < strlen(seq); i++)
		term_write(&f->t, seq + i, 1);
	assert_int_equal(f->s.ch[3][6], 'Q');
	/* a write ending inside a sequence leaves nothing on screen */
	w(f, "\x1b[1;1");
	assert_row(f, 0, "          ");
	w(f, "HR");
	assert_int_equal(f->s.ch[0][0], 'R');
	w(f, "\x1b");
	w(f, "[");
	w(f, "32mS");
	assert_int_equal(f->s.ch[0][1], 'S');
	assert_int_equal(f->s.attr[0][1], 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_and_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_is_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scroll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_controls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_colours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_movement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clearing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_and_truncated, setup, teardown),
	};
	return cmocka_run_group_tests_name("term", tests, NULL, NULL);
}
