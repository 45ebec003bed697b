/* Reading whole small files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

ssize_t read_full(int fd, void *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = read_full(fd, buf, size - 1);
	char extra;
	if (len == (ssize_t)size - 1 && read_full(fd, &extra, 1) != 0) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	int err = errno;
	close(fd);
	if (len < 0) {
		errno = err;
		return -1;
	}
	buf[len] = '\0';
	return len;
}
