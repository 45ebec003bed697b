/* The kernel services from C (kservice.h). */
#define _GNU_SOURCE
#include "kservice.h"
#include "channel.h"

#include <cosmos/syscall_native.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KSERVICE_FD_MIN 200
#define ANSWER_WAIT_MS  5000

int kservice_inherit(int cloexec)
{
	int fd = (int)syscall(COSMOS_SYS_kservice_open, 0);
	if (fd < 0)
		return -1;
	int high = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, KSERVICE_FD_MIN);
	int err = errno;
	close(fd);
	if (high < 0) {
		errno = err;
		return -1;
	}
	char num[16];
	snprintf(num, sizeof num, "%d", high);
	setenv(KSERVICE_FD_ENV, num, 1);
	return high;
}

int kservice_fd(void)
{
	const char *s = getenv(KSERVICE_FD_ENV);
	char *end;
	struct stat st;
	if (!s || !*s)
		return -1;
	long fd = strtol(s, &end, 10);
	/* still an endpoint (a socket we may send on)? a shell may have
	 * reused the number */
	if (*end || fd < 0 || fd > 65535 || fstat((int)fd, &st) || !S_ISSOCK(st.st_mode) ||
	    handle_rights((int)fd) < 0 || !(handle_rights((int)fd) & CHAN_RIGHT_WRITE))
		return -1;
	return (int)fd;
}

/* One request for text from offset on; the answer into ans (room for a
 * whole message). 0 or -1 with errno. */
static int ask(int fd, int reply[2], uint32_t op, uint32_t offset, char *ans, uint32_t *n)
{
	struct kservice_req req = { op, offset };
	struct chan_handle h = { reply[1], CHAN_RIGHT_WRITE };
	struct pollfd p = { reply[0], POLLIN, 0 };
	uint32_t nh = 0;
	if (chan_send(fd, &req, sizeof req, &h, 1, 0))
		return -1;
	int r = poll(&p, 1, ANSWER_WAIT_MS);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	*n = CHAN_MSG_MAX;
	r = chan_recv(reply[0], ans, n, NULL, &nh, 0);
	if (r == 0)
		errno = EPIPE;
	return r == 1 ? 0 : -1;
}

int kservice_report(int fd, uint32_t op, char **text, size_t *len)
{
	int reply[2], err = 0;
	char *ans = malloc(CHAN_MSG_MAX), *out = NULL;
	size_t have = 0, total = 0;
	if (!ans)
		return -1;
	if (chan_create(reply, CHAN_CLOEXEC)) {
		free(ans);
		return -1;
	}
	do {
		struct kservice_reply hdr;
		uint32_t n;
		if (ask(fd, reply, op, (uint32_t)have, ans, &n)) {
			err = errno;
			break;
		}
		if (n < sizeof hdr) {
			err = EPROTO;
			break;
		}
		memcpy(&hdr, ans, sizeof hdr);
		if (hdr.status) {
			err = -hdr.status;
			break;
		}
		n -= sizeof hdr;
		/* a report may grow between two asks: the first total counts */
		if (!out) {
			total = hdr.total;
			out = malloc(total + 1);
			if (!out) {
				err = ENOMEM;
				break;
			}
		}
		if (n > total - have)
			n = (uint32_t)(total - have);
		memcpy(out + have, ans + sizeof hdr, n);
		have += n;
		if (n == 0)
			break;                  /* shrank: what there is */
	} while (have < total);
	close(reply[0]);
	close(reply[1]);
	free(ans);
	if (err) {
		free(out);
		errno = err;
		return -1;
	}
	if (!out && !(out = malloc(1))) {
		errno = ENOMEM;
		return -1;
	}
	out[have] = '\0';
	*text = out;
	if (len)
		*len = have;
	return 0;
}
