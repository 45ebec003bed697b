/* The legacy 8259 PICs: remapped off the exception vectors and masked, so
 * a stray legacy interrupt can never look like a CPU exception. */
#ifndef HAL_PIC_H
#define HAL_PIC_H

void pic_disable(void);

#endif
