/* The vDSO (hal/vdso/): a small shared object with clock_gettime,
 * gettimeofday and time, and the data page it reads, mapped into every
 * program at exec so those calls need no system call. */
#ifndef KERNEL_EXEC_VDSO_H
#define KERNEL_EXEC_VDSO_H

#include <stdint.h>

struct vm_space;

/* Copies the image into frames of its own and fills the data page; once,
 * at boot, after the clock's final calibration. Without memory the vDSO is
 * left out (a log line says so) and programs use the system calls. */
void vdso_init(void);
/* Rewrites the data page from the kernel's clock; whatever changes the
 * clock (its base or rate, the real-time offset) calls it afterwards. */
void vdso_update(void);
/* Maps the data page (read-only) and the image above it (read and
 * execute) at a place of the space's mmap area: the image's address for
 * AT_SYSINFO_EHDR (0 when there is no vDSO), or -ENOMEM. */
long vdso_map(struct vm_space *vm);

#endif
