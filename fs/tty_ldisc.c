/* The line discipline (fs/tty_ldisc.h): Linux's n_tty behaviour for the
 * parts docs/terminal.md lists. Input bytes are edited into the queue and
 * echoed as they arrive; reads take lines or bytes out; echoes and
 * program output share one output path, so the column used to erase a tab
 * on screen is always where the cursor really is. */
#include <cosmos/errno.h>
#include <fs/tty_ldisc.h>
#include <lib/string.h>

#define CTRL(c) ((c) & 0x1f)
#define DEL 0x7f

/* ---------------------------------------------------------------- queue */

static size_t idx(uint64_t pos)
{
	return (size_t)(pos % LDISC_BUF);
}

static bool bit(const uint8_t *map, uint64_t pos)
{
	return map[idx(pos) / 8] & (1u << (idx(pos) % 8));
}

static void set_bit_to(uint8_t *map, uint64_t pos, bool on)
{
	if (on)
		map[idx(pos) / 8] |= (uint8_t)(1u << (idx(pos) % 8));
	else
		map[idx(pos) / 8] &= (uint8_t)~(1u << (idx(pos) % 8));
}

static size_t count(const struct ldisc *ld)
{
	return (size_t)(ld->head - ld->tail);
}

static void store(struct ldisc *ld, uint8_t c, bool delim, bool eof)
{
	ld->buf[idx(ld->head)] = (char)c;
	set_bit_to(ld->delim, ld->head, delim);
	set_bit_to(ld->eof, ld->head, eof);
	ld->head++;
	if (delim || !(ld->termios.c_lflag & ICANON))
		ld->canon_head = ld->head;
}

/* ---------------------------------------------------------------- output */

/* Output is gathered and handed to ops->output in pieces. */
struct out {
	struct ldisc *ld;
	size_t n;
	char b[128];
};

static void out_flush(struct out *o)
{
	if (o->n)
		o->ld->ops->output(o->ld->ctx, o->b, o->n);
	o->n = 0;
}

static void out_raw(struct out *o, char c)
{
	if (o->n == sizeof(o->b))
		out_flush(o);
	o->b[o->n++] = c;
}

/* One byte through OPOST processing, keeping track of the column. */
static void out_char(struct out *o, uint8_t c)
{
	struct ldisc *ld = o->ld;
	uint32_t of = ld->termios.c_oflag;
	bool post = of & OPOST;
	unsigned next;

	switch (c) {
	case '\n':
		if (post && (of & ONLCR)) {
			out_raw(o, '\r');
			ld->column = 0;
		} else if (post && (of & ONLRET)) {
			ld->column = 0;
		}
		out_raw(o, '\n');
		return;
	case '\r':
		if (post && (of & ONOCR) && ld->column == 0)
			return;
		if (post && (of & OCRNL)) {
			if (of & ONLRET)
				ld->column = 0;
			out_raw(o, '\n');
			return;
		}
		ld->column = 0;
		out_raw(o, '\r');
		return;
	case '\t':
		next = (ld->column / 8 + 1) * 8;
		if (post && (of & TABDLY) == XTABS) {
			while (ld->column < next) {
				out_raw(o, ' ');
				ld->column++;
			}
			return;
		}
		ld->column = next;
		out_raw(o, '\t');
		return;
	case '\b':
		if (ld->column > 0)
			ld->column--;
		out_raw(o, '\b');
		return;
	default:
		if (c >= 0x20 && c != DEL)
			ld->column++;
		out_raw(o, (char)c);
		return;
	}
}

void ldisc_write(struct ldisc *ld, const char *s, size_t n)
{
	struct out o = { .ld = ld };

	for (size_t i = 0; i < n; i++)
		out_char(&o, (uint8_t)s[i]);
	out_flush(&o);
}

/* ---------------------------------------------------------------- echo */

static bool is_ctl(uint8_t c)
{
	return c < 0x20 || c == DEL;
}

/* Echoed as ^X: a control character other than tab and newline, with
 * ECHOCTL. */
static bool echoed_as_caret(const struct ldisc *ld, uint8_t c)
{
	return (ld->termios.c_lflag & ECHOCTL) && is_ctl(c) && c != '\t' && c != '\n';
}

static void echo_char(struct out *o, uint8_t c)
{
	if (echoed_as_caret(o->ld, c)) {
		out_char(o, '^');
		out_char(o, c ^ 0x40);
	} else {
		out_char(o, c);
	}
}

/* The column the echo of the line being edited ends at, computed from the
 * column it began at (what erasing a tab must go back to). */
static unsigned line_end_column(const struct ldisc *ld)
{
	unsigned col = ld->canon_column;

	for (uint64_t p = ld->canon_head; p < ld->head; p++) {
		uint8_t c = (uint8_t)ld->buf[idx(p)];

		if (c == '\t')
			col = (col / 8 + 1) * 8;
		else if (echoed_as_caret(ld, c))
			col += 2;
		else if (!is_ctl(c))
			col++;
	}
	return col;
}

/* ---------------------------------------------------------------- editing */

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

static bool is_word_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Takes one erased byte off the screen. */
static void unecho(struct out *o, uint8_t c, uint8_t erase_key, enum erase_kind kind)
{
	struct ldisc *ld = o->ld;
	uint32_t lf = ld->termios.c_lflag;

	if (kind == ERASE_CHAR && !(lf & ECHOE)) {
		echo_char(o, erase_key);
	} else if (c == '\t') {
		unsigned to = line_end_column(ld);
		unsigned back = ld->column > to ? ld->column - to : 0;

		for (unsigned i = 0; i < back && i < 8; i++)
			out_char(o, '\b');
	} else if (echoed_as_caret(ld, c)) {
		for (int i = 0; i < 2; i++) {
			out_char(o, '\b');
			out_char(o, ' ');
			out_char(o, '\b');
		}
	} else if (!is_ctl(c)) {
		out_char(o, '\b');
		out_char(o, ' ');
		out_char(o, '\b');
	}
}

/* VERASE (and ^H), VWERASE, VKILL on the line being edited. A word is
 * what Linux takes: the non-word bytes before the cursor, then the word
 * bytes before those. */
static void erase(struct out *o, uint8_t key, enum erase_kind kind)
{
	struct ldisc *ld = o->ld;
	uint32_t lf = ld->termios.c_lflag;
	bool seen_word = false;

	if (ld->head == ld->canon_head)
		return;
	if (kind == ERASE_LINE && (!(lf & ECHO) || !(lf & ECHOK) || !(lf & ECHOKE) || !(lf & ECHOE))) {
		ld->head = ld->canon_head;
		if (lf & ECHO) {
			echo_char(o, key);
			if (lf & ECHOK)
				out_char(o, '\n');
		}
		return;
	}
	while (ld->head > ld->canon_head) {
		uint8_t c = (uint8_t)ld->buf[idx(ld->head - 1)];

		if (kind == ERASE_WORD) {
			if (is_word_char(c))
				seen_word = true;
			else if (seen_word)
				break;
		}
		ld->head--;
		if (lf & ECHO)
			unecho(o, c, key, kind);
		if (kind == ERASE_CHAR)
			break;
	}
}

static void reprint(struct out *o, uint8_t key)
{
	struct ldisc *ld = o->ld;

	echo_char(o, key);
	out_char(o, '\n');
	ld->canon_column = ld->column;
	for (uint64_t p = ld->canon_head; p < ld->head; p++)
		echo_char(o, (uint8_t)ld->buf[idx(p)]);
}

/* ---------------------------------------------------------------- input */

/* c is the enabled control character slot i (0 disables a slot). */
static bool is_cc(const struct ldisc *ld, unsigned i, uint8_t c)
{
	return ld->termios.c_cc[i] != 0 && ld->termios.c_cc[i] == c;
}

/* An ordinary byte: echoed and queued. */
static void ordinary(struct out *o, uint8_t c)
{
	struct ldisc *ld = o->ld;
	uint32_t lf = ld->termios.c_lflag;

	if (lf & ICANON) {
		if (count(ld) >= LDISC_BUF - 1)
			return;         /* the last place is for the line's end */
		if (ld->head == ld->canon_head)
			ld->canon_column = ld->column;
	}
	if (lf & ECHO) {
		if (c == '\n')
			out_char(o, c);
		else
			echo_char(o, c);
	}
	store(ld, c, false, false);
}

/* A byte that ends a line: newline, VEOL, VEOL2, or VEOF (queued as a
 * marker no read returns). */
static void line_end(struct out *o, uint8_t c, bool eof)
{
	struct ldisc *ld = o->ld;
	uint32_t lf = ld->termios.c_lflag;

	if (count(ld) >= LDISC_BUF)
		return;
	if (c == '\n' && !eof) {
		if (lf & (ECHO | ECHONL))
			out_char(o, '\n');
	} else if (!eof && (lf & ECHO)) {
		if (ld->head == ld->canon_head)
			ld->canon_column = ld->column;
		echo_char(o, c);
	}
	store(ld, c, true, eof);
}

static bool signal_char(struct out *o, uint8_t c)
{
	struct ldisc *ld = o->ld;
	enum ldisc_signal sig;

	if (is_cc(ld, VINTR, c))
		sig = LDISC_SIGINT;
	else if (is_cc(ld, VQUIT, c))
		sig = LDISC_SIGQUIT;
	else if (is_cc(ld, VSUSP, c))
		sig = LDISC_SIGTSTP;
	else
		return false;
	if (!(ld->termios.c_lflag & NOFLSH))
		ldisc_flush_input(ld);
	ld->ops->signal(ld->ctx, sig);
	if (ld->termios.c_lflag & ECHO)
		echo_char(o, c);
	return true;
}

static void canonical(struct out *o, uint8_t c)
{
	struct ldisc *ld = o->ld;
	uint32_t lf = ld->termios.c_lflag;
	bool ext = lf & IEXTEN;

	if (is_cc(ld, VERASE, c) || c == CTRL('H'))
		erase(o, c, ERASE_CHAR);
	else if (ext && is_cc(ld, VWERASE, c))
		erase(o, c, ERASE_WORD);
	else if (is_cc(ld, VKILL, c))
		erase(o, c, ERASE_LINE);
	else if (ext && is_cc(ld, VLNEXT, c)) {
		ld->lnext = true;
		if ((lf & ECHO) && (lf & ECHOCTL)) {
			out_char(o, '^');
			out_char(o, '\b');
		}
	} else if (ext && (lf & ECHO) && is_cc(ld, VREPRINT, c))
		reprint(o, c);
	else if (c == '\n' || is_cc(ld, VEOL, c) || (ext && is_cc(ld, VEOL2, c)))
		line_end(o, c, false);
	else if (is_cc(ld, VEOF, c))
		line_end(o, c, true);
	else
		ordinary(o, c);
}

bool ldisc_receive(struct ldisc *ld, uint8_t c)
{
	struct out o = { .ld = ld };
	uint32_t iflag = ld->termios.c_iflag, lf = ld->termios.c_lflag;

	if (iflag & ISTRIP)
		c &= 0x7f;
	if (ld->lnext) {
		if (!(lf & ICANON) && count(ld) >= LDISC_BUF)
			return false;
		ld->lnext = false;
		ordinary(&o, c);
		out_flush(&o);
		return true;
	}
	if ((lf & ISIG) && signal_char(&o, c)) {
		out_flush(&o);
		return true;
	}
	if (!(lf & ICANON) && count(ld) >= LDISC_BUF)
		return false;
	if (c == '\r') {
		if (iflag & IGNCR)
			return true;
		if (iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (iflag & INLCR)) {
		c = '\r';
	}
	if (lf & ICANON)
		canonical(&o, c);
	else
		ordinary(&o, c);
	out_flush(&o);
	return true;
}

/* ---------------------------------------------------------------- reading */

/* Copies [tail, end) to the reader, at most max bytes, in at most two
 * pieces (the queue wraps). Bytes copied, or -EFAULT if none could be. */
static long copy_range(struct ldisc *ld, uint64_t end, size_t max, const struct ldisc_reader *r)
{
	size_t done = 0, want = (size_t)(end - ld->tail) < max ? (size_t)(end - ld->tail) : max;

	while (done < want) {
		size_t at = idx(ld->tail), run = LDISC_BUF - at;
		long got;

		if (run > want - done)
			run = want - done;
		got = r->copy_out(r->ctx, ld->buf + at, run);
		if (got < 0)
			return done ? (long)done : got;
		done += (size_t)got;
		ld->tail += (uint64_t)got;
		if ((size_t)got < run)
			break;
	}
	return (long)done;
}

/* A canonical read: the first line, or what fits of it. */
static long read_line(struct ldisc *ld, size_t n, const struct ldisc_reader *r)
{
	uint64_t end = ld->tail;
	bool delim = false, eof;
	long got;

	while (end < ld->canon_head && !(delim = bit(ld->delim, end)))
		end++;
	eof = delim && bit(ld->eof, end);
	if (delim && !eof)
		end++;          /* the newline is read with its line */
	got = copy_range(ld, end, n, r);
	if (got >= 0 && eof && ld->tail == end)
		ld->tail++;     /* the end-of-file marker goes, unread */
	return got;
}

/* A non-canonical read of what is queued, passing over end-of-file
 * markers left from canonical mode. */
static long read_raw(struct ldisc *ld, size_t n, const struct ldisc_reader *r)
{
	size_t done = 0;

	while (done < n && ld->tail < ld->head) {
		uint64_t end = ld->tail;
		long got;

		if (bit(ld->eof, ld->tail) && bit(ld->delim, ld->tail)) {
			ld->tail++;
			continue;
		}
		while (end < ld->head && !(bit(ld->eof, end) && bit(ld->delim, end)))
			end++;
		got = copy_range(ld, end, n - done, r);
		if (got < 0)
			return done ? (long)done : got;
		done += (size_t)got;
		if (ld->tail != end)
			break;  /* the reader's buffer faulted part way */
	}
	return (long)done;
}

long ldisc_read(struct ldisc *ld, size_t n, bool nonblock, const struct ldisc_reader *r)
{
	bool canon = ld->termios.c_lflag & ICANON;
	unsigned vmin = ld->termios.c_cc[VMIN];
	uint64_t vtime_ns = (uint64_t)ld->termios.c_cc[VTIME] * 100000000ULL;
	size_t minimum = vmin ? (vmin < n ? vmin : n) : 1;
	uint64_t deadline = 0;
	size_t copied = 0;

	if (n == 0)
		return 0;
	if (!canon && vmin == 0 && vtime_ns)
		deadline = r->now(r->ctx) + vtime_ns;   /* one timer for the whole read */
	for (;;) {
		int err;

		if (canon && ld->tail < ld->canon_head)
			return read_line(ld, n, r);
		if (!canon && ld->tail < ld->head) {
			uint64_t before = ld->tail;
			long got = read_raw(ld, n - copied, r);

			if (got < 0)
				return copied ? (long)copied : got;
			copied += (size_t)got;
			if (vmin && vtime_ns)
				deadline = r->now(r->ctx) + vtime_ns;   /* between bytes */
			if (copied >= minimum || ld->tail == before)
				return (long)copied;
			continue;       /* more may have come, or only markers went */
		}
		if (!canon && vmin == 0 && vtime_ns == 0)
			return (long)copied;
		if (nonblock)
			return copied ? (long)copied : -EAGAIN;
		err = r->wait(r->ctx, deadline);
		if (err == -ETIMEDOUT || err == LDISC_HUNGUP)
			return (long)copied;
		if (err)
			return copied ? (long)copied : err;
	}
}

/* ---------------------------------------------------------------- state */

static size_t markers(const struct ldisc *ld, uint64_t end)
{
	size_t n = 0;

	for (uint64_t p = ld->tail; p < end; p++)
		n += bit(ld->delim, p) && bit(ld->eof, p);
	return n;
}

size_t ldisc_queued(const struct ldisc *ld)
{
	uint64_t end = ld->termios.c_lflag & ICANON ? ld->canon_head : ld->head;

	return (size_t)(end - ld->tail) - markers(ld, end);
}

bool ldisc_readable(const struct ldisc *ld)
{
	unsigned vmin = ld->termios.c_cc[VMIN];

	if (ld->termios.c_lflag & ICANON)
		return ld->tail < ld->canon_head;
	if (vmin && ld->termios.c_cc[VTIME] == 0)
		return ldisc_queued(ld) >= vmin;
	return ldisc_queued(ld) >= 1;
}

void ldisc_flush_input(struct ldisc *ld)
{
	ld->tail = ld->canon_head = ld->head;
	ld->lnext = false;
}

void ldisc_set_termios(struct ldisc *ld, const struct termios *t)
{
	bool was = ld->termios.c_lflag & ICANON;

	ld->termios = *t;
	if (was != !!(t->c_lflag & ICANON)) {
		ld->canon_head = ld->head;      /* what was queued is readable now */
		ld->lnext = false;
	}
}

void ldisc_default_termios(struct termios *t)
{
	static const uint8_t cc[NCCS] = {
		[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = DEL, [VKILL] = CTRL('U'),
		[VEOF] = CTRL('D'), [VTIME] = 0, [VMIN] = 1, [VSTART] = CTRL('Q'),
		[VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'), [VREPRINT] = CTRL('R'),
		[VDISCARD] = CTRL('O'), [VWERASE] = CTRL('W'), [VLNEXT] = CTRL('V'),
	};

	*t = (struct termios){
		.c_iflag = ICRNL,
		.c_oflag = OPOST | ONLCR,
		.c_cflag = B38400 | CS8 | CREAD | HUPCL,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	};
	memcpy(t->c_cc, cc, sizeof(cc));
}

void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *ctx)
{
	memset(ld, 0, sizeof(*ld));
	ld->ops = ops;
	ld->ctx = ctx;
	ldisc_default_termios(&ld->termios);
}
