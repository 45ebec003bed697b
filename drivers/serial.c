/* COM1 driver: polled output with a bounded wait, so a missing or stuck UART
 * slows the log down but never hangs the kernel. */
#include <drivers/serial.h>
#include <hal/cpu.h>

#define COM1     0x3f8
#define LSR_THRE 0x20

static bool present;

bool serial_init(void)
{
	outb(COM1 + 1, 0x00);    /* interrupts off */
	outb(COM1 + 3, 0x80);    /* DLAB */
	outb(COM1 + 0, 0x01);    /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);    /* 8N1 */
	outb(COM1 + 2, 0xc7);    /* FIFO on and cleared */
	outb(COM1 + 4, 0x1e);    /* loopback, to test the chip */
	outb(COM1 + 0, 0xae);
	present = inb(COM1 + 0) == 0xae;
	outb(COM1 + 4, 0x0b);    /* normal operation, OUT2 */
	return present;
}

static void serial_putc(char c)
{
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & LSR_THRE); i++)
		cpu_pause();
	outb(COM1, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
