/* Interrupt bring-up: device interrupts, the timer, then interrupts on. */
#ifndef KERNEL_INTERRUPTS_H
#define KERNEL_INTERRUPTS_H

/* Needs the platform (MADT) and mm (MMIO mappings) up. */
void interrupts_init(void);

#endif
