/* Scancode decoding for the PS/2 keyboard. Set 2 is mapped onto set-1
 * keycodes first, so one table gives characters for both sets. Controller
 * and keyboard replies (ACK, resend, self-test results) are not keys and
 * are skipped here; drivers/kbd.c watches for them before decoding. */
#include <drivers/kbd_decode.h>

/* US layout for set-1 codes 0x00-0x39, unshifted and shifted. */
static const char us_plain[0x3a] =
	"\0\0331234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char us_shift[0x3a] =
	"\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

/* Set 2 make codes to set-1 keycodes (0 = not a key). */
static const uint8_t set2_plain[0x84] = {
	[0x01] = 0x43, [0x03] = 0x3f, [0x04] = 0x3d, [0x05] = 0x3b, [0x06] = 0x3c,
	[0x07] = 0x58, [0x09] = 0x44, [0x0a] = 0x42, [0x0b] = 0x40, [0x0c] = 0x3e,
	[0x0d] = 0x0f, [0x0e] = 0x29, [0x11] = 0x38, [0x12] = 0x2a, [0x14] = 0x1d,
	[0x15] = 0x10, [0x16] = 0x02, [0x1a] = 0x2c, [0x1b] = 0x1f, [0x1c] = 0x1e,
	[0x1d] = 0x11, [0x1e] = 0x03, [0x21] = 0x2e, [0x22] = 0x2d, [0x23] = 0x20,
	[0x24] = 0x12, [0x25] = 0x05, [0x26] = 0x04, [0x29] = 0x39, [0x2a] = 0x2f,
	[0x2b] = 0x21, [0x2c] = 0x14, [0x2d] = 0x13, [0x2e] = 0x06, [0x31] = 0x31,
	[0x32] = 0x30, [0x33] = 0x23, [0x34] = 0x22, [0x35] = 0x15, [0x36] = 0x07,
	[0x3a] = 0x32, [0x3b] = 0x24, [0x3c] = 0x16, [0x3d] = 0x08, [0x3e] = 0x09,
	[0x41] = 0x33, [0x42] = 0x25, [0x43] = 0x17, [0x44] = 0x18, [0x45] = 0x0b,
	[0x46] = 0x0a, [0x49] = 0x34, [0x4a] = 0x35, [0x4b] = 0x26, [0x4c] = 0x27,
	[0x4d] = 0x19, [0x4e] = 0x0c, [0x52] = 0x28, [0x54] = 0x1a, [0x55] = 0x0d,
	[0x58] = 0x3a, [0x59] = 0x36, [0x5a] = 0x1c, [0x5b] = 0x1b, [0x5d] = 0x2b,
	[0x66] = 0x0e, [0x69] = 0x4f, [0x6b] = 0x4b, [0x6c] = 0x47, [0x70] = 0x52,
	[0x71] = 0x53, [0x72] = 0x50, [0x73] = 0x4c, [0x74] = 0x4d, [0x75] = 0x48,
	[0x76] = 0x01, [0x77] = 0x45, [0x78] = 0x57, [0x79] = 0x4e, [0x7a] = 0x51,
	[0x7b] = 0x4a, [0x7c] = 0x37, [0x7d] = 0x49, [0x7e] = 0x46, [0x83] = 0x41,
};

/* Set 2 E0-prefixed codes to set-1 extended keycodes. */
static const uint8_t set2_ext[0x80] = {
	[0x11] = KEY_RALT, [0x14] = KEY_RCTRL, [0x1f] = KEY_LGUI, [0x27] = KEY_RGUI,
	[0x2f] = KEY_MENU, [0x4a] = KEY_KP_SLASH, [0x5a] = KEY_KP_ENTER, [0x69] = KEY_END,
	[0x6b] = KEY_LEFT, [0x6c] = KEY_HOME, [0x70] = KEY_INSERT, [0x71] = KEY_DELETE,
	[0x72] = KEY_DOWN, [0x74] = KEY_RIGHT, [0x75] = KEY_UP, [0x7a] = KEY_PAGEDOWN,
	[0x7c] = KEY_PRINTSCREEN, [0x7d] = KEY_PAGEUP,
};

void kbd_decode_init(struct kbd_decoder *d, int set)
{
	*d = (struct kbd_decoder){ .set = set == 2 ? 2 : 1 };
}

uint8_t kbd_leds(const struct kbd_decoder *d)
{
	return (uint8_t)(((d->mods & KBD_MOD_SCROLL) ? 1 : 0) | ((d->mods & KBD_MOD_NUM) ? 2 : 0) |
			 ((d->mods & KBD_MOD_CAPS) ? 4 : 0));
}

static uint16_t modifier_bit(uint8_t key)
{
	switch (key) {
	case KEY_LSHIFT: return KBD_MOD_LSHIFT;
	case KEY_RSHIFT: return KBD_MOD_RSHIFT;
	case KEY_LCTRL: return KBD_MOD_LCTRL;
	case KEY_RCTRL: return KBD_MOD_RCTRL;
	case KEY_LALT: return KBD_MOD_LALT;
	case KEY_RALT: return KBD_MOD_RALT;
	case KEY_LGUI: case KEY_RGUI: return KBD_MOD_GUI;
	default: return 0;
	}
}

static uint16_t lock_bit(uint8_t key)
{
	switch (key) {
	case KEY_CAPSLOCK: return KBD_MOD_CAPS;
	case KEY_NUMLOCK: return KBD_MOD_NUM;
	case KEY_SCROLLLOCK: return KBD_MOD_SCROLL;
	default: return 0;
	}
}

static void text_set(struct kbd_event *ev, const char *s)
{
	uint8_t n = 0;

	while (s[n] && n < KBD_TEXT_MAX) {
		ev->text[n] = s[n];
		n++;
	}
	ev->text[n] = 0;
	ev->len = n;
}

/* Escape sequences for keys that are not characters (what xterm sends). */
static const char *special_text(uint8_t key)
{
	static const char *const fkeys[12] = {
		"\033OP", "\033OQ", "\033OR", "\033OS", "\033[15~", "\033[17~",
		"\033[18~", "\033[19~", "\033[20~", "\033[21~", "\033[23~", "\033[24~",
	};

	if (key >= KEY_F1 && key <= KEY_F10)
		return fkeys[key - KEY_F1];
	switch (key) {
	case KEY_F11: return fkeys[10];
	case KEY_F12: return fkeys[11];
	case KEY_UP: return "\033[A";
	case KEY_DOWN: return "\033[B";
	case KEY_RIGHT: return "\033[C";
	case KEY_LEFT: return "\033[D";
	case KEY_HOME: return "\033[H";
	case KEY_END: return "\033[F";
	case KEY_INSERT: return "\033[2~";
	case KEY_DELETE: return "\033[3~";
	case KEY_PAGEUP: return "\033[5~";
	case KEY_PAGEDOWN: return "\033[6~";
	case KEY_KP_ENTER: return "\n";
	case KEY_KP_SLASH: return "/";
	default: return "";
	}
}

/* Keypad 7..dot (0x47-0x53): digits with Num Lock, else the keys printed
 * under them. */
static const char keypad_digits[] = "789-456+1230.";
static const uint8_t keypad_nav[] = { KEY_HOME, KEY_UP, KEY_PAGEUP, 0, KEY_LEFT, 0, KEY_RIGHT,
				      0, KEY_END, KEY_DOWN, KEY_PAGEDOWN, KEY_INSERT, KEY_DELETE };

static void make_text(const struct kbd_decoder *d, struct kbd_event *ev)
{
	uint8_t k = ev->key;
	bool shift = d->mods & KBD_MOD_SHIFT;
	char c = 0;

	if (k >= KEY_KP7 && k <= KEY_KP_DOT) {
		unsigned i = k - KEY_KP7;

		if ((d->mods & KBD_MOD_NUM) && !shift) {
			c = keypad_digits[i];
		} else if (keypad_nav[i]) {
			text_set(ev, special_text(keypad_nav[i]));
			return;
		} else {
			c = keypad_digits[i];   /* - and + are the same either way */
			if (c >= '0' && c <= '9')
				c = 0;          /* keypad 5 without Num Lock */
		}
	} else if (k < sizeof(us_plain)) {
		c = shift ? us_shift[k] : us_plain[k];
		if (c >= 'a' && c <= 'z' && (d->mods & KBD_MOD_CAPS))
			c = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z' && (d->mods & KBD_MOD_CAPS))
			c = (char)(c - 'A' + 'a');
	} else {
		text_set(ev, special_text(k));
		return;
	}
	if (!c) {
		text_set(ev, "");
		return;
	}
	if (d->mods & KBD_MOD_CTRL) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			c = (char)(c & 0x1f);
		else if (c >= '@' && c <= '_')
			c = (char)(c & 0x1f);   /* ctrl-[ is ESC, ctrl-\ is FS... */
		else if (c == ' ' || c == '2')
			c = 0;                  /* ctrl-space: NUL, sent as one byte */
	}
	/* Alt sends ESC before the character, as xterm's metaSendsEscape does. */
	if (d->mods & KBD_MOD_ALT) {
		ev->text[0] = '\033';
		ev->text[1] = c;
		ev->text[2] = 0;
		ev->len = 2;
		return;
	}
	ev->text[0] = c;
	ev->text[1] = 0;
	ev->len = 1;
}

static bool emit(struct kbd_decoder *d, uint8_t key, bool down, struct kbd_event *ev)
{
	uint8_t bit = (uint8_t)(1u << (key & 7));
	bool was_down = d->down[key >> 3] & bit;
	uint16_t m = modifier_bit(key), lock = lock_bit(key);

	*ev = (struct kbd_event){ .key = key, .down = down, .repeat = down && was_down };
	if (down)
		d->down[key >> 3] |= bit;
	else
		d->down[key >> 3] &= (uint8_t)~bit;
	if (m) {
		if (down)
			d->mods |= m;
		else
			d->mods &= (uint16_t)~m;
	}
	if (lock && down && !was_down) {
		d->mods ^= lock;
		ev->leds_changed = true;
	}
	ev->mods = d->mods;
	if (down)
		make_text(d, ev);
	if (down && (key == KEY_DELETE || key == KEY_KP_DOT) &&
	    (d->mods & KBD_MOD_CTRL) && (d->mods & KBD_MOD_ALT))
		ev->reset_request = true;
	return true;
}

/* Pause arrives as E1 1D 45 E1 9D C5 (set 1) or E1 14 77 E1 F0 14 F0 77
 * (set 2), all on press; there is no release. */
static bool pause_byte(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev)
{
	static const uint8_t set1_seq[] = { 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
	static const uint8_t set2_seq[] = { 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
	const uint8_t *seq = d->set == 1 ? set1_seq : set2_seq;

	if (byte != seq[d->e1_len]) {
		d->e1_left = 0;         /* not a pause after all: resynchronise */
		return false;
	}
	d->e1_len++;
	if (--d->e1_left)
		return false;
	emit(d, KEY_PAUSE, true, ev);
	d->down[KEY_PAUSE >> 3] &= (uint8_t)~(1u << (KEY_PAUSE & 7));
	return true;
}

static bool decode_set1(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev)
{
	bool ext = d->ext;
	uint8_t code = byte & 0x7f;

	d->ext = false;
	if (byte == 0xe0) {
		d->ext = true;
		return false;
	}
	if (ext) {
		if (code == 0x2a || code == 0x36)
			return false;   /* the fake shifts around print screen and friends */
		return emit(d, (uint8_t)(0x80 | code), !(byte & 0x80), ev);
	}
	if (code == 0 || code > KEY_F12)
		return false;           /* unused codes (and 0x7a ACK, 0x7e resend) */
	return emit(d, code, !(byte & 0x80), ev);
}

static bool decode_set2(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev)
{
	bool ext = d->ext, release = d->release;
	uint8_t key;

	if (byte == 0xe0) {
		d->ext = true;
		return false;
	}
	if (byte == 0xf0) {
		d->release = true;
		return false;
	}
	d->ext = d->release = false;
	if (ext) {
		if (byte >= sizeof(set2_ext) || byte == 0x12 || byte == 0x59)
			return false;   /* fake shifts */
		key = set2_ext[byte];
	} else {
		key = byte < sizeof(set2_plain) ? set2_plain[byte] : 0;
	}
	if (!key)
		return false;
	return emit(d, key, !release, ev);
}

bool kbd_decode_byte(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev)
{
	if (d->e1_left)
		return pause_byte(d, byte, ev);
	/* replies, errors and self-test results are not keys (set 1 0xAA is a
	 * key release, left shift, so that one is only skipped in set 2) */
	if (byte == 0x00 || byte == 0xff || byte == 0xfa || byte == 0xfe || byte == 0xee ||
	    (d->set == 2 && (byte == 0xaa || byte == 0xfc))) {
		d->ext = d->release = false;
		return false;
	}
	if (byte == 0xe1) {
		d->ext = d->release = false;
		d->e1_left = d->set == 1 ? 5 : 7;
		d->e1_len = 0;
		return false;
	}
	return d->set == 1 ? decode_set1(d, byte, ev) : decode_set2(d, byte, ev);
}

const char *kbd_key_name(uint8_t key, char buf[8])
{
	static const char *const named[256] = {
		[0x01] = "esc", [0x0e] = "backspace", [0x0f] = "tab", [0x1c] = "enter",
		[0x1d] = "lctrl", [0x2a] = "lshift", [0x36] = "rshift", [0x37] = "kp*",
		[0x38] = "lalt", [0x39] = "space", [0x3a] = "capslock", [0x45] = "numlock",
		[0x46] = "scrolllock", [0x47] = "kp7", [0x48] = "kp8", [0x49] = "kp9",
		[0x4a] = "kp-", [0x4b] = "kp4", [0x4c] = "kp5", [0x4d] = "kp6", [0x4e] = "kp+",
		[0x4f] = "kp1", [0x50] = "kp2", [0x51] = "kp3", [0x52] = "kp0", [0x53] = "kp.",
		[0x57] = "f11", [0x58] = "f12", [0x7f] = "pause", [0x9c] = "kpenter",
		[0x9d] = "rctrl", [0xb5] = "kp/", [0xb7] = "printscreen", [0xb8] = "ralt",
		[0xc7] = "home", [0xc8] = "up", [0xc9] = "pageup", [0xcb] = "left",
		[0xcd] = "right", [0xcf] = "end", [0xd0] = "down", [0xd1] = "pagedown",
		[0xd2] = "insert", [0xd3] = "delete", [0xdb] = "lgui", [0xdc] = "rgui",
		[0xdd] = "menu",
	};
	static const char hex[] = "0123456789abcdef";

	if (named[key])
		return named[key];
	if (key >= KEY_F1 && key <= KEY_F10) {
		buf[0] = 'f';
		buf[1] = key == KEY_F10 ? '1' : (char)('1' + key - KEY_F1);
		buf[2] = key == KEY_F10 ? '0' : 0;
		buf[3] = 0;
		return buf;
	}
	if (key < sizeof(us_plain) && us_plain[key] > ' ') {
		buf[0] = us_plain[key];
		buf[1] = 0;
		return buf;
	}
	buf[0] = 'k';
	buf[1] = hex[key >> 4];
	buf[2] = hex[key & 15];
	buf[3] = 0;
	return buf;
}
