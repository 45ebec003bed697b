/* The kernel's cryptographically secure random-number generator: ChaCha20
 * (RFC 8439) with fast key erasure, seeded from the CPU (RDSEED, RDRAND)
 * and timing jitter, reseeded every RANDOM_RESEED_NS or RANDOM_RESEED_BYTES.
 * It serves getrandom, /dev/random and /dev/urandom, ASLR and AT_RANDOM.
 * Callable from any context, interrupt handlers included; the first call
 * seeds it and logs the sources it used. */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#define RANDOM_RESEED_NS    (60ull * 1000000000ull)   /* as Linux's crng */
#define RANDOM_RESEED_BYTES (16ull << 20)

void random_bytes(void *buf, size_t len);
uint64_t random_u64(void);
/* Gathers fresh seed material and mixes it in now. */
void random_reseed(void);
/* Mixes caller data into the key (writes to /dev/random and /dev/urandom).
 * It can only add to what an attacker must guess, never replace it: the
 * old key stays part of the new one. */
void random_mix(const void *data, size_t len);

struct random_stats {
	uint64_t reseeds;
	uint64_t hw_seed_words;    /* RDSEED words mixed in */
	uint64_t hw_rand_words;    /* RDRAND words (when RDSEED failed) */
	uint64_t jitter_samples;
	uint64_t bytes;            /* handed out */
};
void random_get_stats(struct random_stats *s);

#endif
