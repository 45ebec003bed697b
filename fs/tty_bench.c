/* Benchmark: a key press to its echo on the screen. Each key's scancodes
 * go through the keyboard interrupt's own work (kbd_byte, with interrupts
 * off as in the handler: decoding, the input queue, waking tty1's input
 * thread); the time runs from there until that thread has put the echo's
 * glyph on the screen. The median of many presses is reported. */
#include <drivers/kbd.h>
#include <fs/tty.h>
#include <fs/tty_drivers.h>
#include <hal/cpu.h>
#include <kernel/kbench.h>
#include <kernel/log.h>
#include <kernel/time.h>

#define KEYS 200
#define KEY_A 0x1e                      /* set 1 make code */

static long discard(void *ctx, char *dst, size_t n)
{
	const char **s = ctx;

	for (size_t i = 0; i < n; i++)
		dst[i] = (*s)[i];
	*s += n;
	return (long)n;
}

static void show(struct tty_handle *h, const char *s, size_t n)
{
	struct tty_copy c = { NULL, discard, &s };

	(void)tty_write(h, &c, n, false);
}

KBENCH(tty_key_echo)
{
	static uint64_t lat[KEYS];
	struct tty *con = tty_console();
	struct tty_handle h;
	unsigned n = 0;

	if (!con || kbd_scancode_set() != 1) {
		log_info("kbench: tty_key_echo: no screen terminal with a set-1 keyboard");
		return;
	}
	(void)tty_open(con, true, false, &h);
	(void)tty_ioctl(&h, TCFLSH, TCIFLUSH, NULL);
	show(&h, "\r\n", 2);
	for (unsigned i = 0; i < KEYS; i++) {
		uint64_t seen, t0, flags;

		if (i % 64 == 63) {             /* a fresh line now and then */
			(void)tty_ioctl(&h, TCFLSH, TCIFLUSH, NULL);
			show(&h, "\r\n", 2);
		}
		seen = con->events;
		t0 = time_ns();
		flags = cpu_irq_save();
		kbd_byte(KEY_A);
		kbd_byte(KEY_A | 0x80);
		cpu_irq_restore(flags);
		if (waitq_wait_event(&con->read_wq, con->events != seen, time_ns() + 1000000000ULL) != 0 ||
		    con->echo_done_ns < t0)
			continue;
		lat[n++] = con->echo_done_ns - t0;
	}
	(void)tty_ioctl(&h, TCFLSH, TCIFLUSH, NULL);
	show(&h, "\r\n", 2);
	tty_close(&h);
	if (n == 0) {
		log_warn("kbench: tty_key_echo: no echo came");
		return;
	}
	for (unsigned i = 1; i < n; i++)        /* insertion sort for the median */
		for (unsigned j = i; j > 0 && lat[j - 1] > lat[j]; j--) {
			uint64_t tmp = lat[j];

			lat[j] = lat[j - 1];
			lat[j - 1] = tmp;
		}
	kbench_report("tty_key_echo", lat[n / 2] / 10, 2, "us");
	kbench_report("tty_key_echo_max", lat[n - 1] / 10, 2, "us");
}
