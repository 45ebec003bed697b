/* The registers of a thread as an ELF core file's NT_PRSTATUS holds them:
 * Linux's x86-64 elf_gregset_t (user_regs_struct order), and the machine
 * number of the core file's header. */
#ifndef HAL_COREREGS_H
#define HAL_COREREGS_H

#include <stdint.h>
#include <hal/trap.h>
#include <hal/usermode.h>

#define COREREGS_COUNT   27
#define COREREGS_MACHINE 62     /* EM_X86_64 */

/* Fills out from the user frame f and the thread's FS/GS bases. */
void coreregs_from_frame(uint64_t out[COREREGS_COUNT], const struct trap_frame *f,
			 const struct usermode_tls *tls);

#endif
