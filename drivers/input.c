/* Input queue: a ring written by interrupt handlers and read by threads.
 * Locking: input_lock covers the ring (queue, head, tail, dropped), the
 * screen size and the pointer position, for handlers and readers on any
 * CPU; the hooks are set once at boot. */
#include <drivers/input.h>
#include <kernel/sync/spinlock.h>

static struct spinlock input_lock = SPINLOCK_INIT("input");

static struct input_event queue[INPUT_QUEUE_SIZE];
static unsigned head, tail;             /* head: next write; tail: next read */
static uint64_t dropped;
static void (*notify)(void);
static void (*pointer_hook)(unsigned x, unsigned y);
static unsigned screen_w = 640, screen_h = 400;
static int pointer_x = 320, pointer_y = 200;

bool input_push(const struct input_event *ev)
{
	uint64_t flags = spin_lock_irqsave(&input_lock);
	bool ok = head - tail < INPUT_QUEUE_SIZE;

	if (ok) {
		queue[head % INPUT_QUEUE_SIZE] = *ev;
		head++;
	} else {
		dropped++;
	}
	spin_unlock_irqrestore(&input_lock, flags);
	if (ok && notify)
		notify();
	return ok;
}

bool input_read(struct input_event *ev)
{
	uint64_t flags = spin_lock_irqsave(&input_lock);
	bool have = head != tail;

	if (have) {
		*ev = queue[tail % INPUT_QUEUE_SIZE];
		tail++;
	}
	spin_unlock_irqrestore(&input_lock, flags);
	return have;
}

uint64_t input_dropped(void)
{
	uint64_t flags = spin_lock_irqsave(&input_lock), n = dropped;

	spin_unlock_irqrestore(&input_lock, flags);
	return n;
}

void input_set_notify(void (*fn)(void))
{
	notify = fn;
}

void input_set_screen(unsigned width, unsigned height)
{
	uint64_t flags = spin_lock_irqsave(&input_lock);

	screen_w = width ? width : 1;
	screen_h = height ? height : 1;
	pointer_x = (int)screen_w / 2;
	pointer_y = (int)screen_h / 2;
	spin_unlock_irqrestore(&input_lock, flags);
}

void input_set_pointer_hook(void (*fn)(unsigned x, unsigned y))
{
	pointer_hook = fn;
}

static int clamp(int v, int max)
{
	return v < 0 ? 0 : v > max ? max : v;
}

void input_mouse(int dx, int dy, int wheel, uint8_t buttons)
{
	struct input_event ev = { .type = INPUT_MOUSE, .dx = (int16_t)dx, .dy = (int16_t)dy,
				  .wheel = (int8_t)wheel, .buttons = buttons };
	uint64_t flags = spin_lock_irqsave(&input_lock);

	pointer_x = clamp(pointer_x + dx, (int)screen_w - 1);
	pointer_y = clamp(pointer_y + dy, (int)screen_h - 1);
	ev.x = (uint16_t)pointer_x;
	ev.y = (uint16_t)pointer_y;
	if (pointer_hook && (dx || dy))
		pointer_hook((unsigned)pointer_x, (unsigned)pointer_y);
	spin_unlock_irqrestore(&input_lock, flags);
	input_push(&ev);
}
