/* cosinfo: what busybox does not show about the machine and the kernel,
 * read from /proc, /sys and uname. Installed also as lspci (Debian's
 * busybox has no lspci applet), which prints busybox lspci's format.
 *
 *     cosinfo [-r ROOT] [kernel|cpu|memory|pci|block]...   (default: all)
 *     lspci [-mk]
 *
 * -r reads ROOT/proc and ROOT/sys instead of /proc and /sys (the tests
 * hand it made-up trees). A missing file is reported and the rest shown. */
#include "cosinfo.h"

#include <libgen.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	void (*show)(void);
} sections[] = {
	{ "kernel", show_kernel }, { "cpu", show_cpu }, { "memory", show_memory },
	{ "pci", show_pci },       { "block", show_block },
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

static int usage(void)
{
	fprintf(stderr, "usage: cosinfo [-r ROOT] [kernel|cpu|memory|pci|block]...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (strcmp(basename(argv[0]), "lspci") == 0)
		return lspci_main(argc, argv);

	int opt;
	while ((opt = getopt(argc, argv, "r:h")) != -1) {
		if (opt == 'r')
			root_prefix = optarg;
		else
			return usage();
	}
	bool chosen[NSECTIONS] = { false };
	bool any = false;
	for (int i = optind; i < argc; i++) {
		size_t s = 0;
		while (s < NSECTIONS && strcmp(argv[i], sections[s].name) != 0)
			s++;
		if (s == NSECTIONS)
			return usage();
		chosen[s] = any = true;
	}
	/* Output goes through stdio; a line at a time, so a slow read later
	 * does not hold back what is known. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("cosinfo%s%s\n", root_prefix[0] ? ": files under " : "", root_prefix);
	for (size_t s = 0; s < NSECTIONS; s++)
		if (!any || chosen[s])
			sections[s].show();
	if (reports_from_service)
		printf("(CPU and memory reports through the kernel services' channel)\n");
	return 0;
}
