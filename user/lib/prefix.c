/* Picking items by name prefix (see prefix.h). */
#include "prefix.h"

#include <string.h>

bool name_selected(const char *name, char *const *prefixes, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(prefixes[i]);
		bool whole = len && prefixes[i][len - 1] == '$';

		if (whole)
			len--;
		if (strncmp(name, prefixes[i], len) == 0 && (!whole || name[len] == 0))
			return true;
	}
	return false;
}
