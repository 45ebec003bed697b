/* /dev/kmsg: the kernel log as a file. Reading returns the log's lines
 * exactly as the consoles showed them ("[    1.234567] pci: ...", plain
 * text, not Linux's "prio,seq,usec,flags;" records), each read as many
 * whole lines as fit (a buffer too small for the next line: -EINVAL, as
 * Linux). Each open reads from the oldest line kept; a reader overtaken
 * by the writer gets -EPIPE once and continues at the oldest line. At the
 * end a read waits for the next line (O_NONBLOCK: -EAGAIN). SEEK_SET 0
 * goes back to the oldest line, SEEK_END to the end. Writing logs each
 * line written, with an optional "<N>" syslog priority in front.
 *
 * The lines come from a log sink kmsg_init registers right after the
 * serial console, so the boot's first lines are kept too. Locking: kmsg_lock (a spinlock: the sink runs under
 * the log's own spinlock with interrupts off) protects the ring, the
 * line assembly buffer, the sequence numbers and each reader's position.
 * The sink must not take the scheduler's lock (the scheduler may log
 * while holding it), so it wakes readers through a timer event, whose
 * callback runs in an interrupt without any of these locks. */
#include <fs/devfs.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/poll.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/poll.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lib/string.h>
#include <sys/uio.h>

#define KMSG_RING   (64u * 1024)
#define KMSG_LINE   1024u            /* longer lines are cut (newline kept) */
#define KMSG_READ   8192u            /* bytes one read copies at most */
#define KMSG_WRITE  1024u            /* longest write accepted */

static struct spinlock kmsg_lock = SPINLOCK_INIT("kmsg");
static char ring[KMSG_RING];
static uint32_t first_off, end_off;      /* oldest line's start; where the next goes */
static uint32_t used;                    /* bytes in the ring */
static uint64_t first_seq, next_seq;     /* oldest line's number; the next line's */
static char line[KMSG_LINE];
static uint32_t line_len;
static unsigned open_count;              /* wake-ups are armed only while > 0 */
static bool wake_armed;
static struct timer_event wake_event;
static struct waitq kmsg_wq;

struct kmsg_reader {
	uint64_t seq;                    /* next line to read */
	uint32_t off;                    /* its offset in the ring, if seq >= first_seq */
};

/* Drops the oldest line. */
static void drop_first_locked(void)
{
	while (used) {
		char c = ring[first_off];

		first_off = (first_off + 1) % KMSG_RING;
		used--;
		if (c == '\n')
			break;
	}
	first_seq++;
}

static void wake_readers(struct timer_event *ev, void *ctx)
{
	uint64_t f = spin_lock_irqsave(&kmsg_lock);

	(void)ev;
	(void)ctx;
	wake_armed = false;
	spin_unlock_irqrestore(&kmsg_lock, f);
	waitq_wake_all(&kmsg_wq);
}

static void commit_line_locked(void)
{
	while (used + line_len > KMSG_RING)
		drop_first_locked();
	for (uint32_t i = 0; i < line_len; i++) {
		ring[end_off] = line[i];
		end_off = (end_off + 1) % KMSG_RING;
	}
	used += line_len;
	line_len = 0;
	next_seq++;
	if (open_count && !wake_armed) {
		wake_armed = true;
		timer_event_add(&wake_event, time_ns(), wake_readers, NULL);
	}
}

/* The log sink: text arrives in pieces, lines are kept whole. */
static void kmsg_sink(const char *s, size_t n)
{
	uint64_t f = spin_lock_irqsave(&kmsg_lock);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r')
			continue;
		if (line_len < KMSG_LINE - 1 || s[i] == '\n')
			line[line_len++] = s[i];
		if (s[i] == '\n')
			commit_line_locked();
	}
	spin_unlock_irqrestore(&kmsg_lock, f);
}

static int kmsg_open(struct file *f, uint32_t dev);

/* Copies whole lines from r's position into buf (at most max bytes).
 * Returns bytes, -EPIPE (r was overtaken: moved to the oldest line),
 * -EINVAL (the next line does not fit), or 0 (nothing new). */
static long take_lines_locked(struct kmsg_reader *r, char *buf, uint32_t max)
{
	uint32_t n = 0, off;
	uint64_t seq;

	if (r->seq < first_seq) {
		r->seq = first_seq;
		r->off = first_off;
		return -EPIPE;
	}
	off = r->off;
	seq = r->seq;
	while (seq < next_seq) {
		uint32_t len = 0, o = off;

		while (ring[o] != '\n') {
			o = (o + 1) % KMSG_RING;
			len++;
		}
		len++;
		if (n + len > max)
			break;
		for (uint32_t i = 0; i < len; i++)
			buf[n + i] = ring[(off + i) % KMSG_RING];
		n += len;
		off = (off + len) % KMSG_RING;
		seq++;
	}
	if (n == 0 && seq < next_seq)
		return -EINVAL;
	r->seq = seq;
	r->off = off;
	return n;
}

size_t kmsg_ring_size(void)
{
	return KMSG_RING;
}

size_t kmsg_copy_recent(char *buf, size_t max)
{
	uint64_t f = spin_lock_irqsave(&kmsg_lock);
	uint32_t skip = 0, n, start;

	/* whole lines from the end: skip the oldest until the rest fits */
	while (used - skip > max) {
		while (ring[(first_off + skip) % KMSG_RING] != '\n')
			skip++;
		skip++;
	}
	n = used - skip;
	start = (first_off + skip) % KMSG_RING;
	for (uint32_t i = 0; i < n; i++)
		buf[i] = ring[(start + i) % KMSG_RING];
	spin_unlock_irqrestore(&kmsg_lock, f);
	return n;
}

static bool has_new(struct kmsg_reader *r)
{
	return r->seq != __atomic_load_n(&next_seq, __ATOMIC_ACQUIRE);
}

static long kmsg_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct kmsg_reader *r = f->priv;
	uint32_t max = u->resid < KMSG_READ ? (uint32_t)u->resid : KMSG_READ;
	char *buf = kmalloc(KMSG_READ);
	long n, c;

	(void)pos;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		uint64_t fl = spin_lock_irqsave(&kmsg_lock);

		n = take_lines_locked(r, buf, max);
		spin_unlock_irqrestore(&kmsg_lock, fl);
		if (n != 0)
			break;
		if (f->flags & O_NONBLOCK) {
			n = -EAGAIN;
			break;
		}
		n = waitq_wait_event_intr(&kmsg_wq, has_new(r), 0);
		if (n)
			break;
	}
	if (n > 0) {
		c = uio_copy_out(u, buf, (size_t)n);
		if (c < n)
			n = c < 0 ? c : -EFAULT;   /* lines were taken: they are lost to this reader */
	}
	kfree(buf);
	return n;
}

/* "<N>" in front of a written line: its syslog priority. */
static int level_of(const char **p, size_t *len)
{
	const char *s = *p;
	int prio = 6;

	if (*len >= 3 && s[0] == '<' && s[1] >= '0' && s[1] <= '9') {
		size_t i = 1;

		prio = 0;
		while (i < *len && s[i] >= '0' && s[i] <= '9' && prio < 1000)
			prio = prio * 10 + (s[i++] - '0');
		if (i < *len && s[i] == '>') {
			*p += i + 1;
			*len -= i + 1;
		} else {
			prio = 6;
		}
	}
	prio &= 7;
	return prio <= 3 ? LOG_ERR : prio == 4 ? LOG_WARN : prio == 7 ? LOG_DEBUG : LOG_INFO;
}

static long kmsg_write(struct file *f, struct uio *u, uint64_t *pos)
{
	size_t total = u->resid;
	char *buf;
	long c;

	(void)f;
	(void)pos;
	if (total > KMSG_WRITE)
		return -EINVAL;
	buf = kmalloc(KMSG_WRITE + 1);
	if (!buf)
		return -ENOMEM;
	c = uio_copy_in(u, buf, total);
	if (c == (long)total) {
		const char *p = buf;
		size_t len = total;
		int level = level_of(&p, &len);

		/* one log line per line written */
		while (len) {
			size_t n = 0;

			while (n < len && p[n] != '\n')
				n++;
			if (n)
				klog(level, "%.*s", (int)n, p);
			p += n < len ? n + 1 : n;
			len -= n < len ? n + 1 : n;
		}
	} else if (c >= 0) {
		c = -EFAULT;
	}
	kfree(buf);
	return c;
}

static int64_t kmsg_seek(struct file *f, int64_t off, int whence)
{
	struct kmsg_reader *r = f->priv;
	uint64_t fl;

	if (off != 0)
		return -EINVAL;
	fl = spin_lock_irqsave(&kmsg_lock);
	if (whence == SEEK_SET) {
		r->seq = first_seq;
		r->off = first_off;
	} else if (whence == SEEK_END) {
		r->seq = next_seq;
		r->off = end_off;
	} else {
		spin_unlock_irqrestore(&kmsg_lock, fl);
		return -EINVAL;
	}
	spin_unlock_irqrestore(&kmsg_lock, fl);
	return 0;
}

static unsigned kmsg_poll(struct file *f, struct poll_table *pt)
{
	struct kmsg_reader *r = f->priv;
	unsigned mask = POLLOUT | POLLWRNORM;
	uint64_t fl;

	poll_wait(pt, &kmsg_wq);
	fl = spin_lock_irqsave(&kmsg_lock);
	if (r->seq != next_seq)
		mask |= POLLIN | POLLRDNORM;
	if (r->seq < first_seq)
		mask |= POLLERR | POLLPRI;
	spin_unlock_irqrestore(&kmsg_lock, fl);
	return mask;
}

static void kmsg_release(struct file *f)
{
	uint64_t fl = spin_lock_irqsave(&kmsg_lock);

	open_count--;
	spin_unlock_irqrestore(&kmsg_lock, fl);
	kfree(f->priv);
}

static const struct file_ops kmsg_ops = {
	.read = kmsg_read,
	.write = kmsg_write,
	.seek = kmsg_seek,
	.poll = kmsg_poll,
	.release = kmsg_release,
};

static int kmsg_open(struct file *f, uint32_t dev)
{
	struct kmsg_reader *r;
	uint64_t fl;

	if (DEV_MINOR(dev) != 11)
		return -ENXIO;
	r = kmalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	fl = spin_lock_irqsave(&kmsg_lock);
	r->seq = first_seq;
	r->off = first_off;
	open_count++;
	spin_unlock_irqrestore(&kmsg_lock, fl);
	f->ops = &kmsg_ops;
	f->priv = r;
	return 0;
}

static struct devfs_driver kmsg_driver = {
	.name = "kmsg", .type = S_IFCHR, .major = MEM_MAJOR, .minor_first = 11, .minor_count = 1,
	.open = kmsg_open,
};

void kmsg_init(void)
{
	waitq_init(&kmsg_wq);
	if (log_add_sink(kmsg_sink))
		log_warn("kmsg: no room for the log sink: /dev/kmsg stays empty");
}

void devfs_kmsg_init(void)
{
	devfs_register_driver(&kmsg_driver);
	devfs_add_node("kmsg", S_IFCHR | 0644, 0, DEV_MAKE(MEM_MAJOR, 11));
}
