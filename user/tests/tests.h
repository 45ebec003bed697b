/* What every usertests case file includes: the framework, the C library
 * headers the cases use, and the helpers in helpers.c. */
#ifndef USERTESTS_TESTS_H
#define USERTESTS_TESTS_H

#define _GNU_SOURCE
#include "ut.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux ABI constants musl's headers do not carry (it has no <linux/>). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_BITSET_MATCH_ANY 0xffffffffU

#define PAGE 4096UL
/* The unprivileged user EACCES and EPERM cases switch to. */
#define TEST_UID 1000
#define TEST_GID 1000

/* True on CosmOS (uname's sysname), where a few cases check CosmOS's
 * deliberate differences from Linux instead of Linux's behaviour. */
bool on_cosmos(void);

/* Pointers a system call must refuse with EFAULT: NULL, the first kernel
 * address, the first non-canonical one, and an unmapped user page. */
#define N_BAD_PTRS 4
void *bad_ptr(int i);
#define FOR_EACH_BAD_PTR(p)                                                   \
	for (int _bp = 0; _bp < N_BAD_PTRS && ((p) = bad_ptr(_bp), 1); _bp++)
/* A user address with `valid` readable and writable bytes before an
 * unmapped page: for buffers and strings that run off a mapping. The bytes
 * are filled with 'x'. */
void *edge_ptr(size_t valid);

/* Runs the body in a forked child (as TEST_UID for AS_USER), waits for it
 * and fails the case unless the child exited 0. A failed CHECK in the body
 * fails the child, and so the case. */
int child_begin(bool as_user);
#define IN_CHILD for (int _c = child_begin(false); _c; _exit(0))
#define AS_USER for (int _c = child_begin(true); _c; _exit(0))
void become_user(void);

/* What a fault delivered: the signal, si_code, si_addr, and the
 * instruction pointer in the signal frame. */
struct fault {
	int sig, code;
	void *addr;
	uintptr_t rip;
};
/* Calls fn(arg) with handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and
 * SIGTRAP (on an alternate stack) that record the fault and siglongjmp
 * back. Returns true and fills *f if fn faulted; the handlers are reset to
 * the default afterwards. */
bool catch_fault(void (*fn)(void *), void *arg, struct fault *f);

/* fork() that fails the case on error. */
pid_t xfork(void);
/* Waits for pid; fails the case unless it exited with `code`. */
void wait_exit(pid_t pid, int code);
/* Waits for pid; fails the case unless a signal `sig` ended it. */
void wait_signal(pid_t pid, int sig);

/* Mounts in this case stay private to it: on Linux a new mount namespace
 * (and / made private, so nothing propagates to the host); on CosmOS plain
 * mounts, which the runner detaches when it removes the case's directory. */
void private_mounts(void);
/* mkdir dir and mount a tmpfs there with the given options (or NULL). */
void mount_tmpfs(const char *dir, const char *opts);

/* Creates or truncates path, gives it exactly `mode` (no umask), writes. */
void write_file(const char *path, const void *data, size_t len, mode_t mode);
void write_text(const char *path, const char *text);
/* Reads up to cap bytes; returns how many. */
size_t read_file(const char *path, void *buf, size_t cap);
/* The whole file as a NUL-terminated string in buf. */
const char *read_text(const char *path, char *buf, size_t cap);
off_t file_size(const char *path);
bool exists(const char *path);

/* Copies the file src to dst (created with exactly `mode`). */
void copy_file(const char *src, const char *dst, mode_t mode);

/* Runs path with argv and envp in a child (as TEST_UID if as_user), with
 * its standard output captured in out (NUL-terminated, at most cap-1
 * bytes); returns its exit status, 127 if execve failed. A signal ending
 * the child fails the case. */
int run_capture(const char *path, char *const argv[], char *const envp[], bool as_user,
		char *out, size_t cap);

/* The absolute path of this test binary, for exec cases that run it again
 * as a helper program (`usertests -H name`). */
const char *self_exe(void);
void set_self_exe(const char *argv0);

/* A pipe whose descriptors the case can use for ordering with a child:
 * sync_signal writes a byte, sync_wait reads one (fails the case on EOF). */
void sync_signal(int fd);
void sync_wait(int fd);

#endif
