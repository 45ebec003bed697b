/* VGA text mode 3 (80x25 at 0xB8000, hardware cursor) programmed register by
 * register, since UEFI firmware leaves the card in a graphics mode. */
#ifndef DRIVERS_VGA_TEXT_H
#define DRIVERS_VGA_TEXT_H

#include <stdbool.h>
#include <drivers/console.h>
#include <cosmos/compiler.h>

#define VGA_COLS 80
#define VGA_ROWS 25

/* Programs mode 3, loads the built-in font and checks that text memory
 * answers; 0, or -ENODEV when there is no legacy VGA (nothing is logged
 * twice: the caller reports). Turns off a Bochs/QEMU linear framebuffer. */
int vga_text_init(void) __must_check;
extern const struct console_ops vga_text_console;
/* Shows the mouse pointer at pixel (x, y) of the 640x400 text screen as
 * an inverted cell. */
void vga_text_pointer(unsigned x, unsigned y);
/* A full-screen scroll, for the benchmark. */
void vga_text_scroll_once(void);

#endif
