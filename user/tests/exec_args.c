/* execve and execveat: arguments, environment, descriptors and signals
 * across exec, and the errors. The programs they run are helpers inside
 * this binary (`usertests -H name`). */
#include "tests.h"

/* exit_with N: exits with status N. */
HELPER(exit_with)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
