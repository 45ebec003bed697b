/* The console: a set of outputs (serial, VGA text, framebuffer) that the
 * kernel log writes to through one sink. Screens keep a short history so a
 * console switched on late still shows the boot log. */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>
#include <drivers/term.h>

struct console_ops {
	/* Kernel log text: each '\n' ends a line. */
	void (*write)(void *ctx, const char *s, size_t n);
	void (*clear)(void *ctx);       /* may be NULL */
	/* Screens only (NULL for others): a program's bytes through the
	 * screen's terminal, and that terminal. */
	void (*write_term)(void *ctx, const char *s, size_t n);
	struct term *(*term)(void *ctx);
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
/* The console lock, for a screen driver's state changed from outside a
 * console write (the mouse pointer). Returns whether it was taken (false:
 * this CPU holds it already); give that to the unlock. */
bool console_lock_irqsave(uint64_t *flags);
void console_unlock_irqrestore(bool taken, uint64_t flags);

/* The screen a terminal device draws on: every active output that has a
 * terminal. Writes a program's bytes to each; false when there is none. */
bool console_screen_write(const char *s, size_t n);
/* The first screen's size in character cells; false when there is none. */
bool console_screen_size(unsigned *cols, unsigned *rows);
/* Where the first screen's answers (cursor reports) go; called with
 * interrupts off, from inside console_screen_write. */
void console_screen_set_reply(term_reply_fn fn, void *ctx);
/* The first screen asked for application cursor keys (DECCKM). */
bool console_screen_app_cursor_keys(void);
/* The cell at column x, row y of the first screen (for tests); false when
 * there is no screen. */
bool console_screen_cell(unsigned x, unsigned y, struct term_cell *c);

#endif
