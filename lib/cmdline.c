/* The command-line parser. It copies the text into its own buffer and splits
 * it in place, so the options stay valid for the kernel's lifetime. */
#include <lib/cmdline.h>
#include <cosmos/errno.h>

static bool is_space(char c) { return c == ' ' || c == '\t'; }

int cmdline_parse(struct cmdline *cl, const char *text)
{
	size_t in = 0, out = 0;

	cl->count = 0;
	for (;;) {
		while (is_space(text[in]))
			in++;
		if (!text[in])
			return 0;
		if (cl->count == CMDLINE_MAX_OPTS)
			goto too_big;

		struct cmdline_opt *o = &cl->opts[cl->count];
		bool quoted = false, in_value = false;

		o->key = &cl->buf[out];
		o->value = 0;
		o->used = false;
		for (; text[in] && (quoted || !is_space(text[in])); in++) {
			char c = text[in];

			if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
				goto invalid;
			if (c == '"' && in_value) {
				quoted = !quoted;
				continue;
			}
			if (out + 2 >= CMDLINE_MAX_LEN)
				goto too_big;
			if (c == '=' && !in_value) {
				in_value = true;
				cl->buf[out++] = 0;
				o->value = &cl->buf[out];
				continue;
			}
			if (c == '"')
				goto invalid; /* quotes only inside values */
			cl->buf[out++] = c;
		}
		if (quoted || o->key[0] == 0)
			goto invalid;
		cl->buf[out++] = 0;
		cl->count++;
	}
too_big:
	cl->count = 0;
	return -E2BIG;
invalid:
	cl->count = 0;
	return -EINVAL;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

const char *cmdline_get(struct cmdline *cl, const char *key)
{
	const char *v = 0;

	for (unsigned i = 0; i < cl->count; i++) {
		if (str_eq(cl->opts[i].key, key)) {
			cl->opts[i].used = true;
			v = cl->opts[i].value ? cl->opts[i].value : "";
		}
	}
	return v;
}

bool cmdline_has(struct cmdline *cl, const char *key)
{
	return cmdline_get(cl, key) != 0;
}

int cmdline_get_u64(struct cmdline *cl, const char *key, unsigned long long *out)
{
	const char *v = cmdline_get(cl, key);
	unsigned long long n = 0;
	unsigned base = 10;

	if (!v || !*v)
		return -EINVAL;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
		if (!*v)
			return -EINVAL;
	}
	for (; *v; v++) {
		unsigned d;

		if (*v >= '0' && *v <= '9')
			d = (unsigned)(*v - '0');
		else if (base == 16 && (*v | 0x20) >= 'a' && (*v | 0x20) <= 'f')
			d = (unsigned)((*v | 0x20) - 'a' + 10);
		else
			return -EINVAL;
		if (n > (~0ULL - d) / base)
			return -EINVAL; /* overflow */
		n = n * base + d;
	}
	*out = n;
	return 0;
}

void cmdline_for_unused(struct cmdline *cl, void (*fn)(const struct cmdline_opt *o, void *ctx), void *ctx)
{
	for (unsigned i = 0; i < cl->count; i++)
		if (!cl->opts[i].used)
			fn(&cl->opts[i], ctx);
}

bool cmdline_list_has(const char *list, const char *word)
{
	while (list && *list) {
		const char *w = word;

		while (*list && *list != ',' && *list == *w)
			list++, w++;
		if ((*list == ',' || !*list) && !*w)
			return true;
		while (*list && *list != ',')
			list++;
		if (*list == ',')
			list++;
	}
	return false;
}

int cmdline_split_words(char *s, char **words, int max)
{
	int n = 0;

	for (;;) {
		char *out;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return -E2BIG;
		words[n++] = out = s;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\'') {
				char *close = s + 1;

				while (*close && *close != '\'')
					close++;
				if (!*close)
					return -EINVAL;
				for (char *q = s + 1; q < close; q++)
					*out++ = *q;
				s = close + 1;
			} else {
				*out++ = *s++;
			}
		}
		if (*s)
			s++;
		*out = 0;
	}
}
