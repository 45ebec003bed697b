/* 8259 remap-and-mask. The APICs deliver all interrupts; the PICs only need
 * to be kept quiet, on vectors 0x20-0x2f where a spurious one is harmless. */
#include <hal/pic.h>
#include <hal/cpu.h>

void pic_disable(void)
{
	outb(0x20, 0x11);   /* ICW1: init, ICW4 follows */
	outb(0xa0, 0x11);
	outb(0x21, 0x20);   /* ICW2: master vectors 0x20-0x27 */
	outb(0xa1, 0x28);   /*       slave 0x28-0x2f */
	outb(0x21, 0x04);   /* ICW3: slave on IRQ2 */
	outb(0xa1, 0x02);
	outb(0x21, 0x01);   /* ICW4: 8086 mode */
	outb(0xa1, 0x01);
	outb(0x21, 0xff);   /* mask everything */
	outb(0xa1, 0xff);
}
