/* Intrusive doubly linked circular lists (run queues, wait queues, the
 * thread and process tables, ...). The caller provides the locking. */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *prev, *next;
};

#define LIST_INIT(name) { &(name), &(name) }
#define list_entry(node, type, member) \
	((type *)((char *)(node) - offsetof(type, member)))
#define list_for_each(pos, head) \
	for (struct list_node *pos = (head)->next; pos != (head); pos = pos->next)

static inline void list_init(struct list_node *l) { l->prev = l->next = l; }
static inline bool list_empty(const struct list_node *l) { return l->next == l; }

/* Inserts n first (right after head). */
static inline void list_add(struct list_node *head, struct list_node *n)
{
	n->prev = head;
	n->next = head->next;
	head->next->prev = n;
	head->next = n;
}

/* Inserts n last (right before head). */
static inline void list_add_tail(struct list_node *head, struct list_node *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* Unlinks and returns the first node, or NULL. */
static inline struct list_node *list_pop(struct list_node *head)
{
	struct list_node *n = head->next;

	if (n == head)
		return NULL;
	list_del(n);
	return n;
}

#endif
