/* VFS ktests through the kernel API: open flags, reads and writes (plain,
 * positional, vectored), seeking, O_TRUNC, O_APPEND atomicity, O_CREAT|
 * O_EXCL atomicity, O_PATH, sparse files, unlinked open files, stat,
 * statx, statfs and getdents64. */
#include "vfs_util.h"
#include <cosmos/abi/dirent.h>
#include <fs/inode.h>
#include <fs/pipe.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/thread.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

KTEST(vfs_create_write_read_seek)
{
	struct vt v;
	struct file *f;
	char buf[64];
	struct kiovec iov[3];
	struct uio u;
	char a[4], b[4], c[8];

	KT_ASSERT(t, vt_setup(&v, "rw", NULL) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "hello world", 11), 11);
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_CUR), 11);
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_SET), 0);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), 11);
	KT_EXPECT(t, memcmp(buf, "hello world", 11) == 0);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, sizeof(buf)), 0);          /* end of file */
	KT_EXPECT_EQ(t, vfs_lseek(f, -5, SEEK_END), 6);
	KT_EXPECT_EQ(t, vt_fd_read(f, buf, 5), 5);
	KT_EXPECT(t, memcmp(buf, "world", 5) == 0);
	KT_EXPECT_ERR(t, vfs_lseek(f, -100, SEEK_CUR), -EINVAL);
	KT_EXPECT_ERR(t, vfs_lseek(f, 0, 99), -EINVAL);
	/* pread/pwrite leave the position alone */
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, "W", 1, 6), 1);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 5, 6), 5);
	KT_EXPECT(t, memcmp(buf, "World", 5) == 0);
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_CUR), 11);
	KT_EXPECT_ERR(t, vt_fd_pread(f, buf, 1, -1), -EINVAL);
	/* vectored: three buffers out, three in */
	iov[0] = (struct kiovec){ (uint64_t)(uintptr_t)"abc", 3 };
	iov[1] = (struct kiovec){ (uint64_t)(uintptr_t)"", 0 };
	iov[2] = (struct kiovec){ (uint64_t)(uintptr_t)"defghij", 7 };
	uio_init_iov(&u, iov, 3, false);
	KT_EXPECT_EQ(t, vfs_pwrite(f, &u, 20), 10);
	iov[0] = (struct kiovec){ (uint64_t)(uintptr_t)a, 4 };
	iov[1] = (struct kiovec){ (uint64_t)(uintptr_t)b, 4 };
	iov[2] = (struct kiovec){ (uint64_t)(uintptr_t)c, 8 };
	uio_init_iov(&u, iov, 3, false);
	KT_EXPECT_EQ(t, vfs_pread(f, &u, 20), 10);
	KT_EXPECT(t, memcmp(a, "abcd", 4) == 0 && memcmp(b, "efgh", 4) == 0 && memcmp(c, "ij", 2) == 0);
	/* the gap between 11 and 20 reads as zeros */
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 9, 11), 9);
	KT_EXPECT(t, memcmp(buf, "\0\0\0\0\0\0\0\0\0", 9) == 0);
	file_put(f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_open_errors)
{
	struct vt v;
	struct file *f;
	char longname[300], *longpath;

	KT_ASSERT(t, vt_setup(&v, "openerr", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "file"), "x", 1, 0644) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "dir"), 0755) == 0);
	KT_ASSERT(t, vfs_symlinkat("file", NULL, vt_path(&v, "link")) == 0);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "missing"), O_RDONLY, 0, &f), -ENOENT);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "nodir/x"), O_RDWR | O_CREAT, 0644, &f), -ENOENT);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file"), O_RDWR | O_CREAT | O_EXCL, 0644, &f), -EEXIST);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "link"), O_RDWR | O_CREAT | O_EXCL, 0644, &f), -EEXIST);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "dir"), O_WRONLY, 0, &f), -EISDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "dir"), O_RDWR, 0, &f), -EISDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "new/"), O_RDWR | O_CREAT, 0644, &f), -EISDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "dir"), O_RDONLY | O_CREAT, 0644, &f), -EISDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "."), O_RDONLY | O_CREAT, 0644, &f), -EISDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "."), O_RDONLY | O_CREAT | O_EXCL, 0644, &f), -EEXIST);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file/."), O_RDONLY, 0, &f), -ENOTDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file/x"), O_RDWR | O_CREAT, 0644, &f), -ENOTDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file"), O_RDONLY | O_DIRECTORY, 0, &f), -ENOTDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file/"), O_RDONLY, 0, &f), -ENOTDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file/x"), O_RDONLY, 0, &f), -ENOTDIR);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "link"), O_RDONLY | O_NOFOLLOW, 0, &f), -ELOOP);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "x"), O_RDWR | O_CREAT | O_DIRECTORY, 0644, &f), -EINVAL);
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, "file"), O_ACCMODE, 0, &f), -EINVAL);
	KT_EXPECT_ERR(t, vt_open("", O_RDONLY, 0, &f), -ENOENT);
	memset(longname, 'n', 256);
	longname[256] = 0;
	KT_EXPECT_ERR(t, vt_open(vt_path(&v, longname), O_RDWR | O_CREAT, 0644, &f), -ENAMETOOLONG);
	longname[255] = 0;      /* NAME_MAX itself is fine */
	KT_EXPECT_EQ(t, vt_open(vt_path(&v, longname), O_RDWR | O_CREAT, 0644, &f), 0);
	file_put(f);
	longpath = kmalloc(PATH_MAX + 8);
	KT_ASSERT(t, longpath != NULL);
	/* PATH_MAX bytes with no room for the NUL: too long; one less: fine */
	memset(longpath, '/', PATH_MAX);
	longpath[PATH_MAX] = 0;
	KT_EXPECT_ERR(t, vt_open(longpath, O_RDONLY, 0, &f), -ENAMETOOLONG);
	longpath[PATH_MAX - 1] = 0;
	KT_EXPECT_EQ(t, vt_open(longpath, O_RDONLY, 0, &f), 0);
	file_put(f);
	kfree(longpath);
	/* reading or writing through the wrong access mode */
	KT_ASSERT(t, vt_open(vt_path(&v, "file"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vt_fd_write(f, "y", 1), -EBADF);
	file_put(f);
	KT_ASSERT(t, vt_open(vt_path(&v, "file"), O_WRONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vt_fd_read(f, longname, 1), -EBADF);
	file_put(f);
	KT_ASSERT(t, vt_open(vt_path(&v, "dir"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_ERR(t, vt_fd_read(f, longname, 1), -EISDIR);
	file_put(f);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_trunc_and_append)
{
	struct vt v;
	struct file *f, *g;
	char buf[32];
	struct stat st;

	KT_ASSERT(t, vt_setup(&v, "trunc", NULL) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "0123456789", 10, 0644) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_WRONLY | O_TRUNC, 0, &f) == 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "f"), &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 0);
	file_put(f);
	/* O_APPEND: every write lands at the end, whatever the position */
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "abc", 3, 0644) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_APPEND, 0, &f) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR, 0, &g) == 0);
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_SET), 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "de", 2), 2);
	KT_EXPECT_EQ(t, vt_fd_write(g, "XY", 2), 2);     /* at 0: overwrites "ab" */
	KT_EXPECT_EQ(t, vt_fd_write(f, "f", 1), 1);
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_CUR), 6);
	KT_EXPECT_EQ(t, vt_read_file(vt_path(&v, "f"), buf, sizeof(buf)), 6);
	KT_EXPECT(t, memcmp(buf, "XYcdef", 6) == 0);
	/* F_SETFL can take O_APPEND away; other flags stay */
	KT_EXPECT_EQ(t, vfs_getfl(f) & (O_APPEND | O_ACCMODE), O_APPEND | O_RDWR);
	KT_EXPECT_EQ(t, vfs_setfl(f, O_NONBLOCK | O_WRONLY), 0);
	KT_EXPECT_EQ(t, vfs_getfl(f) & (O_APPEND | O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	KT_EXPECT_EQ(t, vfs_getfl(f) & (O_CREAT | O_TRUNC | O_CLOEXEC), 0);
	file_put(f);
	file_put(g);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* ---- races: O_CREAT|O_EXCL and O_APPEND ---- */

struct race {
	const char *path;
	volatile int go;
	int wins, errors;
	struct file *f;
	char tag;
};

static void excl_thread(void *arg)
{
	struct race *r = arg;
	struct file *f;
	int err;

	while (!r->go)
		thread_yield();
	err = vt_open(r->path, O_RDWR | O_CREAT | O_EXCL, 0644, &f);
	if (err == 0) {
		__atomic_add_fetch(&r->wins, 1, __ATOMIC_RELAXED);
		file_put(f);
	} else if (err != -EEXIST) {
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
	}
}

KTEST(vfs_creat_excl_is_atomic)
{
	struct vt v;
	char name[16];

	KT_ASSERT(t, vt_setup(&v, "excl", NULL) == 0);
	for (int round = 0; round < 40; round++) {
		struct race r = { 0 };
		struct thread *th[4];

		fmt_snprintf(name, sizeof(name), "f%d", round);
		r.path = vt_path(&v, name);
		for (int i = 0; i < 4; i++)
			th[i] = thread_create("excl", excl_thread, &r, SCHED_PRIO_DEFAULT, 0);
		r.go = 1;
		for (int i = 0; i < 4; i++)
			if (th[i])
				KT_EXPECT_EQ(t, thread_join(th[i], NULL), 0);
		KT_EXPECT_EQ(t, r.wins, 1);
		KT_EXPECT_EQ(t, r.errors, 0);
	}
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

#define REC 100
#define RECS 200

static void append_thread(void *arg)
{
	struct race *r = arg;
	char rec[REC];

	memset(rec, r->tag, REC);
	while (!r->go)
		thread_yield();
	for (int i = 0; i < RECS; i++) {
		if (vt_fd_write(r->f, rec, REC) != REC)
			__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
		if (i % 7 == 0)
			thread_yield();
	}
}

KTEST(vfs_append_is_atomic)
{
	struct vt v;
	struct race r[3] = { 0 };
	struct thread *th[3];
	char *buf;
	long n;
	int counts[3] = { 0 };

	KT_ASSERT(t, vt_setup(&v, "append", NULL) == 0);
	for (int i = 0; i < 3; i++) {
		r[i].tag = (char)('a' + i);
		/* separate open files: only O_APPEND keeps them apart */
		KT_ASSERT(t, vt_open(vt_path(&v, "log"), O_WRONLY | O_CREAT | O_APPEND, 0644, &r[i].f) == 0);
	}
	for (int i = 0; i < 3; i++)
		th[i] = thread_create("append", append_thread, &r[i], SCHED_PRIO_DEFAULT, 0);
	for (int i = 0; i < 3; i++)
		r[i].go = 1;
	for (int i = 0; i < 3; i++)
		if (th[i])
			KT_EXPECT_EQ(t, thread_join(th[i], NULL), 0);
	buf = kmalloc(3 * REC * RECS + 1);
	KT_ASSERT(t, buf != NULL);
	n = vt_read_file(vt_path(&v, "log"), buf, 3 * REC * RECS + 1);
	KT_EXPECT_EQ(t, n, 3 * REC * RECS);
	for (long off = 0; off + REC <= n; off += REC) {
		bool whole = true;

		for (int k = 1; k < REC; k++)
			whole &= buf[off + k] == buf[off];
		KT_EXPECT(t, whole);
		if (buf[off] >= 'a' && buf[off] <= 'c')
			counts[buf[off] - 'a']++;
	}
	for (int i = 0; i < 3; i++) {
		KT_EXPECT_EQ(t, counts[i], RECS);
		KT_EXPECT_EQ(t, r[i].errors, 0);
		file_put(r[i].f);
	}
	kfree(buf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_o_path_files)
{
	struct vt v;
	struct file *p, *f;
	struct stat st;
	char buf[4];

	KT_ASSERT(t, vt_setup(&v, "opath", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755) == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "d/f"), "data", 4, 0000) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "d"), O_PATH | O_RDWR, 0, &p) == 0);
	KT_EXPECT_EQ(t, vfs_getfl(p), O_PATH);
	KT_EXPECT_ERR(t, vt_fd_read(p, buf, 1), -EBADF);
	KT_EXPECT_ERR(t, vfs_lseek(p, 0, SEEK_SET), -EBADF);
	KT_EXPECT_EQ(t, vfs_fstat(p, &st), 0);
	KT_EXPECT(t, S_ISDIR(st.st_mode));
	/* usable as the directory of an *at() call */
	KT_EXPECT_EQ(t, vfs_fstatat(&p->path, "f", 0, &st), 0);
	KT_EXPECT_EQ(t, st.st_size, 4);
	KT_EXPECT_EQ(t, vfs_openat(&p->path, "f", O_RDONLY, 0, &f), 0);   /* root: mode 0 is fine */
	file_put(f);
	file_put(p);
	/* O_PATH|O_NOFOLLOW names the symlink itself */
	KT_ASSERT(t, vfs_symlinkat("d/f", NULL, vt_path(&v, "l")) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "l"), O_PATH | O_NOFOLLOW, 0, &p) == 0);
	KT_EXPECT_EQ(t, vfs_fstat(p, &st), 0);
	KT_EXPECT(t, S_ISLNK(st.st_mode));
	KT_EXPECT_EQ(t, vfs_fstatat(&p->path, "", AT_EMPTY_PATH, &st), 0);
	KT_EXPECT(t, S_ISLNK(st.st_mode));
	{
		struct uio u;

		uio_init_kernel(&u, buf, sizeof(buf));
		KT_EXPECT_EQ(t, vfs_readlinkat(&p->path, "", &u), 3);
		KT_EXPECT(t, memcmp(buf, "d/f", 3) == 0);
	}
	file_put(p);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_sparse_files_read_zeros)
{
	struct vt v;
	struct file *f;
	struct stat st;
	char *buf = kmalloc(8192);
	bool zeros = true;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, vt_setup(&v, "sparse", NULL) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "s"), O_RDWR | O_CREAT, 0644, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, "end", 3, (1ll << 40) + 10), 3);   /* 1 TiB in */
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_size, (1ll << 40) + 13);
	KT_EXPECT_EQ(t, st.st_blocks, 8);                 /* one page is all it costs */
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 8192, 1ll << 30), 8192);
	for (int i = 0; i < 8192; i++)
		zeros &= buf[i] == 0;
	KT_EXPECT(t, zeros);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 20, (1ll << 40) + 5), 8);
	KT_EXPECT(t, memcmp(buf, "\0\0\0\0\0end", 8) == 0);
	/* SEEK_DATA and SEEK_HOLE see the one page */
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_DATA), 1ll << 40);
	KT_EXPECT_EQ(t, vfs_lseek(f, 1ll << 40, SEEK_HOLE), (1ll << 40) + 13);
	KT_EXPECT_EQ(t, vfs_lseek(f, 5, SEEK_HOLE), 5);
	KT_EXPECT_ERR(t, vfs_lseek(f, (1ll << 40) + 13, SEEK_DATA), -ENXIO);
	/* with a page between: SEEK_DATA finds the nearer one, an offset in
	 * data is its own answer, and past that page the one at 1 TiB */
	KT_EXPECT_EQ(t, vt_fd_pwrite(f, "mid", 3, (1ll << 39) + 3 * 4096 + 7), 3);
	KT_EXPECT_EQ(t, vfs_lseek(f, 1, SEEK_DATA), (1ll << 39) + 3 * 4096);
	KT_EXPECT_EQ(t, vfs_lseek(f, (1ll << 39) + 3 * 4096 + 9, SEEK_DATA), (1ll << 39) + 3 * 4096 + 9);
	KT_EXPECT_EQ(t, vfs_lseek(f, (1ll << 39) + 4 * 4096, SEEK_DATA), 1ll << 40);
	KT_EXPECT_EQ(t, vfs_lseek(f, (1ll << 39) + 3 * 4096, SEEK_HOLE), (1ll << 39) + 4 * 4096);
	/* truncating down and up again reads zeros where data was */
	KT_EXPECT_EQ(t, vfs_ftruncate(f, (1ll << 40) + 11), 0);
	KT_EXPECT_EQ(t, vfs_ftruncate(f, (1ll << 40) + 13), 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 3, (1ll << 40) + 10), 3);
	KT_EXPECT(t, memcmp(buf, "e\0\0", 3) == 0);
	KT_EXPECT_EQ(t, vfs_ftruncate(f, 0), 0);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_blocks, 0);
	KT_EXPECT_ERR(t, vfs_ftruncate(f, -1), -EINVAL);
	file_put(f);
	kfree(buf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_unlinked_open_file_keeps_data)
{
	struct vt v;
	struct file *f;
	struct stat st;
	struct statfs sf, sf0;
	char buf[8];

	KT_ASSERT(t, vt_setup(&v, "unlinked", NULL) == 0);
	KT_ASSERT(t, vfs_statfs(NULL, v.root, &sf0) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDWR | O_CREAT, 0644, &f) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "precious", 8), 8);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0), 0);
	KT_EXPECT_ERR(t, vt_stat(vt_path(&v, "f"), &st), -ENOENT);
	KT_EXPECT_EQ(t, vfs_fstat(f, &st), 0);
	KT_EXPECT_EQ(t, st.st_nlink, 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 8, 0), 8);
	KT_EXPECT(t, memcmp(buf, "precious", 8) == 0);
	KT_EXPECT_EQ(t, vt_fd_write(f, "!", 1), 1);     /* still writable */
	/* a new file of the same name is another file */
	KT_EXPECT_EQ(t, vt_write_file(vt_path(&v, "f"), "new", 3, 0644), 0);
	KT_EXPECT_EQ(t, vt_fd_pread(f, buf, 8, 1), 8);
	KT_EXPECT(t, memcmp(buf, "recious!", 8) == 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "f"), 0), 0);
	KT_EXPECT_EQ(t, vfs_statfs(NULL, v.root, &sf), 0);
	KT_EXPECT_EQ(t, sf.f_bfree, sf0.f_bfree - 1);   /* the open file's page */
	KT_EXPECT_EQ(t, sf.f_ffree, sf0.f_ffree - 1);
	file_put(f);                                     /* the last close frees it */
	KT_EXPECT_EQ(t, vfs_statfs(NULL, v.root, &sf), 0);
	KT_EXPECT_EQ(t, sf.f_bfree, sf0.f_bfree);
	KT_EXPECT_EQ(t, sf.f_ffree, sf0.f_ffree);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

KTEST(vfs_stat_statx_statfs)
{
	struct vt v;
	struct stat st, lst, dst, rst;
	struct statx sx;
	struct statfs sf;
	struct file *f, *pf;

	KT_ASSERT(t, vt_setup(&v, "stat", "size=1m,nr_inodes=100") == 0);
	KT_ASSERT(t, vt_write_file(vt_path(&v, "f"), "12345", 5, 0640) == 0);
	KT_ASSERT(t, vfs_symlinkat("f", NULL, vt_path(&v, "l")) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0750) == 0);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "l"), &st), 0);    /* follows */
	KT_EXPECT_EQ(t, st.st_mode, S_IFREG | 0640);
	KT_EXPECT_EQ(t, st.st_size, 5);
	KT_EXPECT_EQ(t, st.st_nlink, 1);
	KT_EXPECT_EQ(t, st.st_blksize, 4096);
	KT_EXPECT_EQ(t, st.st_blocks, 8);
	KT_EXPECT_EQ(t, st.st_uid, 0);
	KT_EXPECT_EQ(t, vt_lstat(vt_path(&v, "l"), &lst), 0);
	KT_EXPECT_EQ(t, lst.st_mode, S_IFLNK | 0777);
	KT_EXPECT_EQ(t, lst.st_size, 1);
	KT_EXPECT(t, lst.st_ino != st.st_ino);
	KT_EXPECT_EQ(t, lst.st_dev, st.st_dev);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "d"), &dst), 0);
	KT_EXPECT_EQ(t, dst.st_mode, S_IFDIR | 0750);
	KT_EXPECT_EQ(t, dst.st_nlink, 2);
	KT_EXPECT_EQ(t, vt_stat(v.root, &rst), 0);
	KT_EXPECT_EQ(t, rst.st_nlink, 3);                       /* ".", "..", d/.. */
	KT_EXPECT(t, rst.st_mtime >= 1600000000 || rst.st_mtime < 1000);   /* RTC or none */
	KT_EXPECT_ERR(t, vfs_fstatat(NULL, vt_path(&v, "f"), 0x8000, &st), -EINVAL);
	/* statx: the same facts, with the mount root marked */
	KT_EXPECT_EQ(t, vfs_statx(NULL, v.root, 0, STATX_BASIC_STATS, &sx), 0);
	KT_EXPECT(t, (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	KT_EXPECT(t, sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	KT_EXPECT_EQ(t, sx.stx_ino, rst.st_ino);
	KT_EXPECT_EQ(t, abi_makedev(sx.stx_dev_major, sx.stx_dev_minor), rst.st_dev);
	KT_EXPECT_EQ(t, vfs_statx(NULL, vt_path(&v, "l"), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx), 0);
	KT_EXPECT_EQ(t, sx.stx_mode, S_IFLNK | 0777);
	KT_EXPECT(t, !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
	KT_EXPECT_ERR(t, vfs_statx(NULL, v.root, 0, STATX__RESERVED, &sx), -EINVAL);
	KT_EXPECT_ERR(t, vfs_statx(NULL, v.root, AT_STATX_SYNC_TYPE, 0, &sx), -EINVAL);
	/* statfs: tmpfs's magic and the size= limit */
	KT_EXPECT_EQ(t, vfs_statfs(NULL, vt_path(&v, "f"), &sf), 0);
	KT_EXPECT_EQ(t, sf.f_type, TMPFS_MAGIC);
	KT_EXPECT_EQ(t, sf.f_bsize, 4096);
	KT_EXPECT_EQ(t, sf.f_blocks, 256);
	KT_EXPECT_EQ(t, sf.f_bfree, 255);
	KT_EXPECT_EQ(t, sf.f_files, 100);
	KT_EXPECT_EQ(t, sf.f_ffree, 96);                /* root, f, l, d */
	KT_EXPECT_EQ(t, sf.f_namelen, 255);
	KT_EXPECT(t, sf.f_flags & ST_RELATIME);
	KT_EXPECT(t, !(sf.f_flags & ST_RDONLY));
	KT_ASSERT(t, vt_open(vt_path(&v, "f"), O_RDONLY, 0, &f) == 0);
	KT_EXPECT_EQ(t, vfs_fstatfs(f, &sf), 0);
	KT_EXPECT_EQ(t, sf.f_type, TMPFS_MAGIC);
	/* statx of an open file: the same as by name; a pipe has no mount */
	KT_EXPECT_EQ(t, vfs_fstatx(f, STATX_BASIC_STATS, &sx), 0);
	KT_EXPECT_EQ(t, sx.stx_ino, st.st_ino);
	KT_EXPECT_EQ(t, sx.stx_size, 5);
	KT_EXPECT(t, sx.stx_mask & STATX_MNT_ID);
	KT_EXPECT_ERR(t, vfs_fstatx(f, STATX__RESERVED, &sx), -EINVAL);
	file_put(f);
	KT_ASSERT(t, pipe_create(0, &f, &pf) == 0);
	KT_EXPECT_EQ(t, vfs_fstatx(f, STATX_BASIC_STATS, &sx), 0);
	KT_EXPECT(t, S_ISFIFO(sx.stx_mode));
	KT_EXPECT(t, !(sx.stx_mask & STATX_MNT_ID));
	file_put(f);
	file_put(pf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}

/* ---- getdents64 ---- */

struct dent_seen {
	int dot, dotdot, files;
	bool bad_type, bad_reclen;
	uint64_t dot_ino, dotdot_ino;
};

/* Walks linux_dirent64 records in buf; returns the last d_off. */
static int64_t parse_dents(const char *buf, long n, struct dent_seen *s)
{
	int64_t last = 0;

	for (long off = 0; off < n;) {
		const struct linux_dirent64 *d = (const void *)(buf + off);

		if (d->d_reclen < 20 || d->d_reclen % 8 || off + d->d_reclen > n) {
			s->bad_reclen = true;
			break;
		}
		if (strcmp(d->d_name, ".") == 0) {
			s->dot++;
			s->dot_ino = d->d_ino;
			s->bad_type |= d->d_type != DT_DIR;
		} else if (strcmp(d->d_name, "..") == 0) {
			s->dotdot++;
			s->dotdot_ino = d->d_ino;
		} else {
			s->files++;
			s->bad_type |= d->d_type != DT_REG;
		}
		last = d->d_off;
		off += d->d_reclen;
	}
	return last;
}

KTEST(vfs_getdents64)
{
	struct vt v;
	struct file *dir;
	struct dent_seen s = { 0 };
	struct stat st, pst;
	char *buf = kmalloc(4096), name[16];
	struct uio u;
	long n;
	int64_t last = 0;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, vt_setup(&v, "dents", NULL) == 0);
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "d"), 0755) == 0);
	for (int i = 0; i < 300; i++) {
		fmt_snprintf(name, sizeof(name), "d/file%03d", i);
		KT_ASSERT(t, vt_write_file(vt_path(&v, name), "", 0, 0644) == 0);
	}
	KT_ASSERT(t, vt_open(vt_path(&v, "d"), O_RDONLY | O_DIRECTORY, 0, &dir) == 0);
	/* small buffers: many calls, each resuming where the last stopped;
	 * files created and removed meanwhile do not disturb the others */
	for (int round = 0; round < 1000; round++) {
		uio_init_kernel(&u, buf, 256);
		n = vfs_getdents64(dir, &u);
		KT_ASSERT(t, n >= 0);
		if (n == 0)
			break;
		last = parse_dents(buf, n, &s);
		if (round == 2) {
			KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "d/file299"), 0), 0);
			KT_EXPECT_EQ(t, vt_write_file(vt_path(&v, "d/zz-new"), "", 0, 0644), 0);
		}
	}
	KT_EXPECT_EQ(t, s.dot, 1);
	KT_EXPECT_EQ(t, s.dotdot, 1);
	KT_EXPECT_EQ(t, s.files, 300);           /* 299 (file299 went unread) + 1 new */
	KT_EXPECT(t, !s.bad_type && !s.bad_reclen);
	KT_EXPECT_EQ(t, vt_stat(vt_path(&v, "d"), &st), 0);
	KT_EXPECT_EQ(t, vt_stat(v.root, &pst), 0);
	KT_EXPECT_EQ(t, s.dot_ino, st.st_ino);
	KT_EXPECT_EQ(t, s.dotdot_ino, pst.st_ino);
	KT_EXPECT_EQ(t, vfs_lseek(dir, 0, SEEK_CUR), last);
	/* rewinding starts over; a buffer too small for one record: EINVAL */
	KT_EXPECT_EQ(t, vfs_lseek(dir, 0, SEEK_SET), 0);
	uio_init_kernel(&u, buf, 10);
	KT_EXPECT_ERR(t, vfs_getdents64(dir, &u), -EINVAL);
	file_put(dir);
	/* not a directory */
	KT_ASSERT(t, vt_open(vt_path(&v, "d/file001"), O_RDONLY, 0, &dir) == 0);
	uio_init_kernel(&u, buf, 4096);
	KT_EXPECT_ERR(t, vfs_getdents64(dir, &u), -ENOTDIR);
	file_put(dir);
	/* a removed directory reads as gone */
	KT_ASSERT(t, vfs_mkdirat(NULL, vt_path(&v, "gone"), 0755) == 0);
	KT_ASSERT(t, vt_open(vt_path(&v, "gone"), O_RDONLY, 0, &dir) == 0);
	KT_EXPECT_EQ(t, vfs_unlinkat(NULL, vt_path(&v, "gone"), AT_REMOVEDIR), 0);
	uio_init_kernel(&u, buf, 4096);
	KT_EXPECT_ERR(t, vfs_getdents64(dir, &u), -ENOENT);
	file_put(dir);
	kfree(buf);
	KT_EXPECT_EQ(t, vt_teardown(&v), 0);
}
