/* In-kernel tests of the terminal devices through their kernel interface
 * (fs/tty.h): input from "interrupt context" through the input thread,
 * echo, blocking, non-blocking, interrupted and timed reads, the input
 * ring and queue filling without loss, ioctls, hang-ups of the handles a
 * session opened, and tty1's whole path: scancodes from the keyboard
 * handler to the glyphs on the screen, and the screen's answer to a
 * cursor-position question coming back as input. A test terminal with a
 * recording driver keeps the screen and the serial line out of most. */
#include <cosmos/abi/termios.h>
#include <cosmos/errno.h>
#include <drivers/console.h>
#include <drivers/kbd.h>
#include <fs/tty.h>
#include <fs/tty_drivers.h>
#include <hal/cpu.h>
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>
#include <lib/string.h>

#define MS 1000000ULL

/* ---------------------------------------------------------------- a test terminal */

static struct tty test_tty;
static bool test_tty_up;
static char shown[2048];                /* what its driver was given (its lock held) */
static size_t nshown;

static void rec_write(struct tty *t, const char *s, size_t n)
{
	(void)t;
	for (size_t i = 0; i < n && nshown < sizeof(shown) - 1; i++)
		shown[nshown++] = s[i];
	shown[nshown] = 0;
}

static const struct tty_driver rec_driver = { "ttytest", rec_write, NULL };

static struct tty *fresh_tty(struct ktest_ctx *t, struct tty_handle *h)
{
	struct termios tio;

	if (!test_tty_up) {
		if (tty_create(&test_tty, &rec_driver, NULL, 24, 80) != 0)
			return NULL;
		test_tty_up = true;
	}
	KT_EXPECT_EQ(t, tty_open(&test_tty, true, false, h), 0);
	ldisc_default_termios(&tio);
	KT_EXPECT_EQ(t, tty_ioctl(h, TCSETSF, 0, &tio), 0);
	nshown = 0;
	shown[0] = 0;
	return &test_tty;
}

/* Kernel buffers for reads and writes. */
struct kbuf {
	char *p;
	size_t len, pos;
};

static long k_out(void *ctx, const char *src, size_t n)
{
	struct kbuf *b = ctx;

	if (n > b->len - b->pos)
		n = b->len - b->pos;
	memcpy(b->p + b->pos, src, n);
	b->pos += n;
	return (long)n;
}

static long k_in(void *ctx, char *dst, size_t n)
{
	struct kbuf *b = ctx;

	if (n > b->len - b->pos)
		n = b->len - b->pos;
	memcpy(dst, b->p + b->pos, n);
	b->pos += n;
	return (long)n;
}

static long rd(struct tty_handle *h, char *buf, size_t len, bool nonblock)
{
	struct kbuf b = { buf, len - 1, 0 };
	struct tty_copy c = { k_out, k_in, &b };
	long n = tty_read(h, &c, len - 1, nonblock);

	buf[n > 0 ? n : 0] = 0;
	return n;
}

static long wr(struct tty_handle *h, const char *s)
{
	struct kbuf b = { (char *)s, strlen(s), 0 };
	struct tty_copy c = { k_out, k_in, &b };

	return tty_write(h, &c, strlen(s), false);
}

/* Input as an interrupt handler gives it. */
static void irq_input(struct tty *tt, const char *s)
{
	uint64_t f = cpu_irq_save();

	tty_input(tt, s, strlen(s));
	cpu_irq_restore(f);
}

static void set_raw(struct ktest_ctx *t, struct tty_handle *h, uint8_t vmin, uint8_t vtime)
{
	struct termios tio;

	KT_EXPECT_EQ(t, tty_ioctl(h, TCGETS, 0, &tio), 0);
	tio.c_lflag &= ~(uint32_t)(ICANON | ECHO);
	tio.c_cc[VMIN] = vmin;
	tio.c_cc[VTIME] = vtime;
	KT_EXPECT_EQ(t, tty_ioctl(h, TCSETS, 0, &tio), 0);
}

/* ---------------------------------------------------------------- tests */

KTEST(tty_canonical_read_and_echo)
{
	struct tty_handle h;
	char buf[64];

	KT_ASSERT(t, fresh_tty(t, &h));
	irq_input(&test_tty, "hello\rworld\r");
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 6);   /* waits for the input thread */
	KT_EXPECT(t, strcmp(buf, "hello\n") == 0);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 6);
	KT_EXPECT(t, strcmp(buf, "world\n") == 0);
	KT_EXPECT(t, strcmp(shown, "hello\r\nworld\r\n") == 0);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), true), -EAGAIN);
	/* program output goes through output processing to the driver */
	nshown = 0;
	KT_EXPECT_EQ(t, wr(&h, "a\nb"), 3);
	KT_EXPECT(t, strcmp(shown, "a\r\nb") == 0);
	tty_close(&h);
}

static uint64_t late_at;                /* when later_input gives its line */

static void later_input(void *arg)
{
	(void)thread_sleep_until(late_at);
	irq_input(arg, "late\r");
}

KTEST(tty_read_sleeps_until_input)
{
	struct tty_handle h;
	char buf[32];
	uint64_t t0;

	KT_ASSERT(t, fresh_tty(t, &h));
	t0 = time_ns();
	late_at = t0 + 30 * MS;
	KT_ASSERT(t, thread_create("tty-later", later_input, &test_tty, SCHED_PRIO_DEFAULT,
				   THREAD_DETACHED) != NULL);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 5);
	KT_EXPECT(t, time_ns() - t0 >= 25 * MS);
	KT_EXPECT(t, strcmp(buf, "late\n") == 0);
	tty_close(&h);
}

KTEST(tty_read_interrupted_and_timed)
{
	struct tty_handle h;
	char buf[32];
	uint64_t t0;

	KT_ASSERT(t, fresh_tty(t, &h));
	thread_interrupt(thread_current());             /* as a signal does */
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), -EINTR);
	thread_clear_interrupt(thread_current());
	set_raw(t, &h, 0, 1);                           /* VTIME 100 ms, VMIN 0 */
	t0 = time_ns();
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 0);
	KT_EXPECT(t, time_ns() - t0 >= 95 * MS);
	set_raw(t, &h, 0, 0);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 0);   /* a poll: at once */
	tty_close(&h);
}

/* Bytes in the input ring, not yet taken by the input thread. */
static size_t raw_held(struct tty *tt)
{
	uint64_t f = spin_lock_irqsave(&tt->raw_lock);
	size_t n = tt->raw_head - tt->raw_tail;

	spin_unlock_irqrestore(&tt->raw_lock, f);
	return n;
}

/* Waits, up to 10 s, until the input thread has left at most `left` bytes
 * in the ring. */
static bool raw_drained_to(struct tty *tt, size_t left)
{
	uint64_t deadline = time_ns() + 10000 * MS;

	while (raw_held(tt) > left) {
		if (time_ns() >= deadline)
			return false;
		(void)thread_sleep_ns(MS);
	}
	return true;
}

/* More than the queue holds with the reader away, in bursts the ring
 * takes once the input thread has emptied it as far as it can: the thread
 * waits for room in the queue, and nothing is lost or reordered. */
KTEST(tty_raw_input_without_loss)
{
	enum { BURST = 400 };
	static char in[(LDISC_BUF / BURST + 2) * BURST], out[sizeof(in) + 1];
	struct tty_handle h;
	uint64_t dropped = test_tty.raw_dropped;
	size_t got = 0;

	KT_ASSERT(t, fresh_tty(t, &h));
	set_raw(t, &h, 1, 0);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof(in); i += BURST) {
		uint64_t f = cpu_irq_save();

		tty_input(&test_tty, in + i, BURST);
		cpu_irq_restore(f);
		/* the thread takes the bytes the queue has room for */
		KT_ASSERT(t, raw_drained_to(&test_tty, i + BURST > LDISC_BUF ?
						       i + BURST - LDISC_BUF : 0));
	}
	KT_ASSERT(t, test_tty.raw_dropped == dropped);
	/* what is missing ends the reads after a second without input */
	set_raw(t, &h, 0, 10);
	while (got < sizeof(in)) {
		long n = rd(&h, out + got, sizeof(out) - got, false);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	KT_EXPECT_EQ(t, got, sizeof(in));
	KT_EXPECT(t, memcmp(in, out, sizeof(in)) == 0);
	tty_close(&h);
}

KTEST(tty_ioctls)
{
	struct tty_handle h;
	struct termios tio, back;
	struct winsize ws = { 0 };
	int32_t n = -1;
	char buf[16];

	KT_ASSERT(t, fresh_tty(t, &h));
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCGETS, 0, &tio), 0);
	KT_EXPECT(t, (tio.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
	KT_EXPECT_EQ(t, tio.c_cc[VINTR], 3);
	tio.c_lflag &= ~(uint32_t)ECHO;
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCSETSW, 0, &tio), 0);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCGETS, 0, &back), 0);
	KT_EXPECT(t, memcmp(&tio, &back, sizeof(tio)) == 0);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCGWINSZ, 0, &ws), 0);
	KT_EXPECT(t, ws.ws_row == 24 && ws.ws_col == 80);
	ws.ws_row = 30;
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCSWINSZ, 0, &ws), 0);
	ws.ws_row = 0;
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCGWINSZ, 0, &ws), 0);
	KT_EXPECT_EQ(t, ws.ws_row, 30);
	irq_input(&test_tty, "abc\rde");
	/* the thread takes the ring's bytes with the terminal's lock held,
	 * which the ioctl waits for: all of them are in the queue then */
	KT_ASSERT(t, raw_drained_to(&test_tty, 0));
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCINQ, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 4);                          /* the complete line only */
	KT_EXPECT(t, shown[0] == 0);                    /* no echo */
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCFLSH, TCIFLUSH, NULL), 0);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), true), -EAGAIN);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCFLSH, 7, NULL), -EINVAL);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCOUTQ, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 0);
	/* a kernel thread has no session: no terminal is its controlling one */
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCGPGRP, 0, &n), -ENOTTY);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCSCTTY, 0, NULL), -EPERM);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCNOTTY, 0, NULL), -ENOTTY);
	KT_EXPECT_EQ(t, tty_ioctl(&h, 0x5499, 0, NULL), -ENOTTY);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCGETS, 0, NULL), -EFAULT);
	KT_EXPECT(t, tty_current() == NULL);
	tty_close(&h);
}

static long reader_result;

static void blocked_reader(void *arg)
{
	char buf[8];

	reader_result = rd(arg, buf, sizeof(buf), false);
}

/* The session's leader leaves: its handles see end of file and EIO, a
 * sleeping reader wakes, /dev/console's handle and new opens work. */
KTEST(tty_hangup_on_session_end)
{
	struct tty_handle h, cons, reader, fresh;
	struct thread *th;
	char buf[8];
	int code;

	KT_ASSERT(t, fresh_tty(t, &h));
	KT_EXPECT_EQ(t, tty_open(&test_tty, true, true, &cons), 0);
	KT_EXPECT_EQ(t, tty_open(&test_tty, true, false, &reader), 0);
	reader_result = -1;
	th = thread_create("tty-reader", blocked_reader, &reader, SCHED_PRIO_DEFAULT, 0);
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, ktest_await_sleeper(&test_tty.read_wq, 10000 * MS));
	test_tty.sid = 4242;            /* as if session 4242 had made it its terminal */
	test_tty.pgrp = 4242;
	tty_session_leader_exit(4242);
	KT_EXPECT_EQ(t, thread_join(th, &code), 0);
	KT_EXPECT_EQ(t, reader_result, 0);              /* the sleeping read ended: end of file */
	KT_EXPECT_EQ(t, test_tty.sid, 0);
	KT_EXPECT_EQ(t, test_tty.pgrp, 0);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 0);
	KT_EXPECT_EQ(t, wr(&h, "x"), -EIO);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCGETS, 0, buf), -EIO);
	KT_EXPECT_EQ(t, wr(&cons, "y"), 1);             /* the console's handle lives on */
	KT_EXPECT_EQ(t, tty_open(&test_tty, true, false, &fresh), 0);
	KT_EXPECT_EQ(t, wr(&fresh, "z"), 1);
	tty_session_leader_exit(4242);                  /* no longer its terminal: nothing happens */
	KT_EXPECT_EQ(t, wr(&fresh, "z"), 1);
	tty_close(&fresh);
	tty_close(&reader);
	tty_close(&cons);
	tty_close(&h);
}

/* ---------------------------------------------------------------- tty1 */

static void press(uint8_t make)
{
	uint64_t f = cpu_irq_save();    /* as the keyboard interrupt runs */

	kbd_byte(make);
	kbd_byte(make | 0x80);
	cpu_irq_restore(f);
}

static bool cell_is(unsigned x, unsigned y, char ch)
{
	struct term_cell c;

	return console_screen_cell(x, y, &c) && c.ch == (uint8_t)ch;
}

/* Keys typed on the keyboard: their echo on the screen and the line a
 * read returns; then a program asks the screen where the cursor is and
 * reads the answer as input. */
KTEST(tty1_keyboard_echo_and_cursor_report)
{
	struct tty *con = tty_console();
	struct tty_handle h;
	char buf[32];

	if (!con || kbd_scancode_set() != 1) {
		KT_EXPECT(t, 0 && "no screen terminal with a set-1 keyboard");
		return;
	}
	KT_EXPECT_EQ(t, tty_open(con, true, false, &h), 0);
	KT_EXPECT_EQ(t, tty_ioctl(&h, TCFLSH, TCIFLUSH, NULL), 0);
	KT_EXPECT_EQ(t, wr(&h, "\033[1;1H\033[2K"), 10);
	press(0x23);                    /* h */
	press(0x17);                    /* i */
	press(0x1c);                    /* Enter */
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 3);
	KT_EXPECT(t, strcmp(buf, "hi\n") == 0);
	KT_EXPECT(t, cell_is(0, 0, 'h') && cell_is(1, 0, 'i'));
	set_raw(t, &h, 6, 0);
	KT_EXPECT_EQ(t, wr(&h, "\033[3;7H\033[6n"), 10);
	KT_EXPECT_EQ(t, rd(&h, buf, sizeof(buf), false), 6);
	KT_EXPECT(t, strcmp(buf, "\033[3;7R") == 0);
	/* the size reported is the screen's */
	{
		struct winsize ws;
		unsigned cols, rows;

		KT_EXPECT_EQ(t, tty_ioctl(&h, TIOCGWINSZ, 0, &ws), 0);
		KT_EXPECT(t, console_screen_size(&cols, &rows));
		KT_EXPECT(t, ws.ws_col == cols && ws.ws_row == rows);
	}
	set_raw(t, &h, 1, 0);
	{
		struct termios tio;

		ldisc_default_termios(&tio);
		KT_EXPECT_EQ(t, tty_ioctl(&h, TCSETSF, 0, &tio), 0);
	}
	KT_EXPECT_EQ(t, wr(&h, "\033[99;1H\n"), 8);
	tty_close(&h);
}
