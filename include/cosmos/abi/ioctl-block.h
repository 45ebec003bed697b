/* Linux's block-device ioctl numbers (x86-64 _IOC encoding) for devfs's
 * disk and partition nodes. Argument kinds for sys/ioctl.c's table:
 *   BLKGETSIZE64  out uint64_t  size in bytes
 *   BLKGETSIZE    out unsigned long (8 bytes)  size in 512-byte sectors
 *   BLKSSZGET     out int       logical sector size (no size in the number)
 *   BLKPBSZGET    out unsigned int  physical sector size
 *   BLKROGET      out int       1 if read-only
 *   BLKFLSBUF     none          flush the device's write cache */
#ifndef COSMOS_ABI_IOCTL_BLOCK_H
#define COSMOS_ABI_IOCTL_BLOCK_H

#define BLKROGET     0x125e     /* _IO(0x12, 94) */
#define BLKGETSIZE   0x1260     /* _IO(0x12, 96) */
#define BLKFLSBUF    0x1261     /* _IO(0x12, 97) */
#define BLKSSZGET    0x1268     /* _IO(0x12, 104) */
#define BLKPBSZGET   0x127b     /* _IO(0x12, 123) */
#define BLKGETSIZE64 0x80081272 /* _IOR(0x12, 114, size_t) */

#endif
