/* The interrupt descriptor table: one gate per vector, all pointing at the
 * stubs in hal/isr.S; the faults that cannot trust the stack use IST stacks. */
#ifndef HAL_IDT_H
#define HAL_IDT_H

/* Builds the table and loads it on the boot CPU. */
void idt_init(void);
/* Loads the (shared, read-only) table on the running CPU. */
void idt_load(void);

#endif
