/* The lock-order checker (see lockdep.h). The graph: a bit per ordered
 * pair of classes ("to" was taken while "from" was held) and, per edge,
 * the two sites that first made it. Adding an edge first searches the
 * graph for a path back; the graph so stays free of cycles, and a
 * reversal is remembered (bad pairs) so it is reported once.
 *
 * What a context holds: spinlocks are held by a CPU (interrupts are off
 * while one is held, and the scheduler's lock passes from thread to thread
 * on one CPU), so each CPU has a stack of them here; mutexes are held by a
 * thread, listed through the mutexes themselves from thread->ld_held. An
 * interrupt handler counts only its CPU's spinlocks, not the mutexes of the
 * thread it interrupted. */
#ifdef CONFIG_LOCKDEP
#include <kernel/sync/lockdep.h>
#include <hal/cpu.h>
#include <hal/percpu.h>
#include <kernel/ksyms.h>
#include <kernel/log.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/mutex.h>
#include <kernel/sync/spinlock.h>
#include <lib/string.h>

#define NCLASS   512
#define NEDGE    4096
#define NHELD    24
#define WORDS    (NCLASS / 64)
#define HASHSZ   1024   /* name pointer -> class; a power of two */

struct held {
	const void *lock;
	uint16_t cls;
	uint64_t ip;
};

struct edge {
	uint16_t from, to;
	uint64_t from_ip, to_ip;
};

/* Everything below: graph_lock (a bare flag, not a struct spinlock, which
 * would come back here), taken with interrupts off. */
static volatile uint32_t graph_lock;
static struct {
	const char *name;
	bool sleeping;
} classes[NCLASS];
static int nclasses;
static struct {
	const char *name;   /* the pointer a lock carries */
	bool sleeping;
	uint16_t cls;
	bool used;
} hash[HASHSZ];
static uint64_t after[NCLASS][WORDS];    /* after[a] bit b: a held, b taken */
static uint64_t bad[NCLASS][WORDS];      /* reversals already reported */
static struct edge edges[NEDGE];
static int nedges;
static bool full;          /* the edge table filled up (said once) */
static bool full_said;
static uint64_t nreports;
static struct lockdep_report last;

/* Each CPU's own (written only on that CPU, interrupts off). */
static struct cpu_held {
	struct held stack[NHELD];
	int depth;          /* may exceed NHELD: the excess is not tracked */
	bool busy;          /* inside this file: the log's locks are not checked */
} cpus[PERCPU_MAX];

static struct cpu_held *this_cpu_held(void)
{
	uint32_t id = percpu_cpu_count() ? percpu_self()->cpu_id : 0;

	return id < PERCPU_MAX ? &cpus[id] : 0;
}

/* The running thread; none before per-CPU data exists. */
static struct thread *this_thread(void)
{
	return percpu_cpu_count() ? percpu_current() : 0;
}

static void graph_take(void)
{
	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE))
		while (graph_lock)
			cpu_pause();
}

static void graph_drop(void) { __atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE); }

/* The class of a lock named name; -1 when the table is full. */
static int class_of(const char *name, bool sleeping)
{
	unsigned h = (unsigned)(((uintptr_t)name >> 3) * 2654435761u + sleeping) & (HASHSZ - 1);
	int i, c;

	if (!name)
		name = "(unnamed)";
	for (i = 0; i < HASHSZ; i++, h = (h + 1) & (HASHSZ - 1)) {
		if (!hash[h].used)
			break;
		if (hash[h].name == name && hash[h].sleeping == sleeping)
			return hash[h].cls;
	}
	if (i == HASHSZ)
		return -1;
	/* A new pointer: the same text elsewhere is the same class. */
	for (c = 0; c < nclasses; c++)
		if (classes[c].sleeping == sleeping && strcmp(classes[c].name, name) == 0)
			break;
	if (c == nclasses) {
		if (nclasses == NCLASS)
			return -1;
		classes[c].name = name;
		classes[c].sleeping = sleeping;
		nclasses++;
	}
	hash[h].used = true;
	hash[h].name = name;
	hash[h].sleeping = sleeping;
	hash[h].cls = (uint16_t)c;
	return c;
}

static bool has_edge(int a, int b) { return after[a][b / 64] >> (b % 64) & 1; }

static const struct edge *find_edge(int a, int b)
{
	for (int i = 0; i < nedges; i++)
		if (edges[i].from == a && edges[i].to == b)
			return &edges[i];
	return 0;
}

/* Is there a path from a to b? On success *first is the path's first step
 * (a -> *first). Iterative search, marks in seen. */
static bool reaches(int a, int b, int *first)
{
	static uint64_t seen[WORDS];
	static uint16_t stack[NCLASS], via[NCLASS];
	int sp = 0;

	memset(seen, 0, sizeof(seen));
	for (int c = 0; c < nclasses; c++)
		if (has_edge(a, c)) {
			stack[sp] = (uint16_t)c;
			via[sp++] = (uint16_t)c;
			seen[c / 64] |= 1ull << (c % 64);
		}
	while (sp) {
		int c = stack[--sp], v = via[sp];

		if (c == b) {
			*first = v;
			return true;
		}
		for (int d = 0; d < nclasses; d++)
			if (has_edge(c, d) && !(seen[d / 64] >> (d % 64) & 1)) {
				seen[d / 64] |= 1ull << (d % 64);
				stack[sp] = (uint16_t)d;
				via[sp++] = (uint16_t)v;
			}
	}
	return false;
}

/* Records held -> cls; fills *r and returns true when it reverses an
 * order seen before (not reported yet). Called under graph_lock. */
static bool add_edge(const struct held *h, int cls, uint64_t ip, struct lockdep_report *r)
{
	int a = h->cls, first;
	const struct edge *e;

	if (a == cls || has_edge(a, cls) || (bad[a][cls / 64] >> (cls % 64) & 1))
		return false;
	if (reaches(cls, a, &first)) {
		bad[a][cls / 64] |= 1ull << (cls % 64);
		e = find_edge(cls, first);
		r->held = classes[a].name;
		r->new_name = classes[cls].name;
		r->held_ip = h->ip;
		r->new_ip = ip;
		r->before_from = classes[cls].name;
		r->before_to = classes[first].name;
		r->before_from_ip = e ? e->from_ip : 0;
		r->before_to_ip = e ? e->to_ip : 0;
		return true;
	}
	if (nedges == NEDGE) {
		full = true;
		return false;
	}
	after[a][cls / 64] |= 1ull << (cls % 64);
	edges[nedges++] = (struct edge){ (uint16_t)a, (uint16_t)cls, h->ip, ip };
	return false;
}

static void print_site(const char *what, const char *name, uint64_t ip)
{
	uint64_t off = 0;
	const char *fn = ksym_lookup(ip, &off);

	kprintf("lockdep:   %s \"%s\" at %s+%#llx\n", what, name, fn ? fn : "?",
		(unsigned long long)off);
}

static void report(const struct lockdep_report *r)
{
	kprintf("lockdep: lock order reversal: \"%s\" taken while holding \"%s\"\n",
		r->new_name, r->held);
	print_site("this time: held", r->held, r->held_ip);
	print_site("this time: took", r->new_name, r->new_ip);
	print_site("earlier:   held", r->before_from, r->before_from_ip);
	print_site("earlier:   took", r->before_to, r->before_to_ip);
}

/* Checks cls, taken at ip, against everything the context holds (the
 * CPU's spinlocks, and the thread's mutexes outside interrupt handlers). */
static void check(struct cpu_held *ch, int cls, uint64_t ip)
{
	struct lockdep_report r;
	bool found = false, say_full = false;
	int n = ch->depth < NHELD ? ch->depth : NHELD;
	struct thread *t = this_thread();

	graph_take();
	for (int i = 0; i < n; i++)
		if (!found)
			found = add_edge(&ch->stack[i], cls, ip, &r);
	if (t && !percpu_in_interrupt())
		for (struct mutex *m = t->ld_held; m && !found; m = m->ld_below) {
			struct held h = { m, m->ld_class, m->ld_ip };

			found = add_edge(&h, cls, ip, &r);
		}
	if (found) {
		last = r;
		nreports++;
	}
	if (full && !full_said)
		full_said = say_full = true;
	graph_drop();
	if (found)
		report(&r);
	if (say_full)
		kprintf("lockdep: edge table full (%d): new orders are no longer checked\n", NEDGE);
}

void lockdep_spin_acquire(const struct spinlock *l, uint64_t ip)
{
	struct cpu_held *ch = this_cpu_held();
	int cls;

	if (!ch || ch->busy)
		return;
	ch->busy = true;
	graph_take();
	cls = class_of(l->name, false);
	graph_drop();
	if (cls >= 0)
		check(ch, cls, ip);
	if (cls >= 0 && ch->depth < NHELD)
		ch->stack[ch->depth] = (struct held){ l, (uint16_t)cls, ip };
	if (cls >= 0)
		ch->depth++;
	ch->busy = false;
}

void lockdep_spin_release(const struct spinlock *l)
{
	struct cpu_held *ch = this_cpu_held();
	int n;

	if (!ch || ch->busy || ch->depth == 0)
		return;
	n = ch->depth < NHELD ? ch->depth : NHELD;
	for (int i = n - 1; i >= 0; i--)
		if (ch->stack[i].lock == l) {
			memmove(&ch->stack[i], &ch->stack[i + 1], (size_t)(n - 1 - i) * sizeof(ch->stack[0]));
			ch->depth--;
			return;
		}
	/* Not in the stack: it was taken beyond NHELD (or before the
	 * checker could see it); the depth still counts it. */
	if (ch->depth > NHELD)
		ch->depth--;
}

void lockdep_mutex_check(const struct mutex *m, uint64_t ip)
{
	uint64_t f = cpu_irq_save();
	struct cpu_held *ch = this_cpu_held();
	int cls;

	if (ch && !ch->busy) {
		ch->busy = true;
		graph_take();
		cls = class_of(m->name, true);
		graph_drop();
		if (cls >= 0)
			check(ch, cls, ip);
		ch->busy = false;
	}
	cpu_irq_restore(f);
}

void lockdep_mutex_acquired(struct mutex *m, uint64_t ip)
{
	uint64_t f = cpu_irq_save();
	struct thread *t = this_thread();
	int cls;

	graph_take();
	cls = class_of(m->name, true);
	graph_drop();
	m->ld_class = cls >= 0 ? (uint16_t)cls : 0;
	m->ld_ip = ip;
	if (t && cls >= 0) {
		m->ld_below = t->ld_held;
		t->ld_held = m;
		m->ld_tracked = true;
	}
	cpu_irq_restore(f);
}

void lockdep_mutex_released(struct mutex *m)
{
	struct thread *t = this_thread();
	struct mutex **pp;

	if (!t || !m->ld_tracked)
		return;
	for (pp = &t->ld_held; *pp; pp = &(*pp)->ld_below)
		if (*pp == m) {
			*pp = m->ld_below;
			break;
		}
	m->ld_tracked = false;
	m->ld_below = 0;
}

void lockdep_print_held(void)
{
	struct cpu_held *ch = this_cpu_held();
	struct thread *t = this_thread();
	int n;

	if (!ch)
		return;
	ch->busy = true;
	n = ch->depth < NHELD ? ch->depth : NHELD;
	if (ch->depth > NHELD)
		kprintf("lockdep: this CPU holds %d spinlocks, the first %d:\n", ch->depth, NHELD);
	for (int i = 0; i < n; i++)
		print_site("held spinlock", classes[ch->stack[i].cls].name, ch->stack[i].ip);
	if (t)
		for (struct mutex *m = t->ld_held; m; m = m->ld_below)
			print_site("held mutex", m->name ? m->name : "(unnamed)", m->ld_ip);
	ch->busy = false;
}

uint64_t lockdep_reports(void) { return __atomic_load_n(&nreports, __ATOMIC_RELAXED); }

void lockdep_last_report(struct lockdep_report *r)
{
	uint64_t f = cpu_irq_save();

	graph_take();
	*r = last;
	graph_drop();
	cpu_irq_restore(f);
}
#endif
