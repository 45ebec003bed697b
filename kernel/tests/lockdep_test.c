/* Lock-order checker ktests (debug builds: make LOCKDEP=1): a reversal,
 * direct or through a third class, of spinlocks or of mutexes, is reported
 * once with the sites of both orders; locks always taken in one order are
 * not; sleeping under a spinlock names the spinlock (the system case
 * lockdep_sleep_names_spinlock reads that from the log). Each test has
 * classes of its own, so no order another test made gets in the way. */
#ifdef CONFIG_LOCKDEP
#include <cosmos/errno.h>
#include <lib/string.h>
#include <kernel/ksyms.h>
#include <kernel/ktest.h>
#include <kernel/sync/lockdep.h>
#include <kernel/sync/mutex.h>
#include <kernel/sync/spinlock.h>

static struct spinlock la = SPINLOCK_INIT("ktest lockdep A");
static struct spinlock lb = SPINLOCK_INIT("ktest lockdep B");

static __attribute__((noinline)) void lockdep_take_a_then_b(void)
{
	uint64_t f = spin_lock_irqsave(&la), g = spin_lock_irqsave(&lb);

	spin_unlock_irqrestore(&lb, g);
	spin_unlock_irqrestore(&la, f);
}

static __attribute__((noinline)) void lockdep_take_b_then_a(void)
{
	uint64_t f = spin_lock_irqsave(&lb), g = spin_lock_irqsave(&la);

	spin_unlock_irqrestore(&la, g);
	spin_unlock_irqrestore(&lb, f);
}

static bool site_in(uint64_t ip, const char *fn)
{
	uint64_t off;
	const char *name = ksym_lookup(ip, &off);

	return name && strcmp(name, fn) == 0;
}

KTEST(lockdep_reversal_reported_with_both_sites)
{
	uint64_t n = lockdep_reports();
	struct lockdep_report r;

	lockdep_take_a_then_b();
	KT_EXPECT_EQ(t, lockdep_reports(), n);
	lockdep_take_b_then_a();
	KT_ASSERT(t, lockdep_reports() == n + 1);
	lockdep_last_report(&r);
	KT_EXPECT(t, strcmp(r.held, "ktest lockdep B") == 0);
	KT_EXPECT(t, strcmp(r.new_name, "ktest lockdep A") == 0);
	KT_EXPECT(t, site_in(r.held_ip, "lockdep_take_b_then_a"));
	KT_EXPECT(t, site_in(r.new_ip, "lockdep_take_b_then_a"));
	KT_EXPECT(t, strcmp(r.before_from, "ktest lockdep A") == 0);
	KT_EXPECT(t, strcmp(r.before_to, "ktest lockdep B") == 0);
	KT_EXPECT(t, site_in(r.before_from_ip, "lockdep_take_a_then_b"));
	KT_EXPECT(t, site_in(r.before_to_ip, "lockdep_take_a_then_b"));
	/* once: the same reversal again says nothing */
	lockdep_take_b_then_a();
	lockdep_take_a_then_b();
	KT_EXPECT_EQ(t, lockdep_reports(), n + 1);
}

static struct spinlock lc = SPINLOCK_INIT("ktest lockdep C");
static struct spinlock ld = SPINLOCK_INIT("ktest lockdep D");

static __attribute__((noinline)) void lockdep_take_c_then_d(void)
{
	uint64_t f = spin_lock_irqsave(&lc), g = spin_lock_irqsave(&ld);

	spin_unlock_irqrestore(&ld, g);
	spin_unlock_irqrestore(&lc, f);
}

/* C then D from two places, each alone, and released out of order: no
 * report. */
KTEST(lockdep_consistent_order_not_reported)
{
	uint64_t n = lockdep_reports(), f, g;

	lockdep_take_c_then_d();
	f = spin_lock_irqsave(&lc);
	g = spin_lock_irqsave(&ld);
	spin_unlock_irqrestore(&lc, f);   /* out of order */
	spin_unlock_irqrestore(&ld, g);
	f = spin_lock_irqsave(&ld);
	spin_unlock_irqrestore(&ld, f);
	f = spin_lock_irqsave(&lc);
	spin_unlock_irqrestore(&lc, f);
	lockdep_take_c_then_d();
	KT_EXPECT_EQ(t, lockdep_reports(), n);
}

static struct spinlock le = SPINLOCK_INIT("ktest lockdep E");
static struct spinlock lf = SPINLOCK_INIT("ktest lockdep F");
static struct spinlock lg = SPINLOCK_INIT("ktest lockdep G");

static void take_pair(struct spinlock *x, struct spinlock *y)
{
	uint64_t f = spin_lock_irqsave(x), g = spin_lock_irqsave(y);

	spin_unlock_irqrestore(y, g);
	spin_unlock_irqrestore(x, f);
}

/* E then F, F then G: G then E closes a cycle through F. */
KTEST(lockdep_reversal_through_a_third_class)
{
	uint64_t n = lockdep_reports();
	struct lockdep_report r;

	take_pair(&le, &lf);
	take_pair(&lf, &lg);
	KT_EXPECT_EQ(t, lockdep_reports(), n);
	take_pair(&lg, &le);
	KT_ASSERT(t, lockdep_reports() == n + 1);
	lockdep_last_report(&r);
	KT_EXPECT(t, strcmp(r.held, "ktest lockdep G") == 0);
	KT_EXPECT(t, strcmp(r.new_name, "ktest lockdep E") == 0);
	KT_EXPECT(t, strcmp(r.before_from, "ktest lockdep E") == 0);
	KT_EXPECT(t, strcmp(r.before_to, "ktest lockdep F") == 0);
}

static struct mutex m1, m2;

static __attribute__((noinline)) int lockdep_take_m1_then_m2(void)
{
	int err = mutex_lock(&m1);

	if (err)
		return err;
	err = mutex_lock(&m2);
	if (!err)
		mutex_unlock(&m2);
	mutex_unlock(&m1);
	return err;
}

static __attribute__((noinline)) int lockdep_take_m2_then_m1(void)
{
	int err = mutex_lock(&m2);

	if (err)
		return err;
	err = mutex_lock(&m1);
	if (!err)
		mutex_unlock(&m1);
	mutex_unlock(&m2);
	return err;
}

/* Mutexes are held by the thread: the same check, and a spinlock taken
 * under a mutex is an order too (mutex, then spinlock) that is fine. */
KTEST(lockdep_mutex_reversal_reported)
{
	static struct spinlock s = SPINLOCK_INIT("ktest lockdep under M1");
	uint64_t n = lockdep_reports(), f;
	struct lockdep_report r;

	mutex_init(&m1, "ktest lockdep M1");
	mutex_init(&m2, "ktest lockdep M2");
	KT_ASSERT(t, mutex_lock(&m1) == 0);
	f = spin_lock_irqsave(&s);
	spin_unlock_irqrestore(&s, f);
	mutex_unlock(&m1);
	KT_EXPECT_EQ(t, lockdep_take_m1_then_m2(), 0);
	KT_EXPECT_EQ(t, lockdep_reports(), n);
	KT_EXPECT_EQ(t, lockdep_take_m2_then_m1(), 0);
	KT_ASSERT(t, lockdep_reports() == n + 1);
	lockdep_last_report(&r);
	KT_EXPECT(t, strcmp(r.held, "ktest lockdep M2") == 0);
	KT_EXPECT(t, site_in(r.held_ip, "lockdep_take_m2_then_m1"));
	KT_EXPECT(t, site_in(r.before_to_ip, "lockdep_take_m1_then_m2"));
}

static int violations;
static void count_violation(const char *what, const void *lock)
{
	(void)what;
	(void)lock;
	violations++;
}

static __attribute__((noinline)) int lockdep_sleep_under_spinlock(struct mutex *m)
{
	static struct spinlock s = SPINLOCK_INIT("ktest lockdep sleeper");
	uint64_t f = spin_lock_irqsave(&s);
	int err = mutex_lock(m);

	spin_unlock_irqrestore(&s, f);
	return err;
}

/* Refused and reported (the log then lists "ktest lockdep sleeper" with
 * its site: the system case checks that). */
KTEST(lockdep_sleep_under_spinlock_reported)
{
	static struct mutex m;
	sync_violation_fn old = sync_set_violation_hook(count_violation);

	mutex_init(&m, "ktest lockdep slept on");
	violations = 0;
	KT_EXPECT_EQ(t, lockdep_sleep_under_spinlock(&m), -EDEADLK);
	KT_EXPECT_EQ(t, violations, 1);
	sync_set_violation_hook(old);
}
#endif
