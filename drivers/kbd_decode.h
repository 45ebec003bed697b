/* Portable PS/2 scancode decoder: bytes of scancode set 1 (what a translating
 * i8042 delivers) or set 2 in, key events with keycode, modifiers and the
 * text a terminal expects (US layout, escape sequences for special keys)
 * out. Host-tested. */
#ifndef DRIVERS_KBD_DECODE_H
#define DRIVERS_KBD_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Keycodes are set-1 make codes; extended (E0-prefixed) keys are 0x80 | code.
 * Pause, which has no single code, gets one of its own. */
enum {
	KEY_ESC = 0x01, KEY_BACKSPACE = 0x0e, KEY_TAB = 0x0f, KEY_ENTER = 0x1c,
	KEY_LCTRL = 0x1d, KEY_A = 0x1e, KEY_LSHIFT = 0x2a, KEY_RSHIFT = 0x36,
	KEY_KP_STAR = 0x37, KEY_LALT = 0x38, KEY_SPACE = 0x39, KEY_CAPSLOCK = 0x3a,
	KEY_F1 = 0x3b, KEY_F10 = 0x44, KEY_NUMLOCK = 0x45, KEY_SCROLLLOCK = 0x46,
	KEY_KP7 = 0x47, KEY_KP_DOT = 0x53, KEY_F11 = 0x57, KEY_F12 = 0x58,
	KEY_PAUSE = 0x7f,
	KEY_KP_ENTER = 0x9c, KEY_RCTRL = 0x9d, KEY_KP_SLASH = 0xb5, KEY_PRINTSCREEN = 0xb7,
	KEY_RALT = 0xb8, KEY_HOME = 0xc7, KEY_UP = 0xc8, KEY_PAGEUP = 0xc9,
	KEY_LEFT = 0xcb, KEY_RIGHT = 0xcd, KEY_END = 0xcf, KEY_DOWN = 0xd0,
	KEY_PAGEDOWN = 0xd1, KEY_INSERT = 0xd2, KEY_DELETE = 0xd3,
	KEY_LGUI = 0xdb, KEY_RGUI = 0xdc, KEY_MENU = 0xdd,
};

/* Modifier and lock bits in kbd_event.mods. */
#define KBD_MOD_LSHIFT 0x001
#define KBD_MOD_RSHIFT 0x002
#define KBD_MOD_LCTRL  0x004
#define KBD_MOD_RCTRL  0x008
#define KBD_MOD_LALT   0x010
#define KBD_MOD_RALT   0x020
#define KBD_MOD_GUI    0x040
#define KBD_MOD_CAPS   0x100
#define KBD_MOD_NUM    0x200
#define KBD_MOD_SCROLL 0x400
#define KBD_MOD_SHIFT  (KBD_MOD_LSHIFT | KBD_MOD_RSHIFT)
#define KBD_MOD_CTRL   (KBD_MOD_LCTRL | KBD_MOD_RCTRL)
#define KBD_MOD_ALT    (KBD_MOD_LALT | KBD_MOD_RALT)

#define KBD_TEXT_MAX 7

struct kbd_event {
	uint8_t key;
	bool down;
	bool repeat;            /* a press while the key was already down */
	uint16_t mods;          /* after this event */
	uint8_t len;            /* bytes in text (presses only) */
	char text[KBD_TEXT_MAX + 1];
	bool leds_changed;      /* a lock key toggled: update the LEDs */
	bool reset_request;     /* Ctrl+Alt+Del */
};

struct kbd_decoder {
	int set;                /* 1 or 2 */
	bool ext;               /* E0 seen */
	bool release;           /* set 2: F0 seen */
	uint8_t e1_left;        /* bytes of a pause sequence still to come */
	uint8_t e1_len;         /* bytes of it matched so far */
	uint16_t mods;
	uint8_t down[32];       /* bitmap of keys held */
};

void kbd_decode_init(struct kbd_decoder *d, int set);
/* Feeds one byte; returns true and fills *ev when it completes a key event. */
bool kbd_decode_byte(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev);
/* A short lower-case name for logs and the input echo ("a", "up", "kp7"). */
const char *kbd_key_name(uint8_t key, char buf[8]);
/* LED byte for the keyboard's 0xED command (bit 0 scroll, 1 num, 2 caps). */
uint8_t kbd_leds(const struct kbd_decoder *d);

#endif
