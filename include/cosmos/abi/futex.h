/* Linux's futex operations and flags. */
#ifndef COSMOS_ABI_FUTEX_H
#define COSMOS_ABI_FUTEX_H

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_FD              2
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAKE_OP         5
#define FUTEX_LOCK_PI         6
#define FUTEX_UNLOCK_PI       7
#define FUTEX_TRYLOCK_PI      8
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_CMD_MASK        (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* The futex word of a robust lock: the owner's tid and two flags. */
#define FUTEX_WAITERS         0x80000000u
#define FUTEX_OWNER_DIED      0x40000000u
#define FUTEX_TID_MASK        0x3fffffffu
/* set_robust_list's head: list, futex_offset, list_op_pending (each 8
 * bytes); bit 0 of an entry pointer marks a PI lock. */
#define ROBUST_LIST_HEAD_SIZE 24
#define ROBUST_LIST_LIMIT     2048

#endif
