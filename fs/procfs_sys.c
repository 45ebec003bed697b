/* /proc/sys: the kernel's settings as Linux's sysctl files, one value per
 * file with a newline. kernel/core_pattern (the core file's name,
 * kernel/proc/coredump.c), hostname and domainname (uname's, kernel/uts.c)
 * are written by root (the files are root's, 0644: the VFS refuses others
 * at open with EACCES); ostype, osrelease and version are uname's sysname,
 * release and version; vm/drop_caches, written by root, frees caches as
 * Linux's does (below). A write is the whole new value: up to the first
 * newline, cut at the setting's room as Linux cuts it. */
#include <fs/procfs.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/dcache.h>
#include <kernel/proc/coredump.h>
#include <kernel/uts.h>
#include <kernel/version.h>

static int show_core_pattern(struct seqbuf *s, uint64_t arg)
{
	char pattern[CORE_PATTERN_MAX];

	(void)arg;
	coredump_pattern_get(pattern);
	seq_printf(s, "%s\n", pattern);
	return 0;
}

static long write_core_pattern(uint64_t arg, const char *buf, size_t len)
{
	(void)arg;
	return coredump_pattern_set(buf, len);
}

static int show_uts_name(struct seqbuf *s, bool domain)
{
	char name[UTS_LEN];

	uts_name_get(domain, name);
	seq_printf(s, "%s\n", name);
	return 0;
}

static long write_uts_name(bool domain, const char *buf, size_t len)
{
	size_t n = 0;
	int err;

	while (n < len && n < UTS_LEN - 1 && buf[n] && buf[n] != '\n')
		n++;
	err = uts_name_set(domain, buf, n);
	return err ? err : (long)len;
}

static int show_hostname(struct seqbuf *s, uint64_t arg) { (void)arg; return show_uts_name(s, false); }
static int show_domainname(struct seqbuf *s, uint64_t arg) { (void)arg; return show_uts_name(s, true); }
static long write_hostname(uint64_t arg, const char *buf, size_t len)
{
	(void)arg;
	return write_uts_name(false, buf, len);
}
static long write_domainname(uint64_t arg, const char *buf, size_t len)
{
	(void)arg;
	return write_uts_name(true, buf, len);
}

static int show_ostype(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	seq_puts(s, COSMOS_SYSNAME "\n");
	return 0;
}

static int show_osrelease(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	seq_puts(s, COSMOS_RELEASE "\n");
	return 0;
}

static int show_version(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	seq_puts(s, COSMOS_BUILD_TAG "\n");
	return 0;
}

/* vm/drop_caches: "2" frees every unused dentry, and the inodes only they
 * held (Linux's "reclaimable slab objects"), so a leak check can count the
 * heap without the name cache's contents. The block cache (fs/bcache) is
 * not dropped from here, so 1 and 3, which ask for the page cache too, are
 * refused (EINVAL). Reads give the last value taken, as Linux's do. */
static int drop_caches_last;   /* atomic */

static int show_drop_caches(struct seqbuf *s, uint64_t arg)
{
	(void)arg;
	seq_printf(s, "%d\n", __atomic_load_n(&drop_caches_last, __ATOMIC_RELAXED));
	return 0;
}

static long write_drop_caches(uint64_t arg, const char *buf, size_t len)
{
	(void)arg;
	if (len == 0 || buf[0] != '2' || (len > 1 && buf[1] != '\n'))
		return -EINVAL;
	dcache_prune(~0u);
	__atomic_store_n(&drop_caches_last, 2, __ATOMIC_RELAXED);
	return (long)len;
}

static const struct pseudo_entry vm_children[] = {
	{ .name = "drop_caches", .mode = S_IFREG | 0644, .show = show_drop_caches,
	  .write = write_drop_caches },
	{ 0 },
};

static const struct pseudo_entry kernel_children[] = {
	{ .name = "core_pattern", .mode = S_IFREG | 0644, .show = show_core_pattern,
	  .write = write_core_pattern },
	{ .name = "domainname", .mode = S_IFREG | 0644, .show = show_domainname,
	  .write = write_domainname },
	{ .name = "hostname", .mode = S_IFREG | 0644, .show = show_hostname, .write = write_hostname },
	{ .name = "ostype", .mode = S_IFREG | 0444, .show = show_ostype },
	{ .name = "osrelease", .mode = S_IFREG | 0444, .show = show_osrelease },
	{ .name = "version", .mode = S_IFREG | 0444, .show = show_version },
	{ 0 },
};

const struct pseudo_entry procfs_sys_children[] = {
	{ .name = "kernel", .mode = S_IFDIR | 0555, .children = kernel_children },
	{ .name = "vm", .mode = S_IFDIR | 0555, .children = vm_children },
	{ 0 },
};
