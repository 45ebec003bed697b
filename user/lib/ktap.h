/* KTAP output on standard output (the format test/run.py reads from the
 * kernel too): a version line, a plan, one result line per test, and
 * diagnostics as lines starting with "# ". */
#ifndef USER_KTAP_H
#define USER_KTAP_H

#include <stdarg.h>
#include <stdbool.h>

void ktap_header(int count);
void ktap_result(bool ok, int number, const char *name);
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ktap_vdiag(const char *fmt, va_list ap);

#endif
