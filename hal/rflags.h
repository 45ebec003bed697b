/* The RFLAGS bits hal's ring-3 code sets, checks and sanitizes. */
#ifndef HAL_RFLAGS_H
#define HAL_RFLAGS_H

#define RFLAGS_CF   (1ull << 0)
#define RFLAGS_RSV1 (1ull << 1)     /* always 1 */
#define RFLAGS_PF   (1ull << 2)
#define RFLAGS_AF   (1ull << 4)
#define RFLAGS_ZF   (1ull << 6)
#define RFLAGS_SF   (1ull << 7)
#define RFLAGS_TF   (1ull << 8)
#define RFLAGS_IF   (1ull << 9)
#define RFLAGS_DF   (1ull << 10)
#define RFLAGS_OF   (1ull << 11)
#define RFLAGS_NT   (1ull << 14)
#define RFLAGS_RF   (1ull << 16)
#define RFLAGS_AC   (1ull << 18)
/* What a program may hold (IOPL, VM, VIF, VIP and NT it may not). */
#define RFLAGS_USER (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | \
		     RFLAGS_DF | RFLAGS_OF | RFLAGS_RF | RFLAGS_AC | (1ull << 21) /* ID */)

#endif
