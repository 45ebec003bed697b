/* What the ipc_ cases share: the channel library and a skip on Linux,
 * which has no channel calls. */
#ifndef USERTESTS_IPC_H
#define USERTESTS_IPC_H

#include "tests.h"
#include "channel.h"

#include <sys/sysinfo.h>
#include <sys/wait.h>

static inline void need_channels(void)
{
	if (!on_cosmos())
		ut_skip("CosmOS's native channel calls");
}

/* Waits for child pid, which must have exited with status 0. */
static inline void child_done(pid_t pid)
{
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

/* A channel, failing the case when it cannot be made. */
static inline void make_channel(int ch[2])
{
	CHECK_OK(chan_create(ch, 0));
}

/* A new channel with a child serving its second end (serve never
 * returns); fills ch and returns the child's pid. The caller keeps ch[0]. */
static inline pid_t fork_server(int ch[2], void (*serve)(int fd))
{
	make_channel(ch);
	pid_t pid = xfork();
	if (pid == 0) {
		close(ch[0]);
		serve(ch[1]);
	}
	close(ch[1]);
	return pid;
}

/* Sends one message of bytes only, failing the case on an error. */
static inline void send_bytes(int fd, const void *p, uint32_t n)
{
	CHECK_OK(chan_send(fd, p, n, NULL, 0, 0));
}

/* Receives one message of bytes only (at most cap); returns its size. */
static inline uint32_t recv_bytes(int fd, void *p, uint32_t cap)
{
	uint32_t n = cap, nh = 0;
	CHECK_EQ(CHECK_OK(chan_recv(fd, p, &n, NULL, &nh, 0)), 1);
	CHECK_EQ(nh, 0);
	return n;
}

/* Sends one descriptor with the given rights (and a tag byte). */
static inline void send_fd(int ch, int fd, unsigned rights)
{
	struct chan_handle h = { fd, rights };
	CHECK_OK(chan_send(ch, "h", 1, &h, 1, 0));
}

/* Receives a message carrying one descriptor; returns it. */
static inline int recv_fd(int ch, unsigned *rights)
{
	char tag;
	uint32_t n = 1, nh = 1;
	struct chan_handle h = { -1, 0 };
	CHECK_EQ(CHECK_OK(chan_recv(ch, &tag, &n, &h, &nh, 0)), 1);
	CHECK_EQ(n, 1);
	CHECK_EQ(nh, 1);
	CHECK(h.fd >= 0);
	if (rights)
		*rights = h.rights;
	return h.fd;
}

/* Kernel heap in live objects (Slab, -1 when /proc is not mounted, as
 * with usertests as the first program) and free frames, in kB. */
static inline void kernel_memory(long *slab, long *free_kb)
{
	char text[4096];
	const char *s = NULL;
	if (access("/proc/meminfo", R_OK) == 0) {
		read_text("/proc/meminfo", text, sizeof text);
		s = strstr(text, "Slab:");
		CHECK(s);
	}
	*slab = s ? strtol(s + 5, NULL, 10) : -1;
	struct sysinfo si;
	CHECK_OK(sysinfo(&si));
	*free_kb = (long)(si.freeram * si.mem_unit / 1024);
}

#endif
