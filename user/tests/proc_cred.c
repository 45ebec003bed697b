/* Credentials: getuid and friends, setuid, setgid, setreuid, setregid,
 * setresuid, setresgid, getgroups and setgroups; who may change what. */
#include "tests.h"

#include <grp.h>

TEST(proc_cred_root_start)
{
	uid_t r, e, s;
	CHECK_EQ(getuid(), 0);
	CHECK_EQ(geteuid(), 0);
	CHECK_EQ(getgid(), 0);
	CHECK_EQ(getegid(), 0);
	CHECK_OK(getresuid(&r, &e, &s));
	CHECK(r == 0 && e == 0 && s == 0);
}

TEST(proc_setuid_root_drops_all)
{
	IN_CHILD {
		CHECK_OK(setuid(TEST_UID));
		uid_t r, e, s;
		CHECK_OK(getresuid(&r, &e, &s));
		CHECK(r == TEST_UID && e == TEST_UID && s == TEST_UID);
		/* No way back. */
		CHECK_ERR(setuid(0), EPERM);
		CHECK_ERR(seteuid(0), EPERM);
		CHECK_ERR(setresuid(-1, 0, -1), EPERM);
	}
}

TEST(proc_seteuid_and_back)
{
	IN_CHILD {
		/* Only the effective uid changes; the saved 0 allows return. */
		CHECK_OK(setresuid(-1, TEST_UID, -1));
		CHECK_EQ(geteuid(), TEST_UID);
		CHECK_EQ(getuid(), 0);
		/* Access follows the effective uid. */
		CHECK_ERR(open("f", O_WRONLY | O_CREAT, 0600), EACCES);
		CHECK_OK(seteuid(0));
		CHECK_EQ(geteuid(), 0);
		CHECK_OK(close(CHECK_OK(open("f", O_WRONLY | O_CREAT, 0600))));
	}
}

TEST(proc_setreuid)
{
	IN_CHILD {
		CHECK_OK(setreuid(TEST_UID, TEST_UID + 1));
		uid_t r, e, s;
		CHECK_OK(getresuid(&r, &e, &s));
		CHECK_EQ(r, TEST_UID);
		CHECK_EQ(e, TEST_UID + 1);
		/* Setting the real id (or effective to non-real) sets saved to
		 * the new effective. */
		CHECK_EQ(s, TEST_UID + 1);
		/* Unprivileged: may swap real and effective. */
		CHECK_OK(setreuid(TEST_UID + 1, TEST_UID));
		CHECK_OK(getresuid(&r, &e, &s));
		CHECK_EQ(r, TEST_UID + 1);
		CHECK_EQ(e, TEST_UID);
		CHECK_ERR(setreuid(0, -1), EPERM);
	}
}

TEST(proc_setresuid_unprivileged)
{
	IN_CHILD {
		CHECK_OK(setresuid(TEST_UID, TEST_UID + 1, TEST_UID + 2));
		/* Any of the three may become any of the three. */
		CHECK_OK(setresuid(TEST_UID + 2, TEST_UID, TEST_UID + 1));
		uid_t r, e, s;
		CHECK_OK(getresuid(&r, &e, &s));
		CHECK(r == TEST_UID + 2 && e == TEST_UID && s == TEST_UID + 1);
		CHECK_ERR(setresuid(-1, TEST_UID + 5, -1), EPERM);
		CHECK_OK(setresuid(-1, -1, -1));
	}
}

TEST(proc_setgid_family)
{
	IN_CHILD {
		CHECK_OK(setresgid(TEST_GID, TEST_GID + 1, TEST_GID + 2));
		gid_t r, e, s;
		CHECK_OK(getresgid(&r, &e, &s));
		CHECK(r == TEST_GID && e == TEST_GID + 1 && s == TEST_GID + 2);
		CHECK_EQ(getgid(), TEST_GID);
		CHECK_EQ(getegid(), TEST_GID + 1);
		CHECK_OK(setregid(TEST_GID + 3, -1));
		CHECK_EQ(getgid(), TEST_GID + 3);
		CHECK_OK(setgid(TEST_GID));
		CHECK_OK(getresgid(&r, &e, &s));
		CHECK(r == TEST_GID && e == TEST_GID && s == TEST_GID);
		CHECK_OK(setuid(TEST_UID));
		CHECK_ERR(setgid(0), EPERM);
		CHECK_ERR(setresgid(-1, 0, -1), EPERM);
		CHECK_ERR(setregid(0, -1), EPERM);
	}
}

TEST(proc_cred_errors)
{
	void *p;
	uid_t u;
	FOR_EACH_BAD_PTR(p) {
		CHECK_ERR(syscall(SYS_getresuid, p, &u, &u), EFAULT);
		CHECK_ERR(syscall(SYS_getresgid, &u, &u, p), EFAULT);
	}
	ut_note(NULL);
	/* -1 is "no change", never a uid. */
	IN_CHILD {
		CHECK_ERR(syscall(SYS_setuid, -1), EINVAL);
		CHECK_ERR(syscall(SYS_setgid, -1), EINVAL);
	}
}

TEST(proc_groups_set_and_get)
{
	IN_CHILD {
		gid_t set[3] = { 10, 20, 30 }, got[8];
		CHECK_OK(setgroups(3, set));
		CHECK_EQ(getgroups(0, NULL), 3);
		CHECK_EQ(getgroups(8, got), 3);
		CHECK(got[0] == 10 && got[1] == 20 && got[2] == 30);
		CHECK_ERR(getgroups(2, got), EINVAL);
		CHECK_OK(setgroups(0, NULL));
		CHECK_EQ(getgroups(8, got), 0);
		CHECK_ERR(syscall(SYS_setgroups, 70000, got), EINVAL);
		void *p;
		FOR_EACH_BAD_PTR(p)
			if (p)
				CHECK_ERR(syscall(SYS_setgroups, 2, p), EFAULT);
		ut_note(NULL);
		become_user();
		CHECK_ERR(setgroups(1, set), EPERM);
	}
}

/* A supplementary group grants that group's access. */
TEST(proc_groups_grant_access)
{
	write_file("grp", "g", 1, 0640);
	CHECK_OK(chown("grp", 0, 4242));
	IN_CHILD {
		gid_t g = 4242;
		CHECK_OK(setgroups(1, &g));
		CHECK_OK(setresgid(TEST_GID, TEST_GID, TEST_GID));
		CHECK_OK(setresuid(TEST_UID, TEST_UID, TEST_UID));
		CHECK_OK(close(CHECK_OK(open("grp", O_RDONLY))));
	}
	AS_USER
		CHECK_ERR(open("grp", O_RDONLY), EACCES);
}

/* Credentials are per process and inherited by children. */
TEST(proc_cred_inherited)
{
	IN_CHILD {
		become_user();
		pid_t pid = xfork();
		if (pid == 0) {
			CHECK_EQ(getuid(), TEST_UID);
			CHECK_EQ(getegid(), TEST_GID);
			_exit(0);
		}
		wait_exit(pid, 0);
	}
	CHECK_EQ(getuid(), 0);
}
