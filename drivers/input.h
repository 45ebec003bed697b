/* The input event queue between the PS/2 interrupt handlers and whoever
 * reads input: key and mouse events, a non-blocking read, a callback for
 * "input available", and the mouse pointer position clamped to the screen. */
#ifndef DRIVERS_INPUT_H
#define DRIVERS_INPUT_H

#include <stdbool.h>
#include <stdint.h>

enum input_type { INPUT_KEY = 1, INPUT_MOUSE = 2 };

#define INPUT_BTN_LEFT   1
#define INPUT_BTN_RIGHT  2
#define INPUT_BTN_MIDDLE 4

struct input_event {
	uint8_t type;
	/* INPUT_KEY */
	uint8_t key;            /* drivers/kbd_decode.h keycode */
	bool down, repeat;
	uint16_t mods;
	uint8_t len;
	char text[8];           /* what a terminal reads for a press */
	/* INPUT_MOUSE: one packet; dy grows downwards like screen rows */
	int16_t dx, dy;
	int8_t wheel;           /* positive: away from the user */
	uint8_t buttons;        /* INPUT_BTN_* held after this packet */
	uint16_t x, y;          /* pointer position after this packet */
};

#define INPUT_QUEUE_SIZE 256

/* From interrupt context: queues an event; false (and counted) when full. */
bool input_push(const struct input_event *ev);
/* Non-blocking: true and *ev filled if an event was waiting. */
bool input_read(struct input_event *ev);
uint64_t input_dropped(void);
/* fn runs in interrupt context after each queued event. */
void input_set_notify(void (*fn)(void));

/* Pointer: the mouse driver reports motion; input clamps it to the screen,
 * calls the draw hook and queues the event. */
void input_set_screen(unsigned width, unsigned height);
void input_set_pointer_hook(void (*fn)(unsigned x, unsigned y));
void input_mouse(int dx, int dy, int wheel, uint8_t buttons);

#endif
