/* CRC32C (Castagnoli), the checksum of every cosmfs metadata block and of
 * journal transactions. Portable C for the kernel and the host tools. */
#ifndef FS_COSMFS_CRC32C_H
#define FS_COSMFS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: start with crc32c(0, ...) for a plain CRC32C (the
 * usual ~0 pre- and post-conditioning happens inside). */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
