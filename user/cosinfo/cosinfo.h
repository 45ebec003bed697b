/* cosinfo: what its parts share. main.c picks the sections; read.c reads
 * the kernel's files (under a root prefix, so tests can hand it a made-up
 * /proc and /sys); cpu.c, mem.c, pci.c, block.c and kernel.c are the
 * sections; pci_names.c names PCI classes, vendors and capabilities. */
#ifndef COSINFO_H
#define COSINFO_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* read.c */
extern const char *root_prefix;          /* "" or -r DIR */

/* The path of a kernel file under the root prefix (a static buffer per
 * call slot: at most 4 in use at once). */
const char *kpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads a whole file (at most max bytes, NUL added) into a malloc'ed
 * buffer; NULL with errno on failure. *len gets the length if not NULL.
 * /proc/cpuinfo and /proc/meminfo come from the kernel services' channel
 * when init passed one on (then reports_from_service is set). */
char *read_file(const char *path, size_t max, size_t *len);
extern bool reports_from_service;
/* The first line of a small file, blanks trimmed, into buf; false if it
 * cannot be read. */
bool read_line(const char *path, char *buf, size_t size);
/* A number in a small file (0x... hex, else decimal); false if missing or not a number. */
bool read_u64(const char *path, uint64_t *value);
/* The entries of a directory not starting with '.', sorted; NULL (errno
 * set) if it cannot be opened. free_list frees them. */
char **list_dir(const char *path, size_t *count);
void free_list(char **names, size_t count);
/* Says a file or directory is missing and why. */
void missing(const char *path, int err);

/* Parses a whole string as a number (base 0: 0x for hex); false if it is
 * not one or does not fit. */
bool parse_u64(const char *s, int base, uint64_t *value);
/* "4 KiB", "1.5 GiB": a byte count in the largest binary unit that fits. */
const char *human_size(uint64_t bytes, char *buf, size_t size);
/* A "Key: value" line's value in /proc/cpuinfo or /proc/meminfo text, for
 * the first occurrence of key at or after from; NULL if absent. The value
 * is copied (trimmed) into buf. */
const char *field_value(const char *text, const char *key, char *buf, size_t size);

/* Prints words wrapped to the output width after an indent. */
void print_wrapped(const char *label, const char *words);
void section(const char *title);

/* The sections. */
void show_kernel(void);
void show_cpu(void);
void show_memory(void);
void show_pci(void);
void show_block(void);
/* lspci in busybox's format ("SLOT Class CCSS: VVVV:DDDD"), for a system
 * whose busybox has no lspci. */
int lspci_main(int argc, char **argv);

/* pci_names.c */
const char *pci_class_name(unsigned base, unsigned sub);
const char *pci_vendor_name(unsigned vendor);
const char *pci_cap_name(unsigned id);
const char *pci_ext_cap_name(unsigned id);

#endif
