/* The CMOS real-time clock: wall-clock time at boot. */
#ifndef HAL_RTC_H
#define HAL_RTC_H

#include <stdint.h>
#include <cosmos/compiler.h>

struct rtc_time {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
};

/* Reads a consistent snapshot; 0, or -EIO if the clock never settles or
 * holds impossible values. century_reg is the FADT's CMOS index (0: none). */
int rtc_read(struct rtc_time *t, uint8_t century_reg) __must_check;
/* Seconds since 1970-01-01 00:00 UTC. */
int64_t rtc_to_unix(const struct rtc_time *t);

#endif
