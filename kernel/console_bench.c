/* Console benchmarks: text throughput (characters per second, scrolling
 * included) and one full-screen scroll, on the framebuffer console and then
 * on VGA text mode. VGA goes second because entering text mode turns the
 * framebuffer off on the usual single adapter. */
#include <drivers/console.h>
#include <drivers/fbcon.h>
#include <drivers/vga_text.h>
#include <kernel/kbench.h>
#include <kernel/log.h>
#include <kernel/time.h>
#include <lib/fmt.h>

#define LINES 400
#define SCROLLS 50

static void measure(const char *name, const struct console_ops *ops, void (*scroll)(void))
{
	static char line[80];
	char scroll_name[40], cps_name[40];
	uint64_t t0, chars = 0, ns;

	for (unsigned i = 0; i < sizeof(line) - 1; i++)
		line[i] = (char)('!' + i % 90);
	line[sizeof(line) - 1] = '\n';
	t0 = time_ns();
	for (int i = 0; i < LINES; i++) {
		ops->write(NULL, line, sizeof(line));
		chars += sizeof(line);
	}
	ns = time_ns() - t0;
	fmt_snprintf(cps_name, sizeof(cps_name), "console_%s_chars_per_s", name);
	kbench_report(cps_name, ns ? chars * 1000000000ULL / ns : 0, 0, "chars/s");
	t0 = time_ns();
	for (int i = 0; i < SCROLLS; i++)
		scroll();
	ns = time_ns() - t0;
	fmt_snprintf(scroll_name, sizeof(scroll_name), "console_%s_scroll", name);
	kbench_report(scroll_name, ns / SCROLLS / 10, 2, "us");
}

KBENCH(console)
{
	if (console_active("fb")) {
		measure("fb", &fbcon_console, fbcon_scroll_once);
		if (console_enable("fb", false) != 0)
			log_warn("kbench: console: cannot switch the framebuffer console off");
	} else {
		log_info("kbench: console: no framebuffer console to measure");
	}
	if (!console_active("vga")) {
		if (vga_text_init() != 0) {
			log_info("kbench: console: no VGA text mode to measure");
			return;
		}
		if (console_add("vga", &vga_text_console, NULL, false) != 0) {
			log_info("kbench: console: no room for a VGA console");
			return;
		}
	}
	measure("vga", &vga_text_console, vga_text_scroll_once);
}
