/* Loader messages: to the firmware's text console (the screen) and to the
 * COM1 UART, which also works after ExitBootServices. */
#include "loader.h"
#include <lib/fmt.h>

#define COM1 0x3f8

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void console_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB on */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xc7);   /* FIFO on, cleared */
	outb(COM1 + 4, 0x0b);
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the loader. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

static void serial_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

/* Converts to CHAR16 in small chunks for ConOut->OutputString. */
static void screen_sink(void *ctx, const char *s, size_t n)
{
	CHAR16 buf[65];
	size_t k = 0;

	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			buf[k++] = L'\r';
		buf[k++] = (CHAR16)(unsigned char)s[i];
		if (k >= 63 || i + 1 == n) {
			buf[k] = 0;
			ST->ConOut->OutputString(ST->ConOut, buf);
			k = 0;
		}
	}
}

void serial_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(serial_sink, 0, fmt, ap);
	va_end(ap);
}

/* When the firmware drives a serial port itself (OVMF does), its text console
 * is mirrored there already and writing the UART too would double each line. */
static int firmware_has_serial(void)
{
	static int known = -1;
	UINTN n = 0;
	EFI_HANDLE *h = 0;

	if (known < 0) {
		known = !EFI_ERROR(BS->LocateHandleBuffer(ByProtocol, &SerialIoProtocol, 0, &n, &h)) && n > 0;
		if (h)
			BS->FreePool(h);
	}
	return known;
}

void say(const char *fmt, ...)
{
	va_list ap;

	if (!firmware_has_serial()) {
		va_start(ap, fmt);
		fmt_vformat(serial_sink, 0, fmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	fmt_vformat(screen_sink, 0, fmt, ap);
	va_end(ap);
}
