/* ChaCha20 (RFC 8439): 20 rounds of quarter-rounds over a 4x4 matrix of
 * 32-bit words holding the constants, key, block counter and nonce. */
#include <lib/chacha20.h>

static inline uint32_t rotl32(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static inline uint32_t load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#define QR(a, b, c, d)                                   \
	do {                                             \
		a += b; d ^= a; d = rotl32(d, 16);       \
		c += d; b ^= c; b = rotl32(b, 12);       \
		a += b; d ^= a; d = rotl32(d, 8);        \
		c += d; b ^= c; b = rotl32(b, 7);        \
	} while (0)

void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_BYTES], uint8_t out[CHACHA20_BLOCK_BYTES])
{
	uint32_t s[16], x[16];

	/* "expand 32-byte k" */
	s[0] = 0x61707865;
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		s[4 + i] = load32_le(key + 4 * i);
	s[12] = counter;
	for (int i = 0; i < 3; i++)
		s[13 + i] = load32_le(nonce + 4 * i);

	for (int i = 0; i < 16; i++)
		x[i] = s[i];
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);     /* columns */
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);    /* diagonals */
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		store32_le(out + 4 * i, x[i] + s[i]);
	/* the working state is key material: do not leave it on the stack */
	for (int i = 0; i < 16; i++)
		((volatile uint32_t *)x)[i] = 0;
}

size_t chacha20_xor(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_BYTES], const uint8_t *in,
		    uint8_t *out, size_t len)
{
	uint8_t ks[CHACHA20_BLOCK_BYTES];
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(ks) ? len - done : sizeof(ks);

		chacha20_block(key, counter, nonce, ks);
		for (size_t i = 0; i < n; i++)
			out[done + i] = (uint8_t)((in ? in[done + i] : 0) ^ ks[i]);
		done += n;
		if (++counter == 0)
			break;
	}
	for (size_t i = 0; i < sizeof(ks); i++)
		((volatile uint8_t *)ks)[i] = 0;
	return done;
}
