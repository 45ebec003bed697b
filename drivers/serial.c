/* COM1 driver: polled output with a bounded wait, so a missing or stuck UART
 * slows the log down but never hangs the kernel; input by interrupt, the
 * receive FIFO drained in the handler. Locking: serial_lock covers the
 * transmit side (console_write's log lines and serial_write_raw's tty
 * output, from any CPU); a CPU that holds it already (a panic while it
 * writes) writes without it. The handler only reads the receive side. */
#include <cosmos/errno.h>
#include <drivers/serial.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <kernel/sync/spinlock.h>

#define COM1     0x3f8
#define COM1_IRQ 4

#define REG_DATA 0
#define REG_IER  1
#define REG_IIR  2
#define REG_LSR  5

#define IER_RX_AVAILABLE 0x01
#define LSR_DATA_READY   0x01
#define LSR_THRE         0x20
#define LSR_TEMT         0x40   /* transmitter empty: nothing left to send */
/* Bytes taken per call of the consumer; a 16550's FIFO holds 16. */
#define RX_CHUNK 16
/* At most this many bytes per interrupt, so a flooded line cannot keep the
 * CPU in the handler; the UART interrupts again for the rest. */
#define RX_MAX_PER_IRQ 256

static bool present;
static serial_rx_fn rx_fn;             /* set once, before the interrupt is on */
static void *rx_ctx;
static unsigned long rx_count;         /* written by the handler only */

/* Polls the line status until one of the bits is set; false after about a
 * million tries (no chip answers, or it is stuck). */
static bool serial_wait_lsr(uint8_t bits)
{
	for (int i = 0; i < 1000000; i++) {
		if (inb(COM1 + REG_LSR) & bits)
			return true;
		cpu_pause();
	}
	return false;
}

bool serial_init(void)
{
	/* The loader's last bytes may still be going out (a slow line, or
	 * QEMU holding them for a socket that is not reading): the loopback
	 * test below would queue its byte behind them and read nothing back. */
	serial_wait_lsr(LSR_TEMT);
	outb(COM1 + 1, 0x00);    /* interrupts off */
	outb(COM1 + 3, 0x80);    /* DLAB */
	outb(COM1 + 0, 0x01);    /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);    /* 8N1 */
	outb(COM1 + 2, 0xc7);    /* FIFO on and cleared, receive trigger at 14 bytes */
	outb(COM1 + 4, 0x1e);    /* loopback, to test the chip */
	outb(COM1 + 0, 0xae);
	present = serial_wait_lsr(LSR_DATA_READY) && inb(COM1 + 0) == 0xae;
	outb(COM1 + 4, 0x0b);    /* normal operation, OUT2 (routes the interrupt) */
	return present;
}

static struct spinlock serial_lock = SPINLOCK_INIT("serial port");

static bool out_lock(uint64_t *flags)
{
	if (spin_held(&serial_lock))
		return false;
	*flags = spin_lock_irqsave(&serial_lock);
	return true;
}

static void out_unlock(bool taken, uint64_t flags)
{
	if (taken)
		spin_unlock_irqrestore(&serial_lock, flags);
}

static void serial_putc(char c)
{
	for (int i = 0; i < 1000000 && !(inb(COM1 + REG_LSR) & LSR_THRE); i++)
		cpu_pause();
	outb(COM1, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	uint64_t flags = 0;
	bool taken;

	if (!present)
		return;
	taken = out_lock(&flags);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	out_unlock(taken, flags);
}

/* In pieces under serial_lock, so that a kernel log line lands between
 * pieces, never inside one. */
void serial_write_raw(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n;) {
		uint64_t flags = 0;
		bool taken = out_lock(&flags);
		size_t end = n - i < 64 ? n : i + 64;

		for (; i < end; i++)
			serial_putc(s[i]);
		out_unlock(taken, flags);
	}
}

/* Drains the receive FIFO (the read of each byte also clears the receive
 * and timeout interrupts) and hands the bytes on. */
static void serial_irq(void *ctx)
{
	char buf[RX_CHUNK];
	unsigned total = 0;

	(void)ctx;
	(void)inb(COM1 + REG_IIR);
	while (total < RX_MAX_PER_IRQ && (inb(COM1 + REG_LSR) & LSR_DATA_READY)) {
		size_t n = 0;

		while (n < sizeof(buf) && (inb(COM1 + REG_LSR) & LSR_DATA_READY))
			buf[n++] = (char)inb(COM1 + REG_DATA);
		total += (unsigned)n;
		rx_count += n;
		if (rx_fn)
			rx_fn(rx_ctx, buf, n);
	}
}

int serial_input_start(serial_rx_fn fn, void *ctx)
{
	int v;

	if (!present)
		return -ENODEV;
	rx_fn = fn;
	rx_ctx = ctx;
	v = irq_request_legacy(COM1_IRQ, serial_irq, NULL);
	if (v < 0)
		return v;
	/* bytes that came before are kept: the UART interrupts for them at once */
	outb(COM1 + REG_IER, IER_RX_AVAILABLE);
	return 0;
}

unsigned long serial_rx_count(void)
{
	return rx_count;
}
