/* In-kernel tests of console and input pieces that QMP cannot reach: mouse
 * packet resynchronisation (a stray byte, a lost byte, overflow), the input
 * queue when full, and the framebuffer checks on bad firmware descriptions. */
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/fbcon.h>
#include <drivers/font.h>
#include <drivers/input.h>
#include <drivers/mouse.h>
#include <drivers/ps2.h>
#include <fs/tty_drivers.h>
#include <hal/cpu.h>
#include <kernel/ktest.h>
#include <kernel/time.h>
#include <kernel/sched/sched.h>

static void drain(void)
{
	struct input_event ev;

	while (input_read(&ev))
		;
}

/* Feeds bytes the way the IRQ handler does (interrupts off). */
static void feed(const uint8_t *b, int n)
{
	uint64_t flags = cpu_irq_save();

	for (int i = 0; i < n; i++)
		mouse_byte(b[i]);
	cpu_irq_restore(flags);
}

KTEST(mouse_packet_resync)
{
	struct input_event ev;
	int len;

	if (!ps2_port_ok(PS2_AUX)) {
		KT_EXPECT(t, 0 && "no PS/2 mouse on this machine");
		return;
	}
	len = mouse_has_wheel() ? 4 : 3;
	tty_console_keyboard(false);    /* the test reads the events itself */
	drain();
	/* a byte without the always-one bit cannot start a packet */
	feed((const uint8_t[]){ 0x00, 0x08, 0x05, 0x03, 0x00 }, 1 + len);
	KT_ASSERT(t, input_read(&ev));
	KT_EXPECT_EQ(t, ev.type, INPUT_MOUSE);
	KT_EXPECT_EQ(t, ev.dx, 5);
	KT_EXPECT_EQ(t, ev.dy, -3);            /* PS/2 up is screen up */
	KT_EXPECT(t, !input_read(&ev));
	/* a packet cut short: after the gap the next first byte starts over */
	feed((const uint8_t[]){ 0x08, 0x07 }, 2);
	KT_ASSERT(t, thread_sleep_until(time_ns() + 60 * 1000000ULL) == 0);
	feed((const uint8_t[]){ 0x09, 0x00, 0x00, 0x00 }, len);
	KT_ASSERT(t, input_read(&ev));
	KT_EXPECT_EQ(t, ev.buttons, INPUT_BTN_LEFT);
	KT_EXPECT_EQ(t, ev.dx, 0);
	KT_EXPECT(t, !input_read(&ev));
	/* overflow: the axis carries no distance; negative y with its sign bit */
	feed((const uint8_t[]){ 0x68, 0xff, 0xfe, 0x00 }, len);
	KT_ASSERT(t, input_read(&ev));
	KT_EXPECT_EQ(t, ev.dx, 0);
	KT_EXPECT_EQ(t, ev.dy, 2);
	KT_EXPECT_EQ(t, ev.buttons, 0);
	tty_console_keyboard(true);
}

KTEST(input_queue_full)
{
	struct input_event ev = { .type = INPUT_KEY, .key = 0x1e, .down = true }, out;
	uint64_t before = input_dropped();
	int queued = 0, read = 0;

	tty_console_keyboard(false);    /* the test reads the events itself */
	drain();
	for (int i = 0; i < INPUT_QUEUE_SIZE + 10; i++)
		queued += input_push(&ev);
	KT_EXPECT_EQ(t, queued, INPUT_QUEUE_SIZE);
	KT_EXPECT_EQ(t, input_dropped() - before, 10);
	while (input_read(&out))
		read++;
	KT_EXPECT_EQ(t, read, INPUT_QUEUE_SIZE);
	tty_console_keyboard(true);
}

KTEST(fbcon_rejects_bad_descriptions)
{
	const struct boot_framebuffer good = {
		.phys = 0xc0000000, .size = 1024 * 768 * 4, .width = 1024, .height = 768,
		.pitch = 4096, .format = BOOT_FB_BITMASK, .red_mask = 0xf800, .green_mask = 0x07e0,
		.blue_mask = 0x001f,
	};
	struct boot_framebuffer d;
	const char *why;

	d = good; d.pitch = 1024 * 4 - 4;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.size = 4096 * 767;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.width = 0;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.height = 100000;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.pitch = 4097 * 4 + 2;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.green_mask = 0x0fe0;       /* overlaps red */
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.blue_mask = 0x0015;        /* not contiguous */
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.red_mask = 0;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	d = good; d.format = 7;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -EINVAL);
	KT_EXPECT(t, why != NULL);
	d = good; d.format = BOOT_FB_NONE;
	KT_EXPECT_EQ(t, fbcon_init(&d, &why), -ENODEV);
}

/* Draws through the terminal into the top-left cell and reads the pixels
 * back: glyph shape, ANSI colours mapped to the VGA palette, and the cursor
 * put back where it was by the save/restore escapes. */
KTEST(fbcon_draws_ansi_colours)
{
	static const char seq[] = "\0337\033[1;1H\033[31;44mX\033[0m\033[1;2H\033[1;92m#\033[0m\0338";
	const uint8_t *x = font8x16['X'];
	uint32_t green, black;
	int wrong = 0;

	if (!console_active("fb")) {
		KT_EXPECT(t, 0 && "no framebuffer console");
		return;
	}
	fbcon_console.write(NULL, seq, sizeof(seq) - 1);
	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned i = 0; i < FONT_WIDTH; i++) {
			uint32_t want = (x[y] & (0x80 >> i)) ? 0xaa0000 : 0x0000aa;  /* red on blue */

			wrong += fbcon_read_rgb(i, y) != want;
		}
	/* bright green '#' on black in the next cell */
	green = fbcon_read_rgb(FONT_WIDTH + 2, 5);
	black = fbcon_read_rgb(FONT_WIDTH, 5);
	/* checked only now: a failure's log line may scroll the screen */
	KT_EXPECT_EQ(t, wrong, 0);
	KT_EXPECT_EQ(t, green, 0x55ff55);
	KT_EXPECT_EQ(t, black, 0x000000);
}

/* fbcon skips a default-background space over a cell that already shows
 * plain background; over a drawn glyph the space must still erase it. */
KTEST(fbcon_space_erases_a_glyph)
{
	static const char draw[] = "\0337\033[1;3H\033[1;97m#\033[0m\0338";
	static const char erase[] = "\0337\033[1;3H \0338";
	unsigned lit = 0, left = 0;

	if (!console_active("fb")) {
		KT_EXPECT(t, 0 && "no framebuffer console");
		return;
	}
	fbcon_console.write(NULL, draw, sizeof(draw) - 1);
	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned i = 0; i < FONT_WIDTH; i++)
			lit += fbcon_read_rgb(2 * FONT_WIDTH + i, y) != 0;
	fbcon_console.write(NULL, erase, sizeof(erase) - 1);
	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned i = 0; i < FONT_WIDTH; i++)
			left += fbcon_read_rgb(2 * FONT_WIDTH + i, y) != 0;
	KT_EXPECT(t, lit > 0);
	KT_EXPECT_EQ(t, left, 0u);
}
