/* PS/2 keyboard: reset, scancode set detection, LEDs, and the byte handler
 * that decodes keys into the input queue. */
#ifndef DRIVERS_KBD_H
#define DRIVERS_KBD_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

/* Polled set-up at boot; translated: the controller turns set 2 into set 1. */
int kbd_init(bool translated) __must_check;
/* Interrupt context: one byte from the keyboard. */
void kbd_byte(uint8_t byte);
int kbd_scancode_set(void);

#endif
