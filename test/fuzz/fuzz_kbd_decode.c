/* Fuzz target for the PS/2 scancode decoder (drivers/kbd_decode.c). Input:
 * a byte choosing scancode set 1 or 2, then the bytes the keyboard sends.
 * Checked against a model the harness keeps from the events themselves:
 * a repeat is a press of a key already down, text only comes with presses
 * and is terminated at its length, modifier bits follow the modifier keys
 * exactly, lock bits change only on a lock key's first press (and the LED
 * byte with them), Pause never stays down, Ctrl+Alt+Del is only reported
 * with Ctrl and Alt held, and every key has a printable name. */
#include "fuzz.h"

#include <drivers/kbd_decode.h>

static uint16_t mod_of(uint8_t key)
{
	switch (key) {
	case KEY_LSHIFT: return KBD_MOD_LSHIFT;
	case KEY_RSHIFT: return KBD_MOD_RSHIFT;
	case KEY_LCTRL: return KBD_MOD_LCTRL;
	case KEY_RCTRL: return KBD_MOD_RCTRL;
	case KEY_LALT: return KBD_MOD_LALT;
	case KEY_RALT: return KBD_MOD_RALT;
	case KEY_LGUI: case KEY_RGUI: return KBD_MOD_GUI;   /* one bit for both */
	default: return 0;
	}
}

static uint16_t lock_of(uint8_t key)
{
	return key == KEY_CAPSLOCK ? KBD_MOD_CAPS : key == KEY_NUMLOCK ? KBD_MOD_NUM
	       : key == KEY_SCROLLLOCK ? KBD_MOD_SCROLL : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct kbd_decoder d;
	bool down[256] = { false };
	uint16_t mods = 0;            /* what the events so far should have made */

	kbd_decode_init(&d, (fuzz_u8(&in) & 1) ? 2 : 1);
	while (in.left) {
		struct kbd_event ev;
		char buf[8];
		const char *name;
		uint16_t m, lock;

		memset(&ev, 0xa5, sizeof(ev));
		if (!kbd_decode_byte(&d, fuzz_u8(&in), &ev))
			continue;
		FUZZ_CHECK(ev.key != 0, "an event for key 0");
		FUZZ_CHECK(ev.repeat == (ev.down && down[ev.key]), "key %#x: repeat %d, was down %d",
			   ev.key, ev.repeat, down[ev.key]);
		FUZZ_CHECK(ev.len <= KBD_TEXT_MAX && ev.text[ev.len] == 0 &&
			   strlen(ev.text) <= ev.len, "text of %u bytes not terminated", ev.len);
		FUZZ_CHECK(ev.down || ev.len == 0, "a release with text");
		down[ev.key] = ev.down && ev.key != KEY_PAUSE;
		m = mod_of(ev.key);
		if (m)
			mods = ev.down ? mods | m : mods & ~m;
		lock = lock_of(ev.key);
		FUZZ_CHECK(ev.leds_changed == (lock && ev.down && !ev.repeat), "LED change on key %#x",
			   ev.key);
		if (ev.leds_changed)
			mods ^= lock;
		FUZZ_CHECK(ev.mods == mods, "mods %#x, expected %#x after key %#x", ev.mods, mods, ev.key);
		FUZZ_CHECK(!ev.reset_request || ((ev.mods & KBD_MOD_CTRL) && (ev.mods & KBD_MOD_ALT) && ev.down),
			   "reset request without Ctrl+Alt");
		FUZZ_CHECK(kbd_leds(&d) == (((mods & KBD_MOD_SCROLL) ? 1 : 0) | ((mods & KBD_MOD_NUM) ? 2 : 0) |
					    ((mods & KBD_MOD_CAPS) ? 4 : 0)), "LED byte");
		name = kbd_key_name(ev.key, buf);
		FUZZ_CHECK(name && *name && strlen(name) < 16, "key %#x has no name", ev.key);
		for (const char *c = name; *c; c++)
			FUZZ_CHECK(*c > 0x20 && *c < 0x7f, "name of key %#x", ev.key);
	}
	return 0;
}
