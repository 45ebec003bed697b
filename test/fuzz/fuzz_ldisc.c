/* Fuzz target for the line discipline (fs/tty_ldisc.c), which takes bytes
 * typed on the keyboard or sent down a serial line. Input: a sequence of
 * operations (receive bytes, read, write, change settings, flush, hang
 * up), each from a command byte and its arguments. After each one the
 * queue's positions must be in order and within LDISC_BUF, a read must
 * return no more than asked and exactly what it copied, a canonical read
 * at most one line, and nothing may touch memory outside the buffers
 * (AddressSanitizer). The reader's buffer may fault part way. Reads never sleep: a wait ends at once with a
 * timeout or a signal, as the input says. */
#include "fuzz.h"

#include <cosmos/errno.h>
#include <fs/tty_ldisc.h>

struct world {
	struct ldisc ld;
	size_t out;             /* bytes output */
	size_t copied;          /* bytes the last read copied */
	size_t room;            /* bytes the reader's buffer takes before a fault */
	bool interrupt;         /* waits end with a signal, else a timeout */
	bool hangup;            /* waits end with a hang-up */
	uint64_t clock;
};

static void w_output(void *ctx, const char *s, size_t n)
{
	struct world *w = ctx;

	FUZZ_CHECK(n > 0 && s != NULL, "empty output");
	w->out += n;
}

static void w_signal(void *ctx, enum ldisc_signal sig)
{
	(void)ctx;
	FUZZ_CHECK(sig == LDISC_SIGINT || sig == LDISC_SIGQUIT || sig == LDISC_SIGTSTP, "signal %d", sig);
}

static const struct ldisc_ops ops = { w_output, w_signal };

/* A reader's buffer that may end in a fault after `room` bytes. */
static long w_copy_out(void *ctx, const char *src, size_t n)
{
	struct world *w = ctx;
	volatile char sink = 0;

	if (w->room == 0)
		return -EFAULT;
	if (n > w->room)
		n = w->room;
	for (size_t i = 0; i < n; i++)      /* every byte handed out must be readable */
		sink ^= src[i];
	(void)sink;
	w->copied += n;
	w->room -= n;
	return (long)n;
}

static int w_wait(void *ctx, uint64_t deadline)
{
	struct world *w = ctx;

	if (w->hangup)
		return LDISC_HUNGUP;
	if (w->interrupt || deadline == 0)
		return -EINTR;
	FUZZ_CHECK(deadline >= w->clock, "a deadline in the past");
	w->clock = deadline;
	return -ETIMEDOUT;
}

static uint64_t w_now(void *ctx)
{
	return ((struct world *)ctx)->clock;
}

static void check(const struct ldisc *ld)
{
	FUZZ_CHECK(ld->tail <= ld->canon_head && ld->canon_head <= ld->head, "positions %llu %llu %llu",
		   (unsigned long long)ld->tail, (unsigned long long)ld->canon_head,
		   (unsigned long long)ld->head);
	FUZZ_CHECK(ld->head - ld->tail <= LDISC_BUF, "%llu bytes queued",
		   (unsigned long long)(ld->head - ld->tail));
	FUZZ_CHECK(ldisc_queued(ld) <= ld->head - ld->tail, "FIONREAD beyond the queue");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct fuzz_in in = fuzz_in(data, size);
	struct ldisc_reader r = { w_copy_out, w_wait, w_now, &w };

	memset(&w, 0, sizeof(w));
	ldisc_init(&w.ld, &ops, &w);
	while (in.left) {
		uint8_t op = fuzz_u8(&in);
		size_t n, got;
		const uint8_t *p;
		struct termios t;
		long ret;

		switch (op % 8) {
		case 0:         /* bytes typed */
		case 1:
			p = fuzz_bytes(&in, 1 + op / 8, &got);
			for (size_t i = 0; i < got; i++)
				ldisc_receive(&w.ld, p[i]);
			break;
		case 2: {       /* a read */
			bool canon = w.ld.termios.c_lflag & ICANON;
			size_t before = ldisc_queued(&w.ld);

			n = fuzz_u16(&in) % (LDISC_BUF + 64);
			w.room = op & 0x20 ? fuzz_u8(&in) : SIZE_MAX;
			w.copied = 0;
			w.interrupt = op & 0x80;
			ret = ldisc_read(&w.ld, n, op & 0x40, &r);
			FUZZ_CHECK(ret == (long)w.copied || (ret < 0 && w.copied == 0), "read said %ld, copied %zu",
				   ret, w.copied);
			FUZZ_CHECK(ret <= (long)n, "read %ld of %zu", ret, n);
			FUZZ_CHECK(ret >= 0 || ret == -EAGAIN || ret == -EINTR || ret == -EFAULT, "read error %ld", ret);
			FUZZ_CHECK(!canon || ret < 0 || (size_t)ret <= before, "a canonical read past the lines");
			break;
		}
		case 3:         /* program output */
			p = fuzz_bytes(&in, fuzz_u8(&in), &got);
			ldisc_write(&w.ld, (const char *)p, got);
			break;
		case 4:         /* new settings */
			t = w.ld.termios;
			t.c_iflag = fuzz_u32(&in);
			t.c_oflag = fuzz_u32(&in);
			t.c_lflag = fuzz_u32(&in);
			p = fuzz_bytes(&in, NCCS, &got);
			memcpy(t.c_cc, p, got);
			ldisc_set_termios(&w.ld, &t);
			break;
		case 5:
			ldisc_flush_input(&w.ld);
			break;
		case 6:
			/* a hang-up (later waits end with it), or a letter typed
			 * many times to fill the queue (a control key repeated,
			 * as reprint, would only make the run slow) */
			if (op & 0x80) {
				w.hangup = true;
			} else {
				uint8_t c = (uint8_t)('a' + fuzz_u8(&in) % 26);

				for (n = fuzz_u16(&in) % (2 * LDISC_BUF); n > 0; n--)
					ldisc_receive(&w.ld, c);
			}
			break;
		default:        /* poll */
			(void)ldisc_readable(&w.ld);
			break;
		}
		check(&w.ld);
	}
	return 0;
}
