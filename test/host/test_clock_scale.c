/* Host tests for hal/vdso/clock_scale.h, the multiply-and-shift that turns
 * TSC ticks into nanoseconds for the kernel's clock and the vDSO: against
 * the exact quotient ticks * 1e9 / hz, at the rates calibration can
 * produce and over uptimes up to centuries, and never going back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <hal/vdso/clock_scale.h>

/* Rates from the PIT's (a 1.19 MHz TSC is absurd but must not break the
 * clock) to faster than any TSC today. */
static const uint64_t rates[] = {
	1193182, 100000000, 999999999, 1000000000, 1000000001, 2112000000,
	2494333000, 3000000000ull, 3700123456ull, 5800000000ull,
};

static uint64_t exact_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000u / hz);
}

/* The scaled clock stays within a billionth (the multiplier's rounding at
 * a 32-bit shift, below 0.5 / mult) plus the nanosecond the shift
 * truncates, at every rate and at uptimes from a tick to 100 years: no
 * overflow of the product however long the machine runs. */
static void test_close_to_exact(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		uint64_t hz = rates[r], mult = clock_scale_mult(hz);
		uint64_t century = (uint64_t)((unsigned __int128)hz * 3600 * 24 * 365 * 100 > UINT64_MAX
						      ? UINT64_MAX : hz * 3600ull * 24 * 365 * 100);

		assert_true(mult != 0);
		for (uint64_t ticks = 1; ticks && ticks <= century; ticks = ticks * 3 + 7) {
			uint64_t want = exact_ns(ticks, hz), got = clock_scale(ticks, mult, CLOCK_SCALE_SHIFT);
			uint64_t err = got > want ? got - want : want - got;

			if (err > want / 1000000000u + 1)
				fail_msg("%llu Hz, %llu ticks: %llu ns, exactly %llu", (unsigned long long)hz,
					 (unsigned long long)ticks, (unsigned long long)got,
					 (unsigned long long)want);
		}
	}
}

/* One more tick never gives an earlier time, anywhere in the range (near
 * the points where the shift's carry moves into the high word too). */
static void test_never_goes_back(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		uint64_t mult = clock_scale_mult(rates[r]);

		for (uint64_t start = 0; start < (1ull << 62); start = start * 2 + 12345) {
			uint64_t prev = clock_scale(start, mult, CLOCK_SCALE_SHIFT);

			for (uint64_t t = start + 1; t < start + 5000; t++) {
				uint64_t now = clock_scale(t, mult, CLOCK_SCALE_SHIFT);

				assert_true(now >= prev);
				prev = now;
			}
		}
	}
}

/* No usable clock: no rate, or one too fast for a nonzero multiplier. */
static void test_unusable_rates(void **state)
{
	(void)state;
	assert_int_equal(clock_scale_mult(0), 0);
	assert_int_equal(clock_scale_mult(UINT64_MAX), 0);
	assert_int_equal(clock_scale_mult((1000000000ull << CLOCK_SCALE_SHIFT) + 1), 0);
	assert_int_equal(clock_scale_mult(1000000000ull << CLOCK_SCALE_SHIFT), 1);
	assert_int_equal(clock_scale(123456789, 0, CLOCK_SCALE_SHIFT), 0);
	/* a 1 GHz TSC is exactly a nanosecond a tick */
	assert_int_equal(clock_scale_mult(1000000000), 1ull << CLOCK_SCALE_SHIFT);
	assert_int_equal(clock_scale(UINT64_MAX, 1ull << CLOCK_SCALE_SHIFT, CLOCK_SCALE_SHIFT),
			 UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_to_exact),
		cmocka_unit_test(test_never_goes_back),
		cmocka_unit_test(test_unusable_rates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
