/* The built-in console font: 8x16 glyphs for all 256 byte values, generated
 * from the hand-drawn fonts/cosmos8x16.txt (bit 7 of a row = leftmost pixel). */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include <stdint.h>

#define FONT_WIDTH  8
#define FONT_HEIGHT 16

extern const uint8_t font8x16[256][FONT_HEIGHT];

static inline const uint8_t *font_glyph(unsigned char c)
{
	return font8x16[c];
}

#endif
