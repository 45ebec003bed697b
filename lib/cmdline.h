/* Kernel command-line parsing: words separated by spaces, each either a flag
 * ("quiet") or key=value ("ktest=all"); values may be double-quoted to hold
 * spaces. Options track whether anyone asked for them, so the kernel can
 * report the ones nobody knows. Host-tested. */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX_LEN  1024
#define CMDLINE_MAX_OPTS 64

struct cmdline_opt {
	const char *key;
	const char *value;       /* NULL for a flag */
	bool used;
};

struct cmdline {
	char buf[CMDLINE_MAX_LEN];
	struct cmdline_opt opts[CMDLINE_MAX_OPTS];
	unsigned count;
};

/* 0, or -E2BIG (too long / too many options) or -EINVAL (empty key, unclosed
 * quote, bad character). On error cl holds no options. */
int cmdline_parse(struct cmdline *cl, const char *text);

/* The value of the last "key=value" (later words override earlier ones);
 * "" for a flag; NULL if absent. Marks the option used. */
const char *cmdline_get(struct cmdline *cl, const char *key);
bool cmdline_has(struct cmdline *cl, const char *key);

/* Parses a decimal or 0x-hex value; 0 on success, -EINVAL otherwise. */
int cmdline_get_u64(struct cmdline *cl, const char *key, unsigned long long *out);

/* Calls fn for each option never asked for. */
void cmdline_for_unused(struct cmdline *cl, void (*fn)(const struct cmdline_opt *o, void *ctx), void *ctx);

/* Splits s in place into words separated by blanks; a word may be
 * single-quoted to hold blanks (init="/bin/sh -c 'echo hi'"). Stores up to
 * max pointers and returns the number of words, or -E2BIG (more than max)
 * or -EINVAL (an unclosed quote). */
int cmdline_split_words(char *s, char **words, int max);

/* Is word one of the comma-separated items of list ("a,b,c")? */
bool cmdline_list_has(const char *list, const char *word);

#endif
