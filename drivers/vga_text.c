/* VGA text console. Register values are the standard mode-3 set (see
 * toolchain-facts §3); the font goes into plane 2 through the A0000 window.
 * All state is the console lock's (drivers/console.c): console writes hold
 * it, vga_text_pointer (the mouse interrupt, on any CPU) takes it. */
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/font.h>
#include <drivers/term.h>
#include <drivers/vga_text.h>
#include <hal/cpu.h>
#include <hal/mmio.h>

#define VGA_TEXT_PHYS 0xb8000
#define VGA_FONT_PHYS 0xa0000
#define VBE_INDEX 0x1ce
#define VBE_DATA  0x1cf

#define MISC_WRITE 0x3c2
#define SEQ_INDEX  0x3c4
#define SEQ_DATA   0x3c5
#define DAC_WINDEX 0x3c8
#define DAC_DATA   0x3c9
#define GC_INDEX   0x3ce
#define GC_DATA    0x3cf
#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5
#define AC_PORT    0x3c0
#define INPUT_STATUS 0x3da

static const uint8_t seq_regs[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t crtc_regs[25] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
	0x00, 0x00, 0x50, 0x9c, 0x0e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t gc_regs[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };
/* Attribute register 0x10 is 0x04, not the usual 0x0c: blinking off, so
 * bit 7 of an attribute gives bright backgrounds. */
static const uint8_t ac_regs[21] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
	0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x04, 0x00, 0x0f, 0x08, 0x00,
};

static volatile uint16_t *text;        /* 80x25 cells: attribute << 8 | char */
static struct term term;
static struct term_cell cells[TERM_CELLS(VGA_COLS, VGA_ROWS)];
static bool cursor_shown;
static int pointer_cell = -1;           /* inverted cell, -1 when hidden */

static void seq(uint8_t i, uint8_t v) { outb(SEQ_INDEX, i); outb(SEQ_DATA, v); }
static void gc(uint8_t i, uint8_t v) { outb(GC_INDEX, i); outb(GC_DATA, v); }
static void crtc(uint8_t i, uint8_t v) { outb(CRTC_INDEX, i); outb(CRTC_DATA, v); }

static void program_mode3(void)
{
	/* Bochs/QEMU VBE: leave the linear framebuffer mode (a no-op elsewhere) */
	outw(VBE_INDEX, 4);
	outw(VBE_DATA, 0);
	outb(MISC_WRITE, 0x67);
	seq(0, 0x01);                   /* synchronous reset while programming */
	for (uint8_t i = 1; i < sizeof(seq_regs); i++)
		seq(i, seq_regs[i]);
	seq(0, seq_regs[0]);
	outb(CRTC_INDEX, 0x11);         /* unlock CRTC 0-7 */
	outb(CRTC_DATA, inb(CRTC_DATA) & 0x7f);
	for (uint8_t i = 0; i < sizeof(crtc_regs); i++)
		crtc(i, i == 0x11 ? 0x0e : crtc_regs[i]);
	for (uint8_t i = 0; i < sizeof(gc_regs); i++)
		gc(i, gc_regs[i]);
	(void)inb(INPUT_STATUS);        /* the AC flip-flop to "index" */
	for (uint8_t i = 0; i < sizeof(ac_regs); i++) {
		outb(AC_PORT, i);
		outb(AC_PORT, ac_regs[i]);
	}
	/* the EGA 64-colour DAC: 2 bits per component, primary + secondary */
	outb(DAC_WINDEX, 0);
	for (unsigned c = 0; c < 64; c++) {
		unsigned r = (c & 4 ? 0x2a : 0) + (c & 32 ? 0x15 : 0);
		unsigned g = (c & 2 ? 0x2a : 0) + (c & 16 ? 0x15 : 0);
		unsigned b = (c & 1 ? 0x2a : 0) + (c & 8 ? 0x15 : 0);

		outb(DAC_DATA, (uint8_t)r);
		outb(DAC_DATA, (uint8_t)g);
		outb(DAC_DATA, (uint8_t)b);
	}
}

static int load_font(void)
{
	volatile uint8_t *plane = mmio_map(VGA_FONT_PHYS, 256 * 32);

	if (!plane)
		return -ENOMEM;
	seq(2, 0x04);                   /* write plane 2 only */
	seq(4, 0x07);                   /* sequential addressing */
	gc(4, 0x02);
	gc(5, 0x00);
	gc(6, 0x04);                    /* A0000, 64 KiB, no odd/even */
	for (unsigned c = 0; c < 256; c++)
		for (unsigned row = 0; row < 32; row++)
			plane[c * 32 + row] = row < FONT_HEIGHT ? font8x16[c][row] : 0;
	seq(2, 0x03);
	seq(4, 0x02);
	gc(4, 0x00);
	gc(5, 0x10);
	gc(6, 0x0e);
	mmio_unmap(plane);
	return 0;
}

static void vga_put(void *ctx, unsigned x, unsigned y, unsigned char c, uint8_t attr)
{
	(void)ctx;
	text[y * VGA_COLS + x] = (uint16_t)(attr << 8 | c);
}

static void vga_clear(void *ctx, unsigned x0, unsigned y0, unsigned x1, unsigned y1, uint8_t attr)
{
	(void)ctx;
	for (unsigned y = y0; y < y1; y++)
		for (unsigned x = x0; x < x1; x++)
			text[y * VGA_COLS + x] = (uint16_t)(attr << 8 | ' ');
}

/* Moves whole rows as 8-byte words (a row is 160 bytes), top-down or
 * bottom-up so that overlapping ranges copy correctly. */
static void vga_move_rows(void *ctx, unsigned dst, unsigned src, unsigned n)
{
	volatile uint64_t *q = (volatile uint64_t *)text;
	const unsigned row_words = VGA_COLS * 2 / 8;
	size_t words = (size_t)n * row_words;
	volatile uint64_t *d = q + (size_t)dst * row_words, *s = q + (size_t)src * row_words;

	(void)ctx;
	if (dst < src)
		for (size_t i = 0; i < words; i++)
			d[i] = s[i];
	else
		for (size_t i = words; i-- > 0;)
			d[i] = s[i];
}

/* Cursor start register: scan line 13, bit 5 hides the cursor. */
#define CURSOR_START 0x0d
#define CURSOR_OFF   0x20

static void vga_cursor(void *ctx, unsigned x, unsigned y, bool visible)
{
	uint16_t pos = (uint16_t)(y * VGA_COLS + x);

	(void)ctx;
	crtc(0x0e, (uint8_t)(pos >> 8));
	crtc(0x0f, (uint8_t)pos);
	if (visible != cursor_shown) {
		crtc(0x0a, visible ? CURSOR_START : CURSOR_START | CURSOR_OFF);
		cursor_shown = visible;
	}
}

static const struct term_ops vga_term_ops = { vga_put, vga_clear, vga_move_rows, vga_cursor };

int vga_text_init(void)
{
	int err;

	if (!text) {
		text = mmio_map(VGA_TEXT_PHYS, VGA_COLS * VGA_ROWS * 2);
		if (!text)
			return -ENOMEM;
	}
	program_mode3();
	err = load_font();
	if (err)
		return err;
	/* without a legacy VGA nothing decodes B8000 and reads give all ones */
	text[0] = 0x1234;
	text[1] = 0x5678;
	if (text[0] != 0x1234 || text[1] != 0x5678)
		return -ENODEV;
	crtc(0x0a, CURSOR_START);       /* underline cursor on scan lines 13-14 */
	crtc(0x0b, 0x0e);
	cursor_shown = true;
	(void)inb(INPUT_STATUS);
	outb(AC_PORT, 0x20);            /* palette done: display on */
	term_init(&term, &vga_term_ops, NULL, VGA_COLS, VGA_ROWS, cells);
	return 0;
}

/* Swapping foreground and background twice restores the cell. */
static void invert_cell(int cell)
{
	uint16_t v;

	if (cell < 0)
		return;
	v = text[cell];
	text[cell] = (uint16_t)((v & 0x00ff) | (v & 0x0f00) << 4 | (v & 0xf000) >> 4);
}

void vga_text_pointer(unsigned x, unsigned y)
{
	uint64_t flags = 0;
	bool taken;
	unsigned cx = x / 8 < VGA_COLS ? x / 8 : VGA_COLS - 1;
	unsigned cy = y / 16 < VGA_ROWS ? y / 16 : VGA_ROWS - 1;

	if (!text)
		return;
	taken = console_lock_irqsave(&flags);
	invert_cell(pointer_cell);
	pointer_cell = (int)(cy * VGA_COLS + cx);
	invert_cell(pointer_cell);
	console_unlock_irqrestore(taken, flags);
}

/* These run under the console lock (console_write and console_screen_write),
 * so the pointer cannot move between hiding and showing it. */
static void vga_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	invert_cell(pointer_cell);
	term_write_log(&term, s, n);
	invert_cell(pointer_cell);
}

static void vga_write_term(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	invert_cell(pointer_cell);
	term_write(&term, s, n);
	invert_cell(pointer_cell);
}

static struct term *vga_term(void *ctx)
{
	(void)ctx;
	return &term;
}

static void vga_clear_all(void *ctx)
{
	vga_write(ctx, "\033[2J\033[H", 7);
}

const struct console_ops vga_text_console = {
	.write = vga_write, .clear = vga_clear_all, .write_term = vga_write_term, .term = vga_term,
};

void vga_text_scroll_once(void)
{
	vga_write_term(NULL, "\033[S", 3);
}
