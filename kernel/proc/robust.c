/* The robust-futex walk at a thread's end (see robust.h), as Linux's
 * exit_robust_list: every user word is read and changed through the
 * user-copy helpers, so a list the program scribbled over costs at most
 * ROBUST_LIST_LIMIT steps and never faults the kernel. */
#include <kernel/proc/robust.h>
#include <cosmos/abi/futex.h>
#include <cosmos/errno.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/process.h>
#include <sys/usercopy.h>

/* Times one word's update is retried when another thread keeps changing
 * it or its page keeps going away; a bound, so a program cannot hold its
 * own thread's exit here. */
#define DEATH_RETRIES 16

/* Reads an entry pointer: the address with bit 0 (the PI mark) split off. */
static int fetch_entry(uint64_t uaddr, uint64_t *entry, bool *pi)
{
	uint64_t v;

	if (copy_from_user(&v, uptr(uaddr), sizeof(v)))
		return -EFAULT;
	*entry = v & ~1ull;
	*pi = v & 1;
	return 0;
}

/* The owner t died holding the lock whose word is at uaddr (pending: the
 * lock it was taking or dropping when it died, list_op_pending). */
static void futex_owner_died(struct thread *t, uint64_t uaddr, bool pi, bool pending)
{
	struct vm_space *vm = t->proc->vm;
	uint32_t val, want;

	if (uaddr & 3)
		return;
	for (int tries = 0; tries < DEATH_RETRIES; tries++) {
		if (copy_from_user(&val, uptr(uaddr), sizeof(val)))
			return;
		/* it died between freeing the word and waking a waiter: the
		 * wake it owed is done here */
		if (pending && !pi && val == 0) {
			(void)futex_wake(vm, uaddr, false, 1, FUTEX_BITSET_MATCH_ANY);
			return;
		}
		if ((val & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return;
		want = (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		uint32_t seen = val;
		if (cmpxchg_user32(uptr(uaddr), &seen, want)) {
			/* a page the copy-on-write or paging code must supply
			 * first (the exchange runs with the fault unresolved
			 * only if interrupts were off) */
			if (vm_fault(vm, uaddr, VM_ACCESS_WRITE, false))
				return;
			continue;
		}
		if (seen != val)
			continue;        /* a locker changed it meanwhile */
		if (!pi && (val & FUTEX_WAITERS))
			(void)futex_wake(vm, uaddr, false, 1, FUTEX_BITSET_MATCH_ANY);
		return;
	}
}

void robust_list_exit(struct thread *t)
{
	uint64_t head = t->robust_list, entry, next, pending;
	int64_t offset;
	bool pi, next_pi, pending_pi;
	unsigned limit = ROBUST_LIST_LIMIT;

	t->robust_list = 0;
	if (!head || !t->proc->vm)
		return;
	if (fetch_entry(head, &entry, &pi) ||
	    copy_from_user(&offset, uptr(head + 8), sizeof(offset)) ||
	    fetch_entry(head + 16, &pending, &pending_pi))
		return;
	/* the list is circular through the head; a walk that never returns
	 * there stops at the limit or at the first bad pointer */
	while (entry != head) {
		int err = fetch_entry(entry, &next, &next_pi);

		if (entry != pending)
			futex_owner_died(t, entry + (uint64_t)offset, pi, false);
		if (err)
			return;
		entry = next;
		pi = next_pi;
		if (!--limit)
			break;
	}
	if (pending)
		futex_owner_died(t, pending + (uint64_t)offset, pending_pi, true);
}
