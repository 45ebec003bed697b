/* Framebuffer console. The pointer and the text cursor (an underline on
 * the cell's scan lines 13-14, as VGA's) are drawn by XOR so they can be
 * removed without saving pixels; both are taken off around every write.
 * Locking: all state is the console lock's (drivers/console.c): writes
 * come through console_write and console_screen_write, which hold it, and
 * fbcon_pointer (the mouse interrupt, on any CPU) takes it. */
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/fbcon.h>
#include <drivers/font.h>
#include <drivers/term.h>
#include <hal/cpu.h>
#include <hal/mmio.h>
#include <lib/string.h>

#define FB_MAX_DIM 16384
/* The text area is at most what a 3840x2160 screen holds; a larger screen
 * shows it in its top-left corner. The cells are static: drivers/ has no
 * heap. */
#define MAX_COLS 480
#define MAX_ROWS 135
#define CURSOR_FIRST_LINE 13
#define CURSOR_LINES 2

/* A 10x16 arrow; '#' pixels are inverted. */
static const uint16_t arrow[16] = {
	0x200, 0x300, 0x380, 0x3c0, 0x3e0, 0x3f0, 0x3f8, 0x3fc,
	0x3fe, 0x3f0, 0x360, 0x230, 0x030, 0x018, 0x018, 0x000,
};
#define ARROW_W 10

static volatile uint8_t *fb;
static uint32_t width, height, pitch, cols, rows;
static uint32_t pixel[16];             /* the palette in the framebuffer's format */
static uint32_t red_mask, green_mask, blue_mask;
static struct term term;
static struct term_cell cells[TERM_CELLS(MAX_COLS, MAX_ROWS)];
static const struct term_ops fb_term_ops;
static void fb_clear(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t attr);
static bool pointer_shown;
static unsigned pointer_x, pointer_y;
static bool cursor_drawn;               /* the underline is on screen at cursor_x/y */
static bool cursor_on;                  /* the terminal wants it shown */
static unsigned cursor_x, cursor_y;
/* Per text row, the columns from which on the row shows only the default
 * background (an upper bound): scrolling and clearing touch only the
 * pixels left of it, so moving a screen of short log lines copies a
 * fraction of the framebuffer (a full copy was ~6 ms of boot per line). */
static uint16_t drawn[MAX_ROWS];

static unsigned mask_shift(uint32_t m) { unsigned s = 0; while (m && !(m & 1)) { m >>= 1; s++; } return s; }
static unsigned mask_bits(uint32_t m) { unsigned n = 0; m >>= mask_shift(m); while (m & 1) { m >>= 1; n++; } return n; }

static bool mask_ok(uint32_t m)
{
	return m && (m >> mask_shift(m)) == (1u << mask_bits(m)) - 1;
}

static uint32_t encode(uint32_t rgb, uint32_t rm, uint32_t gm, uint32_t bm)
{
	uint32_t c[3] = { rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff }, m[3] = { rm, gm, bm }, v = 0;

	for (int i = 0; i < 3; i++) {
		unsigned bits = mask_bits(m[i]);
		uint32_t x = bits >= 8 ? c[i] << (bits - 8) : c[i] >> (8 - bits);

		v |= (x << mask_shift(m[i])) & m[i];
	}
	return v;
}

int fbcon_init(const struct boot_framebuffer *d, const char **why)
{
	uint32_t rm, gm, bm;

	*why = NULL;
	if (d->format == BOOT_FB_NONE || d->phys == 0)
		return -ENODEV;
	if (d->width < FONT_WIDTH || d->height < FONT_HEIGHT || d->width > FB_MAX_DIM || d->height > FB_MAX_DIM)
		*why = "size out of range";
	else if (d->pitch % 4 || d->pitch < d->width * 4)
		*why = "pitch too small or unaligned";
	else if ((uint64_t)d->pitch * d->height > d->size)
		*why = "pitch x height exceeds the buffer";
	if (*why)
		return -EINVAL;
	switch (d->format) {
	case BOOT_FB_RGBX: rm = 0xff; gm = 0xff00; bm = 0xff0000; break;
	case BOOT_FB_BGRX: rm = 0xff0000; gm = 0xff00; bm = 0xff; break;
	case BOOT_FB_BITMASK:
		rm = d->red_mask; gm = d->green_mask; bm = d->blue_mask;
		if (!mask_ok(rm) || !mask_ok(gm) || !mask_ok(bm) || (rm & gm) || (rm & bm) || (gm & bm)) {
			*why = "colour masks empty, split or overlapping";
			return -EINVAL;
		}
		break;
	default:
		*why = "unknown pixel format";
		return -EINVAL;
	}
	if (!fb) {
		fb = mmio_map(d->phys, (size_t)d->pitch * d->height);
		if (!fb)
			return -ENOMEM;
	}
	width = d->width;
	height = d->height;
	pitch = d->pitch;
	cols = width / FONT_WIDTH < MAX_COLS ? width / FONT_WIDTH : MAX_COLS;
	rows = height / FONT_HEIGHT < MAX_ROWS ? height / FONT_HEIGHT : MAX_ROWS;
	for (int i = 0; i < 16; i++)
		pixel[i] = encode(term_palette[i], rm, gm, bm);
	red_mask = rm;
	green_mask = gm;
	blue_mask = bm;
	cursor_drawn = false;
	term_init(&term, &fb_term_ops, NULL, cols, rows, cells);
	/* what the firmware left in the text area goes, so every row starts
	 * out as default background */
	for (unsigned y = 0; y < rows; y++)
		drawn[y] = cols;
	fb_clear(NULL, 0, 0, cols, rows, TERM_ATTR_DEFAULT);
	return 0;
}

static volatile uint32_t *pixel_row(unsigned y)
{
	return (volatile uint32_t *)(fb + (size_t)y * pitch);
}

/* A glyph row goes out as four 8-byte stores of two pixels each, picked
 * from the four fg/bg pairs: half the stores of a pixel at a time, and
 * no branch per pixel (each store is a memory-access helper under TCG;
 * the screen's first screenful of log is ~3,000 glyphs). The leftmost
 * pixel is the glyph byte's top bit and sits at the lower address. */
_Static_assert(FONT_WIDTH == 8, "fb_put writes 8-pixel glyph rows");

static void fb_put(void *ctx, unsigned x, unsigned y, unsigned char c, uint8_t attr)
{
	uint64_t fg = pixel[attr & 15], bg = pixel[attr >> 4];
	const uint64_t pair[4] = { bg | bg << 32, fg << 32 | bg, bg << 32 | fg, fg | fg << 32 };
	const uint8_t *g = font8x16[c];

	(void)ctx;
	if (c == ' ' && attr >> 4 == TERM_ATTR_DEFAULT >> 4) {
		if (drawn[y] <= x)
			return;        /* the cell shows plain background already */
	} else if (drawn[y] <= x) {
		drawn[y] = x + 1;
	}
	for (unsigned r = 0; r < FONT_HEIGHT; r++) {
		volatile uint64_t *p = (volatile uint64_t *)(pixel_row(y * FONT_HEIGHT + r) + x * FONT_WIDTH);
		unsigned bits = g[r];

		p[0] = pair[bits >> 6];
		p[1] = pair[bits >> 4 & 3];
		p[2] = pair[bits >> 2 & 3];
		p[3] = pair[bits & 3];
	}
}

static void fill_pixels(volatile uint32_t *p, size_t n, uint32_t v)
{
	if (v == 0) {           /* black: the string routine's speed */
		memset((void *)(uintptr_t)p, 0, n * 4);
		return;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = v;
}

/* Text rows [y0, y1), columns [x0, x1) to attr's background. In the
 * default background only the part left of drawn[] needs pixels. */
static void fb_clear(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t attr)
{
	uint32_t bg = pixel[attr >> 4];
	bool plain = attr >> 4 == TERM_ATTR_DEFAULT >> 4;

	(void)ctx;
	for (unsigned ty = y0; ty < y1; ty++) {
		unsigned end = plain && drawn[ty] < x1 ? drawn[ty] : x1;

		if (plain && x1 >= drawn[ty] && x0 < drawn[ty])
			drawn[ty] = x0;
		else if (!plain && drawn[ty] < x1)
			drawn[ty] = x1;
		if (x0 >= end)
			continue;
		for (unsigned y = ty * FONT_HEIGHT; y < (ty + 1) * FONT_HEIGHT; y++)
			fill_pixels(pixel_row(y) + x0 * FONT_WIDTH, (size_t)(end - x0) * FONT_WIDTH, bg);
	}
}

/* Moves whole text rows, top-down or bottom-up so that overlapping ranges
 * copy correctly (text rows themselves never overlap). Per row only the
 * columns that are not plain background at the source or the destination
 * are copied. */
static void fb_move_rows(void *ctx, unsigned dst, unsigned src, unsigned n)
{
	(void)ctx;
	for (unsigned k = 0; k < n; k++) {
		unsigned i = dst < src ? k : n - 1 - k;
		unsigned d = dst + i, s = src + i;
		size_t bytes = (size_t)(drawn[d] > drawn[s] ? drawn[d] : drawn[s]) * FONT_WIDTH * 4;

		for (unsigned r = 0; r < FONT_HEIGHT && bytes; r++)
			memcpy((void *)(uintptr_t)pixel_row(d * FONT_HEIGHT + r),
			       (const void *)(uintptr_t)pixel_row(s * FONT_HEIGHT + r), bytes);
		drawn[d] = drawn[s];
	}
}

static void cursor_xor(void)
{
	for (unsigned r = CURSOR_FIRST_LINE; r < CURSOR_FIRST_LINE + CURSOR_LINES; r++) {
		volatile uint32_t *p = pixel_row(cursor_y * FONT_HEIGHT + r) + cursor_x * FONT_WIDTH;

		for (unsigned i = 0; i < FONT_WIDTH; i++)
			p[i] ^= 0x00ffffff;
	}
}

/* Only records where the cursor goes: it is drawn when the write ends. */
static void fb_cursor(void *ctx, unsigned x, unsigned y, bool visible)
{
	(void)ctx;
	cursor_x = x;
	cursor_y = y;
	cursor_on = visible;
}

static const struct term_ops fb_term_ops = { fb_put, fb_clear, fb_move_rows, fb_cursor };

static void pointer_xor(void)
{
	for (unsigned r = 0; r < 16 && pointer_y + r < height; r++) {
		volatile uint32_t *p = pixel_row(pointer_y + r);

		for (unsigned i = 0; i < ARROW_W && pointer_x + i < width; i++)
			if (arrow[r] & (0x200 >> i))
				p[pointer_x + i] ^= 0x00ffffff;
	}
}

void fbcon_pointer(unsigned x, unsigned y)
{
	uint64_t flags = 0;
	bool taken;

	if (!fb)
		return;
	taken = console_lock_irqsave(&flags);
	if (pointer_shown)
		pointer_xor();
	pointer_x = x < width ? x : width - 1;
	pointer_y = y < height ? y : height - 1;
	pointer_xor();
	pointer_shown = true;
	console_unlock_irqrestore(taken, flags);
}

void fbcon_size(unsigned *w, unsigned *h, unsigned *c, unsigned *r)
{
	*w = width;
	*h = height;
	*c = cols;
	*r = rows;
}

/* Takes the pointer and the cursor off, runs the write, puts them back. */
static void fb_begin(void)
{
	if (pointer_shown)
		pointer_xor();
	if (cursor_drawn)
		cursor_xor();
	cursor_drawn = false;
}

static void fb_end(void)
{
	if (cursor_on) {
		cursor_xor();
		cursor_drawn = true;
	}
	if (pointer_shown)
		pointer_xor();
}

static void fb_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	fb_begin();
	term_write_log(&term, s, n);
	fb_end();
}

static void fb_write_term(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	fb_begin();
	term_write(&term, s, n);
	fb_end();
}

static struct term *fb_term(void *ctx)
{
	(void)ctx;
	return &term;
}

static void fb_clear_all(void *ctx)
{
	fb_write(ctx, "\033[2J\033[H", 7);
}

const struct console_ops fbcon_console = {
	.write = fb_write, .clear = fb_clear_all, .write_term = fb_write_term, .term = fb_term,
};

static uint32_t decode(uint32_t v, uint32_t m)
{
	unsigned bits = mask_bits(m);
	uint32_t x = (v & m) >> mask_shift(m);

	return bits >= 8 ? x >> (bits - 8) : x << (8 - bits);
}

uint32_t fbcon_read_rgb(unsigned x, unsigned y)
{
	uint32_t v;

	if (!fb || x >= width || y >= height)
		return 0;
	v = pixel_row(y)[x];
	return decode(v, red_mask) << 16 | decode(v, green_mask) << 8 | decode(v, blue_mask);
}

void fbcon_scroll_once(void)
{
	fb_write_term(NULL, "\033[S", 3);
}
