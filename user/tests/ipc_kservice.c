/* The kernel services on a channel (include/cosmos/kservice.h): every
 * report answered with text of the right shape, a request's answer going
 * to the endpoint it names, and malformed requests answered with an error
 * (the service goes on serving). usertests as pid 1 opens the endpoint
 * and passes it on to its cases, as init does (main.c). CosmOS only. */
#include "ipc.h"
#include "kservice.h"

#include <poll.h>
#include <cosmos/syscall_native.h>

/* The endpoint usertests inherited; skips where there is none. */
static int service(void)
{
	need_channels();
	if (!getenv(KSERVICE_FD_ENV))
		ut_skip("no kernel services endpoint (usertests is not pid 1)");
	return CHECK_OK(kservice_fd());
}

static char *report(int fd, uint32_t op)
{
	char *text;
	size_t len;
	CHECK_OK(kservice_report(fd, op, &text, &len));
	CHECK_EQ(strlen(text), len);
	return text;
}

TEST(ipc_kservice_reports)
{
	int fd = service();
	char *log = report(fd, KSVC_LOG);
	CHECK(strstr(log, "CosmOS ") && strstr(log, " booting; command line \""));
	free(log);
	char *cpu = report(fd, KSVC_CPU);
	CHECK(strncmp(cpu, "processor\t: 0\n", 14) == 0);
	CHECK(strstr(cpu, "\nmodel name\t: "));
	free(cpu);
	char *mem = report(fd, KSVC_MEMORY);
	CHECK(strncmp(mem, "MemTotal:", 9) == 0);
	CHECK(strstr(mem, "\nMemFree:"));
	free(mem);
	/* QEMU's machine has a host bridge at 00:00.0 at least; every line
	 * "BB:DD.F CCSS VVVV:DDDD" */
	char *pci = report(fd, KSVC_PCI);
	int lines = 0;
	for (char *l = pci; *l; l = strchr(l, '\n') + 1) {
		unsigned b, d, f, cls, ven, dev;
		int end = 0;
		CHECK_EQ(sscanf(l, "%2x:%2x.%1x %4x %4x:%4x%n", &b, &d, &f, &cls, &ven, &dev, &end), 6);
		CHECK_EQ(l[end], '\n');
		lines++;
	}
	CHECK(lines >= 1);
	CHECK(strncmp(pci, "00:00.0 ", 8) == 0);
	free(pci);
	/* the list has this process, alive, with its parent and name */
	char *procs = report(fd, KSVC_PROCS), want[64];
	snprintf(want, sizeof want, "\n%d %d alive 1 usertests\n", getpid(), getppid());
	CHECK(strstr(procs, want));
	CHECK(strncmp(procs, "1 0 alive ", 10) == 0);
	free(procs);
}

/* One raw request on the service's own channel (no handle: the answer
 * comes back there); the answer's header. */
static struct kservice_reply raw(int fd, const void *req, uint32_t len, const struct chan_handle *h,
				 uint32_t nh)
{
	static char ans[CHAN_MSG_MAX];
	struct kservice_reply hdr;
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_OK(chan_send(fd, req, len, h, nh, 0));
	CHECK_EQ(poll(&p, 1, 5000), 1);
	uint32_t n = sizeof ans, got = 0;
	CHECK_EQ(CHECK_OK(chan_recv(fd, ans, &n, NULL, &got, 0)), 1);
	CHECK(n >= sizeof hdr);
	memcpy(&hdr, ans, sizeof hdr);
	return hdr;
}

TEST(ipc_kservice_malformed_requests)
{
	int fd = service();
	struct kservice_req ok = { KSVC_MEMORY, 0 }, bad_op = { 99, 0 };
	CHECK_EQ(raw(fd, &ok, sizeof ok, NULL, 0).status, 0);
	CHECK_EQ(raw(fd, "abc", 3, NULL, 0).status, -EINVAL);            /* short */
	char longer[12] = { 0 };
	CHECK_EQ(raw(fd, longer, sizeof longer, NULL, 0).status, -EINVAL);
	struct kservice_reply r = raw(fd, &bad_op, sizeof bad_op, NULL, 0);
	CHECK_EQ(r.status, -EINVAL);
	CHECK_EQ(r.op, 99);
	/* an offset past the report's end */
	struct kservice_req far = { KSVC_MEMORY, 1u << 30 };
	CHECK_EQ(raw(fd, &far, sizeof far, NULL, 0).status, -EINVAL);
	/* a handle that is no endpoint, or two handles: an error, here */
	int p[2];
	CHECK_OK(pipe(p));
	struct chan_handle hs[2] = { { p[1], CHAN_RIGHTS_SAME }, { p[0], CHAN_RIGHTS_SAME } };
	CHECK_EQ(raw(fd, &ok, sizeof ok, hs, 1).status, -EINVAL);
	CHECK_EQ(raw(fd, &ok, sizeof ok, hs, 2).status, -EINVAL);
	/* an endpoint without the write right cannot carry the answer */
	int ch[2];
	make_channel(ch);
	struct chan_handle ro = { ch[1], CHAN_RIGHT_READ | CHAN_RIGHT_TRANSFER };
	CHECK_EQ(raw(fd, &ok, sizeof ok, &ro, 1).status, -EINVAL);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	/* the service still answers, and on a named endpoint */
	struct chan_handle to = { ch[1], CHAN_RIGHT_WRITE };
	CHECK_OK(chan_send(fd, &ok, sizeof ok, &to, 1, 0));
	struct kservice_reply hdr;
	char ans[CHAN_MSG_MAX];
	uint32_t n = sizeof ans, nh = 0;
	CHECK_EQ(CHECK_OK(chan_recv(ch[0], ans, &n, NULL, &nh, 0)), 1);
	memcpy(&hdr, ans, sizeof hdr);
	CHECK_EQ(hdr.status, 0);
	CHECK_EQ(hdr.op, KSVC_MEMORY);
	CHECK_EQ(n, sizeof hdr + hdr.total);
	CHECK(strncmp(ans + sizeof hdr, "MemTotal:", 9) == 0);
	CHECK_OK(close(ch[0]));
	CHECK_OK(close(ch[1]));
	/* and only pid 1 may open the endpoint */
	CHECK_ERR(syscall(COSMOS_SYS_kservice_open, 0), EPERM);
}
