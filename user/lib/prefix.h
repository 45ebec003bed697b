/* Picking items by name prefix, as the programs' command lines do. */
#ifndef USER_PREFIX_H
#define USER_PREFIX_H

#include <stdbool.h>

/* True when name starts with one of the n prefixes, or when n is 0. */
bool name_selected(const char *name, char *const *prefixes, int n);

#endif
