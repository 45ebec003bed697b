/* x86 instruction sequences that fault on purpose, for the exception tests
 * (kernel/tests/trap_test.c): each stores the address of its faulting
 * instruction into *(uint64_t *)arg first, so tests can check the RIP. */
#ifndef HAL_TRAP_SELFTEST_H
#define HAL_TRAP_SELFTEST_H

#include <stdint.h>

void trap_selftest_divide_error(void *arg);       /* #DE: div by zero */
void trap_selftest_invalid_opcode(void *arg);     /* #UD: ud2 */
void trap_selftest_breakpoint(void *arg);         /* #BP: int3 */
void trap_selftest_noncanonical(void *arg);       /* #GP(0): load from 1 << 63 */
void trap_selftest_bad_selector(void *arg);       /* #GP(0x1f8): mov to %fs */
#define TRAP_SELFTEST_BAD_SELECTOR 0x1f8

/* Loads from the address arg with an instruction TRAP_SELFTEST_LOAD_LEN
 * bytes long, so a fault hook can skip it. */
void trap_selftest_load(void *arg);
#define TRAP_SELFTEST_LOAD_LEN 3

/* Software interrupt n (only the vectors the tests use: 200, 201);
 * returns -1 for any other. */
int trap_selftest_soft_int(unsigned vector);

#endif
