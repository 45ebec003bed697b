/* Picking items by name prefix (see prefix.h). */
#include "prefix.h"

#include <string.h>

bool name_selected(const char *name, char *const *prefixes, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}
