/* Futexes (see futex.h). One mutex protects every waiter list; each
 * waiter sleeps on its own wait queue, and a wake sets its mark before
 * waking it, so no wake is lost between the check of the word and the
 * sleep. */
#include <kernel/proc/futex.h>
#include <cosmos/abi/futex.h>
#include <cosmos/errno.h>
#include <hal/paging.h>
#include <kernel/mm/vm.h>
#include <kernel/sched/wait.h>
#include <kernel/sync/mutex.h>
#include <lib/list.h>

#define BUCKETS 64

struct futex_key {
	uint64_t a, b;          /* private: space, address; shared: frame address, 0 */
};

struct futex_waiter {
	struct list_node node;  /* in its bucket (futex_lock) */
	struct futex_key key;   /* futex_lock */
	uint32_t bitset;
	bool woken;             /* set under futex_lock before the wake */
	struct waitq wq;
};

static struct mutex futex_lock;
/* Under futex_lock. */
static struct list_node buckets[BUCKETS];

void futex_init(void)
{
	mutex_init(&futex_lock, "futex");
	for (int i = 0; i < BUCKETS; i++)
		list_init(&buckets[i]);
}

static struct list_node *bucket(const struct futex_key *k)
{
	uint64_t h = (k->a ^ (k->b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;

	return &buckets[(h >> 32) % BUCKETS];
}

static bool key_eq(const struct futex_key *x, const struct futex_key *y)
{
	return x->a == y->a && x->b == y->b;
}

/* The key of addr. A shared key needs the frame: the word is faulted in
 * for writing first (so a copy-on-write page is copied before the frame
 * is taken as its name), for reading when the mapping is read-only. */
static int make_key(struct vm_space *vm, uint64_t addr, bool private, struct futex_key *k)
{
	uint64_t pa, size;
	unsigned rights;
	int err;

	if (addr & 3)
		return -EINVAL;
	if (private) {
		*k = (struct futex_key){ (uint64_t)vm, addr };
		return 0;
	}
	err = vm_fault(vm, addr, VM_ACCESS_WRITE, false);
	if (err == -EACCES)
		err = vm_fault(vm, addr, VM_ACCESS_READ, false);
	if (err)
		return err == -ENOMEM ? -ENOMEM : -EFAULT;
	if (paging_translate(vm->root, addr, &pa, &rights, &size))
		return -EFAULT;
	*k = (struct futex_key){ pa + (addr & (size - 1)), 0 };
	return 0;
}

static int read_word(struct vm_space *vm, uint64_t addr, uint32_t *val)
{
	return vm_copy_from(vm, addr, val, sizeof(*val)) ? -EFAULT : 0;
}

int futex_wait(struct vm_space *vm, uint64_t addr, bool private, uint32_t val,
	       uint32_t bitset, uint64_t deadline)
{
	struct futex_waiter w = { .bitset = bitset };
	uint32_t cur;
	int err;

	if (!bitset)
		return -EINVAL;
	err = make_key(vm, addr, private, &w.key);
	if (err)
		return err;
	waitq_init(&w.wq);
	err = mutex_lock(&futex_lock);
	if (err)
		return err;
	err = read_word(vm, addr, &cur);
	if (!err && cur != val)
		err = -EAGAIN;
	if (err) {
		mutex_unlock(&futex_lock);
		return err;
	}
	list_add_tail(bucket(&w.key), &w.node);
	mutex_unlock(&futex_lock);

	err = waitq_wait_event_intr(&w.wq, w.woken, deadline);

	if (mutex_lock(&futex_lock) == 0) {
		if (w.woken)
			err = 0;        /* a wake that raced the deadline wins */
		else
			list_del(&w.node);
		mutex_unlock(&futex_lock);
	} else if (!w.woken) {
		/* cannot block here (a kernel bug reported by the lock): the
		 * waiter must not stay listed on this stack */
		list_del(&w.node);
	}
	return err;
}

/* Wakes up to n waiters of key k (and, for k2 non-NULL, of k2 too);
 * futex_lock held. */
static int wake_locked(const struct futex_key *k, const struct futex_key *k2, int n,
		       uint32_t bitset)
{
	int woken = 0;

	for (int pass = 0; pass < 2 && woken < n; pass++) {
		const struct futex_key *key = pass ? k2 : k;
		struct list_node *b, *node, *next;

		if (!key)
			continue;
		b = bucket(key);
		for (node = b->next; node != b && woken < n; node = next) {
			struct futex_waiter *w = list_entry(node, struct futex_waiter, node);

			next = node->next;
			if (!key_eq(&w->key, key) || !(w->bitset & bitset))
				continue;
			list_del(&w->node);
			w->woken = true;
			waitq_wake_all(&w->wq);
			woken++;
		}
	}
	return woken;
}

int futex_wake(struct vm_space *vm, uint64_t addr, bool private, int n, uint32_t bitset)
{
	struct futex_key k, kp = { (uint64_t)vm, addr };
	int err, woken;

	if (!bitset)
		return -EINVAL;
	if (n <= 0)
		return 0;
	err = make_key(vm, addr, private, &k);
	if (err)
		return err;
	err = mutex_lock(&futex_lock);
	if (err)
		return err;
	woken = wake_locked(&k, private ? 0 : &kp, n, bitset);
	mutex_unlock(&futex_lock);
	return woken;
}

int futex_requeue(struct vm_space *vm, uint64_t addr, uint64_t addr2, bool private, int nwake,
		  int nmove, bool check, uint32_t val)
{
	struct futex_key k, k2;
	struct list_node *b;
	int err, done;
	uint32_t cur;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if ((err = make_key(vm, addr, private, &k)) || (err = make_key(vm, addr2, private, &k2)))
		return err;
	err = mutex_lock(&futex_lock);
	if (err)
		return err;
	if (check) {
		err = read_word(vm, addr, &cur);
		if (!err && cur != val)
			err = -EAGAIN;
		if (err) {
			mutex_unlock(&futex_lock);
			return err;
		}
	}
	done = wake_locked(&k, 0, nwake, FUTEX_BITSET_MATCH_ANY);
	b = bucket(&k);
	for (struct list_node *node = b->next, *next; node != b && nmove > 0; node = next) {
		struct futex_waiter *w = list_entry(node, struct futex_waiter, node);

		next = node->next;
		if (!key_eq(&w->key, &k))
			continue;
		list_del(&w->node);
		w->key = k2;
		list_add_tail(bucket(&k2), &w->node);
		nmove--;
		done++;
	}
	mutex_unlock(&futex_lock);
	return done;
}
