/* Framebuffer console on the linear framebuffer the firmware set up (GOP):
 * 8x16 text cells, 16 VGA colours in any 32-bit pixel format, scrolling by
 * moving whole rows, and a mouse pointer drawn over the text. */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <cosmos/boot_info.h>
#include <drivers/console.h>
#include <cosmos/compiler.h>

/* Checks the description (sizes, pitch, format, masks) and maps it; 0 or a
 * negative errno (-EINVAL with *why set for a description that is wrong). */
int fbcon_init(const struct boot_framebuffer *fb, const char **why) __must_check;
extern const struct console_ops fbcon_console;
void fbcon_size(unsigned *width, unsigned *height, unsigned *cols, unsigned *rows);
/* Moves the pointer to pixel (x, y); shows it on first use. */
void fbcon_pointer(unsigned x, unsigned y);
/* The pixel at (x, y) as 0xRRGGBB, for tests; 0 outside the screen. */
uint32_t fbcon_read_rgb(unsigned x, unsigned y);
/* A full-screen scroll, for the benchmark. */
void fbcon_scroll_once(void);

#endif
