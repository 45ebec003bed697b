/* Keyboard driver. LED updates are sent from the interrupt handler as a
 * small state machine driven by the keyboard's ACKs, so nothing waits.
 * Locking: decoder and LED state are used only in the IRQ 1/12 handler,
 * under ps2.c's ps2_lock, after the polled set-up. */
#include <cosmos/errno.h>
#include <drivers/input.h>
#include <drivers/kbd.h>
#include <drivers/kbd_decode.h>
#include <drivers/ps2.h>
#include <hal/power.h>
#include <kernel/log.h>

enum led_state { LED_IDLE, LED_WAIT_CMD_ACK, LED_WAIT_DATA_ACK };

static struct kbd_decoder decoder;
static enum led_state led_state;
static bool led_pending;                /* changed again while an update ran */
static uint8_t led_sent;

int kbd_scancode_set(void)
{
	return decoder.set;
}

static void leds_start(void)
{
	if (led_state != LED_IDLE) {
		led_pending = true;
		return;
	}
	led_pending = false;
	if (ps2_send_async(PS2_KBD, 0xed) == 0)
		led_state = LED_WAIT_CMD_ACK;
}

/* Returns true if the byte was a reply to an LED command. */
static bool leds_reply(uint8_t b)
{
	if (led_state == LED_IDLE || (b != 0xfa && b != 0xfe))
		return false;
	if (b == 0xfe) {                /* resend: start the update again */
		led_state = LED_IDLE;
		leds_start();
		return true;
	}
	if (led_state == LED_WAIT_CMD_ACK) {
		led_sent = kbd_leds(&decoder);
		led_state = ps2_send_async(PS2_KBD, led_sent) == 0 ? LED_WAIT_DATA_ACK : LED_IDLE;
	} else {
		led_state = LED_IDLE;
		if (led_pending || led_sent != kbd_leds(&decoder))
			leds_start();
	}
	return true;
}

void kbd_byte(uint8_t b)
{
	struct kbd_event ev;
	struct input_event ie;

	if (leds_reply(b) || !kbd_decode_byte(&decoder, b, &ev))
		return;
	if (ev.reset_request) {
		log_info("kbd: Ctrl+Alt+Del: resetting");
		power_reset();
	}
	if (ev.leds_changed)
		leds_start();
	ie = (struct input_event){ .type = INPUT_KEY, .key = ev.key, .down = ev.down,
				   .repeat = ev.repeat, .mods = ev.mods, .len = ev.len };
	for (int i = 0; i < ev.len && i < (int)sizeof(ie.text) - 1; i++)
		ie.text[i] = ev.text[i];
	input_push(&ie);
}

int kbd_init(bool translated)
{
	uint8_t r[2], set = 1;
	int err;

	/* reset: ACK, then the self-test result 0xAA (slow on real keyboards) */
	err = ps2_command(PS2_KBD, 0xff, -1, r, 1, 1000);
	if (err)
		return err;
	if (r[0] != 0xaa) {
		log_warn("kbd: self-test answered %#x", r[0]);
		return -EIO;
	}
	if (!translated) {
		/* which set the keyboard sends; the controller passes it through */
		if (ps2_command(PS2_KBD, 0xf0, 0, r, 1, 100) == 0 && (r[0] == 1 || r[0] == 2))
			set = r[0];
		else
			set = 2;
	}
	kbd_decode_init(&decoder, set);
	err = ps2_command(PS2_KBD, 0xed, 0, NULL, 0, 100);   /* LEDs off */
	if (!err)
		err = ps2_command(PS2_KBD, 0xf4, -1, NULL, 0, 100);  /* scanning on */
	return err;
}
