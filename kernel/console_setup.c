/* Kernel side of consoles and input: reads console= and input=, hands the
 * boot framebuffer to fbcon, and runs the input echo test mode.
 *
 * Under OVMF with -vga std the machine has both a GOP framebuffer and a
 * legacy VGA, but they are one adapter: programming text mode switches the
 * linear framebuffer off. The default is the framebuffer (what the firmware
 * left on screen, any resolution, room for the mouse pointer); VGA text is
 * the default only when there is no framebuffer. console=vga,fb gets VGA. */
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/fbcon.h>
#include <drivers/input.h>
#include <drivers/kbd_decode.h>
#include <drivers/ps2.h>
#include <drivers/vga_text.h>
#include <hal/cpu.h>
#include <kernel/boot.h>
#include <kernel/console_setup.h>
#include <kernel/log.h>
#include <kernel/sched/thread.h>
#include <lib/string.h>

static bool start_fb(void)
{
	const struct boot_framebuffer *d = &boot_info()->fb;
	const char *why = NULL;
	unsigned w, h, cols, rows;
	int err = fbcon_init(d, &why);

	if (err) {
		if (err == -EINVAL)
			log_warn("console: framebuffer %ux%u pitch %u format %u rejected: %s",
				 d->width, d->height, d->pitch, d->format, why);
		else
			log_warn("console: no framebuffer console (%d)", err);
		return false;
	}
	fbcon_size(&w, &h, &cols, &rows);
	if ((err = console_add("fb", &fbcon_console, NULL, true)) != 0) {
		log_warn("console: cannot add the framebuffer console (%d)", err);
		return false;
	}
	input_set_screen(w, h);
	input_set_pointer_hook(fbcon_pointer);
	log_info("console: framebuffer %ux%u, %ux%u text cells", w, h, cols, rows);
	return true;
}

static bool start_vga(void)
{
	int err = vga_text_init();

	if (err) {
		log_warn("console: no VGA text mode (%d)", err);
		return false;
	}
	if ((err = console_add("vga", &vga_text_console, NULL, true)) != 0) {
		log_warn("console: cannot add the VGA console (%d)", err);
		return false;
	}
	input_set_screen(VGA_COLS * 8, VGA_ROWS * 16);
	input_set_pointer_hook(vga_text_pointer);
	log_info("console: VGA text mode %ux%u", VGA_COLS, VGA_ROWS);
	return true;
}

void console_setup(void)
{
	const char *sel = cmdline_get(boot_cmdline(), "console");
	bool serial = true, vga = false, fb = false;

	if (sel) {
		const char *p = sel;

		serial = cmdline_list_has(sel, "serial");
		vga = cmdline_list_has(sel, "vga");
		fb = cmdline_list_has(sel, "fb");
		while (*p) {            /* name any item we do not know */
			const char *e = p;

			while (*e && *e != ',')
				e++;
			if (!((e - p == 6 && !strncmp(p, "serial", 6)) || (e - p == 3 && !strncmp(p, "vga", 3)) ||
			      (e - p == 2 && !strncmp(p, "fb", 2))))
				log_warn("console: unknown console \"%.*s\" (serial, vga, fb)", (int)(e - p), p);
			p = *e ? e + 1 : e;
		}
		if (vga && fb) {
			log_warn("console: vga and fb are one adapter here; using vga");
			fb = false;
		}
		if (vga)
			start_vga();
		if (fb)
			start_fb();
	} else if (!start_fb()) {
		start_vga();
	}
	if (!serial) {
		log_info("console: serial output off (console=%s)", sel);
		/* -ENOENT: no UART answered at boot, nothing to switch off */
		if (console_enable("serial", false) != 0)
			log_info("console: there is no serial console");
	}
}

static void echo_event(const struct input_event *ev)
{
	char name[8], text[3 * 8 + 1];
	static const char hex[] = "0123456789abcdef";

	if (ev->type == INPUT_MOUSE) {
		log_info("input: mouse dx=%d dy=%d wheel=%d buttons=%c%c%c pos=%u,%u",
			 ev->dx, ev->dy, ev->wheel, ev->buttons & INPUT_BTN_LEFT ? 'L' : '-',
			 ev->buttons & INPUT_BTN_MIDDLE ? 'M' : '-', ev->buttons & INPUT_BTN_RIGHT ? 'R' : '-',
			 ev->x, ev->y);
		return;
	}
	if (ev->len == 0) {
		text[0] = '-';
		text[1] = 0;
	} else {
		size_t n = 0;

		for (int i = 0; i < ev->len && i < 8; i++) {
			text[n++] = hex[(unsigned char)ev->text[i] >> 4];
			text[n++] = hex[ev->text[i] & 15];
		}
		text[n] = 0;
	}
	log_info("input: key %s %s code=0x%02x mods=0x%03x text=%s",
		 ev->down ? (ev->repeat ? "repeat" : "down") : "up",
		 kbd_key_name(ev->key, name), ev->key, ev->mods, text);
}

/* input=echo: a thread that sleeps until the input layer says events are
 * waiting, then prints them all. The flag is cleared before the queue is
 * drained, so an event that arrives during the drain is never missed. */
static struct waitq input_wq;
static volatile bool input_ready;
static bool echo_mode;

static void input_available(void)
{
	input_ready = true;
	waitq_wake_all(&input_wq);
}

static void echo_thread(void *arg)
{
	struct input_event ev;

	(void)arg;
	for (;;) {
		input_ready = false;
		while (input_read(&ev))
			echo_event(&ev);
		waitq_wait_event(&input_wq, input_ready, 0);
	}
}

void input_setup(void)
{
	const char *mode = cmdline_get(boot_cmdline(), "input");
	const char *ps2 = cmdline_get(boot_cmdline(), "ps2");

	if (mode && strcmp(mode, "echo") != 0)
		log_warn("input: unknown mode \"%s\" (echo)", mode);
	if (ps2 && strcmp(ps2, "set2") != 0)
		log_warn("ps2: unknown option \"%s\" (set2)", ps2);
	if (ps2_init(ps2 && strcmp(ps2, "set2") == 0) != 0 || !mode || strcmp(mode, "echo") != 0)
		return;
	waitq_init(&input_wq);
	input_set_notify(input_available);
	if (!thread_create("input-echo", echo_thread, 0, SCHED_PRIO_DEFAULT, THREAD_DETACHED)) {
		log_err("input: cannot start the echo thread");
		return;
	}
	echo_mode = true;
	log_info("input: echo mode; events follow");
}

bool input_echo_mode(void)
{
	return echo_mode;
}
