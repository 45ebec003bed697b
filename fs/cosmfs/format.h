/* The cosmfs on-disk format: every structure that reaches the disk, with
 * its size checked at compile time. docs/cosmfs.md describes each field.
 * Integers are little-endian; the code reads the structures in place, so
 * it builds only for little-endian CPUs (the kernel and the host tools
 * are both x86-64). */
#ifndef FS_COSMFS_FORMAT_H
#define FS_COSMFS_FORMAT_H

#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cosmfs reads its structures in place");

#define CFS_BLOCK_SIZE  4096u
#define CFS_BLOCK_SHIFT 12
#define CFS_VERSION     1

/* Magic numbers, one per kind of metadata block ("CFS" and a letter). */
#define CFS_MAGIC_SUPER   0x53534643u   /* "CFSS" superblock and its backup */
#define CFS_MAGIC_GROUPS  0x47534643u   /* "CFSG" group descriptor table */
#define CFS_MAGIC_BITMAP  0x42534643u   /* "CFSB" block or inode bitmap */
#define CFS_MAGIC_EXTENT  0x58534643u   /* "CFSX" extent tree node */
#define CFS_MAGIC_DIR     0x44534643u   /* "CFSD" directory tree node */
#define CFS_MAGIC_JSUPER  0x4a534643u   /* "CFSJ" journal superblock */
#define CFS_MAGIC_JDESC   0x64534643u   /* "CFSd" journal descriptor */
#define CFS_MAGIC_JCOMMIT 0x63534643u   /* "CFSc" journal commit */

/* Every metadata block but the inode table and symlink targets (whose
 * checksums live in the inodes) starts with this header. The
 * checksum covers the whole block (with crc itself read as zero), seeded
 * with the UUID; blockno catches a block written to the wrong place; owner
 * is the inode a block belongs to (0 for the file system's own). */
struct cfs_bhdr {
	uint32_t magic;
	uint32_t crc;
	uint64_t blockno;
	uint64_t owner;
	uint32_t seq;            /* journal blocks: the transaction; else 0 */
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_bhdr) == 32, "bhdr");

/* Feature flags. A file system with an incompatible bit this code does not
 * know is refused; with an unknown read-only-compatible bit it is mounted
 * read-only; unknown compatible bits are ignored. Version 1 defines none. */
#define CFS_FEAT_COMPAT_KNOWN    0u
#define CFS_FEAT_RO_COMPAT_KNOWN 0u
#define CFS_FEAT_INCOMPAT_KNOWN  0u

/* state bits */
#define CFS_STATE_CLEAN  0x1    /* unmounted cleanly: nothing to replay */
#define CFS_STATE_ERRORS 0x2    /* corruption was seen: run fsck */

#define CFS_LABEL_MAX 32

struct cfs_super {
	struct cfs_bhdr h;               /* CFS_MAGIC_SUPER; blockno 0, or the last block */
	uint32_t version;
	uint32_t block_size;
	uint32_t feature_compat;
	uint32_t feature_ro_compat;
	uint32_t feature_incompat;
	uint32_t state;
	uint64_t block_count;
	uint64_t inode_count;
	uint32_t blocks_per_group;
	uint32_t inodes_per_group;
	uint32_t group_count;
	uint32_t gdt_blocks;
	uint64_t gdt_start;
	uint64_t journal_start;
	uint32_t journal_blocks;
	uint32_t root_ino;
	uint64_t free_blocks;            /* as of the last sync: a hint */
	uint64_t free_inodes;
	uint8_t uuid[16];
	uint8_t hash_seed[16];           /* key of the directory name hash */
	char label[CFS_LABEL_MAX];       /* NUL-padded, not necessarily terminated */
	int64_t mkfs_time;               /* seconds since 1970 */
	int64_t mount_time;
	int64_t write_time;
	uint32_t mount_count;
	uint32_t error_count;
	uint64_t orphan_head;            /* first inode of the orphan list, 0: none */
	int64_t first_error_time;
	uint64_t first_error_block;
	uint64_t first_error_ino;
	int64_t last_error_time;
	uint64_t last_error_block;
	uint64_t last_error_ino;
	uint8_t reserved[CFS_BLOCK_SIZE - 280];
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_super) == CFS_BLOCK_SIZE, "super");

/* One group: its bitmaps and inode table, and free counts. */
struct cfs_group {
	uint64_t block_bitmap;
	uint64_t inode_bitmap;
	uint64_t inode_table;
	uint32_t free_blocks;
	uint16_t free_inodes;
	uint16_t dirs;
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_group) == 32, "group");

#define CFS_GROUPS_PER_BLOCK ((CFS_BLOCK_SIZE - sizeof(struct cfs_bhdr)) / sizeof(struct cfs_group))
/* A bitmap block: the header, then one bit per block (or inode) of its
 * group, bit i of byte i/8 for the group's i-th. */
#define CFS_BITMAP_BYTES (CFS_BLOCK_SIZE - sizeof(struct cfs_bhdr))
#define CFS_BITS_PER_BITMAP (CFS_BITMAP_BYTES * 8)     /* 32512 */

/* ---- inodes ---- */

/* File types and permission bits in mode: Linux's values. */
#define CFS_S_IFMT   0170000u
#define CFS_S_IFSOCK 0140000u
#define CFS_S_IFLNK  0120000u
#define CFS_S_IFREG  0100000u
#define CFS_S_IFBLK  0060000u
#define CFS_S_IFDIR  0040000u
#define CFS_S_IFCHR  0020000u
#define CFS_S_IFIFO  0010000u
/* getdents64 types (DT_*): the file type bits shifted down */
#define CFS_DT(mode) (((mode) >> 12) & 15u)

#define CFS_INODE_SIZE       256u
#define CFS_INODES_PER_BLOCK (CFS_BLOCK_SIZE / CFS_INODE_SIZE)
#define CFS_ROOT_INO         1u

/* inode flags */
#define CFS_IFL_INLINE 0x1      /* symlink target stored in data[] */

/* The root of an extent tree, in the inode or at the start of a node
 * after the block header. */
struct cfs_xhdr {
	uint16_t magic;          /* CFS_XHDR_MAGIC */
	uint16_t count;          /* entries in use */
	uint16_t max;            /* entries that fit */
	uint16_t depth;          /* 0: entries are extents; else index entries */
	uint32_t reserved[2];
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_xhdr) == 16, "xhdr");
#define CFS_XHDR_MAGIC 0xf30a
#define CFS_EXTENT_DEPTH_MAX 5

/* A run of blocks: file blocks [lblk, lblk + len) live at [pblk, pblk + len). */
struct cfs_extent {
	uint32_t lblk;
	uint32_t len;
	uint64_t pblk;
} __attribute__((packed));
/* An index entry: the subtree at child holds the extents from lblk on. */
struct cfs_xidx {
	uint32_t lblk;
	uint32_t reserved;
	uint64_t child;
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_extent) == 16 && sizeof(struct cfs_xidx) == 16, "extent");

#define CFS_INODE_DATA 128u
#define CFS_ROOT_EXTENTS ((CFS_INODE_DATA - sizeof(struct cfs_xhdr)) / sizeof(struct cfs_extent))   /* 7 */
#define CFS_NODE_EXTENTS ((CFS_BLOCK_SIZE - sizeof(struct cfs_bhdr) - sizeof(struct cfs_xhdr)) / sizeof(struct cfs_extent))  /* 253 */
#define CFS_MAX_FILE_BLOCKS (1ull << 32)
#define CFS_MAX_FILE_SIZE (CFS_MAX_FILE_BLOCKS * CFS_BLOCK_SIZE)   /* 16 TiB */
#define CFS_EXTENT_LEN_MAX (1u << 30)

struct cfs_dinode {
	uint32_t mode;           /* S_IF* type and permission bits, Linux's values */
	uint32_t flags;          /* CFS_IFL_* */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t generation;
	uint64_t size;           /* bytes */
	uint64_t blocks;         /* 4 KiB blocks held: data and tree nodes */
	int64_t atime, mtime, ctime, crtime;       /* seconds since 1970 */
	uint32_t atime_ns, mtime_ns, ctime_ns, crtime_ns;
	uint32_t rdev;           /* device nodes: major << 20 | minor */
	uint32_t crc;            /* over the 256 bytes with crc read as 0, seeded
				    with the UUID and the inode number */
	uint64_t parent;         /* directories: the parent's inode ("..") */
	uint64_t orphan_next;    /* the next inode on the orphan list, 0: last */
	uint64_t entries;        /* directories: names in it */
	uint32_t link_crc;       /* symlinks in a block: CRC32C of that block */
	uint32_t reserved;
	uint8_t data[CFS_INODE_DATA];   /* extent root, or an inline symlink target */
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_dinode) == CFS_INODE_SIZE, "dinode");
#define CFS_INLINE_SYMLINK_MAX CFS_INODE_DATA
#define CFS_SYMLINK_MAX (CFS_BLOCK_SIZE - 1)    /* longer targets take a block */
#define CFS_LINK_MAX 65000u

/* ---- directories ----
 * A directory is a B+tree over a 62-bit keyed hash of the names, stored in
 * the directory's own file blocks; file block 0 is the root. Leaves hold
 * entries sorted by hash and are chained in hash order for readdir. */
struct cfs_dnode {
	struct cfs_bhdr h;       /* CFS_MAGIC_DIR, owner = the directory */
	uint16_t level;          /* 0: leaf */
	uint16_t count;          /* entries */
	uint16_t used;           /* leaf: bytes of the entry area in use */
	uint16_t reserved;
	uint32_t next;           /* leaf: file block of the next leaf, 0: last */
	uint32_t reserved2;
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_dnode) == 48, "dnode");
#define CFS_DNODE_AREA (CFS_BLOCK_SIZE - sizeof(struct cfs_dnode))

/* A leaf entry: 18 bytes and the name, padded to 8. */
struct cfs_dirent {
	uint64_t hash;
	uint64_t ino;
	uint8_t name_len;
	uint8_t type;            /* DT_* of the inode, as getdents reports it */
	char name[];
} __attribute__((packed));
#define CFS_DIRENT_HDR 18u
#define CFS_DIRENT_SIZE(len) ((CFS_DIRENT_HDR + (len) + 7u) & ~7u)
#define CFS_NAME_MAX 255u

/* An index entry: the child subtree holds hashes from hash on. */
struct cfs_dindex {
	uint64_t hash;
	uint32_t child;          /* file block of the child */
	uint32_t reserved;
} __attribute__((packed));
#define CFS_DINDEX_MAX (CFS_DNODE_AREA / sizeof(struct cfs_dindex))   /* 253 */
#define CFS_DIR_DEPTH_MAX 6
#define CFS_DIR_HASH_MASK ((1ull << 62) - 1)

/* ---- the journal ----
 * A circular area: block 0 is the journal superblock, blocks 1.. hold
 * transactions: descriptor blocks each followed by the blocks they list,
 * then a commit block. */
struct cfs_jsuper {
	struct cfs_bhdr h;       /* CFS_MAGIC_JSUPER */
	uint32_t tail_seq;       /* the first transaction to replay */
	uint32_t tail;           /* its first block, 1 .. journal_blocks-1 */
	uint32_t blocks;         /* the journal's size (equals the superblock's) */
	uint32_t reserved[5];
} __attribute__((packed));

/* A copy's tag. Copies never need escaping: replay reads a block as a
 * descriptor or commit only where the previous transaction ended. */
struct cfs_jtag {
	uint64_t home;           /* where the block belongs */
	uint32_t reserved;
	uint32_t crc;            /* of the copy, seeded like block checksums */
} __attribute__((packed));
_Static_assert(sizeof(struct cfs_jtag) == 16, "jtag");

struct cfs_jdesc {
	struct cfs_bhdr h;       /* CFS_MAGIC_JDESC, seq = the transaction */
	uint32_t count;          /* tags in this block */
	uint32_t reserved[3];
	struct cfs_jtag tags[];
} __attribute__((packed));
#define CFS_JTAGS_PER_DESC ((CFS_BLOCK_SIZE - 48) / sizeof(struct cfs_jtag))   /* 253 */

struct cfs_jcommit {
	struct cfs_bhdr h;       /* CFS_MAGIC_JCOMMIT, seq = the transaction */
	uint32_t blocks;         /* descriptor and copy blocks before this one */
	uint32_t data_crc;       /* CRC32C of those blocks in order */
	int64_t time;
	uint32_t reserved[2];
} __attribute__((packed));

#endif
