/* "#!" lines (see script.h). Only bytes below min(n, EXEC_SCRIPT_LINE)
 * are looked at. */
#include <kernel/exec/script.h>
#include <cosmos/errno.h>

static int blank(char c) { return c == ' ' || c == '\t'; }

int exec_script_parse(char *head, size_t n, char **interp, char **arg)
{
	size_t len = n < EXEC_SCRIPT_LINE ? n : EXEC_SCRIPT_LINE, end, i;

	if (len < 2 || head[0] != '#' || head[1] != '!')
		return -ENOEXEC;
	/* the line ends at a newline or a NUL; without either, the end of a
	 * short file ends it, and a longer one is too long */
	for (end = 2; end < len && head[end] != '\n' && head[end] != 0; end++)
		;
	if (end == len && n >= EXEC_SCRIPT_LINE)
		return -ENOEXEC;
	while (end > 2 && (blank(head[end - 1]) || head[end - 1] == '\r'))
		end--;
	for (i = 2; i < end && blank(head[i]); i++)
		;
	if (i == end)
		return -ENOEXEC;
	*interp = head + i;
	while (i < end && !blank(head[i]))
		i++;
	*arg = 0;
	if (i < end) {
		head[i++] = 0;
		while (i < end && blank(head[i]))
			i++;
		if (i < end)
			*arg = head + i;
	}
	head[end] = 0;
	return 0;
}
