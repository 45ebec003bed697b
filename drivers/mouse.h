/* PS/2 mouse: reset, IntelliMouse wheel detection, and the byte handler that
 * assembles 3- or 4-byte packets into pointer motion and button events. */
#ifndef DRIVERS_MOUSE_H
#define DRIVERS_MOUSE_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

int mouse_init(void) __must_check;
bool mouse_has_wheel(void);
/* Interrupt context: one byte from the mouse. */
void mouse_byte(uint8_t byte);

#endif
