/* Linux's generic ioctl numbers for any file (x86-64), and their argument
 * kinds for sys/ioctl.c's table:
 *   FIONREAD  out int   bytes ready to read (pipes, FIFOs)
 *   FIONBIO   in int    set or clear O_NONBLOCK
 *   FIOASYNC  in int    set or clear O_ASYNC
 *   FIOCLEX   none      set FD_CLOEXEC on the descriptor
 *   FIONCLEX  none      clear it */
#ifndef COSMOS_ABI_IOCTL_H
#define COSMOS_ABI_IOCTL_H

#define FIONREAD 0x541b
#define FIONBIO  0x5421
#define FIONCLEX 0x5450
#define FIOCLEX  0x5451
#define FIOASYNC 0x5452

#endif
