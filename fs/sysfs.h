/* sysfs, mounted at /sys: the PCI functions the kernel found, laid out as
 * Linux does (/sys/devices/pci0000:00/..., with /sys/bus/pci/devices/
 * symlinks into it: busybox lspci walks those and reads each uevent), and
 * the block devices (/sys/block/vda/{size,ro,dev,uevent,vda1/...}). */
#ifndef FS_SYSFS_H
#define FS_SYSFS_H

/* Registers the "sysfs" file-system type. */
void sysfs_init(void);

#endif
