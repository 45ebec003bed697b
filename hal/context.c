/* Builds the first switch frame of a new kernel thread (layout in
 * hal/context.S). */
#include <hal/context.h>

void context_start(void);

void *context_init(void *stack_top, void (*entry)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)((uint64_t)stack_top & ~15ull);

	/* After the six pops and the ret, rsp is stack_top, 16-aligned, so
	 * context_start's call gives entry the alignment the ABI promises. */
	*--sp = (uint64_t)context_start;
	*--sp = 0;                      /* rbp */
	*--sp = 0;                      /* rbx */
	*--sp = (uint64_t)entry;        /* r12 */
	*--sp = (uint64_t)arg;          /* r13 */
	*--sp = 0;                      /* r14 */
	*--sp = 0;                      /* r15 */
	return sp;
}
