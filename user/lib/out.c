/* Formatted output straight to a descriptor (see out.h). */
#include "out.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int out_vprintf(int fd, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);

	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	for (int done = 0; done < n;) {
		ssize_t w = write(fd, buf + done, (size_t)(n - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (int)w;
	}
	return n;
}

int out_printf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = out_vprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}
