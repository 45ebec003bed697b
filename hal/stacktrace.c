/* Walks saved %rbp chains. Each frame is checked to lie in the kernel half,
 * be aligned and grow upwards, so a corrupt stack ends the walk instead of
 * faulting inside the panic path. */
#include <hal/stacktrace.h>

#define KERNEL_HALF 0xffff800000000000ULL

uint64_t stacktrace_current_fp(void)
{
	return (uint64_t)__builtin_frame_address(0);
}

int stacktrace_walk(uint64_t rbp, uint64_t *pcs, int max)
{
	int n = 0;

	while (n < max && rbp >= KERNEL_HALF && (rbp & 7) == 0) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t next = frame[0], ret = frame[1];

		if (ret < KERNEL_HALF)
			break;
		pcs[n++] = ret;
		if (next <= rbp || next - rbp > 1024 * 1024)
			break;
		rbp = next;
	}
	return n;
}
