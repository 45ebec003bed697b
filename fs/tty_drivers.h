/* The kernel's terminals: tty1 (the screen and the keyboard) and ttyS0
 * (COM1). */
#ifndef FS_TTY_DRIVERS_H
#define FS_TTY_DRIVERS_H

#include <stdbool.h>
#include <fs/tty.h>

/* Creates them, after the consoles, input and interrupts are up. */
void tty_init(void);
/* tty1 stops or starts taking the keyboard's events (tests of the input
 * queue read it themselves). */
void tty_console_keyboard(bool on);
/* NULL when the machine has no screen, or no serial port. */
struct tty *tty_console(void);
struct tty *tty_serial(void);

#endif
