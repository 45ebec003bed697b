/* Descriptors as sys/ sees them: the open file behind one. */
#ifndef SYS_FILE_H
#define SYS_FILE_H

struct file;

/* The file open as fd in the calling process, with a reference the caller
 * puts (file_put): 0 or -EBADF. */
int sys_file_get(int fd, struct file **out);

#endif
