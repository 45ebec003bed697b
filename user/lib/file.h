/* Reading whole small files, for programs that read the kernel's /proc and
 * /sys files and their own configuration. */
#ifndef USER_FILE_H
#define USER_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Reads from fd until end of file or size bytes, retrying after EINTR;
 * the count, or -1 with errno if a read failed. */
ssize_t read_full(int fd, void *buf, size_t size);

/* Reads path into buf (at most size-1 bytes) and adds a NUL: the length,
 * or -1 with errno set (EFBIG when the file does not fit). */
ssize_t read_small_file(const char *path, char *buf, size_t size);

#endif
