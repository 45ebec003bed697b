/* The HPET main counter: a fixed-rate clock used to measure the TSC. */
#ifndef HAL_HPET_H
#define HAL_HPET_H

#include <stdint.h>
#include <stdbool.h>
#include <cosmos/compiler.h>

/* regs: kernel virtual address of the register block. 0 or -ENODEV when
 * the block does not look like an HPET (period out of spec). */
int hpet_init(volatile void *regs) __must_check;
bool hpet_present(void);
uint64_t hpet_counter(void);
uint64_t hpet_period_fs(void);    /* femtoseconds per tick */
unsigned hpet_timers(void);

#endif
