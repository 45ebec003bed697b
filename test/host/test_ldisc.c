/* Host tests for fs/tty_ldisc.c, the terminals' line discipline: canonical
 * editing (erase and ^H, kill, word-erase, literal-next, reprint, end of
 * file, end of line), every echo flag, the signal characters with and
 * without NOFLSH, input and output mapping, the four VMIN/VTIME cases on a
 * scripted clock, non-blocking and interrupted reads, the queue's bound,
 * mode switches, and faults in the reader's buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/errno.h>
#include <fs/tty_ldisc.h>

#define MS 1000000ULL
#define MAX_EVENTS 8

/* Something that happens while a read sleeps: bytes arrive, a signal, or
 * a hang-up. */
struct event {
	uint64_t at;
	const char *bytes;      /* NULL: a signal interrupts the sleep */
	bool hangup;
};

struct fixture {
	struct ldisc ld;
	char out[16384];        /* everything output: echoes and writes */
	size_t nout;
	int sigs[8];
	int nsigs;
	char got[8192];         /* what reads returned */
	size_t ngot;
	long fault_after;       /* copy_out fails past this many bytes (-1: never) */
	uint64_t clock;
	struct event events[MAX_EVENTS];
	int nevents, next_event;
	int waits;
};

static void f_output(void *ctx, const char *s, size_t n)
{
	struct fixture *f = ctx;

	assert_true(f->nout + n < sizeof(f->out));
	memcpy(f->out + f->nout, s, n);
	f->nout += n;
	f->out[f->nout] = 0;
}

static void f_signal(void *ctx, enum ldisc_signal sig)
{
	struct fixture *f = ctx;

	assert_true(f->nsigs < 8);
	f->sigs[f->nsigs++] = (int)sig;
}

static const struct ldisc_ops ops = { f_output, f_signal };

static long f_copy_out(void *ctx, const char *src, size_t n)
{
	struct fixture *f = ctx;

	if (f->fault_after >= 0) {
		size_t room = (size_t)f->fault_after > f->ngot ? (size_t)f->fault_after - f->ngot : 0;

		if (room == 0)
			return -EFAULT;
		if (n > room)
			n = room;
	}
	assert_true(f->ngot + n < sizeof(f->got));
	memcpy(f->got + f->ngot, src, n);
	f->ngot += n;
	f->got[f->ngot] = 0;
	return (long)n;
}

/* The next scripted event before the deadline happens; else the deadline
 * passes; with neither, the read would sleep for ever: the test fails. */
static int f_wait(void *ctx, uint64_t deadline)
{
	struct fixture *f = ctx;
	struct event *e = f->next_event < f->nevents ? &f->events[f->next_event] : NULL;

	f->waits++;
	if (e && (deadline == 0 || e->at <= deadline)) {
		f->next_event++;
		if (e->at > f->clock)
			f->clock = e->at;
		if (e->hangup)
			return LDISC_HUNGUP;
		if (!e->bytes)
			return -EINTR;
		for (const char *p = e->bytes; *p; p++)
			assert_true(ldisc_receive(&f->ld, (uint8_t)*p));
		return 0;
	}
	if (deadline) {
		assert_true(deadline >= f->clock);
		f->clock = deadline;
		return -ETIMEDOUT;
	}
	fail_msg("the read would sleep for ever");
	return -EINTR;
}

static uint64_t f_now(void *ctx)
{
	return ((struct fixture *)ctx)->clock;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	ldisc_init(&f->ld, &ops, f);
	f->fault_after = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void type(struct fixture *f, const char *s)
{
	for (; *s; s++)
		assert_true(ldisc_receive(&f->ld, (uint8_t)*s));
}

static void type_n(struct fixture *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_true(ldisc_receive(&f->ld, (uint8_t)s[i]));
}

static void at(struct fixture *f, uint64_t t, const char *bytes)
{
	assert_true(f->nevents < MAX_EVENTS);
	f->events[f->nevents++] = (struct event){ t, bytes, false };
}

/* One read of up to n bytes; what it returned is in f->got. */
static long rd(struct fixture *f, size_t n, bool nonblock)
{
	struct ldisc_reader r = { f_copy_out, f_wait, f_now, f };

	f->ngot = 0;
	f->got[0] = 0;
	return ldisc_read(&f->ld, n, nonblock, &r);
}

static void clear_out(struct fixture *f)
{
	f->nout = 0;
	f->out[0] = 0;
}

static void set_lflag(struct fixture *f, uint32_t on, uint32_t off)
{
	struct termios t = f->ld.termios;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(&f->ld, &t);
}

static void set_flags(struct fixture *f, uint32_t iflag, uint32_t oflag)
{
	struct termios t = f->ld.termios;

	t.c_iflag = iflag;
	t.c_oflag = oflag;
	ldisc_set_termios(&f->ld, &t);
}

static void raw_mode(struct fixture *f, uint8_t vmin, uint8_t vtime)
{
	struct termios t = f->ld.termios;

	t.c_lflag &= ~(uint32_t)(ICANON | ECHO);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	ldisc_set_termios(&f->ld, &t);
}

/* ---------------------------------------------------------------- canonical */

static void test_canonical_line(void **state)
{
	struct fixture *f = *state;

	type(f, "hello\r");
	assert_int_equal(rd(f, 100, false), 6);
	assert_string_equal(f->got, "hello\n");         /* ICRNL */
	assert_string_equal(f->out, "hello\r\n");       /* echo, ONLCR */
	assert_int_equal(f->waits, 0);
}

static void test_canonical_waits_for_the_line(void **state)
{
	struct fixture *f = *state;

	type(f, "abc");
	assert_false(ldisc_readable(&f->ld));
	assert_int_equal(ldisc_queued(&f->ld), 0);
	assert_int_equal(rd(f, 100, true), -EAGAIN);
	at(f, 5 * MS, "d\r");
	assert_int_equal(rd(f, 100, false), 5);
	assert_string_equal(f->got, "abcd\n");
	assert_int_equal(f->clock, 5 * MS);
}

static void test_canonical_partial_reads(void **state)
{
	struct fixture *f = *state;

	type(f, "hello\nworld\n");
	assert_int_equal(ldisc_queued(&f->ld), 12);
	assert_int_equal(rd(f, 3, false), 3);
	assert_string_equal(f->got, "hel");
	assert_int_equal(rd(f, 100, false), 3);        /* the rest of the line, no more */
	assert_string_equal(f->got, "lo\n");
	assert_int_equal(rd(f, 100, false), 6);
	assert_string_equal(f->got, "world\n");
	assert_int_equal(rd(f, 0, false), 0);
}

static void test_erase(void **state)
{
	struct fixture *f = *state;

	type(f, "abx\x7f" "c\n");
	assert_int_equal(rd(f, 100, false), 4);
	assert_string_equal(f->got, "abc\n");
	assert_string_equal(f->out, "abx\b \bc\r\n");
	clear_out(f);
	type(f, "xy\b\bz\n");          /* ^H erases too */
	rd(f, 100, false);
	assert_string_equal(f->got, "z\n");
	assert_string_equal(f->out, "xy\b \b\b \bz\r\n");
	clear_out(f);
	type(f, "\x7f\x7fq\n");        /* nothing to erase: no echo */
	rd(f, 100, false);
	assert_string_equal(f->got, "q\n");
	assert_string_equal(f->out, "q\r\n");
	/* a complete line cannot be erased */
	type(f, "one\n\x7f\x7f" "two\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "one\n");
}

static void test_erase_echo_forms(void **state)
{
	struct fixture *f = *state;

	/* a control character shown as ^A takes two columns back */
	type(f, "a\x01\x7f");
	assert_string_equal(f->out, "a^A\b \b\b \b");
	clear_out(f);
	/* without ECHOE the erase key itself is echoed */
	set_lflag(f, 0, ECHOE);
	type(f, "b\x7f");
	assert_string_equal(f->out, "b^?");
	clear_out(f);
	/* without ECHOCTL a control character was sent as it is, and its
	 * erase sends nothing (it took no column) */
	set_lflag(f, ECHOE, ECHOCTL);
	type(f, "\x02\x7f");
	assert_string_equal(f->out, "\x02");
	clear_out(f);
	/* without ECHO nothing is echoed, but the erase still happens */
	set_lflag(f, 0, ECHO);
	type(f, "zz\x7f\n");
	assert_string_equal(f->out, "");
	rd(f, 100, false);
	assert_string_equal(f->got, "az\n");
}

static void test_erase_tab(void **state)
{
	struct fixture *f = *state;

	ldisc_write(&f->ld, "$ ", 2);   /* a prompt: the line's echo begins at column 2 */
	type(f, "ab\t");
	assert_int_equal(f->ld.column, 8);
	clear_out(f);
	type(f, "\x7f");
	assert_string_equal(f->out, "\b\b\b\b");        /* back to column 4 */
	assert_int_equal(f->ld.column, 4);
	clear_out(f);
	type(f, "\tc\t\x7f");
	assert_string_equal(f->out, "\tc\t\b\b\b\b\b\b\b");   /* from 16 back to 9 */
	type(f, "\x7f\x7f\x7f\x7f\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "\n");
}

static void test_kill(void **state)
{
	struct fixture *f = *state;

	type(f, "abc\x15");            /* ECHOKE: erased on screen */
	assert_string_equal(f->out, "abc\b \b\b \b\b \b");
	type(f, "d\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "d\n");
	clear_out(f);
	set_lflag(f, 0, ECHOKE);        /* ECHOK alone: the key and a newline */
	type(f, "xy\x15z\n");
	assert_string_equal(f->out, "xy^U\r\nz\r\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "z\n");
	clear_out(f);
	type(f, "q\n");
	clear_out(f);
	type(f, "\x15");                /* an empty line: nothing to kill, no echo */
	assert_string_equal(f->out, "");
	rd(f, 100, false);
	assert_string_equal(f->got, "q\n");
	set_lflag(f, 0, ECHOK);         /* neither: the key alone */
	type(f, "xy\x15");
	assert_string_equal(f->out, "xy^U");
	clear_out(f);
	set_lflag(f, 0, ECHO);
	type(f, "pq\x15r\n");
	assert_string_equal(f->out, "");
	rd(f, 100, false);
	assert_string_equal(f->got, "r\n");
}

static void test_word_erase(void **state)
{
	struct fixture *f = *state;

	type(f, "echo foo-bar \x17");
	assert_string_equal(f->out, "echo foo-bar \b \b\b \b\b \b\b \b");
	type(f, "\x17");                /* the '-', then "foo" */
	type(f, "\x17x\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "x\n");
	/* a word of word characters only, and the start of the line */
	type(f, "a_1 \x17\x17\x17" "b\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "b\n");
	/* without IEXTEN ^W is an ordinary byte */
	set_lflag(f, 0, IEXTEN);
	type(f, "a\x17\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "a\x17\n");
}

static void test_end_of_file(void **state)
{
	struct fixture *f = *state;

	type(f, "\x04");
	assert_true(ldisc_readable(&f->ld));
	assert_int_equal(ldisc_queued(&f->ld), 0);
	assert_int_equal(rd(f, 100, false), 0);         /* end of file */
	assert_int_equal(rd(f, 100, true), -EAGAIN);    /* ... once */
	type(f, "abc\x04");
	assert_string_equal(f->out, "abc");             /* ^D is not echoed */
	assert_int_equal(ldisc_queued(&f->ld), 3);
	assert_int_equal(rd(f, 2, false), 2);
	assert_int_equal(rd(f, 100, false), 1);         /* the line without a newline */
	assert_string_equal(f->got, "c");
	assert_int_equal(rd(f, 100, true), -EAGAIN);
	/* VEOF disabled (0): ^D is data, and NUL is no end of file */
	struct termios t = f->ld.termios;
	t.c_cc[VEOF] = 0;
	ldisc_set_termios(&f->ld, &t);
	type_n(f, "\x04\0\n", 3);
	assert_int_equal(rd(f, 100, false), 3);
}

static void test_end_of_line_chars(void **state)
{
	struct fixture *f = *state;
	struct termios t = f->ld.termios;

	t.c_cc[VEOL] = '|';
	t.c_cc[VEOL2] = '#';
	ldisc_set_termios(&f->ld, &t);
	type(f, "ab|cd#");
	assert_string_equal(f->out, "ab|cd#");
	assert_int_equal(rd(f, 100, false), 3);
	assert_string_equal(f->got, "ab|");
	assert_int_equal(rd(f, 100, false), 3);
	assert_string_equal(f->got, "cd#");
	set_lflag(f, 0, IEXTEN);        /* VEOL2 needs IEXTEN */
	type(f, "e#f|");
	rd(f, 100, false);
	assert_string_equal(f->got, "e#f|");
}

static void test_echo_flags(void **state)
{
	struct fixture *f = *state;

	type(f, "\x01\x1b\t\x7f");
	/* ECHOCTL: ^A and ^[; a tab goes as it is; DEL erased the tab */
	assert_string_equal(f->out, "^A^[\t\b\b\b\b");
	type(f, "\x15");
	clear_out(f);
	set_lflag(f, ECHONL, ECHO);     /* only the newline */
	type(f, "ab\n");
	assert_string_equal(f->out, "\r\n");
	clear_out(f);
	set_lflag(f, ECHO, ECHONL | ECHOCTL);
	type(f, "\x01\n");
	assert_string_equal(f->out, "\x01\r\n");
}

/* ---------------------------------------------------------------- signals */

static void test_signal_characters(void **state)
{
	struct fixture *f = *state;

	type(f, "abc\x03");
	assert_int_equal(f->nsigs, 1);
	assert_int_equal(f->sigs[0], LDISC_SIGINT);
	assert_string_equal(f->out, "abc^C");
	type(f, "x\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "x\n");            /* "abc" was flushed */
	type(f, "\x1c\x1a");
	assert_int_equal(f->nsigs, 3);
	assert_int_equal(f->sigs[1], LDISC_SIGQUIT);
	assert_int_equal(f->sigs[2], LDISC_SIGTSTP);
	/* NOFLSH keeps the queue */
	set_lflag(f, NOFLSH, 0);
	type(f, "keep\n\x03");
	rd(f, 100, false);
	assert_string_equal(f->got, "keep\n");
	/* a flush reaches raw bytes too */
	set_lflag(f, 0, NOFLSH);
	raw_mode(f, 1, 0);
	type(f, "raw\x03");
	assert_int_equal(rd(f, 100, true), -EAGAIN);
	/* without ISIG they are data */
	set_lflag(f, 0, ISIG);
	type(f, "\x03\x1c\x1a");
	assert_int_equal(f->nsigs, 5);
	assert_int_equal(rd(f, 100, false), 3);
	assert_string_equal(f->got, "\x03\x1c\x1a");
	/* a disabled slot matches nothing, NUL included */
	set_lflag(f, ISIG, 0);
	struct termios t = f->ld.termios;
	t.c_cc[VINTR] = 0;
	ldisc_set_termios(&f->ld, &t);
	type_n(f, "\0\x03", 2);
	assert_int_equal(f->nsigs, 5);
	assert_int_equal(rd(f, 100, false), 2);
}

/* ---------------------------------------------------------------- mapping */

static void test_input_mapping(void **state)
{
	struct fixture *f = *state;

	set_flags(f, 0, OPOST | ONLCR);        /* no ICRNL: CR is an ordinary byte */
	type(f, "a\rb\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "a\rb\n");
	set_flags(f, IGNCR | ICRNL, OPOST | ONLCR);
	type(f, "c\rd\n");
	rd(f, 100, false);
	assert_string_equal(f->got, "cd\n");
	set_flags(f, INLCR, OPOST | ONLCR);    /* NL becomes CR, which ends no line */
	type(f, "e\nf");
	assert_false(ldisc_readable(&f->ld));
	set_flags(f, INLCR | ICRNL, OPOST | ONLCR);
	type(f, "\r");
	rd(f, 100, false);
	assert_string_equal(f->got, "e\rf\n");
	set_flags(f, ISTRIP, OPOST | ONLCR);
	type(f, "\xc1\x8a");
	rd(f, 100, false);
	assert_string_equal(f->got, "A\n");
}

static void test_output_processing(void **state)
{
	struct fixture *f = *state;

	ldisc_write(&f->ld, "a\nb\r\n", 5);
	assert_string_equal(f->out, "a\r\nb\r\r\n");
	clear_out(f);
	set_flags(f, ICRNL, ONLCR);            /* OPOST off: nothing changes */
	ldisc_write(&f->ld, "a\nb", 3);
	assert_string_equal(f->out, "a\nb");
	clear_out(f);
	set_flags(f, ICRNL, OPOST | OCRNL | ONLRET);
	ldisc_write(&f->ld, "ab\r", 3);
	assert_string_equal(f->out, "ab\n");
	assert_int_equal(f->ld.column, 0);
	set_flags(f, ICRNL, OPOST | ONLRET);   /* a newline returns the carriage */
	ldisc_write(&f->ld, "xy\n", 3);
	assert_int_equal(f->ld.column, 0);
	set_flags(f, ICRNL, OPOST);
	ldisc_write(&f->ld, "xy\n", 3);
	assert_int_equal(f->ld.column, 2);
	clear_out(f);
	set_flags(f, ICRNL, OPOST | ONOCR | ONLRET);
	ldisc_write(&f->ld, "\n\rx\r", 4);   /* no CR at column 0 */
	assert_string_equal(f->out, "\nx\r");
	clear_out(f);
	set_flags(f, ICRNL, OPOST | XTABS);
	ldisc_write(&f->ld, "ab\tc", 4);
	assert_string_equal(f->out, "ab      c");
	assert_int_equal(f->ld.column, 9);
	/* the echo goes through the same processing */
	clear_out(f);
	type(f, "\n");
	assert_string_equal(f->out, "\n");
}

/* ---------------------------------------------------------------- VMIN and VTIME */

static void test_vmin0_vtime0(void **state)
{
	struct fixture *f = *state;

	raw_mode(f, 0, 0);
	assert_int_equal(rd(f, 10, false), 0);          /* a poll: nothing, at once */
	assert_int_equal(rd(f, 10, true), 0);
	type(f, "abc");
	assert_int_equal(rd(f, 2, false), 2);
	assert_int_equal(rd(f, 10, false), 1);
	assert_int_equal(f->waits, 0);
}

static void test_vmin0_vtime_timeout(void **state)
{
	struct fixture *f = *state;

	raw_mode(f, 0, 5);              /* 500 ms for the whole read */
	f->clock = 1000 * MS;
	at(f, 1300 * MS, "x");
	assert_int_equal(rd(f, 10, false), 1);          /* the first byte ends it */
	assert_int_equal(f->clock, 1300 * MS);
	assert_int_equal(rd(f, 10, false), 0);          /* nothing came: 0 at the deadline */
	assert_int_equal(f->clock, 1800 * MS);
	at(f, 2400 * MS, "late");
	assert_int_equal(rd(f, 10, false), 0);
	assert_int_equal(f->clock, 2300 * MS);
}

static void test_vmin_no_vtime(void **state)
{
	struct fixture *f = *state;

	raw_mode(f, 3, 0);
	at(f, 1 * MS, "a");
	at(f, 2 * MS, "bc");
	at(f, 9 * MS, "de");
	assert_int_equal(rd(f, 10, false), 3);          /* waits for 3 */
	assert_string_equal(f->got, "abc");
	assert_int_equal(f->clock, 2 * MS);
	assert_int_equal(rd(f, 2, false), 2);           /* a smaller buffer is enough */
	assert_int_equal(f->clock, 9 * MS);
	assert_false(ldisc_readable(&f->ld));
	type(f, "xy");
	assert_false(ldisc_readable(&f->ld));           /* poll wants VMIN bytes */
	type(f, "z");
	assert_true(ldisc_readable(&f->ld));
}

static void test_vmin_and_vtime(void **state)
{
	struct fixture *f = *state;

	raw_mode(f, 4, 2);              /* 200 ms between bytes */
	at(f, 10000 * MS, "a");         /* no timer before the first byte */
	at(f, 10100 * MS, "b");
	at(f, 10250 * MS, "c");
	at(f, 10500 * MS, "d");
	assert_int_equal(rd(f, 10, false), 3);
	assert_string_equal(f->got, "abc");
	assert_int_equal(f->clock, 10450 * MS);         /* 200 ms after "c" */
	assert_int_equal(rd(f, 10, false), 1);          /* "d" came at 10.5 s; no fourth */
	assert_int_equal(f->clock, 10700 * MS);
	/* enough bytes end it at once */
	at(f, 20000 * MS, "wxyz!");
	assert_int_equal(rd(f, 10, false), 5);
}

static void test_nonblocking_and_interrupted(void **state)
{
	struct fixture *f = *state;

	raw_mode(f, 3, 0);
	assert_int_equal(rd(f, 10, true), -EAGAIN);
	type(f, "a");
	assert_int_equal(rd(f, 10, true), 1);           /* what there is */
	at(f, 5 * MS, NULL);                            /* a signal */
	assert_int_equal(rd(f, 10, false), -EINTR);
	type(f, "b");
	at(f, 6 * MS, NULL);
	assert_int_equal(rd(f, 10, false), 1);          /* a signal after a byte: the byte */
	set_lflag(f, ICANON, 0);
	at(f, 7 * MS, NULL);
	assert_int_equal(rd(f, 10, false), -EINTR);
}

/* ---------------------------------------------------------------- the queue */

static void test_canonical_queue_bound(void **state)
{
	struct fixture *f = *state;
	static char line[5000];

	memset(line, 'a', sizeof(line));
	set_lflag(f, 0, ECHO);
	type_n(f, line, sizeof(line));
	assert_int_equal(f->ld.head - f->ld.tail, LDISC_BUF - 1);
	type(f, "\x7f" "b");            /* erase and typing still work when full */
	type(f, "\n");
	assert_int_equal(rd(f, sizeof(f->got) - 1, false), LDISC_BUF);
	for (size_t i = 0; i < LDISC_BUF - 2; i++)
		assert_int_equal(f->got[i], 'a');
	assert_int_equal(f->got[LDISC_BUF - 2], 'b');
	assert_int_equal(f->got[LDISC_BUF - 1], '\n');
	/* with echo, what was dropped was not echoed */
	set_lflag(f, ECHO, 0);
	clear_out(f);
	type_n(f, line, sizeof(line));
	assert_int_equal(f->nout, LDISC_BUF - 1);
}

static void test_raw_queue_keeps_everything(void **state)
{
	struct fixture *f = *state;
	static char big[LDISC_BUF + 100];

	raw_mode(f, 1, 0);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	for (size_t i = 0; i < LDISC_BUF; i++)
		assert_true(ldisc_receive(&f->ld, (uint8_t)big[i]));
	assert_false(ldisc_receive(&f->ld, (uint8_t)big[LDISC_BUF]));   /* full: offer it again later */
	/* a signal character still works on a full queue */
	assert_true(ldisc_receive(&f->ld, 0x1c));
	assert_int_equal(f->nsigs, 1);
	assert_int_equal(rd(f, 100, true), -EAGAIN);       /* flushed */
	set_lflag(f, NOFLSH, 0);
	for (size_t i = 0; i < LDISC_BUF; i++)
		assert_true(ldisc_receive(&f->ld, (uint8_t)big[i]));
	assert_true(ldisc_receive(&f->ld, 0x1c));
	assert_int_equal(rd(f, 100, false), 100);
	for (size_t i = LDISC_BUF; i < sizeof(big); i++)
		assert_true(ldisc_receive(&f->ld, (uint8_t)big[i]));
	/* in order, nothing lost */
	assert_int_equal(rd(f, sizeof(f->got) - 1, false), LDISC_BUF);
	assert_memory_equal(f->got, big + 100, LDISC_BUF);
}

static void test_mode_switches(void **state)
{
	struct fixture *f = *state;

	type(f, "pq");                  /* a line being edited, through raw mode and back */
	raw_mode(f, 1, 0);
	set_lflag(f, ICANON, 0);
	assert_true(ldisc_readable(&f->ld));
	assert_int_equal(rd(f, 100, false), 2);
	type(f, "abc");
	raw_mode(f, 1, 0);
	assert_int_equal(rd(f, 100, false), 3);         /* readable at once in raw mode */
	type(f, "xyz");
	set_lflag(f, ICANON, 0);
	assert_true(ldisc_readable(&f->ld));            /* raw bytes stay readable in canonical mode */
	assert_int_equal(rd(f, 100, false), 3);
	assert_string_equal(f->got, "xyz");
	type(f, "def");
	assert_false(ldisc_readable(&f->ld));
	/* end-of-file markers left in the queue are not data in raw mode */
	type(f, "\x04" "g\x04");
	raw_mode(f, 1, 0);
	assert_int_equal(ldisc_queued(&f->ld), 4);
	assert_int_equal(rd(f, 100, false), 4);
	assert_string_equal(f->got, "defg");
}

static void test_literal_next_and_reprint(void **state)
{
	struct fixture *f = *state;

	type(f, "\x16\x03" "a\x16\x7f\x16\n\n");
	assert_int_equal(f->nsigs, 0);
	assert_int_equal(rd(f, 100, false), 5);
	assert_string_equal(f->got, "\x03" "a\x7f\n\n");
	assert_string_equal(f->out, "^\b^Ca^\b^?^\b\r\n\r\n");
	clear_out(f);
	type(f, "ab\x12");
	assert_string_equal(f->out, "ab^R\r\nab");
	type(f, "\x7f");
	assert_string_equal(f->out, "ab^R\r\nab\b \b");
	/* a flush forgets a pending literal-next */
	type(f, "\x16\x03");
	assert_int_equal(f->nsigs, 0);
	type(f, "\x16");
	ldisc_flush_input(&f->ld);
	type(f, "\x03");
	assert_int_equal(f->nsigs, 1);
}

static void test_reader_faults(void **state)
{
	struct fixture *f = *state;

	type(f, "hello\n");
	f->fault_after = 0;
	assert_int_equal(rd(f, 100, false), -EFAULT);
	f->fault_after = 2;             /* two bytes fit, then a fault */
	assert_int_equal(rd(f, 100, false), 2);
	f->fault_after = -1;
	assert_int_equal(rd(f, 100, false), 4);         /* nothing was lost */
	assert_string_equal(f->got, "llo\n");
	raw_mode(f, 1, 0);
	type(f, "raw");
	f->fault_after = 1;
	assert_int_equal(rd(f, 100, false), 1);
	f->fault_after = -1;
	assert_int_equal(rd(f, 100, false), 2);
	assert_string_equal(f->got, "aw");
}

static void test_hangup(void **state)
{
	struct fixture *f = *state;

	type(f, "partial");
	f->events[f->nevents++] = (struct event){ 3 * MS, NULL, true };
	assert_int_equal(rd(f, 100, false), 0);         /* end of file */
	raw_mode(f, 9, 0);
	f->events[f->nevents++] = (struct event){ 4 * MS, NULL, true };
	assert_int_equal(rd(f, 100, false), 7);         /* what there was, short of VMIN */
	assert_int_equal(f->waits, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_canonical_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical_waits_for_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical_partial_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_echo_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_tab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_word_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_of_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_of_line_chars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_processing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmin0_vtime0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmin0_vtime_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmin_no_vtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmin_and_vtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonblocking_and_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical_queue_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_queue_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_switches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_literal_next_and_reprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hangup, setup, teardown),
	};
	return cmocka_run_group_tests_name("ldisc", tests, NULL, NULL);
}
