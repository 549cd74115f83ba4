/*
 * date.c - proleptic Gregorian day numbers (see date.h).
 *
 * The conversion counts 400-year eras from 0000-03-01 so that the leap day is
 * the last day of the counting year; this gives branch-free, exact arithmetic
 * for every year the project supports.
 */
#include "core/date.h"

#include <string.h>

bool date_is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && date_is_leap_year(y) ? 29 : days[m - 1];
}

bool date_ymd_valid(int y, int m, int d)
{
	return y >= HG_YEAR_MIN && y <= HG_YEAR_MAX && m >= 1 && m <= 12 && d >= 1 &&
	       d <= date_days_in_month(y, m);
}

hg_date date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (hg_date)(era * 146097 + doe - 719468);
}

void date_to_ymd(hg_date z, int *year, int *month, int *day)
{
	int64_t zz = (int64_t)z + 719468;
	int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
	int64_t doe = zz - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(y + (m <= 2));
	*month = (int)m;
	*day = (int)d;
}

int date_weekday(hg_date d)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = ((int64_t)d + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

static bool parse_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

hg_status date_parse(const char *s, hg_date *out)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return HG_EINVAL;
	if (!parse_digits(s, 4, &y) || !parse_digits(s + 5, 2, &m) || !parse_digits(s + 8, 2, &d))
		return HG_EINVAL;
	if (!date_ymd_valid(y, m, d))
		return HG_EINVAL;
	*out = date_from_ymd(y, m, d);
	return HG_OK;
}

/* Writes the n low decimal digits of v (v >= 0), zero-padded. */
static void put_digits(char *p, int n, unsigned v)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *date_format(hg_date d, char buf[static 11])
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	put_digits(buf, 4, (unsigned)(y < 0 ? 0 : y));
	buf[4] = '-';
	put_digits(buf + 5, 2, (unsigned)m);
	buf[7] = '-';
	put_digits(buf + 8, 2, (unsigned)dd);
	buf[10] = '\0';
	return buf;
}

hg_date instant_utc_date(hg_instant t)
{
	int64_t d = t / HG_SECONDS_PER_DAY;
	if (t % HG_SECONDS_PER_DAY < 0)
		d--;
	return (hg_date)d;
}

hg_status instant_parse_iso(const char *s, hg_instant *out)
{
	hg_date day;
	char datepart[11];
	int hh, mi, ss = 0, oh = 0, om = 0, sign = 0;
	size_t i = 16;
	if (!s || strlen(s) < 17 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
		return HG_EINVAL;
	memcpy(datepart, s, 10);
	datepart[10] = '\0';
	if (date_parse(datepart, &day) != HG_OK)
		return HG_EINVAL;
	if (!parse_digits(s + 11, 2, &hh) || !parse_digits(s + 14, 2, &mi) || hh > 23 || mi > 59)
		return HG_EINVAL;
	if (s[i] == ':') {
		if (!parse_digits(s + i + 1, 2, &ss) || ss > 59)
			return HG_EINVAL;
		i += 3;
		if (s[i] == '.') {
			i++;
			if (s[i] < '0' || s[i] > '9')
				return HG_EINVAL;
			while (s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (s[i] == 'Z' && s[i + 1] == '\0') {
		sign = 0;
	} else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) == 6 && s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		if (!parse_digits(s + i + 1, 2, &oh) || !parse_digits(s + i + 4, 2, &om) || oh > 14 || om > 59)
			return HG_EINVAL;
	} else {
		return HG_EINVAL;
	}
	*out = (hg_instant)day * HG_SECONDS_PER_DAY + hh * 3600 + mi * 60 + ss - sign * (oh * 3600 + om * 60);
	return HG_OK;
}

char *instant_format_utc(hg_instant t, char buf[static 21])
{
	hg_date d = instant_utc_date(t);
	int64_t sec = t - (hg_instant)d * HG_SECONDS_PER_DAY;
	date_format(d, buf);
	buf[10] = 'T';
	put_digits(buf + 11, 2, (unsigned)(sec / 3600));
	buf[13] = ':';
	put_digits(buf + 14, 2, (unsigned)(sec / 60 % 60));
	buf[16] = ':';
	put_digits(buf + 17, 2, (unsigned)(sec % 60));
	buf[19] = 'Z';
	buf[20] = '\0';
	return buf;
}
