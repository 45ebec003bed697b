/* usertests: the user-space test suite, one static binary (see
 * docs/userland.md). `usertests [-l] [-t seconds] [prefix...]` runs the
 * cases; `usertests -H name ...` runs one of the helper programs the exec
 * cases start. */
#include "tests.h"
#include "kservice.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int helper = ut_run_helper(argc, argv);

	if (helper >= 0)
		return helper;
	setvbuf(stdout, NULL, _IONBF, 0);
	/* as init does: the kernel services' endpoint for the cases (only
	 * pid 1 may open it; ipc_kservice_ cases use it) */
	if (getpid() == 1 && on_cosmos())
		kservice_inherit(1);
	set_self_exe(argv[0]);
	return ut_main(argc, argv);
}
