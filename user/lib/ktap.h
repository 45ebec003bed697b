/* KTAP output on standard output (the format test/run.py reads from the
 * kernel too): a version line, a plan, one result line per test, and
 * diagnostics as lines starting with "# ". */
#ifndef USER_KTAP_H
#define USER_KTAP_H

#include <stdarg.h>
#include <stdbool.h>

void ktap_header(int count);
void ktap_result(bool ok, int number, const char *name);
/* A test that did not run here: "ok N name # SKIP reason". */
void ktap_skipped(int number, const char *name, const char *reason);
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ktap_vdiag(const char *fmt, va_list ap);

#endif
