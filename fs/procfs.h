/* procfs, mounted at /proc: the kernel's state in Linux's text formats
 * (fs/procfs_text.h) so Linux tools read it unchanged. System files are
 * in fs/procfs.c, the per-process directories in fs/procfs_pid.c, /proc/sys
 * in fs/procfs_sys.c. */
#ifndef FS_PROCFS_H
#define FS_PROCFS_H

#include <fs/pseudofs.h>

/* Registers the "proc" file-system type. */
void procfs_init(void);

/* The per-process directory (/proc/[pid]) and its family, for the root
 * table (fs/procfs_pid.c). */
extern const struct pseudo_entry procfs_pid_dir;
extern const struct pseudo_family procfs_pids;
/* /proc/sys's children (fs/procfs_sys.c). */
extern const struct pseudo_entry procfs_sys_children[];
/* /proc/mounts, also /proc/[pid]/mounts: the mounts as the reader sees
 * them (paths from its root). */
int procfs_show_mounts(struct seqbuf *s, uint64_t arg);
/* /proc/self's target. */
int procfs_self_link(struct seqbuf *s, uint64_t arg);
/* The text of the system file /proc/<name> (a file directly under /proc,
 * such as "cpuinfo"): 0, -ENOENT, or its generator's error. For the kernel
 * services (kernel/ipc/kservice.c), which report without a mount. */
int procfs_show_file(const char *name, struct seqbuf *s);

#endif
