/* The first ring-3 program: one line on standard output, exit status 0. */
#include <unistd.h>

int main(void)
{
	static const char msg[] = "hello from ring 3\n";

	return write(1, msg, sizeof msg - 1) == sizeof msg - 1 ? 0 : 1;
}
