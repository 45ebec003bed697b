/* The ChaCha20 block function and stream cipher of RFC 8439, in portable C:
 * the kernel's random-number generator is built on it, and host tests check
 * it against the RFC's vectors. */
#ifndef LIB_CHACHA20_H
#define LIB_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_BYTES   32
#define CHACHA20_NONCE_BYTES 12
#define CHACHA20_BLOCK_BYTES 64

/* One 64-byte keystream block for (key, counter, nonce), RFC 8439 §2.3. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_BYTES], uint8_t out[CHACHA20_BLOCK_BYTES]);

/* out = in XOR the keystream starting at block `counter` (§2.4); in may be
 * NULL for the bare keystream. in and out may be the same buffer. The
 * caller keeps len below 2^32 blocks from counter (the counter never wraps
 * inside one call: the bytes past the wrap are left untouched and the
 * return value is the number of bytes produced). */
size_t chacha20_xor(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_BYTES], const uint8_t *in,
		    uint8_t *out, size_t len);

#endif
