/* Select Graphic Rendition (CSI ... m): bold, reverse, concealed, and the
 * 8, 16, 256 and RGB colour forms, each mapped to one of the 16 colours a
 * VGA cell can show. Attributes a cell cannot show (italic, underline, blink,
 * strike-through) are accepted and ignored. */
#include <drivers/term.h>

const uint32_t term_palette[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

/* ANSI colour numbers (red = 1, blue = 4) to VGA order (blue = 1, red = 4). */
static const uint8_t ansi_to_vga[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

/* The levels of xterm's 6x6x6 colour cube. */
static const uint8_t cube_level[6] = { 0, 95, 135, 175, 215, 255 };

uint8_t term_rgb_colour(uint32_t rgb)
{
	unsigned r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
	unsigned max = r > g ? (r > b ? r : b) : (g > b ? g : b);
	uint8_t hue = (uint8_t)((r > max / 2 ? 4 : 0) | (g > max / 2 ? 2 : 0) | (b > max / 2 ? 1 : 0));

	if (max < 0x2b)                 /* closer to black than to any colour */
		return 0;
	if (hue == 7)                   /* grey: the nearest of the four greys */
		return max < 0x80 ? 8 : max < 0xd5 ? 7 : 15;
	return (uint8_t)(max > 0xaa ? hue | 8 : hue);
}

/* A colour of the 256-colour palette in VGA order. */
static uint8_t colour256(unsigned n)
{
	if (n < 8)
		return ansi_to_vga[n];
	if (n < 16)
		return (uint8_t)(8 | ansi_to_vga[n - 8]);
	if (n < 232) {
		n -= 16;
		return term_rgb_colour((uint32_t)cube_level[n / 36] << 16 |
					   (uint32_t)cube_level[n / 6 % 6] << 8 | cube_level[n % 6]);
	}
	n = 8 + 10 * (n - 232);         /* 24 greys from 8 to 238 */
	return term_rgb_colour(n << 16 | n << 8 | n);
}

/* Reads "5;n" or "2;r;g;b" after a 38 or 48 at params[*i]; true and the
 * colour when it is complete and in range. Moves *i past what it used. */
static bool extended_colour(const struct term *t, unsigned *i, uint8_t *out)
{
	const unsigned *p = t->p.params;
	unsigned n = t->p.nparams, at = *i;

	if (at + 1 >= n)
		return false;
	if (p[at + 1] == 5 && at + 2 < n) {
		*i = at + 2;
		if (p[at + 2] > 255)
			return false;
		*out = colour256(p[at + 2]);
		return true;
	}
	if (p[at + 1] == 2 && at + 4 < n) {
		*i = at + 4;
		if (p[at + 2] > 255 || p[at + 3] > 255 || p[at + 4] > 255)
			return false;
		*out = term_rgb_colour(p[at + 2] << 16 | p[at + 3] << 8 | p[at + 4]);
		return true;
	}
	*i = n;                 /* a form we cannot read: the rest is ignored */
	return false;
}

void term_sgr(struct term *t)
{
	struct term_pen *pen = &t->pen;
	unsigned n = t->p.nparams ? t->p.nparams : 1;
	uint8_t c;

	for (unsigned i = 0; i < n; i++) {
		unsigned p = i < t->p.nparams ? t->p.params[i] : 0;

		if (p == 0)
			*pen = (struct term_pen){ .fg = TERM_ATTR_DEFAULT & 15, .bg = TERM_ATTR_DEFAULT >> 4 };
		else if (p == 1)
			pen->bold = true;
		else if (p == 22)
			pen->bold = false;
		else if (p == 7)
			pen->reverse = true;
		else if (p == 27)
			pen->reverse = false;
		else if (p == 8)
			pen->conceal = true;
		else if (p == 28)
			pen->conceal = false;
		else if (p >= 30 && p <= 37)
			pen->fg = ansi_to_vga[p - 30];
		else if (p >= 90 && p <= 97)
			pen->fg = (uint8_t)(8 | ansi_to_vga[p - 90]);
		else if (p == 39)
			pen->fg = TERM_ATTR_DEFAULT & 15;
		else if (p >= 40 && p <= 47)
			pen->bg = ansi_to_vga[p - 40];
		else if (p >= 100 && p <= 107)
			pen->bg = (uint8_t)(8 | ansi_to_vga[p - 100]);
		else if (p == 49)
			pen->bg = TERM_ATTR_DEFAULT >> 4;
		else if ((p == 38 || p == 48) && extended_colour(t, &i, &c))
			*(p == 38 ? &pen->fg : &pen->bg) = c;
		/* dim, italic, underline, blink, strike-through: not shown */
	}
}
