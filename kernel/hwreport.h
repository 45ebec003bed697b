/* The boot-time hardware report: what CPU, memory and devices we run on. */
#ifndef KERNEL_HWREPORT_H
#define KERNEL_HWREPORT_H

void hwreport_cpu(void);
void hwreport_memory(void);

#endif
