/* The i8042 PS/2 controller: full initialisation with timeouts, byte I/O to
 * the keyboard (port 1) and mouse (port 2), and the interrupt handler that
 * hands each byte to drivers/kbd.c or drivers/mouse.c. */
#ifndef DRIVERS_PS2_H
#define DRIVERS_PS2_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

enum { PS2_KBD = 0, PS2_AUX = 1 };

/* Sets up the controller and whatever devices answer, then enables their
 * interrupts (IRQ 1 and 12). raw_set2: turn the controller's set 2 -> set 1
 * translation off, so the keyboard's own set arrives. 0, or
 * -ENODEV/-ETIMEDOUT/-EIO with a log line; never hangs. */
int ps2_init(bool raw_set2) __must_check;
bool ps2_port_ok(int port);

/* Polled helpers for device setup (interrupts for the port still off). */
int ps2_send(int port, uint8_t byte) __must_check;
int ps2_recv(uint8_t *byte, unsigned timeout_ms) __must_check;
/* Sends cmd (and arg if has_arg), waits for the ACK (retrying on a resend
 * request), then reads nresp response bytes. 0 or a negative errno. */
int ps2_command(int port, uint8_t cmd, int arg, uint8_t *resp, int nresp, unsigned timeout_ms) __must_check;
/* From the byte handlers (interrupt context, ps2_lock held): write a byte
 * without waiting for a reply. */
int ps2_send_async(int port, uint8_t byte) __must_check;

#endif
