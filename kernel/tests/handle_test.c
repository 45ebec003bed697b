/* Descriptor table ktests: lowest-free numbering, the limit, dup2-style
 * replacement, rights that only shrink, close-on-exec, fork's copy and
 * shared tables, and that closing drops an object's last reference. */
#include <cosmos/errno.h>
#include <kernel/ktest.h>
#include <kernel/proc/handle.h>

#define TYPE_A 0x7e51u
#define TYPE_B 0x7e52u

struct probe {
	struct kobject obj;
	int released;
};

static void probe_release(struct kobject *o)
{
	((struct probe *)o)->released++;
}

/* A probe whose only reference is the caller's. */
static void probe_init(struct probe *p, uint32_t type)
{
	kobject_init(&p->obj, type, probe_release);
	p->released = 0;
}

/* Is fd open on o? */
static bool names(struct handle_table *ht, int fd, struct probe *o)
{
	struct kobject *k = handle_get(ht, fd, 0, 0);

	if (k)
		kobject_put(k);
	return k == &o->obj;
}

KTEST(handle_install_lowest_free)
{
	struct handle_table *ht = handle_table_create(64);
	struct probe a;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), i);
	KT_EXPECT_EQ(t, handle_close(ht, 1), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), 1);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 10), 10);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), 3);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 10), 11);
	KT_EXPECT_EQ(t, handle_close(ht, 0), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 2), 4);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, -1), -EINVAL);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 64), -EINVAL);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, 1u << 20, 0, 0), -EINVAL);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 2, 0), -EINVAL);
	/* 0, 1, 2, 3, 4, 10, 11: seven table references and ours */
	KT_EXPECT_EQ(t, a.obj.refs, 8);
	handle_table_put(ht);
	KT_EXPECT_EQ(t, a.obj.refs, 1);
	KT_EXPECT_EQ(t, a.released, 0);
}

KTEST(handle_limit_gives_emfile)
{
	struct handle_table *ht = handle_table_create(8);
	struct probe a;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	for (int i = 0; i < 8; i++)
		KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), i);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), -EMFILE);
	KT_EXPECT_EQ(t, handle_dup(ht, 0, 0, 0), -EMFILE);
	KT_EXPECT_EQ(t, handle_install_at(ht, 8, &a.obj, RIGHTS_ALL, 0), -EBADF);
	KT_EXPECT_EQ(t, handle_dup_at(ht, 0, 8, 0), -EBADF);
	KT_EXPECT_EQ(t, handle_install_at(ht, -1, &a.obj, RIGHTS_ALL, 0), -EBADF);
	/* a higher limit lets more in */
	KT_EXPECT_EQ(t, handle_table_set_limit(ht, 9), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), 8);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), -EMFILE);
	/* a lower one keeps what is open but lets nothing new in above it */
	KT_EXPECT_EQ(t, handle_table_set_limit(ht, 4), 0);
	KT_EXPECT(t, names(ht, 7, &a));
	KT_EXPECT_EQ(t, handle_close(ht, 6), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), -EMFILE);
	KT_EXPECT_EQ(t, handle_close(ht, 2), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), 2);
	KT_EXPECT_EQ(t, handle_table_set_limit(ht, HANDLE_LIMIT_MAX + 1), -EINVAL);
	KT_EXPECT(t, !handle_table_create(HANDLE_LIMIT_MAX + 1));
	handle_table_put(ht);
	KT_EXPECT_EQ(t, a.obj.refs, 1);
}

KTEST(handle_close_drops_last_reference)
{
	struct handle_table *ht = handle_table_create(16);
	struct probe a;
	int fd;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	fd = handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0);
	KT_ASSERT(t, fd >= 0);
	kobject_put(&a.obj);            /* the table's is the last reference */
	KT_EXPECT_EQ(t, a.released, 0);
	KT_EXPECT_EQ(t, handle_close(ht, fd), 0);
	KT_EXPECT_EQ(t, a.released, 1);
	KT_EXPECT_EQ(t, handle_close(ht, fd), -EBADF);
	KT_EXPECT_EQ(t, handle_close(ht, -1), -EBADF);
	KT_EXPECT_EQ(t, handle_close(ht, 1000), -EBADF);
	KT_EXPECT(t, !handle_get(ht, fd, 0, 0));
	KT_EXPECT_EQ(t, handle_get_flags(ht, fd), -EBADF);
	handle_table_put(ht);
	KT_EXPECT_EQ(t, a.released, 1);
}

KTEST(handle_install_at_replaces)
{
	struct handle_table *ht = handle_table_create(128);
	struct probe a, b;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	probe_init(&b, TYPE_B);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, 0, 0), 0);
	kobject_put(&a.obj);
	KT_EXPECT_EQ(t, handle_install_at(ht, 0, &b.obj, RIGHTS_ALL, 0), 0);
	KT_EXPECT_EQ(t, a.released, 1);            /* replaced: closed */
	KT_EXPECT(t, names(ht, 0, &b));
	/* far beyond what the table holds: it grows, and 1 is still lowest */
	KT_EXPECT_EQ(t, handle_install_at(ht, 100, &b.obj, RIGHTS_ALL, 0), 100);
	KT_EXPECT(t, names(ht, 100, &b));
	KT_EXPECT_EQ(t, handle_install(ht, &b.obj, RIGHTS_ALL, 0, 0), 1);
	/* dup2 of a descriptor onto itself changes nothing */
	KT_EXPECT_EQ(t, handle_dup_at(ht, 0, 0, HANDLE_CLOEXEC), 0);
	KT_EXPECT_EQ(t, handle_get_flags(ht, 0), 0);
	KT_EXPECT_EQ(t, handle_dup_at(ht, 0, 50, HANDLE_CLOEXEC), 50);
	KT_EXPECT(t, names(ht, 50, &b));
	KT_EXPECT_EQ(t, handle_get_flags(ht, 50), HANDLE_CLOEXEC);
	KT_EXPECT_EQ(t, handle_dup_at(ht, 7, 51, 0), -EBADF);
	KT_EXPECT_EQ(t, b.obj.refs, 5);
	handle_table_put(ht);
	KT_EXPECT_EQ(t, b.obj.refs, 1);
}

KTEST(handle_rights_only_shrink)
{
	struct handle_table *ht = handle_table_create(16);
	struct kobject *k;
	struct probe a;
	int fd, dup;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	fd = handle_install(ht, &a.obj, RIGHT_READ | RIGHT_WRITE | RIGHT_DUP, 0, 0);
	KT_ASSERT(t, fd >= 0);
	k = handle_get(ht, fd, TYPE_A, RIGHT_READ | RIGHT_WRITE);
	KT_EXPECT(t, k == &a.obj);
	if (k)
		kobject_put(k);
	KT_EXPECT(t, !handle_get(ht, fd, TYPE_A, RIGHT_TRANSFER));
	KT_EXPECT(t, !handle_get(ht, fd, TYPE_B, 0));          /* wrong type */
	/* take WRITE away; asking for it back, or for TRANSFER, fails */
	KT_EXPECT_EQ(t, handle_restrict(ht, fd, RIGHT_READ | RIGHT_DUP), 0);
	KT_EXPECT(t, !handle_get(ht, fd, 0, RIGHT_WRITE));
	KT_EXPECT_EQ(t, handle_restrict(ht, fd, RIGHT_READ | RIGHT_WRITE | RIGHT_DUP), -EPERM);
	KT_EXPECT_EQ(t, handle_restrict(ht, fd, RIGHT_TRANSFER), -EPERM);
	KT_EXPECT(t, !handle_get(ht, fd, 0, RIGHT_WRITE));
	KT_EXPECT(t, names(ht, fd, &a));
	/* a duplicate has the same rights, no more */
	dup = handle_dup(ht, fd, 0, 0);
	KT_EXPECT_EQ(t, dup, fd + 1);
	KT_EXPECT(t, !handle_get(ht, dup, 0, RIGHT_WRITE));
	k = handle_get(ht, dup, 0, RIGHT_READ | RIGHT_DUP);
	KT_EXPECT(t, k == &a.obj);
	if (k)
		kobject_put(k);
	/* without DUP there is no duplicate */
	KT_EXPECT_EQ(t, handle_restrict(ht, dup, RIGHT_READ), 0);
	KT_EXPECT_EQ(t, handle_dup(ht, dup, 0, 0), -EPERM);
	KT_EXPECT_EQ(t, handle_dup_at(ht, dup, 9, 0), -EPERM);
	KT_EXPECT_EQ(t, handle_restrict(ht, 9, 0), -EBADF);
	handle_table_put(ht);
	KT_EXPECT_EQ(t, a.obj.refs, 1);
}

KTEST(handle_flags_and_close_on_exec)
{
	struct handle_table *ht = handle_table_create(16);
	struct probe a, b, c;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	probe_init(&b, TYPE_A);
	probe_init(&c, TYPE_A);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHTS_ALL, HANDLE_CLOEXEC, 0), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &b.obj, RIGHTS_ALL, 0, 0), 1);
	KT_EXPECT_EQ(t, handle_install(ht, &c.obj, RIGHTS_ALL, 0, 0), 2);
	KT_EXPECT_EQ(t, handle_get_flags(ht, 0), HANDLE_CLOEXEC);
	KT_EXPECT_EQ(t, handle_get_flags(ht, 1), 0);
	KT_EXPECT_EQ(t, handle_set_flags(ht, 2, HANDLE_CLOEXEC), 0);
	KT_EXPECT_EQ(t, handle_set_flags(ht, 2, 4), -EINVAL);
	KT_EXPECT_EQ(t, handle_set_flags(ht, 5, 0), -EBADF);
	/* dup takes its flags from the caller, not from the original */
	KT_EXPECT_EQ(t, handle_dup(ht, 0, 0, 0), 3);
	KT_EXPECT_EQ(t, handle_get_flags(ht, 3), 0);
	kobject_put(&a.obj);
	kobject_put(&b.obj);
	kobject_put(&c.obj);
	handle_table_close_on_exec(ht);
	KT_EXPECT(t, !handle_get(ht, 0, 0, 0));
	KT_EXPECT(t, names(ht, 1, &b));
	KT_EXPECT(t, !handle_get(ht, 2, 0, 0));
	KT_EXPECT(t, names(ht, 3, &a));
	KT_EXPECT_EQ(t, c.released, 1);             /* its only descriptor went */
	KT_EXPECT_EQ(t, a.released, 0);             /* 3 still names it */
	KT_EXPECT_EQ(t, handle_install(ht, &b.obj, RIGHTS_ALL, 0, 0), 0);
	handle_table_put(ht);
	KT_EXPECT_EQ(t, a.released, 1);
	KT_EXPECT_EQ(t, b.released, 1);
}

KTEST(handle_table_clone_and_share)
{
	struct handle_table *ht = handle_table_create(32), *c;
	struct probe a, b;

	KT_ASSERT(t, ht);
	probe_init(&a, TYPE_A);
	probe_init(&b, TYPE_B);
	KT_EXPECT_EQ(t, handle_install(ht, &a.obj, RIGHT_READ, HANDLE_CLOEXEC, 0), 0);
	KT_EXPECT_EQ(t, handle_install(ht, &b.obj, RIGHTS_ALL, 0, 5), 5);
	c = handle_table_clone(ht);
	KT_ASSERT(t, c);
	/* the same objects, one more reference each; rights, flags and the
	 * limit come along */
	KT_EXPECT_EQ(t, a.obj.refs, 3);
	KT_EXPECT_EQ(t, b.obj.refs, 3);
	KT_EXPECT(t, names(c, 0, &a));
	KT_EXPECT(t, names(c, 5, &b));
	KT_EXPECT(t, !handle_get(c, 0, 0, RIGHT_WRITE));
	KT_EXPECT_EQ(t, handle_get_flags(c, 0), HANDLE_CLOEXEC);
	KT_EXPECT_EQ(t, handle_install_at(c, 32, &a.obj, RIGHTS_ALL, 0), -EBADF);
	KT_EXPECT_EQ(t, handle_install(c, &a.obj, RIGHTS_ALL, 0, 0), 1);
	/* the copies are independent */
	KT_EXPECT_EQ(t, handle_close(c, 0), 0);
	KT_EXPECT(t, names(ht, 0, &a));
	KT_EXPECT(t, !handle_get(ht, 1, 0, 0));
	/* a shared table (CLONE_FILES) is one table with two references */
	handle_table_get(c);
	handle_table_put(c);
	KT_EXPECT(t, names(c, 5, &b));
	handle_table_put(c);
	KT_EXPECT_EQ(t, a.obj.refs, 2);
	KT_EXPECT_EQ(t, b.obj.refs, 2);
	handle_table_put(ht);
	KT_EXPECT_EQ(t, a.obj.refs, 1);
	KT_EXPECT_EQ(t, b.obj.refs, 1);
}
