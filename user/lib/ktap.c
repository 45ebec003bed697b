/* KTAP output (see ktap.h). */
#include "ktap.h"

#include "out.h"

#include <stdarg.h>
#include <stdio.h>

void ktap_header(int count)
{
	out_printf(1, "KTAP version 1\n1..%d\n", count);
}

void ktap_result(bool ok, int number, const char *name)
{
	out_printf(1, "%sok %d %s\n", ok ? "" : "not ", number, name);
}

void ktap_skipped(int number, const char *name, const char *reason)
{
	out_printf(1, "ok %d %s # SKIP %s\n", number, name, reason);
}

void ktap_vdiag(const char *fmt, va_list ap)
{
	char line[1000];

	vsnprintf(line, sizeof line, fmt, ap);
	out_printf(1, "# %s\n", line);
}

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vdiag(fmt, ap);
	va_end(ap);
}
