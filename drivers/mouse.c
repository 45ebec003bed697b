/* Mouse driver. Packets resynchronise on bit 3 of the first byte (always
 * set) and on a gap between bytes longer than a packet can take, so a lost
 * byte costs at most one packet. Locking: packet state is used only by the
 * IRQ 1/12 handler, under ps2.c's ps2_lock, after the polled set-up. */
#include <cosmos/errno.h>
#include <drivers/input.h>
#include <drivers/mouse.h>
#include <drivers/ps2.h>
#include <hal/cpu.h>
#include <hal/tsc.h>
#include <kernel/log.h>

#define PKT_ALWAYS_ONE 0x08
#define PKT_X_SIGN     0x10
#define PKT_Y_SIGN     0x20
#define PKT_X_OVERFLOW 0x40
#define PKT_Y_OVERFLOW 0x80
#define GAP_MS         30

static bool wheel;
static uint8_t packet[4];
static unsigned have;
static uint64_t last_tsc;
static uint64_t resyncs;

bool mouse_has_wheel(void)
{
	return wheel;
}

static int set_rate(uint8_t rate)
{
	return ps2_command(PS2_AUX, 0xf3, rate, NULL, 0, 100);
}

int mouse_init(void)
{
	uint8_t r[2];
	int err = ps2_command(PS2_AUX, 0xff, -1, r, 2, 1000);   /* reset: AA, id 00 */

	if (err)
		return err;
	if (r[0] != 0xaa)
		return -EIO;
	if ((err = ps2_command(PS2_AUX, 0xf6, -1, NULL, 0, 100)))   /* defaults */
		return err;
	/* the IntelliMouse knock: rates 200, 100, 80, then the id becomes 3 */
	if (set_rate(200) == 0 && set_rate(100) == 0 && set_rate(80) == 0 &&
	    ps2_command(PS2_AUX, 0xf2, -1, r, 1, 100) == 0)
		wheel = r[0] == 3;
	set_rate(100);
	return ps2_command(PS2_AUX, 0xf4, -1, NULL, 0, 100);    /* reporting on */
}

static void packet_done(void)
{
	uint8_t b0 = packet[0];
	int dx = packet[1] - ((b0 & PKT_X_SIGN) ? 256 : 0);
	int dy = packet[2] - ((b0 & PKT_Y_SIGN) ? 256 : 0);
	int dz = 0;

	/* an overflowed axis carries no usable distance */
	if (b0 & PKT_X_OVERFLOW)
		dx = 0;
	if (b0 & PKT_Y_OVERFLOW)
		dy = 0;
	if (wheel) {
		dz = packet[3] & 0x0f;
		if (dz & 0x08)
			dz -= 16;
		dz = -dz;       /* the mouse counts towards the user as positive */
	}
	/* PS/2 y grows upwards; screen rows grow downwards */
	input_mouse(dx, -dy, dz, b0 & 7);
}

void mouse_byte(uint8_t b)
{
	uint64_t now = rdtsc(), hz = tsc_hz() ? tsc_hz() : 3000000000ULL;

	if (have && now - last_tsc > hz / 1000 * GAP_MS) {
		have = 0;               /* the rest of that packet never came */
		resyncs++;
	}
	last_tsc = now;
	if (have == 0 && !(b & PKT_ALWAYS_ONE)) {
		resyncs++;              /* not a first byte: drop until one is */
		return;
	}
	packet[have++] = b;
	if (have == (wheel ? 4u : 3u)) {
		have = 0;
		packet_done();
	}
}
