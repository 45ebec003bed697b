/* A sampling profiler for finding where kernel time goes: `profile=US` on
 * the command line samples, every US microseconds, the code a timer
 * interrupt lands in; /proc/profile shows the functions hit most since it
 * was last read. Two biases to read it with: an interrupt cannot land
 * where interrupts are off, so time spent with them off shows up where
 * they come back on (spin_unlock_irqrestore, the return to user mode);
 * and under QEMU's TCG it is taken between translated blocks, which is
 * exact enough to rank functions. */
#ifndef KERNEL_PROF_H
#define KERNEL_PROF_H

#include <stdint.h>

struct seqbuf;

/* Starts sampling if the command line asks for it (needs the timer). */
void prof_start_from_cmdline(void);
/* The report: samples taken, the share in user mode, the top functions. */
int prof_show(struct seqbuf *s, uint64_t arg);

#endif
