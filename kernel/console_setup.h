/* Chooses the screen consoles from console= and the hardware, and starts
 * PS/2 input (with the input=echo test mode). */
#ifndef KERNEL_CONSOLE_SETUP_H
#define KERNEL_CONSOLE_SETUP_H

#include <stdbool.h>

/* console=serial,vga,fb (any mix). Default: serial plus the screen a user
 * sees: the GOP framebuffer when the firmware gave one, else VGA text. */
void console_setup(void);
/* PS/2 keyboard and mouse; with input=echo it prints every event to the
 * console and never returns; ps2=set2 turns the controller's translation
 * off (the keyboard's set 2 is decoded as it comes). Needs interrupts on. */
void input_setup(void);
/* input=echo took the keyboard's events (the screen's terminal must not). */
bool input_echo_mode(void);

#endif
