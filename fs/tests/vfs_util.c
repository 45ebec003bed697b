/* Helpers for the VFS ktests (see vfs_util.h). */
#include "vfs_util.h"
#include <fs/fs_ctx.h>
#include <kernel/proc/process.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

int vt_setup(struct vt *v, const char *name, const char *opts)
{
	int err;

	fmt_snprintf(v->root, sizeof(v->root), "/ktest/%s", name);
	err = vfs_mkdirat(NULL, "/ktest", 0755);
	if (err && err != -EEXIST)
		return err;
	err = vfs_mkdirat(NULL, v->root, 0755);
	if (err && err != -EEXIST)
		return err;
	return vfs_mount("ktest", v->root, "tmpfs", 0, opts);
}

int vt_teardown(struct vt *v)
{
	int err = vfs_umount(v->root, 0);

	if (!err)
		vfs_unlinkat(NULL, v->root, AT_REMOVEDIR);
	return err;
}

const char *vt_path(const struct vt *v, const char *rel)
{
	static char bufs[8][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 8];

	fmt_snprintf(b, PATH_MAX, "%s/%s", v->root, rel);
	return b;
}

int vt_open(const char *path, uint32_t flags, uint32_t mode, struct file **out)
{
	return vfs_openat(NULL, path, flags, mode, out);
}

long vt_fd_write(struct file *f, const void *data, size_t len)
{
	struct uio u;

	uio_init_kernel(&u, (void *)data, len);
	return vfs_write(f, &u);
}

long vt_fd_read(struct file *f, void *buf, size_t size)
{
	struct uio u;

	uio_init_kernel(&u, buf, size);
	return vfs_read(f, &u);
}

long vt_fd_pread(struct file *f, void *buf, size_t size, int64_t off)
{
	struct uio u;

	uio_init_kernel(&u, buf, size);
	return vfs_pread(f, &u, off);
}

long vt_fd_pwrite(struct file *f, const void *buf, size_t size, int64_t off)
{
	struct uio u;

	uio_init_kernel(&u, (void *)buf, size);
	return vfs_pwrite(f, &u, off);
}

int vt_write_file(const char *path, const void *data, size_t len, uint32_t mode)
{
	struct file *f;
	long n;
	int err = vt_open(path, O_WRONLY | O_CREAT | O_TRUNC, mode, &f);

	if (err)
		return err;
	n = vt_fd_write(f, data, len);
	file_put(f);
	if (n < 0)
		return (int)n;
	return n == (long)len ? 0 : -EIO;
}

long vt_read_file(const char *path, void *buf, size_t size)
{
	struct file *f;
	long n;
	int err = vt_open(path, O_RDONLY, 0, &f);

	if (err)
		return err;
	n = vt_fd_read(f, buf, size);
	file_put(f);
	return n;
}

int vt_stat(const char *path, struct stat *st)
{
	return vfs_fstatat(NULL, path, 0, st);
}

int vt_lstat(const char *path, struct stat *st)
{
	return vfs_fstatat(NULL, path, AT_SYMLINK_NOFOLLOW, st);
}

struct run_as {
	void (*fn)(void *);
	void *arg;
};

static void run_as_thread(void *p)
{
	struct run_as *r = p;
	struct process *me = process_current();

	r->fn(r->arg);
	if (me->fs) {
		struct fs_ctx *c = me->fs;

		me->fs = NULL;
		fs_ctx_put(c);
	}
}

int vt_run_as(uint32_t uid, uint32_t gid, void (*fn)(void *), void *arg)
{
	struct run_as r = { fn, arg };
	struct process *p = process_create("vfs-test", SCHED_PRIO_DEFAULT);
	int status, err, pid;

	if (!p)
		return -ENOMEM;
	p->cred.uid = p->cred.euid = p->cred.suid = p->cred.fsuid = uid;
	p->cred.gid = p->cred.egid = p->cred.sgid = p->cred.fsgid = gid;
	p->fs = fs_ctx_new();
	pid = p->pid;
	if (!p->fs)
		return -ENOMEM;
	err = process_spawn_thread(p, "vfs-test", run_as_thread, &r);
	if (err)
		return err;
	err = process_wait(pid, &status, time_ns() + 60000000000ull);
	return err < 0 ? err : 0;
}
