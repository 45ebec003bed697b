/* syslog(2) (glibc's klogctl), the part busybox's dmesg uses: the size of
 * the log's ring and a copy of its newest lines, for root only (Linux with
 * Debian's dmesg_restrict = 1). The lines are the kernel log as /dev/kmsg
 * keeps it ("[    1.234567] text", without Linux's "<level>" in front). */
#include <cosmos/errno.h>
#include <fs/devfs.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/cred.h>
#include <sys/syscall_protos.h>
#include <sys/usercopy.h>

#define SYSLOG_ACTION_CLOSE       0
#define SYSLOG_ACTION_OPEN        1
#define SYSLOG_ACTION_READ_ALL    3
#define SYSLOG_ACTION_SIZE_BUFFER 10

long sys_syslog(int type, uptr_t buf, int len)
{
	size_t n, max;
	char *k;
	long r;

	if (type == SYSLOG_ACTION_CLOSE || type == SYSLOG_ACTION_OPEN)
		return 0;
	if (type != SYSLOG_ACTION_READ_ALL && type != SYSLOG_ACTION_SIZE_BUFFER)
		return -EINVAL;         /* reading and clearing, console levels: not kept */
	if (cred_current()->euid != 0)
		return -EPERM;
	if (type == SYSLOG_ACTION_SIZE_BUFFER)
		return (long)kmsg_ring_size();
	if (uptr_is_null(buf) || len < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	max = (size_t)len < kmsg_ring_size() ? (size_t)len : kmsg_ring_size();
	k = kmalloc(max);
	if (!k)
		return -ENOMEM;
	n = kmsg_copy_recent(k, max);
	r = copy_to_user(buf, k, n);
	kfree(k);
	return r ? r : (long)n;
}
