/* Fuzz target for kernel/exec/script.c: any bytes as a file's head. When
 * they parse, the interpreter and argument must be non-empty strings
 * inside the first EXEC_SCRIPT_LINE bytes, without blanks at their ends. */
#include "fuzz.h"

#include <kernel/exec/script.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *head = malloc(size + 1), *interp, *arg;

	if (!head)
		abort();
	memcpy(head, data, size);
	if (exec_script_parse(head, size, &interp, &arg) == 0) {
		size_t il = strlen(interp);

		FUZZ_CHECK(interp > head && interp + il < head + EXEC_SCRIPT_LINE && il > 0,
			   "interpreter outside the line");
		FUZZ_CHECK(interp[0] != ' ' && interp[il - 1] != ' ', "blanks kept");
		if (arg) {
			size_t al = strlen(arg);

			FUZZ_CHECK(arg > interp + il && arg + al < head + EXEC_SCRIPT_LINE && al > 0,
				   "argument outside the line");
			FUZZ_CHECK(arg[0] != ' ' && arg[al - 1] != ' ', "blanks kept");
		}
	}
	free(head);
	return 0;
}
