/* Resource limits (see limits.h). The per-uid thread counts are under the
 * process table lock. */
#include <kernel/proc/limits.h>
#include <cosmos/errno.h>
#include <kernel/mm/pmm.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/process.h>
#include <lib/string.h>

/* Memory one thread may cost in the worst case the ceiling allows for:
 * kernel stack, FPU area, page tables and the pages fork copies. */
#define THREAD_BUDGET (256u << 10)
#define THREADS_MIN   64u
#define UID_SLOTS     64

/* Under the process table lock. */
static struct {
	uint32_t uid;
	unsigned threads;
} uid_counts[UID_SLOTS];
static unsigned threads_max;   /* set once, by the first limits_init_defaults */

unsigned limits_threads_max(void)
{
	if (!threads_max) {
		struct pmm_stats s;
		uint64_t n;

		pmm_get_stats(&s);
		n = s.usable_pages * 4096 / THREAD_BUDGET;
		threads_max = n < THREADS_MIN ? THREADS_MIN : n > 1u << 20 ? 1u << 20 : (unsigned)n;
	}
	return threads_max;
}

void limits_init_defaults(struct rlimit64 rlim[RLIM_NLIMITS])
{
	uint64_t nproc = limits_threads_max() / 2;

	for (int i = 0; i < RLIM_NLIMITS; i++)
		rlim[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	rlim[RLIMIT_CORE] = (struct rlimit64){ 0, RLIM_INFINITY };
	rlim[RLIMIT_STACK] = (struct rlimit64){ 8ull << 20, RLIM_INFINITY };
	rlim[RLIMIT_NOFILE] = (struct rlimit64){ HANDLE_LIMIT_DEFAULT, 4096 };
	rlim[RLIMIT_NPROC] = (struct rlimit64){ nproc, nproc };
	rlim[RLIMIT_MEMLOCK] = (struct rlimit64){ 8ull << 20, 8ull << 20 };
	rlim[RLIMIT_SIGPENDING] = (struct rlimit64){ nproc, nproc };
	rlim[RLIMIT_MSGQUEUE] = (struct rlimit64){ 819200, 819200 };
	rlim[RLIMIT_NICE] = (struct rlimit64){ 0, 0 };
	rlim[RLIMIT_RTPRIO] = (struct rlimit64){ 0, 0 };
}

static unsigned *slot(uint32_t uid, bool create)
{
	int free = -1;

	for (int i = 0; i < UID_SLOTS; i++) {
		if (uid_counts[i].threads && uid_counts[i].uid == uid)
			return &uid_counts[i].threads;
		if (!uid_counts[i].threads && free < 0)
			free = i;
	}
	if (!create || free < 0)
		return 0;
	uid_counts[free].uid = uid;
	return &uid_counts[free].threads;
}

int limits_may_add_thread(const struct process *creator)
{
	unsigned *n;

	if (thread_count() >= limits_threads_max())
		return -EAGAIN;
	if (creator->cred.uid == 0)
		return 0;
	n = slot(creator->cred.uid, false);
	if (n && *n >= creator->rlim[RLIMIT_NPROC].rlim_cur)
		return -EAGAIN;
	/* a uid that has no slot and cannot get one is refused too */
	if (!n && !slot(creator->cred.uid, true))
		return -EAGAIN;
	return 0;
}

void limits_thread_added(const struct process *p)
{
	unsigned *n = slot(p->cred.uid, true);

	/* Without a slot (more than UID_SLOTS users at once) the thread goes
	 * uncounted; limits_may_add_thread refuses new ones for such a uid. */
	if (n)
		++*n;
}

void limits_thread_removed(const struct process *p)
{
	unsigned *n = slot(p->cred.uid, false);

	if (n && *n)
		--*n;
}

void limits_uid_changed(const struct process *p, uint32_t old_uid)
{
	unsigned *from = slot(old_uid, false), *to;
	unsigned moved = p->nthreads;

	if (from)
		*from -= moved < *from ? moved : *from;
	to = slot(p->cred.uid, true);
	if (to)
		*to += moved;
}

int limits_set(struct process *p, int resource, const struct rlimit64 *lim)
{
	struct rlimit64 *cur;
	int err = 0;

	if (resource < 0 || resource >= RLIM_NLIMITS || lim->rlim_cur > lim->rlim_max)
		return -EINVAL;
	if (resource == RLIMIT_NOFILE && lim->rlim_max > HANDLE_LIMIT_MAX)
		return -EPERM;      /* Linux: above nr_open */
	err = mutex_lock(&p->lock);
	if (err)
		return err;
	cur = &p->rlim[resource];
	if (lim->rlim_max > cur->rlim_max && cred_current()->euid != 0) {
		mutex_unlock(&p->lock);
		return -EPERM;
	}
	if (resource == RLIMIT_NOFILE && p->files)
		err = handle_table_set_limit(p->files, (unsigned)lim->rlim_cur);
	if (!err) {
		*cur = *lim;
		if ((resource == RLIMIT_STACK || resource == RLIMIT_AS ||
		     resource == RLIMIT_DATA) && p->vm) {
			struct vm_limits vl;

			limits_vm(p, &vl);
			vm_set_limits(p->vm, &vl);
		}
	}
	mutex_unlock(&p->lock);
	return err;
}

void limits_vm(const struct process *p, struct vm_limits *vl)
{
	vl->stack = p->rlim[RLIMIT_STACK].rlim_cur;
	vl->as = p->rlim[RLIMIT_AS].rlim_cur;
	vl->data = p->rlim[RLIMIT_DATA].rlim_cur;
}
