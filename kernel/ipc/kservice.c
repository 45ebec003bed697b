/* Kernel services on a channel (kernel/ipc/kservice.h). One kernel thread
 * receives on the service's own endpoint; each request names a report,
 * which is generated whole into a buffer and answered from the offset
 * asked, in one message. Answers never wait: a client whose queue is
 * full loses its answer (channel_send with nonblock), so no client can
 * stall the service. The kernel keeps a reference to the clients' end, so
 * the channel never ends even when every client has closed it.
 *
 * Locking: start_lock protects cli, set once (a racing second start
 * throws its own channel and thread away); the thread gets its endpoint
 * as its argument. Reports take the locks of what they read (the process
 * table, kmsg, procfs's generators). */
#include <kernel/ipc/kservice.h>
#include <cosmos/errno.h>
#include <cosmos/kservice.h>
#include <drivers/pci.h>
#include <fs/devfs.h>
#include <fs/file.h>
#include <fs/procfs.h>
#include <fs/seqbuf.h>
#include <kernel/ipc/channel.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/handle.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

#define REPORT_MAX (4u << 20)     /* the largest report generated */

static struct spinlock start_lock = SPINLOCK_INIT("kservice");
static struct file *cli;          /* the clients' end, kept for ever */

static void report_pci(struct seqbuf *s)
{
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);

		seq_printf(s, "%02x:%02x.%x %02x%02x %04x:%04x\n", d->bus, d->dev, d->fn,
			   d->class_code, d->subclass, d->vendor, d->device);
	}
}

static void report_procs(struct seqbuf *s)
{
	process_table_lock();
	for (int pid = process_next_pid_locked(1); pid > 0; pid = process_next_pid_locked(pid + 1)) {
		struct process *p = process_find_locked(pid);
		char name[PROC_NAME_MAX];

		if (!p)
			continue;
		/* comm may change under exec: a copy, always terminated */
		memcpy(name, p->name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		seq_printf(s, "%d %d %s %u %s\n", p->pid, p->parent ? p->parent->pid : 0,
			   p->state == PROC_ZOMBIE ? "zombie" : "alive", p->nthreads, name);
	}
	process_table_unlock();
}

/* Generates report op into s: 0, -EINVAL (no such op) or an error of the
 * generator. */
static int report(uint32_t op, struct seqbuf *s)
{
	switch (op) {
	case KSVC_LOG:
		s->len = kmsg_copy_recent(s->buf, s->size);
		return 0;
	case KSVC_CPU:
		return procfs_show_file("cpuinfo", s);
	case KSVC_PCI:
		report_pci(s);
		return 0;
	case KSVC_MEMORY:
		return procfs_show_file("meminfo", s);
	case KSVC_PROCS:
		report_procs(s);
		return 0;
	}
	return -EINVAL;
}

/* A request as received: its bytes if well formed, and the endpoint the
 * answer goes to (a reference taken from the message), if it named one. */
struct request {
	struct kservice_req req;
	bool well_formed;
	struct kobject *reply_to;
};

static int take_request(struct ipc_msg *m, void *ctx)
{
	struct request *r = ctx;

	r->well_formed = m->size == sizeof(r->req) && m->nhandles <= 1;
	if (m->size == sizeof(r->req))
		memcpy(&r->req, m->data, sizeof(r->req));
	if (m->nhandles == 1) {
		struct file *f = file_from_kobject(m->h[0].obj);

		if (channel_is_endpoint(f) && (m->h[0].rights & RIGHT_WRITE)) {
			r->reply_to = m->h[0].obj;      /* the message's reference, now ours */
			m->h[0].obj = NULL;
		} else {
			r->well_formed = false;
		}
	}
	return 0;
}

/* Answers r on its endpoint (or the service's own channel, svc). */
static void answer(struct file *svc, struct request *r)
{
	struct kservice_reply hdr = { .status = -EINVAL, .op = r->req.op, .offset = r->req.offset };
	struct file *to = r->reply_to ? file_from_kobject(r->reply_to) : svc;
	struct seqbuf s = { 0 };
	uint32_t n = 0;
	struct ipc_msg *m;

	if (r->well_formed) {
		for (size_t size = 64 * 1024;; size *= 2) {
			kfree(s.buf);
			s.buf = kmalloc(size);
			if (!s.buf) {
				hdr.status = -ENOMEM;
				break;
			}
			seqbuf_init(&s, s.buf, size);
			hdr.status = report(r->req.op, &s);
			if (hdr.status || !s.overflow || size >= REPORT_MAX)
				break;
		}
	}
	if (hdr.status == 0) {
		hdr.total = (uint32_t)s.len;
		if (r->req.offset > s.len)
			hdr.status = -EINVAL;
		else
			n = s.len - r->req.offset < KSERVICE_TEXT_MAX ? s.len - r->req.offset
								       : KSERVICE_TEXT_MAX;
	}
	m = ipc_msg_alloc(sizeof(hdr) + n, 0);
	if (m) {
		memcpy(m->data, &hdr, sizeof(hdr));
		if (n)
			memcpy(m->data + sizeof(hdr), s.buf + r->req.offset, n);
		if (channel_send(to, m, true, 0))
			ipc_msg_free(m);        /* full or closed: the answer is lost */
	}
	kfree(s.buf);
}

static void serve(void *arg)
{
	struct file *svc = arg;

	for (;;) {
		struct request r = { 0 };

		if (channel_recv(svc, take_request, &r, false, 0) != 1)
			continue;               /* the channel cannot end: cli is kept */
		answer(svc, &r);
		if (r.reply_to)
			kobject_put(r.reply_to);
	}
}

/* cli with a reference, if the service runs. */
static struct file *client_end(void)
{
	uint64_t f = spin_lock_irqsave(&start_lock);
	struct file *c = cli;

	if (c)
		kobject_get(&c->obj);
	spin_unlock_irqrestore(&start_lock, f);
	return c;
}

struct file *kservice_endpoint(void)
{
	struct file *a, *b, *c = client_end();
	struct thread *t;
	bool won = false;
	uint64_t f;

	if (c)
		return c;
	if (channel_create(0, &a, &b))
		return NULL;
	t = thread_create("kservice", serve, a, SCHED_PRIO_DEFAULT, THREAD_SUSPENDED);
	if (!t) {
		file_put(a);
		file_put(b);
		return NULL;
	}
	f = spin_lock_irqsave(&start_lock);
	if (!cli) {
		cli = b;                        /* the kernel's reference, kept */
		won = true;
	}
	c = cli;
	kobject_get(&c->obj);
	spin_unlock_irqrestore(&start_lock, f);
	if (won) {
		thread_resume(t);               /* it owns a from now on */
		log_info("kservice: serving on a channel");
	} else {
		thread_discard(t);
		file_put(a);
		file_put(b);
	}
	return c;
}
