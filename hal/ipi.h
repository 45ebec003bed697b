/* Interrupts between CPUs, named for the job: run a function on other
 * CPUs and wait for it, ask a CPU to reschedule, stop every other CPU
 * (panic). Vectors and the local APIC stay inside hal/ipi.c. */
#ifndef HAL_IPI_H
#define HAL_IPI_H

#include <stdbool.h>
#include <stdint.h>
#include <cosmos/compiler.h>

typedef void (*ipi_fn)(void *arg);

/* Installs the handlers, on the boot CPU before any other starts;
 * on_resched runs (in interrupt context) on a CPU that ipi_resched named.
 * 0 or a negative errno. */
int ipi_init(void (*on_resched)(void)) __must_check;
/* Runs fn(arg) in interrupt context on every online CPU in mask but this
 * one, and returns when all have finished. Callable with interrupts off
 * and with spinlocks held: while it waits it runs the calls other CPUs
 * send this one, and a CPU spinning for a lock with interrupts off runs
 * them too (ipi_poll), so fn may run in the middle of a lock acquisition
 * and must take no lock itself. Returns how many CPUs ran it. After
 * ipi_stop_others it does nothing. */
unsigned ipi_call_mask(uint64_t mask, ipi_fn fn, void *arg);
/* The same on every other online CPU. */
unsigned ipi_call_others(ipi_fn fn, void *arg);
/* Runs the call another CPU posted for this one, if any: for every loop
 * that spins with interrupts off (the spinlocks'), since the IPI that
 * announces the call cannot arrive there. */
void ipi_poll(void);
/* Interrupts cpu so that it runs on_resched; no wait. */
void ipi_resched(unsigned cpu);
/* IPIs this kernel has sent so far, for tests and benchmarks: call
 * requests (one per CPU called) and reschedule requests. */
uint64_t ipi_calls_sent(void);
uint64_t ipi_resched_sent(void);
/* Bit n set: CPU n is online (its tables loaded, taking interrupts). */
uint64_t ipi_online_mask(void);
/* Stops every other CPU (an NMI each; they halt with interrupts off) and
 * waits up to 100 ms for them to say so. Returns how many stopped. */
unsigned ipi_stop_others(void);
/* For the NMI handler: has ipi_stop_others asked this CPU to stop? */
bool ipi_stop_requested(void);
/* Halts this CPU for good, counted as stopped. */
void ipi_stop_here(void) __attribute__((noreturn));

#endif
