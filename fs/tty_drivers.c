/* The two terminals: tty1, the screen console with the PS/2 keyboard (its
 * key events become the bytes a terminal sends, its answers to cursor
 * reports come back as input), and ttyS0, the serial line (input by
 * interrupt, output as it is). */
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/input.h>
#include <drivers/serial.h>
#include <fs/tty_drivers.h>
#include <kernel/console_setup.h>
#include <kernel/log.h>

static struct tty tty1, ttyS0;
static bool have_tty1, have_ttyS0;
static volatile bool keyboard_on;       /* tty1 takes the input events */

/* ---------------------------------------------------------------- tty1 */

static void screen_write(struct tty *t, const char *s, size_t n)
{
	(void)t;
	(void)console_screen_write(s, n);
}

/* The next key press's bytes. With application cursor keys (DECCKM) the
 * arrows, Home and End send ESC O x instead of ESC [ x, as a VT100's. */
static size_t keyboard_pull(struct tty *t, char *buf, size_t max)
{
	struct input_event ev;

	(void)t;
	while (keyboard_on && input_read(&ev)) {
		size_t n = ev.len;

		if (ev.type != INPUT_KEY || !ev.down || n == 0 || n > max || n > sizeof(ev.text))
			continue;
		for (size_t i = 0; i < n; i++)
			buf[i] = ev.text[i];
		if (n == 3 && buf[0] == '\033' && buf[1] == '[' && console_screen_app_cursor_keys() &&
		    (buf[2] == 'A' || buf[2] == 'B' || buf[2] == 'C' || buf[2] == 'D' || buf[2] == 'H' ||
		     buf[2] == 'F'))
			buf[1] = 'O';
		return n;
	}
	return 0;
}

/* The screen's answer to a question a program wrote (interrupts off,
 * inside console_screen_write): it arrives as typed input. */
static void screen_reply(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	tty_input(&tty1, s, n);
}

/* Interrupt context, after each queued input event. */
static void keys_ready(void)
{
	tty_input_wake(&tty1);
}

static const struct tty_driver tty1_driver = { "tty1", screen_write, keyboard_pull };

static void tty1_init(void)
{
	unsigned cols, rows;
	int err;

	if (!console_screen_size(&cols, &rows)) {
		log_info("tty: no screen: no tty1");
		return;
	}
	if ((err = tty_create(&tty1, &tty1_driver, NULL, (uint16_t)rows, (uint16_t)cols)) != 0) {
		log_err("tty: cannot create tty1 (%d)", err);
		return;
	}
	have_tty1 = true;
	console_screen_set_reply(screen_reply, NULL);
	if (input_echo_mode()) {
		log_info("tty: tty1 without the keyboard (input=echo has it)");
		return;
	}
	tty_console_keyboard(true);
	log_info("tty: tty1 on the %ux%u screen with the keyboard", cols, rows);
}

/* ---------------------------------------------------------------- ttyS0 */

static void line_write(struct tty *t, const char *s, size_t n)
{
	(void)t;
	serial_write_raw(s, n);
}

static void line_input(void *ctx, const char *s, size_t n)
{
	tty_input(ctx, s, n);
}

static const struct tty_driver ttyS0_driver = { "ttyS0", line_write, NULL };

static void ttyS0_init(void)
{
	int err;

	/* the size is unknown, as Linux says for a serial line: 0 x 0 */
	if ((err = tty_create(&ttyS0, &ttyS0_driver, NULL, 0, 0)) != 0) {
		log_err("tty: cannot create ttyS0 (%d)", err);
		return;
	}
	have_ttyS0 = true;
	err = serial_input_start(line_input, &ttyS0);
	if (err == -ENODEV)
		log_info("tty: no serial port: ttyS0 has no input");
	else if (err)
		log_err("tty: no serial input interrupt (%d)", err);
	else
		log_info("tty: ttyS0 on COM1, input on IRQ 4");
}

void tty_console_keyboard(bool on)
{
	if (!have_tty1)
		return;
	keyboard_on = on;
	input_set_notify(on ? keys_ready : NULL);
	if (on)
		tty_input_wake(&tty1);  /* keys pressed before */
}

void tty_init(void)
{
	tty1_init();
	ttyS0_init();
}

struct tty *tty_console(void)
{
	return have_tty1 ? &tty1 : NULL;
}

struct tty *tty_serial(void)
{
	return have_ttyS0 ? &ttyS0 : NULL;
}
