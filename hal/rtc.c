/* CMOS RTC reading. The chip updates its registers once a second; a read
 * that straddles an update is torn, so we read until two snapshots agree. */
#include <hal/rtc.h>
#include <hal/cpu.h>
#include <cosmos/errno.h>

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg | 0x80);   /* bit 7 keeps NMIs masked while we read */
	return inb(0x71);
}

static void snapshot(uint8_t r[7], uint8_t century_reg)
{
	for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
		;   /* update in progress */
	r[0] = cmos(0x00);
	r[1] = cmos(0x02);
	r[2] = cmos(0x04);
	r[3] = cmos(0x07);
	r[4] = cmos(0x08);
	r[5] = cmos(0x09);
	r[6] = century_reg ? cmos(century_reg) : 0;
}

static uint8_t bcd(uint8_t v) { return (uint8_t)((v >> 4) * 10 + (v & 15)); }

int rtc_read(struct rtc_time *t, uint8_t century_reg)
{
	uint8_t a[7], b[7], status_b;
	int tries = 0, same;
	bool pm;

	snapshot(a, century_reg);
	do {
		for (int i = 0; i < 7; i++)
			b[i] = a[i];
		snapshot(a, century_reg);
		same = 1;
		for (int i = 0; i < 7; i++)
			same &= a[i] == b[i];
	} while (!same && ++tries < 10);
	if (!same)
		return -EIO;

	status_b = cmos(0x0b);
	pm = (a[2] & 0x80) != 0;
	a[2] &= 0x7f;
	if (!(status_b & 0x04)) {   /* BCD mode */
		for (int i = 0; i < 7; i++)
			a[i] = bcd(a[i]);
	}
	if (!(status_b & 0x02)) {   /* 12-hour mode: 12 AM is 0, 12 PM is 12 */
		a[2] %= 12;
		if (pm)
			a[2] += 12;
	}
	t->second = a[0];
	t->minute = a[1];
	t->hour = a[2];
	t->day = a[3];
	t->month = a[4];
	t->year = (uint16_t)((a[6] ? a[6] : 20) * 100 + a[5]);
	if (t->second > 59 || t->minute > 59 || t->hour > 23 || t->day < 1 || t->day > 31 ||
	    t->month < 1 || t->month > 12)
		return -EIO;
	return 0;
}

int64_t rtc_to_unix(const struct rtc_time *t)
{
	/* days from civil date, proleptic Gregorian (shift the year to March) */
	int64_t y = t->year - (t->month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (t->month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + t->day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;

	return days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}
