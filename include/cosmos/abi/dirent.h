/* getdents64(2) records and Linux's d_type values (the S_IF type >> 12). */
#ifndef COSMOS_ABI_DIRENT_H
#define COSMOS_ABI_DIRENT_H

#include <stdint.h>

/* Records are 8-byte aligned; d_reclen covers the NUL-terminated name and
 * padding; d_off is the position a later getdents64 resumes after it. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

#endif
