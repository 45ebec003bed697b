/* The kernel CSPRNG (kernel/random.h). A 256-bit ChaCha20 key is the whole
 * secret state. Output is ChaCha20 keystream under that key, and every
 * refill replaces the key with the first 32 bytes of its own keystream
 * ("fast key erasure"), so a key read out of memory later reveals nothing
 * already handed out. Bytes waiting in the buffer are wiped as they go.
 *
 * Seeding: RDSEED words (RDRAND when RDSEED fails) and the cycle counter's
 * jitter around short pieces of work are absorbed into the key 32 bytes at
 * a time as key' = ChaCha20_block(key XOR chunk, i, "mix")[0..32], a PRF
 * evaluation whose key holds both the old secret and the new material.
 *
 * Locking: rng_lock (a spinlock: interrupt handlers may ask for bytes)
 * protects key, pool, pool_avail, seeded, the reseed clock and stats. Seed
 * material is gathered without it and mixed in under it. Large requests
 * take a one-time key under the lock and expand it outside. */
#include <kernel/random.h>
#include <hal/entropy.h>
#include <kernel/log.h>
#include <kernel/sync/spinlock.h>
#include <kernel/time.h>
#include <lib/chacha20.h>
#include <lib/string.h>

#define SEED_HW_WORDS   8        /* 512 bits from the CPU */
#define JITTER_SAMPLES  128
#define POOL_BYTES      (4 * CHACHA20_BLOCK_BYTES - CHACHA20_KEY_BYTES)
#define SMALL_REQUEST   CHACHA20_BLOCK_BYTES   /* served from the pool */
#define BULK_CHUNK      (1u << 20)             /* bytes per nonce in bulk */

static struct spinlock rng_lock = SPINLOCK_INIT("random");
static uint8_t key[CHACHA20_KEY_BYTES];
static uint8_t pool[POOL_BYTES];
static size_t pool_avail;            /* unread bytes at the end of pool */
static bool seeded;
static uint64_t last_reseed_ns, bytes_since_reseed;
static struct random_stats stats;

static const uint8_t output_nonce[CHACHA20_NONCE_BYTES];   /* all zero */
static const uint8_t mix_nonce[CHACHA20_NONCE_BYTES] = { 'm', 'i', 'x' };

static void wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static void mix_locked(const void *material, size_t n)
{
	const uint8_t *m = material;
	uint8_t k[CHACHA20_KEY_BYTES], out[CHACHA20_BLOCK_BYTES];

	for (size_t off = 0, i = 0; off < n; off += sizeof(k), i++) {
		size_t c = n - off < sizeof(k) ? n - off : sizeof(k);

		memcpy(k, key, sizeof(k));
		for (size_t j = 0; j < c; j++)
			k[j] ^= m[off + j];
		chacha20_block(k, (uint32_t)i, mix_nonce, out);
		memcpy(key, out, sizeof(key));
	}
	/* buffered output came from the old key: drop it */
	wipe(pool, sizeof(pool));
	pool_avail = 0;
	wipe(k, sizeof(k));
	wipe(out, sizeof(out));
}

struct seed {
	uint64_t hw[SEED_HW_WORDS];
	uint64_t jitter[JITTER_SAMPLES];
	uint64_t now_ns;
	unsigned hw_seed, hw_rand;
};

/* The time a ChaCha20 block takes varies with caches, interrupts and (in
 * an emulator) the host; the low bits of each interval are the entropy. */
static void gather_jitter(struct seed *s)
{
	uint8_t scratch[CHACHA20_BLOCK_BYTES] = { 0 };
	uint64_t prev = entropy_cycles();

	for (int i = 0; i < JITTER_SAMPLES; i++) {
		chacha20_block(scratch, (uint32_t)i, output_nonce, scratch);
		uint64_t now = entropy_cycles();
		s->jitter[i] = (now - prev) ^ (now << 32);
		prev = now;
	}
	wipe(scratch, sizeof(scratch));
}

static void gather(struct seed *s)
{
	s->hw_seed = s->hw_rand = 0;
	for (int i = 0; i < SEED_HW_WORDS; i++) {
		if (entropy_seed(&s->hw[i]))
			s->hw_seed++;
		else if (cpu_random(&s->hw[i]))
			s->hw_rand++;
		else
			s->hw[i] = 0;
	}
	gather_jitter(s);
	s->now_ns = time_ns();
}

void random_reseed(void)
{
	struct seed s;
	uint64_t f;
	bool first;

	gather(&s);
	f = spin_lock_irqsave(&rng_lock);
	mix_locked(&s, sizeof(s));
	first = !seeded;
	seeded = true;
	last_reseed_ns = time_ns();
	bytes_since_reseed = 0;
	stats.reseeds++;
	stats.hw_seed_words += s.hw_seed;
	stats.hw_rand_words += s.hw_rand;
	stats.jitter_samples += JITTER_SAMPLES;
	spin_unlock_irqrestore(&rng_lock, f);

	if (first && s.hw_seed + s.hw_rand == 0)
		log_warn("random: no RDSEED or RDRAND: seeded from %d timing-jitter samples only",
			 JITTER_SAMPLES);
	else if (first)
		log_info("random: ChaCha20, seeded from %u RDSEED and %u RDRAND words and %d jitter samples",
			 s.hw_seed, s.hw_rand, JITTER_SAMPLES);
	wipe(&s, sizeof(s));
}

void random_mix(const void *data, size_t len)
{
	const uint8_t *p = data;

	/* a piece at a time, so interrupts are never off for long */
	while (len) {
		size_t c = len < 256 ? len : 256;
		uint64_t f = spin_lock_irqsave(&rng_lock);

		mix_locked(p, c);
		spin_unlock_irqrestore(&rng_lock, f);
		p += c;
		len -= c;
	}
}

static bool reseed_due_locked(void)
{
	return !seeded || bytes_since_reseed >= RANDOM_RESEED_BYTES ||
	       time_ns() - last_reseed_ns >= RANDOM_RESEED_NS;
}

static void refill_locked(void)
{
	uint8_t ks[CHACHA20_KEY_BYTES + POOL_BYTES];

	chacha20_xor(key, 0, output_nonce, NULL, ks, sizeof(ks));
	memcpy(key, ks, sizeof(key));
	memcpy(pool, ks + sizeof(key), sizeof(pool));
	pool_avail = sizeof(pool);
	wipe(ks, sizeof(ks));
}

static void take_locked(uint8_t *out, size_t n)
{
	while (n) {
		if (!pool_avail)
			refill_locked();
		size_t c = n < pool_avail ? n : pool_avail;
		uint8_t *src = pool + sizeof(pool) - pool_avail;

		memcpy(out, src, c);
		wipe(src, c);
		pool_avail -= c;
		out += c;
		n -= c;
	}
}

/* Takes the lock with the generator seeded and not due for a reseed. */
static uint64_t lock_seeded(void)
{
	uint64_t f = spin_lock_irqsave(&rng_lock);

	if (reseed_due_locked()) {
		spin_unlock_irqrestore(&rng_lock, f);
		random_reseed();
		f = spin_lock_irqsave(&rng_lock);
	}
	return f;
}

void random_bytes(void *buf, size_t len)
{
	uint8_t one_time[CHACHA20_KEY_BYTES], nonce[CHACHA20_NONCE_BYTES] = { 0 };
	uint8_t *p = buf;
	uint64_t f = lock_seeded();

	bytes_since_reseed += len;
	stats.bytes += len;
	if (len <= SMALL_REQUEST) {
		take_locked(p, len);
		spin_unlock_irqrestore(&rng_lock, f);
		return;
	}
	take_locked(one_time, sizeof(one_time));
	spin_unlock_irqrestore(&rng_lock, f);

	/* each chunk its own nonce, so the block counter never wraps */
	for (uint64_t chunk = 0; len; chunk++) {
		size_t c = len < BULK_CHUNK ? len : BULK_CHUNK;

		for (int i = 0; i < 8; i++)
			nonce[i] = (uint8_t)(chunk >> (8 * i));
		chacha20_xor(one_time, 0, nonce, NULL, p, c);
		p += c;
		len -= c;
	}
	wipe(one_time, sizeof(one_time));
}

uint64_t random_u64(void)
{
	uint64_t v;

	random_bytes(&v, sizeof(v));
	return v;
}

void random_get_stats(struct random_stats *s)
{
	uint64_t f = spin_lock_irqsave(&rng_lock);

	*s = stats;
	spin_unlock_irqrestore(&rng_lock, f);
}
