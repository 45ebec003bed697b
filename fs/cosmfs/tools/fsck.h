/* fsck for cosmfs: checks every invariant of the format (docs/cosmfs.md,
 * "What fsck checks") and repairs what it finds with repair set. Runs on
 * the host over a hostio device; the journal is replayed first (in memory
 * only when not repairing). */
#ifndef FS_COSMFS_TOOLS_FSCK_H
#define FS_COSMFS_TOOLS_FSCK_H

#include <stdbool.h>
#include <stdio.h>
#include <fs/cosmfs/tools/hostio.h>

/* exit codes, as e2fsck's */
#define FSCK_CLEAN 0
#define FSCK_FIXED 1
#define FSCK_LEFT  4
#define FSCK_FAIL  8

struct fsck_opts {
	bool repair;             /* -y: fix what can be fixed */
	FILE *out;               /* one line per problem and notice */
};

struct fsck_result {
	unsigned problems;       /* found */
	unsigned fixed;          /* of them, repaired (with repair) */
	unsigned notices;        /* not problems: a torn journal tail, replayed transactions */
};

/* Checks (and with repair, fixes) the file system on dev; returns an exit
 * code. With repair, the result is checked again afterwards, and
 * FSCK_LEFT returned if anything is still wrong. */
int cfs_fsck(struct host_dev *dev, const struct fsck_opts *o, struct fsck_result *r);

#endif
