/* cosmfs's own ioctl: how many cache flushes the file system's device has
 * finished, as the call's return value. The user-space crash workload
 * (user/crashload) ties what it saw to the device's write log with it. */
#ifndef COSMOS_ABI_IOCTL_COSMFS_H
#define COSMOS_ABI_IOCTL_COSMFS_H

#define COSMFS_IOC_FLUSHES 0x4301     /* _IO('C', 1) */

#endif
