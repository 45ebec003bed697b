/* The inittab parser: a subset of busybox's format, "id:runlevels:action:process"
 * one entry a line, described in docs/userland.md. It takes a buffer and a
 * length; every field is checked before it is stored. */
#include "init.h"

#include <string.h>

static const char *const action_names[] = {
	[ACT_SYSINIT] = "sysinit",
	[ACT_RESPAWN] = "respawn",
	[ACT_ONCE] = "once",
	[ACT_SHUTDOWN] = "shutdown",
	[ACT_CTRLALTDEL] = "ctrlaltdel",
};

const char *action_name(enum action_kind kind)
{
	return action_names[kind];
}

const char *action_where(const struct action *a)
{
	return a->tty[0] ? a->tty : "the console";
}

const char *action_command(const struct action *a)
{
	return a->cmd + (a->cmd[0] == '-');
}

/* A terminal name under /dev: letters, digits, '.', '_', '-' and '/' for
 * subdirectories ("pts/0"), not empty, no "..", no leading '/'. */
static bool valid_tty(const char *s, size_t len)
{
	if (len == 0 || len >= INITTAB_TTY_MAX || s[0] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/';
		if (!ok || (c == '.' && i + 1 < len && s[i + 1] == '.'))
			return false;
	}
	return true;
}

static bool printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return false;
	return true;
}

/* Splits one line (no newline, not a comment) into an action. Returns NULL
 * on success or why the line is refused. */
static const char *parse_line(const char *s, size_t len, struct action *a)
{
	const char *field[4];
	size_t flen[4];
	size_t start = 0;

	/* The first three fields end at a ':'; the process takes the rest, so
	 * it may hold colons of its own. */
	for (int f = 0; f < 3; f++) {
		const char *colon = memchr(s + start, ':', len - start);
		if (!colon)
			return "expected id:runlevels:action:process";
		field[f] = s + start;
		flen[f] = (size_t)(colon - field[f]);
		start += flen[f] + 1;
	}
	field[3] = s + start;
	flen[3] = len - start;
	while (flen[3] && (field[3][0] == ' ' || field[3][0] == '\t'))
		field[3]++, flen[3]--;
	while (flen[3] && (field[3][flen[3] - 1] == ' ' || field[3][flen[3] - 1] == '\t'))
		flen[3]--;

	/* The runlevels field (field 1) is accepted and ignored, as busybox does. */
	const char *id = field[0];
	size_t idlen = flen[0];
	if (idlen >= 5 && memcmp(id, "/dev/", 5) == 0)
		id += 5, idlen -= 5;
	if (idlen && !valid_tty(id, idlen))
		return "bad terminal name";

	int kind = -1;
	for (size_t k = 0; k < sizeof action_names / sizeof action_names[0]; k++)
		if (strlen(action_names[k]) == flen[2] && memcmp(action_names[k], field[2], flen[2]) == 0)
			kind = (int)k;
	if (kind < 0)
		return "unknown action (sysinit, respawn, once, shutdown, ctrlaltdel)";

	if (flen[3] == 0 || (flen[3] == 1 && field[3][0] == '-'))
		return "no process";
	if (flen[3] >= INITTAB_CMD_MAX)
		return "process too long";
	if (!printable(field[3], flen[3]))
		return "control character in process";

	memset(a, 0, sizeof *a);
	a->kind = (enum action_kind)kind;
	memcpy(a->tty, id, idlen);
	memcpy(a->cmd, field[3], flen[3]);
	return NULL;
}

int inittab_parse(const char *text, size_t len, struct inittab *tab)
{
	int bad = 0, lineno = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		lineno++;

		while (n && (s[0] == ' ' || s[0] == '\t'))
			s++, n--;
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0 || s[0] == '#')
			continue;

		const char *why;
		struct action a;
		if (n > INITTAB_MAX_LINE)
			why = "line too long";
		else if (memchr(s, '\0', n))
			why = "NUL byte in line";
		else if (tab->count >= INITTAB_MAX_ACTIONS)
			why = "too many entries";
		else
			why = parse_line(s, n, &a);
		if (why) {
			say("inittab line %d: %s; line ignored", lineno, why);
			bad++;
			continue;
		}
		a.line = lineno;
		tab->action[tab->count++] = a;
	}
	return bad;
}
