/* The kernel log: "[seconds.micros] subsystem: message" lines with a level,
 * written to every registered console (serial first, screens later). */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stddef.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raw text, no timestamp or level: KTAP lines and multi-line reports. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* From now on lines are written without the log's lock: a panic has
 * stopped the other CPUs, which may have held it. */
void log_panic_mode(void);
void kputs(const char *s, size_t n);

#define log_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define log_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* Consoles register a writer; the log writes to all of them. */
typedef void (*log_sink_fn)(const char *s, size_t n);
int log_add_sink(log_sink_fn fn);

#endif
