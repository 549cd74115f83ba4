/*
 * calendar.c - the Swedish calendar (see calendar.h and docs/calendar.md).
 *
 * Payment liability counts grace days in weekdays, and every deadline is read
 * in Europe/Stockholm time, so the core needs both without the C library's
 * time zone machinery (no TZ, no localtime): the rules are few and fixed, and a
 * pure function of the date is easier to test than the host's tzdata.
 *
 * Holidays are built per year as a small set of (date, kind) pairs from a rule
 * table with validity years; the weekday walk turns one year's set into a
 * bitmap once and tests days against it, so counting thousands of episodes
 * does not recompute Easter per day.
 */
#include "core/calendar.h"

#include <stdint.h>
#include <string.h>

/* The kinds of day, in the order their names are joined on a shared date. */
enum cal_kind {
	K_NEW_YEAR,
	K_EPIPHANY,
	K_GOOD_FRIDAY,
	K_EASTER,
	K_EASTER_MONDAY,
	K_ANNUNCIATION, /* 25 March, a public holiday until 1952 */
	K_MAY_DAY,
	K_ASCENSION,
	K_WHIT_SUNDAY,
	K_WHIT_MONDAY,
	K_NATIONAL_DAY,
	K_MIDSUMMER,
	K_ALL_SAINTS,
	K_CHRISTMAS,
	K_BOXING_DAY,
	K_MIDSUMMER_EVE,
	K_CHRISTMAS_EVE,
	K_NEW_YEARS_EVE,
	K_COUNT
};

/* How a kind's date is found in a given year. */
enum cal_rule {
	R_FIXED,       /* month/day */
	R_EASTER,      /* Easter Sunday + offset days */
	R_SATURDAY_IN, /* the Saturday in month/day .. month/day+6 */
};

/*
 * One row per kind and period of validity. A kind whose rule changed has one
 * row per rule (midsummer: 24 June until 1952, the Saturday 20-26 June from
 * 1953). Years are inclusive.
 */
static const struct cal_rule_row {
	enum cal_kind kind;
	int from, to;
	enum cal_rule rule;
	int month, day; /* R_FIXED, R_SATURDAY_IN */
	int offset;     /* R_EASTER; for eves: days relative to the holiday rule */
} cal_rules[] = {
	{K_NEW_YEAR, 0, 9999, R_FIXED, 1, 1, 0},
	{K_EPIPHANY, 0, 9999, R_FIXED, 1, 6, 0},
	{K_ANNUNCIATION, 0, 1952, R_FIXED, 3, 25, 0},
	{K_GOOD_FRIDAY, 0, 9999, R_EASTER, 0, 0, -2},
	{K_EASTER, 0, 9999, R_EASTER, 0, 0, 0},
	{K_EASTER_MONDAY, 0, 9999, R_EASTER, 0, 0, 1},
	{K_MAY_DAY, 1939, 9999, R_FIXED, 5, 1, 0},
	{K_ASCENSION, 0, 9999, R_EASTER, 0, 0, 39},
	{K_WHIT_SUNDAY, 0, 9999, R_EASTER, 0, 0, 49},
	{K_WHIT_MONDAY, 0, 2004, R_EASTER, 0, 0, 50},
	{K_NATIONAL_DAY, 2005, 9999, R_FIXED, 6, 6, 0},
	{K_MIDSUMMER, 0, 1952, R_FIXED, 6, 24, 0},
	{K_MIDSUMMER, 1953, 9999, R_SATURDAY_IN, 6, 20, 0},
	{K_ALL_SAINTS, 1953, 9999, R_SATURDAY_IN, 10, 31, 0},
	{K_CHRISTMAS, 0, 9999, R_FIXED, 12, 25, 0},
	{K_BOXING_DAY, 0, 9999, R_FIXED, 12, 26, 0},
	/* Eves: the day before midsummer day, whichever rule placed it. */
	{K_MIDSUMMER_EVE, 0, 1952, R_FIXED, 6, 23, 0},
	{K_MIDSUMMER_EVE, 1953, 9999, R_SATURDAY_IN, 6, 20, -1},
	{K_CHRISTMAS_EVE, 0, 9999, R_FIXED, 12, 24, 0},
	{K_NEW_YEARS_EVE, 0, 9999, R_FIXED, 12, 31, 0},
};

static const struct cal_name {
	const char *sv, *en;
} cal_names[K_COUNT] = {
	[K_NEW_YEAR] = {"Nyårsdagen", "New Year's Day"},
	[K_EPIPHANY] = {"Trettondedag jul", "Epiphany"},
	[K_GOOD_FRIDAY] = {"Långfredagen", "Good Friday"},
	[K_EASTER] = {"Påskdagen", "Easter Day"},
	[K_EASTER_MONDAY] = {"Annandag påsk", "Easter Monday"},
	[K_ANNUNCIATION] = {"Marie bebådelsedag", "Annunciation Day"},
	[K_MAY_DAY] = {"Första maj", "May Day"},
	[K_ASCENSION] = {"Kristi himmelsfärdsdag", "Ascension Day"},
	[K_WHIT_SUNDAY] = {"Pingstdagen", "Whit Sunday"},
	[K_WHIT_MONDAY] = {"Annandag pingst", "Whit Monday"},
	[K_NATIONAL_DAY] = {"Sveriges nationaldag", "National Day of Sweden"},
	[K_MIDSUMMER] = {"Midsommardagen", "Midsummer Day"},
	[K_ALL_SAINTS] = {"Alla helgons dag", "All Saints' Day"},
	[K_CHRISTMAS] = {"Juldagen", "Christmas Day"},
	[K_BOXING_DAY] = {"Annandag jul", "Boxing Day"},
	[K_MIDSUMMER_EVE] = {"Midsommarafton", "Midsummer Eve"},
	[K_CHRISTMAS_EVE] = {"Julafton", "Christmas Eve"},
	[K_NEW_YEARS_EVE] = {"Nyårsafton", "New Year's Eve"},
};

/*
 * The pairs of holidays that can fall on one date in 1900-2199 (test_calendar
 * checks that no other pair occurs), with their joined names. Static strings,
 * so cal_day can keep pointing at static storage.
 */
static const struct cal_pair {
	enum cal_kind first, second;
	struct cal_name name;
} cal_pairs[] = {
	{K_MAY_DAY, K_ASCENSION, {"Första maj / Kristi himmelsfärdsdag", "May Day / Ascension Day"}},
	{K_WHIT_SUNDAY, K_NATIONAL_DAY, {"Pingstdagen / Sveriges nationaldag", "Whit Sunday / National Day of Sweden"}},
	{K_GOOD_FRIDAY, K_ANNUNCIATION, {"Långfredagen / Marie bebådelsedag", "Good Friday / Annunciation Day"}},
	{K_EASTER, K_ANNUNCIATION, {"Påskdagen / Marie bebådelsedag", "Easter Day / Annunciation Day"}},
	{K_EASTER_MONDAY, K_ANNUNCIATION, {"Annandag påsk / Marie bebådelsedag", "Easter Monday / Annunciation Day"}},
};

#define CAL_NROWS (sizeof cal_rules / sizeof cal_rules[0])
#define CAL_NPAIRS (sizeof cal_pairs / sizeof cal_pairs[0])

static bool kind_is_eve(enum cal_kind k) { return k >= K_MIDSUMMER_EVE; }

/* Years whose dates the date arithmetic handles; outside, only Sundays are holidays. */
static bool year_has_rules(int year) { return year >= HG_YEAR_MIN && year <= HG_YEAR_MAX; }

/*
 * Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
 * The test file checks it against Gauss's method, a different derivation.
 */
hg_date cal_easter_sunday(int year)
{
	if (!year_has_rules(year))
		return HG_DATE_NONE;
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;
	return date_from_ymd(year, month, day);
}

struct cal_raw {
	hg_date date;
	enum cal_kind kind;
};

/* Unsorted (date, kind) pairs of year; returns how many (at most CAL_NROWS). */
static size_t raw_days(int year, bool with_eves, struct cal_raw out[static CAL_NROWS])
{
	size_t n = 0;
	hg_date easter = cal_easter_sunday(year);
	for (size_t i = 0; i < CAL_NROWS; i++) {
		const struct cal_rule_row *r = &cal_rules[i];
		hg_date d;
		if (year < r->from || year > r->to || (kind_is_eve(r->kind) && !with_eves))
			continue;
		switch (r->rule) {
		case R_FIXED:
			d = date_from_ymd(year, r->month, r->day);
			break;
		case R_EASTER:
			d = easter + r->offset;
			break;
		case R_SATURDAY_IN:
		default:
			d = date_from_ymd(year, r->month, r->day);
			d += (HG_SAT - date_weekday(d) + 7) % 7;
			d += r->offset;
			break;
		}
		out[n].date = d;
		out[n].kind = r->kind;
		n++;
	}
	return n;
}

static const struct cal_name *pair_name(enum cal_kind a, enum cal_kind b)
{
	for (size_t i = 0; i < CAL_NPAIRS; i++)
		if ((cal_pairs[i].first == a && cal_pairs[i].second == b) ||
		    (cal_pairs[i].first == b && cal_pairs[i].second == a))
			return &cal_pairs[i].name;
	return NULL;
}

size_t cal_holidays(int year, bool with_eves, cal_day *out, size_t cap)
{
	struct cal_raw raw[CAL_NROWS];
	size_t n, count = 0;
	if (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX || !out)
		return 0;
	n = raw_days(year, with_eves, raw);
	/* Insertion sort by date, then by kind so joined names have a fixed order. */
	for (size_t i = 1; i < n; i++) {
		struct cal_raw x = raw[i];
		size_t j = i;
		while (j > 0 && (raw[j - 1].date > x.date || (raw[j - 1].date == x.date && raw[j - 1].kind > x.kind))) {
			raw[j] = raw[j - 1];
			j--;
		}
		raw[j] = x;
	}
	for (size_t i = 0; i < n && count < cap; i++) {
		const struct cal_name *name = &cal_names[raw[i].kind];
		if (i + 1 < n && raw[i + 1].date == raw[i].date) {
			const struct cal_name *joined = pair_name(raw[i].kind, raw[i + 1].kind);
			/* Every pair that can occur is in cal_pairs; an unknown one keeps the first name. */
			if (joined)
				name = joined;
			out[count] = (cal_day){raw[i].date, name->sv, name->en, false};
			count++;
			i++;
			continue;
		}
		out[count] = (cal_day){raw[i].date, name->sv, name->en, kind_is_eve(raw[i].kind)};
		count++;
	}
	return count;
}

/*
 * One year's holidays and eves as bitmaps over the day of the year, so a walk
 * over many days tests each with a shift and a mask.
 */
struct cal_year_mask {
	int year;
	hg_date jan1;
	uint64_t holiday[6], eve[6]; /* bit doy (0..365) */
};

static void year_mask_build(struct cal_year_mask *m, int year)
{
	memset(m, 0, sizeof *m);
	m->year = year;
	if (!year_has_rules(year))
		return;
	m->jan1 = date_from_ymd(year, 1, 1);
	struct cal_raw raw[CAL_NROWS];
	size_t n = raw_days(year, true, raw);
	for (size_t i = 0; i < n; i++) {
		int64_t doy = (int64_t)raw[i].date - m->jan1;
		uint64_t *bits = kind_is_eve(raw[i].kind) ? m->eve : m->holiday;
		bits[doy / 64] |= (uint64_t)1 << (doy % 64);
	}
}

/* Year of d without the month and day. */
static int year_of(hg_date d)
{
	int y, mo, dd;
	date_to_ymd(d, &y, &mo, &dd);
	return y;
}

static bool mask_has(const struct cal_year_mask *m, const uint64_t *bits, hg_date d)
{
	int64_t doy;
	if (!year_has_rules(m->year))
		return false;
	doy = (int64_t)d - m->jan1;
	return (bits[doy / 64] >> (doy % 64)) & 1;
}

/* The weekday test against a mask already built for d's year. */
static bool mask_is_weekday(const struct cal_year_mask *m, hg_date d, bool eves_are_holidays)
{
	if (date_weekday(d) >= HG_SAT)
		return false;
	if (mask_has(m, m->holiday, d))
		return false;
	return !(eves_are_holidays && mask_has(m, m->eve, d));
}

bool cal_is_public_holiday(hg_date d)
{
	struct cal_year_mask m;
	if (date_weekday(d) == HG_SUN)
		return true;
	year_mask_build(&m, year_of(d));
	return mask_has(&m, m.holiday, d);
}

bool cal_is_eve(hg_date d)
{
	struct cal_year_mask m;
	year_mask_build(&m, year_of(d));
	return mask_has(&m, m.eve, d);
}

bool cal_is_weekday(hg_date d, bool eves_are_holidays)
{
	struct cal_year_mask m;
	if (date_weekday(d) >= HG_SAT)
		return false;
	year_mask_build(&m, year_of(d));
	return mask_is_weekday(&m, d, eves_are_holidays);
}

hg_date cal_nth_weekday_after(hg_date d, int n, bool eves_are_holidays)
{
	struct cal_year_mask m;
	int64_t limit;
	if (n <= 0)
		return d;
	/* n weekdays never take more than n/5 weeks plus a holiday-dense month. */
	limit = (int64_t)d + (int64_t)n / 5 * 7 + 60;
	if (d == HG_DATE_NONE || limit > INT32_MAX)
		return HG_DATE_NONE;
	year_mask_build(&m, year_of(d + 1));
	while (n > 0) {
		d++;
		if (year_has_rules(m.year) ? d - m.jan1 >= 365 + date_is_leap_year(m.year) : year_of(d) != m.year)
			year_mask_build(&m, year_of(d));
		if (mask_is_weekday(&m, d, eves_are_holidays))
			n--;
	}
	return d;
}

/* ---- Europe/Stockholm ---------------------------------------------------- */

#define CAL_CET 3600
#define CAL_CEST 7200

/* The last Sunday of month (of year), as a day number. */
static hg_date last_sunday(int year, int month)
{
	hg_date last = date_from_ymd(year, month, date_days_in_month(year, month));
	return last - date_weekday(last) % 7;
}

/* Summer time of year as [start, end) instants; false when the year has none. */
static bool summer_time(int year, hg_instant *start, hg_instant *end)
{
	hg_date s, e;
	if (year < 1980 || year > HG_YEAR_MAX)
		return false;
	if (year == 1980) {
		s = date_from_ymd(1980, 4, 1);
		s += (HG_SUN - date_weekday(s)) % 7; /* first Sunday of April: 6 April */
	} else {
		s = last_sunday(year, 3);
	}
	e = last_sunday(year, year <= 1995 ? 9 : 10);
	*start = (hg_instant)s * HG_SECONDS_PER_DAY + 3600; /* 01:00 UTC */
	*end = (hg_instant)e * HG_SECONDS_PER_DAY + 3600;
	return true;
}

/* Instants outside the years 1800-2399 have no local time here. */
static bool instant_in_range(hg_instant t)
{
	hg_instant lo = (hg_instant)date_from_ymd(HG_YEAR_MIN, 1, 1) * HG_SECONDS_PER_DAY;
	hg_instant hi = ((hg_instant)date_from_ymd(HG_YEAR_MAX, 12, 31) + 1) * HG_SECONDS_PER_DAY;
	return t >= lo && t < hi;
}

static int utc_offset(hg_instant t)
{
	hg_instant start, end;
	if (!instant_in_range(t))
		return CAL_CET;
	if (!summer_time(year_of(instant_utc_date(t)), &start, &end))
		return CAL_CET;
	return t >= start && t < end ? CAL_CEST : CAL_CET;
}

cal_local cal_local_from_instant(hg_instant t)
{
	cal_local l = {HG_DATE_NONE, 0, 0, 0, CAL_CET};
	hg_instant local;
	int64_t sec;
	if (!instant_in_range(t))
		return l;
	l.utc_offset = utc_offset(t);
	local = t + l.utc_offset;
	l.date = instant_utc_date(local);
	sec = local - (hg_instant)l.date * HG_SECONDS_PER_DAY;
	l.hour = (int)(sec / 3600);
	l.minute = (int)(sec / 60 % 60);
	l.second = (int)(sec % 60);
	return l;
}

hg_date cal_local_date(hg_instant t) { return cal_local_from_instant(t).date; }

hg_status cal_instant_from_local(hg_date date, int hour, int minute, int second, bool prefer_later,
				 hg_instant *out)
{
	hg_instant wall, summer, winter;
	bool summer_ok, winter_ok;
	if (!out || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
		return HG_EINVAL;
	if (date == HG_DATE_NONE || !year_has_rules(year_of(date)))
		return HG_EINVAL;
	wall = (hg_instant)date * HG_SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
	/* The wall time is valid under an offset when that offset is in force at the result. */
	summer = wall - CAL_CEST;
	winter = wall - CAL_CET;
	summer_ok = utc_offset(summer) == CAL_CEST;
	winter_ok = utc_offset(winter) == CAL_CET;
	if (summer_ok && winter_ok) /* the repeated hour: summer time comes first */
		*out = prefer_later ? winter : summer;
	else if (summer_ok)
		*out = summer;
	else if (winter_ok)
		*out = winter;
	else
		return HG_EINVAL; /* the skipped hour */
	return HG_OK;
}

hg_instant cal_local_midnight(hg_date date)
{
	hg_instant t;
	if (cal_instant_from_local(date, 0, 0, 0, false, &t) != HG_OK)
		return HG_INSTANT_NONE;
	return t;
}

/* Reads exactly n decimal digits. */
static bool read_digits(const char *s, int n, int *out)
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

/* Longest accepted input: "YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM" with room to spare. */
#define CAL_PARSE_MAX 40

hg_status cal_parse_local(const char *s, hg_instant *out)
{
	char day[11];
	size_t len = 0;
	hg_date date;
	int hh, mi, ss = 0;
	if (!s || !out)
		return HG_EINVAL;
	while (len <= CAL_PARSE_MAX && s[len])
		len++;
	if (len > CAL_PARSE_MAX || len < 10)
		return HG_EINVAL;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse(day, &date) != HG_OK)
		return HG_EINVAL;
	if (len == 10)
		return cal_instant_from_local(date, 12, 0, 0, false, out);
	/* An explicit offset or Z makes it an instant; leave that to date.c. */
	if (len > 16 && (s[len - 1] == 'Z' || s[len - 6] == '+' || s[len - 6] == '-'))
		return instant_parse_iso(s, out);
	if ((s[10] != ' ' && s[10] != 'T') || (len != 16 && len != 19) || s[13] != ':')
		return HG_EINVAL;
	if (!read_digits(s + 11, 2, &hh) || !read_digits(s + 14, 2, &mi))
		return HG_EINVAL;
	if (len == 19 && (s[16] != ':' || !read_digits(s + 17, 2, &ss)))
		return HG_EINVAL;
	return cal_instant_from_local(date, hh, mi, ss, false, out);
}

char *cal_format_local(hg_instant t, char buf[static 17])
{
	cal_local l = cal_local_from_instant(t);
	if (l.date == HG_DATE_NONE) {
		memcpy(buf, "xxxx-xx-xx xx:xx", 17);
		return buf;
	}
	date_format(l.date, buf);
	buf[10] = ' ';
	buf[11] = (char)('0' + l.hour / 10);
	buf[12] = (char)('0' + l.hour % 10);
	buf[13] = ':';
	buf[14] = (char)('0' + l.minute / 10);
	buf[15] = (char)('0' + l.minute % 10);
	buf[16] = '\0';
	return buf;
}

/* ---- holiday periods ---- */

static const char *const period_codes[CAL_PERIOD_COUNT] = {"christmas", "summer", "easter", "next4w"};

const char *cal_period_code(cal_period p) { return (unsigned)p < CAL_PERIOD_COUNT ? period_codes[p] : NULL; }

bool cal_period_from_code(const char *code, cal_period *out)
{
	for (int i = 0; code && i < CAL_PERIOD_COUNT; i++)
		if (strcmp(code, period_codes[i]) == 0) {
			*out = (cal_period)i;
			return true;
		}
	return false;
}

/* The occurrence of p that starts in year y (Christmas runs into y + 1). */
static void period_in_year(cal_period p, int y, hg_date *from, hg_date *to)
{
	switch (p) {
	case CAL_PERIOD_CHRISTMAS:
		*from = date_from_ymd(y, 12, 20);
		*to = date_from_ymd(y + 1, 1, 6);
		break;
	case CAL_PERIOD_SUMMER:
		*from = date_from_ymd(y, 6, 20);
		*to = date_from_ymd(y, 8, 16);
		break;
	default: /* Easter: Saturday before Palm Sunday .. the Sunday after Easter Monday */
		*from = cal_easter_sunday(y) - 8;
		*to = cal_easter_sunday(y) + 7;
		break;
	}
}

hg_status cal_period_next(cal_period p, hg_date today, hg_date *from, hg_date *to)
{
	int year, month, day;
	if ((unsigned)p >= CAL_PERIOD_COUNT || today == HG_DATE_NONE)
		return HG_EINVAL;
	date_to_ymd(today, &year, &month, &day);
	if (year <= HG_YEAR_MIN || year >= HG_YEAR_MAX)
		return HG_EINVAL;
	hg_date tomorrow = today + 1;
	if (p == CAL_PERIOD_NEXT4W) {
		*from = tomorrow;
		*to = today + 28;
		return HG_OK;
	}
	for (int y = year - 1; y <= year + 1; y++) {
		period_in_year(p, y, from, to);
		if (*to >= tomorrow)
			break;
	}
	if (*from < tomorrow)
		*from = tomorrow;
	return HG_OK;
}
