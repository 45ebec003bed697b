/* VFS ktests of permissions, run as uid 1000 in a process of its own:
 * read/write/search bits on open, create and delete, the sticky bit,
 * umask, chmod/chown rules, access(2) with real and effective ids, and
 * the exec checks (an x bit even for root, noexec mounts). */
#include "vfs_util.h"
#include <fs/fs_ctx.h>
#include <kernel/proc/process.h>
#include <lib/string.h>

#define USER 1000
#define GROUP 1000

struct perm {
	const struct vt *v;
	int open_ro, open_rw, open_mine, create_ro_dir, create_ok, search, search_list,
	    unlink_ro_dir, sticky_other, sticky_mine, chmod_other, chmod_mine, chown_mine,
	    chgrp_mine, chgrp_other_group, utimes_now_other, utimes_set_other, rename_ro,
	    trunc_other, mkdir_umask, access_r, access_w, access_x, setgid_kept,
	    write_clears_suid;
	uint32_t umask_mode;
};

static void as_user(void *p)
{
	struct perm *r = p;
	const struct vt *v = r->v;
	struct file *f;
	struct stat st;
	struct vfs_time times[2] = { { 1000, 0 }, { 1000, 0 } };

	r->open_ro = vt_open(vt_path(v, "rootfile"), O_RDONLY, 0, &f);        /* 0644: readable */
	if (!r->open_ro)
		file_put(f);
	r->open_rw = vt_open(vt_path(v, "rootfile"), O_RDWR, 0, &f);          /* not writable */
	r->open_mine = vt_open(vt_path(v, "pub/mine"), O_RDWR | O_CREAT, 0600, &f);
	if (!r->open_mine)
		file_put(f);
	r->create_ro_dir = vt_open(vt_path(v, "rodir/new"), O_RDWR | O_CREAT, 0644, &f);
	r->create_ok = vt_open(vt_path(v, "pub/new"), O_RDWR | O_CREAT, 0644, &f);
	if (!r->create_ok)
		file_put(f);
	r->search = vt_stat(vt_path(v, "noexec/inner"), &st);              /* no x on noexec/ */
	r->search_list = vt_open(vt_path(v, "noexec"), O_RDONLY, 0, &f);      /* r is there */
	if (!r->search_list)
		file_put(f);
	r->unlink_ro_dir = vfs_unlinkat(NULL, vt_path(v, "rodir/file"), 0);
	r->sticky_other = vfs_unlinkat(NULL, vt_path(v, "tmp/roots"), 0);
	r->sticky_mine = vfs_unlinkat(NULL, vt_path(v, "tmp/users"), 0);
	r->rename_ro = vfs_renameat2(NULL, vt_path(v, "tmp/roots"), NULL, vt_path(v, "tmp/x"), 0);
	r->chmod_other = vfs_fchmodat(NULL, vt_path(v, "rootfile"), 0777, 0);
	r->chmod_mine = vfs_fchmodat(NULL, vt_path(v, "pub/mine"), 02755, 0);
	if (vt_stat(vt_path(v, "pub/mine"), &st) == 0)
		r->setgid_kept = (st.st_mode & S_ISGID) != 0;   /* its group is the user's */
	r->chown_mine = vfs_fchownat(NULL, vt_path(v, "pub/mine"), 0, (uint32_t)-1, 0);
	r->chgrp_mine = vfs_fchownat(NULL, vt_path(v, "pub/mine"), (uint32_t)-1, GROUP, 0);
	r->chgrp_other_group = vfs_fchownat(NULL, vt_path(v, "pub/mine"), (uint32_t)-1, 7, 0);
	r->utimes_now_other = vfs_utimensat(NULL, vt_path(v, "pubfile"), NULL, 0);   /* 0666: writable */
	r->utimes_set_other = vfs_utimensat(NULL, vt_path(v, "pubfile"), times, 0);
	r->trunc_other = vfs_truncate(NULL, vt_path(v, "rootfile"), 0);
	fs_ctx_set_umask(fs_ctx_current(), 027);
	if (vfs_mkdirat(NULL, vt_path(v, "pub/masked"), 0777) == 0 &&
	    vt_stat(vt_path(v, "pub/masked"), &st) == 0)
		r->umask_mode = st.st_mode & 07777;
	r->access_r = vfs_faccessat(NULL, vt_path(v, "rootfile"), R_OK, 0);
	r->access_w = vfs_faccessat(NULL, vt_path(v, "rootfile"), W_OK, 0);
	r->access_x = vfs_faccessat(NULL, vt_path(v, "noexec"), X_OK, 0);
	/* a write by someone else clears set-user-ID */
	if (vt_open(vt_path(v, "suid"), O_WRONLY, 0, &f) == 0) {
		vt_fd_write(f, "x", 1);
		file_put(f);
		if (vt_stat(vt_path(v, "suid"), &st) == 0)
			r->write_clears_suid = !(st.st_mode & S_ISUID);
	}
}

KTEST(vfs_permissions_as_user)
{
	struct vt v;
	struct perm r = { .v = &v };
	struct stat st;

	KT_ASSERT(t, vt_setup(&v, "perm", "mode=0755") == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "rootfile"), "root", 4, 0644) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "pubfile"), "pub", 3, 0666) == 0);
	KT_ASSERT(t, vfs_fchmodat(NULL, vt_path(&v, "pubfile"), 0666, 0) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "suid"), "s", 1, 0666) == 0);
	KT_ASSERT(t, vfs_fchmodat(NULL, vt_path(&v, "suid"), 04777, 0) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "pub"), 0777) == 0);
	KT_ASSERT(t, vfs_fchmodat(NULL, vt_path(&v, "pub"), 0777, 0) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "rodir"), 0755) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "rodir/file"), "", 0, 0666) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "noexec"), 0755) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "noexec/inner"), "", 0, 0666) == 0);
	KT_ASSERT(t, vfs_fchmodat(NULL, vt_path(&v, "noexec"), 0744, 0) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "tmp"), 0777) == 0);
	KT_ASSERT(t, vfs_fchmodat(NULL, vt_path(&v, "tmp"), 01777, 0) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "tmp/roots"), "", 0, 0666) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "tmp/users"), "", 0, 0666) == 0);
	KT_ASSERT(t, vfs_fchownat(NULL, vt_path(&v, "tmp/users"), USER, GROUP, 0) == 0);

	KT_ASSERT(t, vt_run_as(USER, GROUP, as_user, &r) == 0);
	KT_EXPECT_EQ(t, r.open_ro, 0);
	KT_EXPECT_ERR(t, r.open_rw, -EACCES);
	KT_EXPECT_EQ(t, r.open_mine, 0);
	KT_EXPECT_ERR(t, r.create_ro_dir, -EACCES);
	KT_EXPECT_EQ(t, r.create_ok, 0);
	KT_EXPECT_ERR(t, r.search, -EACCES);
	KT_EXPECT_EQ(t, r.search_list, 0);
	KT_EXPECT_ERR(t, r.unlink_ro_dir, -EACCES);
	KT_EXPECT_ERR(t, r.sticky_other, -EPERM);
	KT_EXPECT_EQ(t, r.sticky_mine, 0);
	KT_EXPECT_ERR(t, r.rename_ro, -EPERM);
	KT_EXPECT_ERR(t, r.chmod_other, -EPERM);
	KT_EXPECT_EQ(t, r.chmod_mine, 0);
	KT_EXPECT_EQ(t, r.setgid_kept, 1);
	KT_EXPECT_ERR(t, r.chown_mine, -EPERM);
	KT_EXPECT_EQ(t, r.chgrp_mine, 0);
	KT_EXPECT_ERR(t, r.chgrp_other_group, -EPERM);
	KT_EXPECT_EQ(t, r.utimes_now_other, 0);
	KT_EXPECT_ERR(t, r.utimes_set_other, -EPERM);
	KT_EXPECT_ERR(t, r.trunc_other, -EACCES);
	KT_EXPECT_EQ(t, r.umask_mode, 0750);
	KT_EXPECT_EQ(t, r.access_r, 0);
	KT_EXPECT_ERR(t, r.access_w, -EACCES);
	KT_EXPECT_ERR(t, r.access_x, -EACCES);
	KT_EXPECT_EQ(t, r.write_clears_suid, 1);
	/* the files the user made are the user's */
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "pub/new"), &st), 0);
	KT_EXPECT_EQ(t, st.st_uid, USER);
	KT_EXPECT_EQ(t, st.st_gid, GROUP);
	KT_EXPECT_EQ(t, st.st_mode, S_IFREG | 0644);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "tmp/roots"), &st), 0);   /* still there */
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* access(2) checks the real ids, AT_EACCESS the effective ones. */
struct access_arg {
	const struct vt *v;
	int real, effective;
};

static void access_setuid(void *p)
{
	struct access_arg *a = p;
	struct cred *c = &process_current()->cred;

	c->euid = c->fsuid = 0;          /* as after exec of a set-user-ID-root file */
	a->real = vfs_faccessat(NULL, vt_path(a->v, "secret"), R_OK, 0);
	a->effective = vfs_faccessat(NULL, vt_path(a->v, "secret"), R_OK, AT_EACCESS);
}

KTEST(vfs_access_real_and_effective)
{
	struct vt v;
	struct access_arg a = { .v = &v };

	KT_ASSERT(t, vt_setup(&v, "access", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "secret"), "s", 1, 0600) == 0);
	KT_ASSERT(t, vt_run_as(USER, GROUP, access_setuid, &a) == 0);
	KT_EXPECT_ERR(t, a.real, -EACCES);
	KT_EXPECT_EQ(t, a.effective, 0);
	KT_EXPECT_ERR(t, vfs_faccessat(NULL, vt_path(&v, "secret"), 8, 0), -EINVAL);
	KT_EXPECT_ERR(t, vfs_faccessat(NULL, vt_path(&v, "nope"), F_OK, 0), -ENOENT);
	KT_EXPECT_EQ(t, vfs_faccessat(NULL, vt_path(&v, "secret"), F_OK, 0), 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_exec_checks)
{
	struct vt v;
	struct file *f = NULL;

	KT_ASSERT(t, vt_setup(&v, "exec", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "prog"), "\177ELF", 4, 0755) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "data"), "data", 4, 0644) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "xonly"), "\177ELF", 4, 0111) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "dir"), 0755) == 0);
	KT_EXPECT_EQ(t, vfs_open_exec(NULL, vt_path(&v, "prog"), 0, &f), 0);
	if (f)
		KT_EXPECT(t, f->fmode & FMODE_EXEC);
	file_put(f);
	/* root needs one x bit too */
	KT_EXPECT_ERR(t, vfs_open_exec(NULL, vt_path(&v, "data"), 0, &f), -EACCES);
	KT_EXPECT_ERR(t, vfs_open_exec(NULL, vt_path(&v, "dir"), 0, &f), -EACCES);
	KT_EXPECT_EQ(t, vfs_open_exec(NULL, vt_path(&v, "xonly"), 0, &f), 0);
	file_put(f);
	KT_EXPECT_ERR(t, vfs_open_exec(NULL, vt_path(&v, "nope"), 0, &f), -ENOENT);
	/* a noexec mount refuses every program on it */
	KT_EXPECT_EQ(t, vfs_mount(NULL, v.root, NULL, MS_REMOUNT | MS_NOEXEC, NULL), 0);
	KT_EXPECT_ERR(t, vfs_open_exec(NULL, vt_path(&v, "prog"), 0, &f), -EACCES);
	KT_ASSERT(t, vt_open(vt_path(&v, "prog"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vfs_may_exec(f), -EACCES);
	file_put(f);
	/* and access(X_OK) says so, for regular files only (as Linux) */
	KT_EXPECT_ERR(t, vfs_faccessat(NULL, vt_path(&v, "prog"), X_OK, 0), -EACCES);
	KT_EXPECT_EQ(t, vfs_faccessat(NULL, vt_path(&v, "dir"), X_OK, 0), 0);
	KT_EXPECT_EQ(t, vfs_faccessat(NULL, vt_path(&v, "prog"), R_OK, 0), 0);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}
