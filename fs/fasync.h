/* The files with O_ASYNC on one object (a pipe, a terminal): a list the
 * object keeps under its own lock, whose owners hear SIGIO (or F_SETSIG's
 * signal, file_send_sigio) when the object becomes ready. Every function
 * expects the caller to hold the object's lock. */
#ifndef FS_FASYNC_H
#define FS_FASYNC_H

#include <stdbool.h>
#include <lib/list.h>

struct file;

/* Adds (on) or removes f; adding twice keeps one entry. 0 or -ENOMEM. */
int fasync_update(struct list_node *list, struct file *f, bool on);
/* SIGIO to the owner of each file whose fmode has a bit of fmode
 * (FMODE_READ: data came; FMODE_WRITE: room came). */
void fasync_notify(struct list_node *list, unsigned fmode);

#endif
