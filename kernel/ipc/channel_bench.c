/* Channel benchmarks in the kernel: a 64-byte send and receive on one
 * thread, and a 64-byte call round trip between two kernel threads,
 * without the system-call path or an address-space switch, so the cost of
 * the queues and of the switches shows on its own (the user-space figures
 * are user/bench's channel_). */
#include <fs/file.h>
#include <kernel/ipc/channel.h>
#include <kernel/kbench.h>
#include <kernel/sched/thread.h>
#include <kernel/time.h>

#define CALLS 5000

static int take(struct ipc_msg *m, void *ctx)
{
	(void)m;
	(void)ctx;
	return 0;
}

/* Sends a 64-byte message; false on any error. */
static bool send64(struct file *f)
{
	struct ipc_msg *m = ipc_msg_alloc(64, 0);

	if (!m)
		return false;
	if (channel_send(f, m, false, 0)) {
		ipc_msg_free(m);
		return false;
	}
	return true;
}

static void server(void *arg)
{
	struct file *f = arg;

	while (channel_recv(f, take, 0, false, 0) == 1 && send64(f))
		;
}

/* A 64-byte send and its receive on one thread: the queue's own cost,
 * with no switch. */
KBENCH(channel_send_recv_kernel)
{
	struct file *a, *b;
	uint64_t t0, elapsed;
	bool ok = true;

	if (channel_create(0, &a, &b))
		return;
	t0 = time_ns();
	for (int i = 0; i < CALLS && ok; i++)
		ok = send64(a) && channel_recv(b, take, 0, false, 0) == 1;
	elapsed = time_ns() - t0;
	file_put(a);
	file_put(b);
	if (ok)
		kbench_report("channel_send_recv_kernel", elapsed / CALLS, 0, "ns");
}

KBENCH(channel_call_kernel)
{
	struct file *a, *b;
	struct thread *th;
	uint64_t t0, elapsed;
	bool ok = true;

	if (channel_create(0, &a, &b))
		return;
	th = thread_create("chan-server", server, b, SCHED_PRIO_DEFAULT, 0);
	if (!th) {
		file_put(a);
		file_put(b);
		return;
	}
	t0 = time_ns();
	for (int i = 0; i < CALLS && ok; i++)
		ok = send64(a) && channel_recv(a, take, 0, false, 0) == 1;
	elapsed = time_ns() - t0;
	file_put(a);                   /* the server sees the end and returns */
	if (thread_join(th, 0) == 0 && ok)
		kbench_report("channel_call_kernel", elapsed / CALLS, 0, "ns");
	file_put(b);
}
