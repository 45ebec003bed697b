/* The direct path (docs/ipc.md, "The fast path"): a message to a receiver
 * already waiting is copied straight into its buffer, and every case the
 * direct copy cannot serve falls back to the queue with the queued
 * path's answers: a bad receiver buffer (EFAULT there, the message kept),
 * a bad sender buffer (EFAULT, nothing sent), a buffer too small
 * (EMSGSIZE, the message kept). CosmOS only. */
#include "ipc.h"

#include <sys/mman.h>
#include <sys/wait.h>

/* Waits (at most about 10 s) until pid sleeps, as /proc/<pid>/stat says:
 * then it is waiting in its receive. */
static void wait_sleeping(pid_t pid)
{
	char path[64], text[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (access(path, R_OK))
		ut_skip("/proc is not mounted");
	for (int i = 0; i < 100000; i++) {
		read_text(path, text, sizeof text);
		const char *s = strrchr(text, ')');
		CHECK(s != NULL);
		if (s[2] == 'S')
			return;
		sched_yield();
	}
	CHECK(!"the receiver never went to sleep");
}

/* An address with nothing mapped there. */
static void *unmapped(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(munmap(p, 4096));
	return p;
}

TEST(ipc_direct_path_fallbacks)
{
	need_channels();
	int ch[2];
	make_channel(ch);
	void *bad = unmapped();

	/* a waiting receiver whose buffer is unmapped: its receive fails,
	 * the message stays for the next one */
	pid_t pid = xfork();
	if (pid == 0) {
		char buf[64];
		uint32_t n = 64, nh = 0;
		if (chan_recv(ch[1], bad, &n, NULL, &nh, 0) != -1 || errno != EFAULT)
			_exit(1);
		n = sizeof buf;
		if (chan_recv(ch[1], buf, &n, NULL, &nh, 0) != 1 || n != 5 || memcmp(buf, "hello", 5))
			_exit(2);
		_exit(0);
	}
	wait_sleeping(pid);
	CHECK_OK(chan_send(ch[0], "hello", 5, NULL, 0, 0));
	child_done(pid);

	/* a bad sender buffer: EFAULT and nothing arrives; the next message
	 * is the one the receiver gets */
	pid = xfork();
	if (pid == 0) {
		char buf[64];
		uint32_t n = sizeof buf, nh = 0;
		if (chan_recv(ch[1], buf, &n, NULL, &nh, 0) != 1 || n != 2 || memcmp(buf, "ok", 2))
			_exit(1);
		_exit(0);
	}
	wait_sleeping(pid);
	CHECK_ERR(chan_send(ch[0], bad, 64, NULL, 0, 0), EFAULT);
	CHECK_OK(chan_send(ch[0], "ok", 2, NULL, 0, 0));
	child_done(pid);

	/* a waiting receiver with too small a buffer: EMSGSIZE with the size
	 * needed, and the message whole on the next receive */
	pid = xfork();
	if (pid == 0) {
		char buf[128];
		uint32_t n = 8, nh = 0;
		if (chan_recv(ch[1], buf, &n, NULL, &nh, 0) != -1 || errno != EMSGSIZE || n != 100)
			_exit(1);
		n = sizeof buf;
		if (chan_recv(ch[1], buf, &n, NULL, &nh, 0) != 1 || n != 100)
			_exit(2);
		for (int i = 0; i < 100; i++)
			if (buf[i] != (char)i)
				_exit(3);
		_exit(0);
	}
	wait_sleeping(pid);
	char msg[100];
	for (int i = 0; i < 100; i++)
		msg[i] = (char)i;
	CHECK_OK(chan_send(ch[0], msg, sizeof msg, NULL, 0, 0));
	child_done(pid);
	CHECK_OK(close(ch[0]));
	CHECK_OK(close(ch[1]));
}
