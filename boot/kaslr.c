/* Entropy for the kernel's place (KASLR), best source first: the
 * firmware's EFI_RNG_PROTOCOL, the CPU's RDSEED, its RDRAND, and last the
 * time-stamp counter, which someone who knows the machine can guess. */
#include "loader.h"

#define HW_TRIES 16   /* RDRAND/RDSEED may fail for a moment under load */

static int firmware_rng(uint64_t *v)
{
	EFI_GUID guid = EFI_RNG_PROTOCOL_GUID;
	EFI_RNG_PROTOCOL *rng;

	if (EFI_ERROR(BS->LocateProtocol(&guid, 0, (void **)&rng)) || !rng)
		return 0;
	return !EFI_ERROR(rng->GetRNG(rng, 0, sizeof(*v), (UINT8 *)v));
}

static int rdseed(uint64_t *v)
{
	uint32_t a, b, c, d;
	unsigned char ok = 0;

	cpuid(0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, &a, &b, &c, &d);
	if (!(b & (1u << 18)))
		return 0;
	for (int i = 0; i < HW_TRIES && !ok; i++)
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static int rdrand(uint64_t *v)
{
	uint32_t a, b, c, d;
	unsigned char ok = 0;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 30)))
		return 0;
	for (int i = 0; i < HW_TRIES && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

/* splitmix64's finaliser: every bit of the counter reaches the low bits
 * that pick the place. */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t kaslr_random(uint32_t first, uint32_t *source)
{
	uint64_t v = 0;

	if (first <= BOOT_KASLR_FIRMWARE && firmware_rng(&v))
		*source = BOOT_KASLR_FIRMWARE;
	else if (first <= BOOT_KASLR_RDSEED && rdseed(&v))
		*source = BOOT_KASLR_RDSEED;
	else if (first <= BOOT_KASLR_RDRAND && rdrand(&v))
		*source = BOOT_KASLR_RDRAND;
	else {
		v = mix(rdtsc());
		*source = BOOT_KASLR_TSC;
	}
	return v;
}
