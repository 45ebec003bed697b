/* Memory management bring-up: frames, the kernel's page tables, the heap. */
#ifndef KERNEL_MM_MM_H
#define KERNEL_MM_MM_H

/* Needs boot_info_accept() and exception_init() done; panics if memory cannot
 * be set up (nothing can run without it). */
void mm_init(void);

#endif
