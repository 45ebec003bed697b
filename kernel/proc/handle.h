/* Handle tables: small integers a process uses to name kernel objects
 * (IPC channels and the like will be such objects). Objects are counted
 * references; a table holds one reference per handle. */
#ifndef KERNEL_PROC_HANDLE_H
#define KERNEL_PROC_HANDLE_H

#include <stdint.h>

struct kobject {
	uint32_t type;
	volatile uint32_t refs;
	void (*release)(struct kobject *o);   /* at the last reference */
};

void kobject_init(struct kobject *o, uint32_t type, void (*release)(struct kobject *o));
void kobject_get(struct kobject *o);
void kobject_put(struct kobject *o);

#define HANDLE_MAX 1024

struct handle_entry {
	struct kobject *obj;
	uint32_t rights;
};

/* Protected by the owning process's lock. */
struct handle_table {
	struct handle_entry *slots;
	uint32_t size;                /* slots allocated */
	uint32_t used;
};

void handle_table_init(struct handle_table *t);
/* Drops every handle and frees the table. */
void handle_table_destroy(struct handle_table *t);
/* Adds a reference to o under a new handle (>= 0) or -ENOMEM / -EMFILE. */
int handle_add(struct handle_table *t, struct kobject *o, uint32_t rights);
/* The object behind h with a new reference (the caller puts it), if h is
 * valid, of the type (0: any) and has the rights; else NULL. */
struct kobject *handle_get(struct handle_table *t, int h, uint32_t type, uint32_t rights);
/* 0 or -EBADF. */
int handle_close(struct handle_table *t, int h);

#endif
