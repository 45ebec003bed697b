/* The interrupt descriptor table: one gate per vector, all pointing at the
 * stubs in hal/isr.S; the faults that cannot trust the stack use IST stacks. */
#ifndef HAL_IDT_H
#define HAL_IDT_H

void idt_init(void);

#endif
