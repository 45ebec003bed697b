/* Credentials (see cred.h). A process's credentials change only in its
 * own threads, under its lock and inside its cred_seq write section (so
 * other processes read them with cred_read, no lock); the per-uid thread
 * counts move with the real uid under the process table lock (taken
 * first). */
#include <kernel/proc/cred.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <kernel/proc/limits.h>
#include <kernel/proc/process.h>
#include <lib/string.h>

void cred_init_root(struct cred *c)
{
	memset(c, 0, sizeof(*c));
}

const struct cred *cred_current(void)
{
	return &process_current()->cred;
}

void cred_read(const struct process *p, struct cred *out)
{
	for (;;) {
		uint32_t seq = __atomic_load_n(&p->cred_seq, __ATOMIC_ACQUIRE);

		if (seq & 1) {
			cpu_pause();
			continue;
		}
		memcpy(out, &p->cred, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&p->cred_seq, __ATOMIC_RELAXED) == seq)
			return;
	}
}

void cred_write_begin(struct process *p)
{
	__atomic_store_n(&p->cred_seq, p->cred_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void cred_write_end(struct process *p)
{
	__atomic_store_n(&p->cred_seq, p->cred_seq + 1, __ATOMIC_RELEASE);
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < CRED_NGROUPS_MAX; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* One family of ids: the user ids or the group ids of a cred. */
struct ids {
	uint32_t *r, *e, *s, *fs;
};

static struct ids uids(struct cred *c) { return (struct ids){ &c->uid, &c->euid, &c->suid, &c->fsuid }; }
static struct ids gids(struct cred *c) { return (struct ids){ &c->gid, &c->egid, &c->sgid, &c->fsgid }; }

static bool holds(const struct ids *id, uint32_t v)
{
	return v == *id->r || v == *id->e || v == *id->s;
}

bool cred_same_acting_ids(const struct cred *a, const struct cred *b)
{
	return a->euid == b->euid && a->egid == b->egid && a->fsuid == b->fsuid &&
	       a->fsgid == b->fsgid;
}

/* Both locks held: after a change from old. */
static void acting_ids_changed_locked(struct process *p, const struct cred *old)
{
	if (cred_same_acting_ids(old, &p->cred))
		return;
	p->dumpable = false;
	p->pdeath_sig = 0;
}

enum kind { SET_ID, SET_REID, SET_RESID };

/* The common part: checks and stores under the locks. */
static int change(bool user, enum kind k, uint32_t r, uint32_t e, uint32_t s)
{
	struct process *p = process_current();
	struct cred old;
	uint32_t old_uid;
	struct ids id;
	bool root;
	int err = 0;

	process_table_lock();
	process_lock(p);
	old = p->cred;
	cred_write_begin(p);
	old_uid = p->cred.uid;
	root = p->cred.euid == 0;
	id = user ? uids(&p->cred) : gids(&p->cred);
	switch (k) {
	case SET_ID:                    /* setuid(r) */
		if (root) {
			*id.r = *id.e = *id.s = r;
		} else if (r == *id.r || r == *id.s) {
			*id.e = r;
		} else {
			err = -EPERM;
		}
		break;
	case SET_REID:                  /* setreuid(r, e) */
		if (!root && ((r != CRED_KEEP && r != *id.r && r != *id.e) ||
			      (e != CRED_KEEP && !holds(&id, e)))) {
			err = -EPERM;
			break;
		}
		if (r != CRED_KEEP || (e != CRED_KEEP && e != *id.r))
			*id.s = e != CRED_KEEP ? e : *id.e;
		if (r != CRED_KEEP)
			*id.r = r;
		if (e != CRED_KEEP)
			*id.e = e;
		break;
	case SET_RESID:                 /* setresuid(r, e, s) */
		if (!root && ((r != CRED_KEEP && !holds(&id, r)) ||
			      (e != CRED_KEEP && !holds(&id, e)) ||
			      (s != CRED_KEEP && !holds(&id, s)))) {
			err = -EPERM;
			break;
		}
		if (r != CRED_KEEP)
			*id.r = r;
		if (e != CRED_KEEP)
			*id.e = e;
		if (s != CRED_KEEP)
			*id.s = s;
		break;
	}
	*id.fs = *id.e;
	cred_write_end(p);
	acting_ids_changed_locked(p, &old);
	if (user && p->cred.uid != old_uid)
		limits_uid_changed(p, old_uid);
	mutex_unlock(&p->lock);
	process_table_unlock();
	return err;
}

int cred_setuid(uint32_t uid) { return uid == CRED_KEEP ? -EINVAL : change(true, SET_ID, uid, 0, 0); }
int cred_setgid(uint32_t gid) { return gid == CRED_KEEP ? -EINVAL : change(false, SET_ID, gid, 0, 0); }
int cred_setreuid(uint32_t r, uint32_t e) { return change(true, SET_REID, r, e, 0); }
int cred_setregid(uint32_t r, uint32_t e) { return change(false, SET_REID, r, e, 0); }
int cred_setresuid(uint32_t r, uint32_t e, uint32_t s) { return change(true, SET_RESID, r, e, s); }
int cred_setresgid(uint32_t r, uint32_t e, uint32_t s) { return change(false, SET_RESID, r, e, s); }

static uint32_t setfs(bool user, uint32_t v)
{
	struct process *p = process_current();
	struct cred before;
	struct ids id;
	uint32_t old;

	process_table_lock();
	process_lock(p);
	before = p->cred;
	id = user ? uids(&p->cred) : gids(&p->cred);
	old = *id.fs;
	if (p->cred.euid == 0 || holds(&id, v) || v == *id.fs) {
		cred_write_begin(p);
		*id.fs = v;
		cred_write_end(p);
	}
	acting_ids_changed_locked(p, &before);
	mutex_unlock(&p->lock);
	process_table_unlock();
	return old;
}

uint32_t cred_setfsuid(uint32_t fsuid) { return setfs(true, fsuid); }
uint32_t cred_setfsgid(uint32_t fsgid) { return setfs(false, fsgid); }

int cred_setgroups(uint32_t n, const uint32_t *groups)
{
	struct process *p = process_current();
	int err = 0;

	if (n > CRED_NGROUPS_MAX)
		return -EINVAL;
	process_lock(p);
	if (p->cred.euid != 0) {
		err = -EPERM;
	} else {
		cred_write_begin(p);
		p->cred.ngroups = n;
		memcpy(p->cred.groups, groups, n * sizeof(*groups));
		cred_write_end(p);
	}
	mutex_unlock(&p->lock);
	return err;
}
