/* Removing a directory tree, for programs that clean up after themselves. */
#ifndef USER_TREE_H
#define USER_TREE_H

/* Removes path and everything below it, best effort (what cannot be
 * removed stays). Symlinks are removed, not followed; a mount point under
 * path is detached first. */
void remove_tree(const char *path);

#endif
