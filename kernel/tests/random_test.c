/* In-kernel tests of the CSPRNG: outputs differ from call to call and from
 * chunk to chunk of one large request, look uniform (bit and byte counts),
 * and reseeding happens on request and after RANDOM_RESEED_BYTES. */
#include <kernel/ktest.h>
#include <kernel/kbench.h>
#include <kernel/mm/heap.h>
#include <kernel/random.h>
#include <kernel/time.h>
#include <lib/string.h>

static unsigned bits_set(uint8_t v)
{
	unsigned n = 0;

	for (; v; v &= (uint8_t)(v - 1))
		n++;
	return n;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

KTEST(random_calls_differ)
{
	uint8_t a[32], b[32], c[200], d[200];

	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	KT_EXPECT(t, !all_zero(a, sizeof(a)));
	KT_EXPECT(t, memcmp(a, b, sizeof(a)) != 0);
	random_bytes(c, sizeof(c));   /* the one-time-key path */
	random_bytes(d, sizeof(d));
	KT_EXPECT(t, !all_zero(c + 150, 50));
	KT_EXPECT(t, memcmp(c, d, sizeof(c)) != 0);
	KT_EXPECT(t, memcmp(c, c + 64, 64) != 0);
}

KTEST(random_u64_distinct)
{
	uint64_t v[64];

	for (int i = 0; i < 64; i++)
		v[i] = random_u64();
	for (int i = 0; i < 64; i++)
		for (int j = i + 1; j < 64; j++)
			KT_EXPECT(t, v[i] != v[j]);
}

/* 16 KiB: the number of one bits is within 5 sigma of half, and a chi-square
 * over the 256 byte values stays far below what a skewed source gives
 * (255 degrees of freedom: mean 255, sd 22.6). */
KTEST(random_looks_uniform)
{
	enum { N = 16384 };
	uint8_t *buf = kmalloc(N);
	unsigned counts[256] = { 0 };
	uint64_t ones = 0, chi = 0;

	KT_ASSERT(t, buf != NULL);
	for (int i = 0; i < N; i += 16)
		random_bytes(buf + i, 16);          /* the pool path, block by block */
	for (int i = 0; i < N; i++) {
		counts[buf[i]]++;
		ones += bits_set(buf[i]);
	}
	/* mean N*4 = 65536, sd sqrt(N*8)/2 = 181 */
	KT_EXPECT(t, ones > 65536 - 905 && ones < 65536 + 905);
	for (int i = 0; i < 256; i++) {
		int64_t d = (int64_t)counts[i] - N / 256;
		chi += (uint64_t)(d * d);
	}
	chi /= N / 256;
	KT_EXPECT(t, chi < 400);
	kfree(buf);
}

/* A request larger than one bulk chunk: each chunk has its own nonce. */
KTEST(random_bulk_chunks_differ)
{
	size_t n = (1u << 20) + 64;
	uint8_t *buf = kmalloc(n);

	KT_ASSERT(t, buf != NULL);
	memset(buf, 0, n);
	random_bytes(buf, n);
	KT_EXPECT(t, memcmp(buf, buf + (1u << 20), 64) != 0);
	KT_EXPECT(t, !all_zero(buf + n - 32, 32));
	kfree(buf);
}

KTEST(random_reseeds)
{
	struct random_stats a, b;

	random_get_stats(&a);
	random_reseed();
	random_get_stats(&b);
	KT_EXPECT_EQ(t, b.reseeds, a.reseeds + 1);
	/* QEMU's -cpu max has RDSEED and RDRAND: every word came from the CPU */
	KT_EXPECT_EQ(t, (b.hw_seed_words + b.hw_rand_words) - (a.hw_seed_words + a.hw_rand_words), 8);
	KT_EXPECT(t, b.jitter_samples > a.jitter_samples);
}

KTEST(random_reseeds_after_volume)
{
	size_t n = 1u << 20;
	uint8_t *buf = kmalloc(n);
	struct random_stats a, b;

	KT_ASSERT(t, buf != NULL);
	random_reseed();
	random_get_stats(&a);
	for (uint64_t done = 0; done < RANDOM_RESEED_BYTES; done += n)
		random_bytes(buf, n);
	random_bytes(buf, 1);
	random_get_stats(&b);
	KT_EXPECT(t, b.reseeds > a.reseeds);
	KT_EXPECT(t, b.bytes - a.bytes == RANDOM_RESEED_BYTES + 1);
	kfree(buf);
}

KBENCH(random_bytes_4k)
{
	static uint8_t buf[4096];
	enum { ROUNDS = 256 };
	uint64_t t0 = time_ns();

	for (int i = 0; i < ROUNDS; i++)
		random_bytes(buf, sizeof(buf));
	uint64_t ns = time_ns() - t0;
	kbench_report("random_bytes_4k", ns / ROUNDS, 0, "ns");
	kbench_report("random_bytes_rate", ns ? (uint64_t)ROUNDS * 4096 * 1000000000ull / ns / 1024 : 0, 0, "KiB/s");
}
