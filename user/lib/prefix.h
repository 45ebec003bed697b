/* Picking items by name prefix, as the programs' command lines do. */
#ifndef USER_PREFIX_H
#define USER_PREFIX_H

#include <stdbool.h>

/* True when name starts with one of the n prefixes, or when n is 0. A
 * prefix ending in '$' matches only the whole name before it
 * (ipc_pingpong_100000$ is not ipc_pingpong_1000000). */
bool name_selected(const char *name, char *const *prefixes, int n);

#endif
