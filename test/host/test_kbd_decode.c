/* Host tests for drivers/kbd_decode.c: set 1 and set 2 scancodes, extended
 * keys, pause and print screen sequences, modifiers, lock keys and LEDs,
 * Ctrl+Alt+Del, and bytes that are not keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/kbd_decode.h>

#define MAX_EV 32

struct run {
	struct kbd_event ev[MAX_EV];
	int n;
};

/* Feeds the bytes and collects every event. */
static void feed(struct kbd_decoder *d, struct run *r, const uint8_t *bytes, size_t len)
{
	r->n = 0;
	for (size_t i = 0; i < len; i++) {
		struct kbd_event ev;

		if (kbd_decode_byte(d, bytes[i], &ev)) {
			assert_true(r->n < MAX_EV);
			r->ev[r->n++] = ev;
		}
	}
}

#define FEED(d, r, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; feed(d, r, b_, sizeof(b_)); } while (0)

/* All text produced by presses in the run. */
static const char *typed(const struct run *r)
{
	static char buf[128];
	size_t n = 0;

	for (int i = 0; i < r->n; i++)
		for (int j = 0; j < r->ev[i].len && n < sizeof(buf) - 1; j++)
			buf[n++] = r->ev[i].text[j];
	buf[n] = 0;
	return buf;
}

static void test_set1_letters_and_shift(void **state)
{
	struct kbd_decoder d;
	struct run r;

	(void)state;
	kbd_decode_init(&d, 1);
	FEED(&d, &r, 0x1e, 0x9e);                    /* a */
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_A);
	assert_true(r.ev[0].down);
	assert_false(r.ev[1].down);
	assert_string_equal(typed(&r), "a");
	FEED(&d, &r, 0x2a, 0x30, 0xb0, 0xaa, 0x30, 0xb0);   /* shift-b, b */
	assert_string_equal(typed(&r), "Bb");
	assert_int_equal(r.ev[1].mods, KBD_MOD_LSHIFT);
	assert_int_equal(r.ev[4].mods, 0);
	FEED(&d, &r, 0x36, 0x02, 0x82, 0x0d, 0x8d, 0x28, 0xa8, 0xb6);  /* shifted symbols */
	assert_string_equal(typed(&r), "!+\"");
	FEED(&d, &r, 0x1c, 0x9c, 0x0e, 0x8e, 0x0f, 0x8f, 0x39, 0xb9, 0x01, 0x81);
	assert_string_equal(typed(&r), "\n\b\t \033");
}

static void test_set1_extended(void **state)
{
	struct kbd_decoder d;
	struct run r;

	(void)state;
	kbd_decode_init(&d, 1);
	FEED(&d, &r, 0xe0, 0x48, 0xe0, 0xc8);        /* up */
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_UP);
	assert_false(r.ev[1].down);
	assert_string_equal(typed(&r), "\033[A");
	FEED(&d, &r, 0xe0, 0x47, 0xe0, 0x4f, 0xe0, 0x49, 0xe0, 0x51, 0xe0, 0x52, 0xe0, 0x53);
	assert_string_equal(typed(&r), "\033[H\033[F\033[5~\033[6~\033[2~\033[3~");
	FEED(&d, &r, 0xe0, 0x1d, 0x2e, 0xae, 0xe0, 0x9d);   /* right ctrl + c */
	assert_int_equal(r.ev[0].key, KEY_RCTRL);
	assert_string_equal(typed(&r), "\x03");
	FEED(&d, &r, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);  /* print screen */
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_PRINTSCREEN);
	assert_int_equal(d.mods, 0);                 /* the fake shift did nothing */
	FEED(&d, &r, 0xe0, 0x1c, 0xe0, 0x35);        /* keypad enter and slash */
	assert_string_equal(typed(&r), "\n/");
}

static void test_pause_sequences(void **state)
{
	struct kbd_decoder d;
	struct run r;

	(void)state;
	kbd_decode_init(&d, 1);
	FEED(&d, &r, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_PAUSE);
	assert_true(r.ev[0].down);
	assert_int_equal(r.ev[1].key, KEY_A);        /* ctrl (1d inside) was not taken */
	assert_int_equal(r.ev[1].mods, 0);
	/* twice in a row is a press each time, not a repeat */
	FEED(&d, &r, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	assert_false(r.ev[0].repeat);
	/* a broken sequence resynchronises */
	FEED(&d, &r, 0xe1, 0x30, 0x1e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].key, KEY_A);
	kbd_decode_init(&d, 2);
	FEED(&d, &r, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77, 0x1c);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_PAUSE);
	assert_int_equal(r.ev[1].key, KEY_A);
	assert_int_equal(d.mods & KBD_MOD_NUM, 0);
}

static void test_set2(void **state)
{
	struct kbd_decoder d;
	struct run r;

	(void)state;
	kbd_decode_init(&d, 2);
	FEED(&d, &r, 0x1c, 0xf0, 0x1c);              /* a */
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_A);
	assert_false(r.ev[1].down);
	FEED(&d, &r, 0x12, 0x32, 0xf0, 0x32, 0xf0, 0x12, 0x16, 0xf0, 0x16);  /* shift-b, 1 */
	assert_string_equal(typed(&r), "B1");
	FEED(&d, &r, 0xe0, 0x75, 0xe0, 0xf0, 0x75, 0xe0, 0x6b, 0xe0, 0xf0, 0x6b);
	assert_int_equal(r.ev[0].key, KEY_UP);
	assert_int_equal(r.ev[2].key, KEY_LEFT);
	assert_string_equal(typed(&r), "\033[A\033[D");
	FEED(&d, &r, 0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].key, KEY_PRINTSCREEN);
	FEED(&d, &r, 0xaa, 0xfa, 0x05, 0x83, 0x07);  /* BAT ok and ACK skipped; F1 F7 F12 */
	assert_int_equal(r.n, 3);
	assert_string_equal(typed(&r), "\033OP\033[18~\033[24~");
	FEED(&d, &r, 0x14, 0x21, 0xf0, 0x21, 0xf0, 0x14);  /* ctrl-c */
	assert_string_equal(typed(&r), "\x03");
}

static void test_locks_and_leds(void **state)
{
	struct kbd_decoder d;
	struct run r;

	(void)state;
	kbd_decode_init(&d, 1);
	FEED(&d, &r, 0x3a, 0x3a, 0x3a, 0xba);        /* caps held: repeats do not toggle */
	assert_true(r.ev[0].leds_changed);
	assert_true(r.ev[1].repeat);
	assert_false(r.ev[1].leds_changed);
	assert_int_equal(kbd_leds(&d), 4);
	FEED(&d, &r, 0x1e, 0x9e, 0x2a, 0x1e, 0x9e, 0xaa, 0x02, 0x82);
	assert_string_equal(typed(&r), "Aa1");       /* shift inverts caps; digits unchanged */
	FEED(&d, &r, 0x45, 0xc5, 0x47, 0xc7, 0x4c, 0xcc, 0x53, 0xd3);
	assert_int_equal(kbd_leds(&d), 6);
	assert_string_equal(typed(&r), "75.");
	FEED(&d, &r, 0x45, 0xc5, 0x47, 0xc7, 0x48, 0xc8, 0x4c, 0xcc, 0x4e, 0xce);
	assert_string_equal(typed(&r), "\033[H\033[A+");   /* num lock off: navigation */
	FEED(&d, &r, 0x46, 0xc6, 0x3a, 0xba);
	assert_int_equal(kbd_leds(&d), 1);
	assert_int_equal(d.mods, KBD_MOD_SCROLL);
}

static void test_ctrl_alt_del(void **state)
{
	struct kbd_decoder d;
	struct run r;

	(void)state;
	kbd_decode_init(&d, 1);
	FEED(&d, &r, 0x1d, 0x38, 0xe0, 0x53);
	assert_int_equal(r.n, 3);
	assert_true(r.ev[2].reset_request);
	FEED(&d, &r, 0xe0, 0xd3, 0xb8, 0xe0, 0x53);  /* without alt: just delete */
	assert_false(r.ev[2].reset_request);
	FEED(&d, &r, 0xe0, 0xd3, 0x9d, 0x38, 0x1e);  /* alt-a: ESC a */
	assert_string_equal(typed(&r), "\033a");
	assert_false(r.ev[0].reset_request);
}

static void test_names(void **state)
{
	char buf[8];

	(void)state;
	assert_string_equal(kbd_key_name(KEY_A, buf), "a");
	assert_string_equal(kbd_key_name(KEY_UP, buf), "up");
	assert_string_equal(kbd_key_name(KEY_F1 + 4, buf), "f5");
	assert_string_equal(kbd_key_name(KEY_F10, buf), "f10");
	assert_string_equal(kbd_key_name(0x70, buf), "k70");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set1_letters_and_shift),
		cmocka_unit_test(test_set1_extended),
		cmocka_unit_test(test_pause_sequences),
		cmocka_unit_test(test_set2),
		cmocka_unit_test(test_locks_and_leds),
		cmocka_unit_test(test_ctrl_alt_del),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("kbd_decode", tests, NULL, NULL);
}
