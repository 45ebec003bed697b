/* The console: a set of outputs (serial, VGA text, framebuffer) that the
 * kernel log writes to through one sink. Screens keep a short history so a
 * console switched on late still shows the boot log. */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <cosmos/compiler.h>

struct console_ops {
	void (*write)(void *ctx, const char *s, size_t n);
	void (*clear)(void *ctx);       /* may be NULL */
};

/* Brings up serial (COM1) as the first output and registers the log sink. */
void console_early_init(void);
/* Adds an output under a name ("vga", "fb"); replay writes the history to it
 * first. Returns 0 or a negative errno. */
int console_add(const char *name, const struct console_ops *ops, void *ctx, bool replay) __must_check;
/* Switches a named output on or off; -ENOENT if there is none. */
int console_enable(const char *name, bool on) __must_check;
bool console_active(const char *name);
/* Writes to every active output (the log sink). */
void console_write(const char *s, size_t n);

#endif
