/*
 * test_calendar.c - Swedish public holidays, eves, weekday counting and
 * Europe/Stockholm time (calendar.h).
 *
 * Literal rows pin whole years (checked by hand against lag 1989:253 and the
 * older rules in docs/calendar.md); sweeps over 1900-2199 check the Easter
 * days against Gauss's method written here (calendar.c uses the anonymous
 * Gregorian algorithm) and the other rules against a second, plainly written
 * statement of them; DST is checked at and around each switch.
 */
#include <stdlib.h>

#include "core/calendar.h"
#include "test.h"

static hg_date ymd(int y, int m, int d) { return date_from_ymd(y, m, d); }

/* The date at the start of s ("YYYY-MM-DD", maybe followed by a time). */
static hg_date parse_day(const char *s)
{
	hg_date d;
	char day[11];
	snprintf(day, sizeof day, "%s", s);
	if (date_parse(day, &d) != HG_OK)
		abort(); /* a typo in a table row */
	return d;
}

static hg_instant parse_utc(const char *s)
{
	hg_instant t;
	if (instant_parse_iso(s, &t) != HG_OK)
		abort();
	return t;
}

/* ---- whole years, literal ---- */

static const struct year_row {
	int year;
	const char *date, *name_sv;
	int is_eve;
} year_rows[] = {
		{1910, "1910-01-01", "Nyårsdagen", 0},
		{1910, "1910-01-06", "Trettondedag jul", 0},
		{1910, "1910-03-25", "Långfredagen / Marie bebådelsedag", 0},
		{1910, "1910-03-27", "Påskdagen", 0},
		{1910, "1910-03-28", "Annandag påsk", 0},
		{1910, "1910-05-05", "Kristi himmelsfärdsdag", 0},
		{1910, "1910-05-15", "Pingstdagen", 0},
		{1910, "1910-05-16", "Annandag pingst", 0},
		{1910, "1910-06-23", "Midsommarafton", 1},
		{1910, "1910-06-24", "Midsommardagen", 0},
		{1910, "1910-12-24", "Julafton", 1},
		{1910, "1910-12-25", "Juldagen", 0},
		{1910, "1910-12-26", "Annandag jul", 0},
		{1910, "1910-12-31", "Nyårsafton", 1},
		{1938, "1938-01-01", "Nyårsdagen", 0},
		{1938, "1938-01-06", "Trettondedag jul", 0},
		{1938, "1938-03-25", "Marie bebådelsedag", 0},
		{1938, "1938-04-15", "Långfredagen", 0},
		{1938, "1938-04-17", "Påskdagen", 0},
		{1938, "1938-04-18", "Annandag påsk", 0},
		{1938, "1938-05-26", "Kristi himmelsfärdsdag", 0},
		{1938, "1938-06-05", "Pingstdagen", 0},
		{1938, "1938-06-06", "Annandag pingst", 0},
		{1938, "1938-06-23", "Midsommarafton", 1},
		{1938, "1938-06-24", "Midsommardagen", 0},
		{1938, "1938-12-24", "Julafton", 1},
		{1938, "1938-12-25", "Juldagen", 0},
		{1938, "1938-12-26", "Annandag jul", 0},
		{1938, "1938-12-31", "Nyårsafton", 1},
		{1951, "1951-01-01", "Nyårsdagen", 0},
		{1951, "1951-01-06", "Trettondedag jul", 0},
		{1951, "1951-03-23", "Långfredagen", 0},
		{1951, "1951-03-25", "Påskdagen / Marie bebådelsedag", 0},
		{1951, "1951-03-26", "Annandag påsk", 0},
		{1951, "1951-05-01", "Första maj", 0},
		{1951, "1951-05-03", "Kristi himmelsfärdsdag", 0},
		{1951, "1951-05-13", "Pingstdagen", 0},
		{1951, "1951-05-14", "Annandag pingst", 0},
		{1951, "1951-06-23", "Midsommarafton", 1},
		{1951, "1951-06-24", "Midsommardagen", 0},
		{1951, "1951-12-24", "Julafton", 1},
		{1951, "1951-12-25", "Juldagen", 0},
		{1951, "1951-12-26", "Annandag jul", 0},
		{1951, "1951-12-31", "Nyårsafton", 1},
		{1952, "1952-01-01", "Nyårsdagen", 0},
		{1952, "1952-01-06", "Trettondedag jul", 0},
		{1952, "1952-03-25", "Marie bebådelsedag", 0},
		{1952, "1952-04-11", "Långfredagen", 0},
		{1952, "1952-04-13", "Påskdagen", 0},
		{1952, "1952-04-14", "Annandag påsk", 0},
		{1952, "1952-05-01", "Första maj", 0},
		{1952, "1952-05-22", "Kristi himmelsfärdsdag", 0},
		{1952, "1952-06-01", "Pingstdagen", 0},
		{1952, "1952-06-02", "Annandag pingst", 0},
		{1952, "1952-06-23", "Midsommarafton", 1},
		{1952, "1952-06-24", "Midsommardagen", 0},
		{1952, "1952-12-24", "Julafton", 1},
		{1952, "1952-12-25", "Juldagen", 0},
		{1952, "1952-12-26", "Annandag jul", 0},
		{1952, "1952-12-31", "Nyårsafton", 1},
		{1953, "1953-01-01", "Nyårsdagen", 0},
		{1953, "1953-01-06", "Trettondedag jul", 0},
		{1953, "1953-04-03", "Långfredagen", 0},
		{1953, "1953-04-05", "Påskdagen", 0},
		{1953, "1953-04-06", "Annandag påsk", 0},
		{1953, "1953-05-01", "Första maj", 0},
		{1953, "1953-05-14", "Kristi himmelsfärdsdag", 0},
		{1953, "1953-05-24", "Pingstdagen", 0},
		{1953, "1953-05-25", "Annandag pingst", 0},
		{1953, "1953-06-19", "Midsommarafton", 1},
		{1953, "1953-06-20", "Midsommardagen", 0},
		{1953, "1953-10-31", "Alla helgons dag", 0},
		{1953, "1953-12-24", "Julafton", 1},
		{1953, "1953-12-25", "Juldagen", 0},
		{1953, "1953-12-26", "Annandag jul", 0},
		{1953, "1953-12-31", "Nyårsafton", 1},
		{2004, "2004-01-01", "Nyårsdagen", 0},
		{2004, "2004-01-06", "Trettondedag jul", 0},
		{2004, "2004-04-09", "Långfredagen", 0},
		{2004, "2004-04-11", "Påskdagen", 0},
		{2004, "2004-04-12", "Annandag påsk", 0},
		{2004, "2004-05-01", "Första maj", 0},
		{2004, "2004-05-20", "Kristi himmelsfärdsdag", 0},
		{2004, "2004-05-30", "Pingstdagen", 0},
		{2004, "2004-05-31", "Annandag pingst", 0},
		{2004, "2004-06-25", "Midsommarafton", 1},
		{2004, "2004-06-26", "Midsommardagen", 0},
		{2004, "2004-11-06", "Alla helgons dag", 0},
		{2004, "2004-12-24", "Julafton", 1},
		{2004, "2004-12-25", "Juldagen", 0},
		{2004, "2004-12-26", "Annandag jul", 0},
		{2004, "2004-12-31", "Nyårsafton", 1},
		{2005, "2005-01-01", "Nyårsdagen", 0},
		{2005, "2005-01-06", "Trettondedag jul", 0},
		{2005, "2005-03-25", "Långfredagen", 0},
		{2005, "2005-03-27", "Påskdagen", 0},
		{2005, "2005-03-28", "Annandag påsk", 0},
		{2005, "2005-05-01", "Första maj", 0},
		{2005, "2005-05-05", "Kristi himmelsfärdsdag", 0},
		{2005, "2005-05-15", "Pingstdagen", 0},
		{2005, "2005-06-06", "Sveriges nationaldag", 0},
		{2005, "2005-06-24", "Midsommarafton", 1},
		{2005, "2005-06-25", "Midsommardagen", 0},
		{2005, "2005-11-05", "Alla helgons dag", 0},
		{2005, "2005-12-24", "Julafton", 1},
		{2005, "2005-12-25", "Juldagen", 0},
		{2005, "2005-12-26", "Annandag jul", 0},
		{2005, "2005-12-31", "Nyårsafton", 1},
		{2008, "2008-01-01", "Nyårsdagen", 0},
		{2008, "2008-01-06", "Trettondedag jul", 0},
		{2008, "2008-03-21", "Långfredagen", 0},
		{2008, "2008-03-23", "Påskdagen", 0},
		{2008, "2008-03-24", "Annandag påsk", 0},
		{2008, "2008-05-01", "Första maj / Kristi himmelsfärdsdag", 0},
		{2008, "2008-05-11", "Pingstdagen", 0},
		{2008, "2008-06-06", "Sveriges nationaldag", 0},
		{2008, "2008-06-20", "Midsommarafton", 1},
		{2008, "2008-06-21", "Midsommardagen", 0},
		{2008, "2008-11-01", "Alla helgons dag", 0},
		{2008, "2008-12-24", "Julafton", 1},
		{2008, "2008-12-25", "Juldagen", 0},
		{2008, "2008-12-26", "Annandag jul", 0},
		{2008, "2008-12-31", "Nyårsafton", 1},
		{2024, "2024-01-01", "Nyårsdagen", 0},
		{2024, "2024-01-06", "Trettondedag jul", 0},
		{2024, "2024-03-29", "Långfredagen", 0},
		{2024, "2024-03-31", "Påskdagen", 0},
		{2024, "2024-04-01", "Annandag påsk", 0},
		{2024, "2024-05-01", "Första maj", 0},
		{2024, "2024-05-09", "Kristi himmelsfärdsdag", 0},
		{2024, "2024-05-19", "Pingstdagen", 0},
		{2024, "2024-06-06", "Sveriges nationaldag", 0},
		{2024, "2024-06-21", "Midsommarafton", 1},
		{2024, "2024-06-22", "Midsommardagen", 0},
		{2024, "2024-11-02", "Alla helgons dag", 0},
		{2024, "2024-12-24", "Julafton", 1},
		{2024, "2024-12-25", "Juldagen", 0},
		{2024, "2024-12-26", "Annandag jul", 0},
		{2024, "2024-12-31", "Nyårsafton", 1},
		{2025, "2025-01-01", "Nyårsdagen", 0},
		{2025, "2025-01-06", "Trettondedag jul", 0},
		{2025, "2025-04-18", "Långfredagen", 0},
		{2025, "2025-04-20", "Påskdagen", 0},
		{2025, "2025-04-21", "Annandag påsk", 0},
		{2025, "2025-05-01", "Första maj", 0},
		{2025, "2025-05-29", "Kristi himmelsfärdsdag", 0},
		{2025, "2025-06-06", "Sveriges nationaldag", 0},
		{2025, "2025-06-08", "Pingstdagen", 0},
		{2025, "2025-06-20", "Midsommarafton", 1},
		{2025, "2025-06-21", "Midsommardagen", 0},
		{2025, "2025-11-01", "Alla helgons dag", 0},
		{2025, "2025-12-24", "Julafton", 1},
		{2025, "2025-12-25", "Juldagen", 0},
		{2025, "2025-12-26", "Annandag jul", 0},
		{2025, "2025-12-31", "Nyårsafton", 1},
		{2049, "2049-01-01", "Nyårsdagen", 0},
		{2049, "2049-01-06", "Trettondedag jul", 0},
		{2049, "2049-04-16", "Långfredagen", 0},
		{2049, "2049-04-18", "Påskdagen", 0},
		{2049, "2049-04-19", "Annandag påsk", 0},
		{2049, "2049-05-01", "Första maj", 0},
		{2049, "2049-05-27", "Kristi himmelsfärdsdag", 0},
		{2049, "2049-06-06", "Pingstdagen / Sveriges nationaldag", 0},
		{2049, "2049-06-25", "Midsommarafton", 1},
		{2049, "2049-06-26", "Midsommardagen", 0},
		{2049, "2049-11-06", "Alla helgons dag", 0},
		{2049, "2049-12-24", "Julafton", 1},
		{2049, "2049-12-25", "Juldagen", 0},
		{2049, "2049-12-26", "Annandag jul", 0},
		{2049, "2049-12-31", "Nyårsafton", 1},
		{2100, "2100-01-01", "Nyårsdagen", 0},
		{2100, "2100-01-06", "Trettondedag jul", 0},
		{2100, "2100-03-26", "Långfredagen", 0},
		{2100, "2100-03-28", "Påskdagen", 0},
		{2100, "2100-03-29", "Annandag påsk", 0},
		{2100, "2100-05-01", "Första maj", 0},
		{2100, "2100-05-06", "Kristi himmelsfärdsdag", 0},
		{2100, "2100-05-16", "Pingstdagen", 0},
		{2100, "2100-06-06", "Sveriges nationaldag", 0},
		{2100, "2100-06-25", "Midsommarafton", 1},
		{2100, "2100-06-26", "Midsommardagen", 0},
		{2100, "2100-11-06", "Alla helgons dag", 0},
		{2100, "2100-12-24", "Julafton", 1},
		{2100, "2100-12-25", "Juldagen", 0},
		{2100, "2100-12-26", "Annandag jul", 0},
		{2100, "2100-12-31", "Nyårsafton", 1},
};

static void test_year_lists(struct test *t)
{
	static const int years[] = {1910, 1938, 1951, 1952, 1953, 2004, 2005, 2008, 2024, 2025, 2049, 2100};
	for (size_t yi = 0; yi < sizeof years / sizeof years[0]; yi++) {
		for (int eves = 0; eves <= 1; eves++) {
			cal_day got[CAL_MAX_DAYS_PER_YEAR];
			size_t n = cal_holidays(years[yi], eves, got, CAL_MAX_DAYS_PER_YEAR), k = 0;
			for (size_t i = 0; i < sizeof year_rows / sizeof year_rows[0]; i++) {
				const struct year_row *r = &year_rows[i];
				char buf[11];
				if (r->year != years[yi] || (r->is_eve && !eves))
					continue;
				if (!T_TRUE(t, k < n, "%d eves=%d: missing %s %s", r->year, eves, r->date, r->name_sv))
					break;
				T_EQ_STR(t, date_format(got[k].date, buf), r->date, "%d eves=%d entry %zu date", r->year, eves, k);
				T_EQ_STR(t, got[k].name_sv, r->name_sv, "%d %s name", r->year, r->date);
				T_EQ_INT(t, got[k].is_eve, r->is_eve, "%d %s is_eve", r->year, r->date);
				T_TRUE(t, got[k].name_en && got[k].name_en[0], "%d %s has an English name", r->year, r->date);
				k++;
			}
			T_EQ_INT(t, n, k, "%d eves=%d count", years[yi], eves);
		}
	}
}

static void test_english_and_bounds(struct test *t)
{
	static const struct {
		const char *date, *name_en;
	} rows[] = {
		{"2008-05-01", "May Day / Ascension Day"}, {"2024-06-06", "National Day of Sweden"},
		{"2024-06-21", "Midsummer Eve"},           {"2024-11-02", "All Saints' Day"},
		{"2024-03-29", "Good Friday"},             {"1952-03-25", "Annunciation Day"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_date d = parse_day(rows[i].date);
		int y, m, dd;
		cal_day got[CAL_MAX_DAYS_PER_YEAR];
		const char *name = NULL;
		date_to_ymd(d, &y, &m, &dd);
		size_t n = cal_holidays(y, true, got, CAL_MAX_DAYS_PER_YEAR);
		for (size_t k = 0; k < n; k++)
			if (got[k].date == d)
				name = got[k].name_en;
		T_EQ_STR(t, name, rows[i].name_en, "English name on %s", rows[i].date);
	}
	/* Years outside the range give nothing; a short buffer is filled, not overrun. */
	static const struct {
		int year, eves;
		size_t cap, want;
	} caps[] = {
		{1899, 1, CAL_MAX_DAYS_PER_YEAR, 0}, {2200, 0, CAL_MAX_DAYS_PER_YEAR, 0}, {1900, 0, CAL_MAX_DAYS_PER_YEAR, 12},
		{2199, 1, CAL_MAX_DAYS_PER_YEAR, 16}, {2024, 1, 3, 3}, {2024, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		cal_day got[CAL_MAX_DAYS_PER_YEAR + 1];
		got[caps[i].cap].date = HG_DATE_NONE;
		T_EQ_INT(t, cal_holidays(caps[i].year, caps[i].eves, got, caps[i].cap), caps[i].want, "count of %d cap %zu",
			 caps[i].year, caps[i].cap);
		T_EQ_INT(t, got[caps[i].cap].date, HG_DATE_NONE, "no write past cap for %d", caps[i].year);
	}
}

/* ---- Easter and the rules, swept over 1900-2199 ---- */

/* Gauss's Easter algorithm with its two exceptions: independent of calendar.c. */
static hg_date gauss_easter(int y)
{
	int a = y % 19, b = y % 4, c = y % 7, k = y / 100;
	int p = (13 + 8 * k) / 25, q = k / 4;
	int m = (15 - p + k - q) % 30, n = (4 + k - q) % 7;
	int d = (19 * a + m) % 30, e = (2 * b + 4 * c + 6 * d + n) % 7;
	if (d == 29 && e == 6)
		return ymd(y, 4, 19);
	if (d == 28 && e == 6 && (11 * m + 11) % 30 < 19)
		return ymd(y, 4, 18);
	return ymd(y, 3, 22) + d + e;
}

static void test_easter_literal(struct test *t)
{
	static const struct {
		int year;
		const char *easter;
	} rows[] = {
		{1900, "1900-04-15"}, {1910, "1910-03-27"}, {1913, "1913-03-23"}, {1943, "1943-04-25"},
		{1951, "1951-03-25"}, {1954, "1954-04-18"}, {1981, "1981-04-19"}, {2000, "2000-04-23"},
		{2008, "2008-03-23"}, {2011, "2011-04-24"}, {2019, "2019-04-21"}, {2024, "2024-03-31"},
		{2025, "2025-04-20"}, {2038, "2038-04-25"}, {2049, "2049-04-18"}, {2100, "2100-03-28"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		T_EQ_INT(t, cal_easter_sunday(rows[i].year), parse_day(rows[i].easter), "Easter %d", rows[i].year);
		T_EQ_INT(t, gauss_easter(rows[i].year), parse_day(rows[i].easter), "Gauss Easter %d (test helper)",
			 rows[i].year);
	}
	T_EQ_INT(t, cal_easter_sunday(HG_YEAR_MIN - 1), HG_DATE_NONE, "Easter before the supported years");
	T_EQ_INT(t, cal_easter_sunday(2147483647), HG_DATE_NONE, "Easter of INT_MAX");
	T_EQ_INT(t, cal_easter_sunday(HG_YEAR_MAX), gauss_easter(HG_YEAR_MAX), "Easter of the last supported year");
}

struct expect {
	hg_date date;
	const char *name;
	bool eve;
};

/* The rules of docs/calendar.md, stated a second time as plainly as possible. */
static size_t expected_days(int y, struct expect out[32])
{
	size_t n = 0;
	hg_date e = gauss_easter(y), mid, saints;
	mid = ymd(y, 6, 20);
	while (date_weekday(mid) != HG_SAT)
		mid++;
	saints = ymd(y, 10, 31);
	while (date_weekday(saints) != HG_SAT)
		saints++;
	if (y < 1953)
		mid = ymd(y, 6, 24);
#define ADD(d, nm, ev) (out[n++] = (struct expect){(d), (nm), (ev)})
	ADD(ymd(y, 1, 1), "Nyårsdagen", false);
	ADD(ymd(y, 1, 6), "Trettondedag jul", false);
	if (y <= 1952)
		ADD(ymd(y, 3, 25), "Marie bebådelsedag", false);
	ADD(e - 2, "Långfredagen", false);
	ADD(e, "Påskdagen", false);
	ADD(e + 1, "Annandag påsk", false);
	if (y >= 1939)
		ADD(ymd(y, 5, 1), "Första maj", false);
	ADD(e + 39, "Kristi himmelsfärdsdag", false);
	ADD(e + 49, "Pingstdagen", false);
	if (y <= 2004)
		ADD(e + 50, "Annandag pingst", false);
	else
		ADD(ymd(y, 6, 6), "Sveriges nationaldag", false);
	ADD(mid, "Midsommardagen", false);
	if (y >= 1953)
		ADD(saints, "Alla helgons dag", false);
	ADD(ymd(y, 12, 25), "Juldagen", false);
	ADD(ymd(y, 12, 26), "Annandag jul", false);
	ADD(mid - 1, "Midsommarafton", true);
	ADD(ymd(y, 12, 24), "Julafton", true);
	ADD(ymd(y, 12, 31), "Nyårsafton", true);
#undef ADD
	return n;
}

static void test_sweep_rules(struct test *t)
{
	int bad_easter = 0, bad_order = 0, bad_missing = 0, bad_count = 0, bad_sat = 0, bad_pred = 0, bad_extra = 0;
	for (int y = CAL_YEAR_MIN; y <= CAL_YEAR_MAX; y++) {
		cal_day got[CAL_MAX_DAYS_PER_YEAR];
		struct expect want[32];
		size_t n = cal_holidays(y, true, got, CAL_MAX_DAYS_PER_YEAR), nw = expected_days(y, want);
		size_t distinct = 0, weekday_holidays = 0;
		if (cal_easter_sunday(y) != gauss_easter(y))
			bad_easter++;
		for (size_t k = 0; k < n; k++) {
			if (k > 0 && got[k].date <= got[k - 1].date)
				bad_order++;
			if (got[k].is_eve ? !cal_is_eve(got[k].date) || (cal_is_public_holiday(got[k].date) &&
									     date_weekday(got[k].date) != HG_SUN)
					  : !cal_is_public_holiday(got[k].date) || cal_is_eve(got[k].date))
				bad_pred++;
			if (!got[k].is_eve && date_weekday(got[k].date) != HG_SUN)
				weekday_holidays++;
		}
		for (size_t i = 0; i < nw; i++) {
			size_t k = 0;
			while (k < n && got[k].date != want[i].date)
				k++;
			if (k == n || !strstr(got[k].name_sv, want[i].name) || got[k].is_eve != want[i].eve)
				bad_missing++;
			bool dup = false;
			for (size_t j = 0; j < i; j++)
				dup = dup || want[j].date == want[i].date;
			distinct += !dup;
			if (strcmp(want[i].name, "Midsommardagen") == 0 || strcmp(want[i].name, "Alla helgons dag") == 0)
				if (y >= 1953 && date_weekday(want[i].date) != HG_SAT)
					bad_sat++;
		}
		if (n != distinct)
			bad_count++;
		/* No day is a holiday unless listed: count the non-Sunday holidays of the year. */
		size_t counted = 0;
		for (hg_date d = ymd(y, 1, 1); d <= ymd(y, 12, 31); d++)
			if (date_weekday(d) != HG_SUN && cal_is_public_holiday(d))
				counted++;
		if (counted != weekday_holidays)
			bad_extra++;
	}
	T_EQ_INT(t, bad_easter, 0, "years where Easter differs from Gauss");
	T_EQ_INT(t, bad_order, 0, "years with unsorted or repeated dates");
	T_EQ_INT(t, bad_missing, 0, "expected days missing or misnamed");
	T_EQ_INT(t, bad_count, 0, "years whose entry count differs from the distinct dates");
	T_EQ_INT(t, bad_sat, 0, "midsummer/all saints not on a Saturday");
	T_EQ_INT(t, bad_pred, 0, "entries that disagree with cal_is_public_holiday/cal_is_eve");
	T_EQ_INT(t, bad_extra, 0, "years with holidays that cal_holidays does not list");
}

/* ---- weekdays ---- */

static void test_is_weekday(struct test *t)
{
	static const struct {
		const char *date;
		int plain, with_eves; /* cal_is_weekday without / with eves */
		int holiday, eve;
	} rows[] = {
		{"2024-05-08", 1, 1, 0, 0}, /* Wed before Ascension */
		{"2024-05-09", 0, 0, 1, 0}, /* Ascension Day */
		{"2024-05-10", 1, 1, 0, 0}, /* Friday */
		{"2024-05-11", 0, 0, 0, 0}, /* Saturday */
		{"2024-05-12", 0, 0, 1, 0}, /* Sunday: a holiday by law */
		{"2024-06-06", 0, 0, 1, 0}, /* National Day, Thursday */
		{"2024-06-21", 1, 0, 0, 1}, /* Midsummer Eve */
		{"2024-06-22", 0, 0, 1, 0}, /* Midsummer Day, Saturday */
		{"2024-11-01", 1, 1, 0, 0}, /* Allhelgonadagen 1 Nov is no holiday */
		{"2024-12-24", 1, 0, 0, 1}, /* Christmas Eve, Tuesday */
		{"2024-12-25", 0, 0, 1, 0},
		{"2024-12-26", 0, 0, 1, 0},
		{"2024-12-27", 1, 1, 0, 0},
		{"2024-12-31", 1, 0, 0, 1}, /* New Year's Eve */
		{"2025-01-01", 0, 0, 1, 0},
		{"2025-01-06", 0, 0, 1, 0}, /* Epiphany, Monday */
		{"2025-04-18", 0, 0, 1, 0}, /* Good Friday */
		{"2025-04-21", 0, 0, 1, 0}, /* Easter Monday */
		{"2004-05-31", 0, 0, 1, 0}, /* Whit Monday, last year */
		{"2005-05-16", 1, 1, 0, 0}, /* Whit Monday gone */
		{"2004-06-07", 1, 1, 0, 0}, /* 6 June 2004 no holiday (a Sunday anyway); Monday after */
		{"2005-06-06", 0, 0, 1, 0}, /* first National Day holiday */
		{"1952-03-25", 0, 0, 1, 0}, /* Annunciation Day, last year */
		{"1953-03-25", 1, 1, 0, 0},
		{"1952-06-23", 1, 0, 0, 1}, /* Midsummer Eve before the reform: Monday 23 June */
		{"1952-06-24", 0, 0, 1, 0}, /* Midsummer Day on 24 June, Tuesday */
		{"1936-05-01", 1, 1, 0, 0}, /* no May Day holiday before 1939 */
		{"1939-05-01", 0, 0, 1, 0},
		{"2008-05-01", 0, 0, 1, 0},
		{"1900-01-01", 0, 0, 1, 0},
		{"2199-12-26", 0, 0, 1, 0},
		{"1850-12-25", 0, 0, 1, 0}, /* outside 1900-2199 the present rules are extended */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_date d = parse_day(rows[i].date);
		T_EQ_INT(t, cal_is_weekday(d, false), rows[i].plain, "%s weekday", rows[i].date);
		T_EQ_INT(t, cal_is_weekday(d, true), rows[i].with_eves, "%s weekday with eves", rows[i].date);
		T_EQ_INT(t, cal_is_public_holiday(d), rows[i].holiday, "%s public holiday", rows[i].date);
		T_EQ_INT(t, cal_is_eve(d), rows[i].eve, "%s eve", rows[i].date);
	}
	/* Absurd dates: weekends only, never a crash. */
	T_EQ_INT(t, cal_is_eve(HG_DATE_NONE), 0, "HG_DATE_NONE is no eve");
	T_EQ_INT(t, cal_is_weekday(INT32_MAX, false), date_weekday(INT32_MAX) <= HG_FRI, "INT32_MAX");
}

static void test_nth_weekday(struct test *t)
{
	static const struct {
		const char *from;
		int n, eves;
		const char *want;
	} rows[] = {
		{"2024-05-03", 5, 0, "2024-05-13"}, /* design.md: Ascension Day 9 May skipped */
		{"2024-05-03", 0, 0, "2024-05-03"},
		{"2024-05-03", -3, 0, "2024-05-03"},
		{"2024-05-03", 1, 0, "2024-05-06"}, /* over a weekend */
		{"2024-05-08", 1, 0, "2024-05-10"}, /* over Ascension Day */
		{"2024-05-04", 1, 0, "2024-05-06"}, /* from a Saturday */
		{"2024-03-01", 3, 0, "2024-03-06"},
		{"2024-03-28", 1, 0, "2024-04-02"}, /* Good Friday to Easter Monday */
		{"2024-06-19", 1, 1, "2024-06-20"},
		{"2024-06-19", 2, 0, "2024-06-21"}, /* Midsummer Eve counts */
		{"2024-06-19", 2, 1, "2024-06-24"}, /* ... unless eves are holidays */
		{"2024-12-20", 1, 0, "2024-12-23"},
		{"2024-12-20", 2, 0, "2024-12-24"},
		{"2024-12-20", 2, 1, "2024-12-27"}, /* 24, 25, 26 */
		{"2024-12-27", 2, 0, "2024-12-31"},
		{"2024-12-27", 2, 1, "2025-01-02"}, /* into the next year */
		{"2024-12-27", 3, 0, "2025-01-02"},
		{"2023-12-29", 1, 0, "2024-01-02"},
		{"2024-12-31", 4, 0, "2025-01-08"}, /* 1 Jan and 6 Jan (Mon) skipped */
		{"2024-05-03", 30, 0, "2024-06-18"}, /* Stockholm psychiatric grace: 30 weekdays */
		{"2004-05-28", 1, 0, "2004-06-01"}, /* Whit Monday 31 May 2004 */
		{"2005-05-13", 1, 0, "2005-05-16"}, /* no Whit Monday from 2005 */
		{"2199-12-30", 2, 0, "2200-01-02"}, /* past the range: rules extended */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char buf[11];
		hg_date got = cal_nth_weekday_after(parse_day(rows[i].from), rows[i].n, rows[i].eves);
		T_EQ_STR(t, date_format(got, buf), rows[i].want, "%s + %d weekdays (eves %d)", rows[i].from, rows[i].n,
			 rows[i].eves);
	}
	T_EQ_INT(t, cal_nth_weekday_after(HG_DATE_NONE, 3, false), HG_DATE_NONE, "from HG_DATE_NONE");
	T_EQ_INT(t, cal_nth_weekday_after(INT32_MAX - 10, 30, false), HG_DATE_NONE, "past the end of hg_date");
	T_EQ_INT(t, cal_nth_weekday_after(0, 2000000000, false), HG_DATE_NONE, "absurd n");

	/* Against a naive walk with cal_is_weekday, every start day 2019-2026, n = 1..25. */
	int bad = 0;
	for (hg_date d = ymd(2019, 1, 1); d <= ymd(2026, 12, 31); d++)
		for (int eves = 0; eves <= 1; eves++) {
			hg_date w = d;
			for (int n = 1; n <= 25; n++) {
				do
					w++;
				while (!cal_is_weekday(w, eves));
				if (cal_nth_weekday_after(d, n, eves) != w)
					bad++;
			}
		}
	T_EQ_INT(t, bad, 0, "nth weekday against the naive walk");
}

/* ---- Europe/Stockholm ---- */

static void test_local_from_instant(struct test *t)
{
	static const struct {
		const char *utc, *local; /* local as "YYYY-MM-DD HH:MM:SS" */
		int offset;
	} rows[] = {
		{"2024-03-31T00:59:59Z", "2024-03-31 01:59:59", 3600}, /* spring forward */
		{"2024-03-31T01:00:00Z", "2024-03-31 03:00:00", 7200},
		{"2024-10-27T00:59:59Z", "2024-10-27 02:59:59", 7200}, /* fall back */
		{"2024-10-27T01:00:00Z", "2024-10-27 02:00:00", 3600},
		{"2025-03-30T00:59:59Z", "2025-03-30 01:59:59", 3600},
		{"2025-03-30T01:00:00Z", "2025-03-30 03:00:00", 7200},
		{"2025-10-26T00:59:59Z", "2025-10-26 02:59:59", 7200},
		{"2025-10-26T01:00:00Z", "2025-10-26 02:00:00", 3600},
		{"1980-04-06T00:59:59Z", "1980-04-06 01:59:59", 3600}, /* first summer time since 1916 */
		{"1980-04-06T01:00:00Z", "1980-04-06 03:00:00", 7200},
		{"1980-09-28T00:59:59Z", "1980-09-28 02:59:59", 7200},
		{"1980-09-28T01:00:00Z", "1980-09-28 02:00:00", 3600},
		{"1990-03-25T01:00:00Z", "1990-03-25 03:00:00", 7200}, /* SFS 1989:170: 25 March-30 Sept 1990 */
		{"1990-09-30T00:59:59Z", "1990-09-30 02:59:59", 7200},
		{"1990-09-30T01:00:00Z", "1990-09-30 02:00:00", 3600},
		{"1995-09-24T00:59:59Z", "1995-09-24 02:59:59", 7200}, /* last September end */
		{"1995-09-24T01:00:00Z", "1995-09-24 02:00:00", 3600},
		{"1995-10-29T00:30:00Z", "1995-10-29 01:30:00", 3600},
		{"1996-09-29T00:30:00Z", "1996-09-29 02:30:00", 7200}, /* EU rule: still summer */
		{"1996-10-27T00:59:59Z", "1996-10-27 02:59:59", 7200},
		{"1996-10-27T01:00:00Z", "1996-10-27 02:00:00", 3600},
		{"1979-07-01T11:00:00Z", "1979-07-01 12:00:00", 3600}, /* no summer time */
		{"2024-07-01T10:00:00Z", "2024-07-01 12:00:00", 7200},
		{"2024-02-28T23:00:00Z", "2024-02-29 00:00:00", 3600}, /* leap day */
		{"2024-02-29T23:00:00Z", "2024-03-01 00:00:00", 3600},
		{"2023-12-31T23:00:00Z", "2024-01-01 00:00:00", 3600},
		{"1900-01-01T00:00:00Z", "1900-01-01 01:00:00", 3600},
		{"2199-07-01T00:00:00Z", "2199-07-01 02:00:00", 7200},
		{"1969-12-31T23:59:59Z", "1970-01-01 00:59:59", 3600},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cal_local l = cal_local_from_instant(parse_utc(rows[i].utc));
		char got[32], day[11];
		snprintf(got, sizeof got, "%s %02d:%02d:%02d", date_format(l.date, day), l.hour, l.minute, l.second);
		T_EQ_STR(t, got, rows[i].local, "local time of %s", rows[i].utc);
		T_EQ_INT(t, l.utc_offset, rows[i].offset, "offset at %s", rows[i].utc);
		T_EQ_INT(t, cal_local_date(parse_utc(rows[i].utc)), parse_day(rows[i].local), "local date of %s",
			 rows[i].utc);
	}
	T_EQ_INT(t, cal_local_date(HG_INSTANT_NONE), HG_DATE_NONE, "no instant, no date");
	T_EQ_INT(t, cal_local_date(INT64_MAX), HG_DATE_NONE, "INT64_MAX has no date");
}

static void test_instant_from_local(struct test *t)
{
	static const struct {
		const char *date;
		int h, m, s, later;
		hg_status rc;
		const char *utc;
	} rows[] = {
		{"2024-03-31", 1, 59, 59, 0, HG_OK, "2024-03-31T00:59:59Z"},
		{"2024-03-31", 2, 0, 0, 0, HG_EINVAL, NULL}, /* the hour that does not exist */
		{"2024-03-31", 2, 30, 0, 1, HG_EINVAL, NULL},
		{"2024-03-31", 2, 59, 59, 0, HG_EINVAL, NULL},
		{"2024-03-31", 3, 0, 0, 0, HG_OK, "2024-03-31T01:00:00Z"},
		{"2024-10-27", 1, 59, 59, 0, HG_OK, "2024-10-26T23:59:59Z"},
		{"2024-10-27", 2, 0, 0, 0, HG_OK, "2024-10-27T00:00:00Z"}, /* the hour that happens twice */
		{"2024-10-27", 2, 0, 0, 1, HG_OK, "2024-10-27T01:00:00Z"},
		{"2024-10-27", 2, 59, 59, 0, HG_OK, "2024-10-27T00:59:59Z"},
		{"2024-10-27", 2, 59, 59, 1, HG_OK, "2024-10-27T01:59:59Z"},
		{"2024-10-27", 3, 0, 0, 0, HG_OK, "2024-10-27T02:00:00Z"},
		{"2024-10-27", 3, 0, 0, 1, HG_OK, "2024-10-27T02:00:00Z"},
		{"2024-10-27", 1, 30, 0, 1, HG_OK, "2024-10-26T23:30:00Z"}, /* not ambiguous: later changes nothing */
		{"1990-09-30", 2, 30, 0, 0, HG_OK, "1990-09-30T00:30:00Z"},
		{"1990-09-30", 2, 30, 0, 1, HG_OK, "1990-09-30T01:30:00Z"},
		{"1990-03-25", 2, 30, 0, 0, HG_EINVAL, NULL},
		{"1980-04-06", 2, 30, 0, 0, HG_EINVAL, NULL},
		{"1980-03-30", 2, 30, 0, 0, HG_OK, "1980-03-30T01:30:00Z"}, /* 1980 started in April */
		{"1995-09-24", 2, 30, 0, 1, HG_OK, "1995-09-24T01:30:00Z"},
		{"1995-10-29", 2, 30, 0, 0, HG_OK, "1995-10-29T01:30:00Z"}, /* winter time already */
		{"1995-10-29", 2, 30, 0, 1, HG_OK, "1995-10-29T01:30:00Z"},
		{"1996-10-27", 2, 30, 0, 0, HG_OK, "1996-10-27T00:30:00Z"},
		{"1996-09-29", 2, 30, 0, 0, HG_OK, "1996-09-29T00:30:00Z"},
		{"1979-07-01", 12, 0, 0, 0, HG_OK, "1979-07-01T11:00:00Z"},
		{"2024-07-01", 12, 0, 0, 0, HG_OK, "2024-07-01T10:00:00Z"},
		{"2024-02-29", 23, 59, 59, 0, HG_OK, "2024-02-29T22:59:59Z"},
		{"2024-07-01", 24, 0, 0, 0, HG_EINVAL, NULL},
		{"2024-07-01", -1, 0, 0, 0, HG_EINVAL, NULL},
		{"2024-07-01", 12, 60, 0, 0, HG_EINVAL, NULL},
		{"2024-07-01", 12, 0, 60, 0, HG_EINVAL, NULL},
		{"2024-07-01", 12, -1, 0, 0, HG_EINVAL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_instant at = 0;
		hg_status rc = cal_instant_from_local(parse_day(rows[i].date), rows[i].h, rows[i].m, rows[i].s,
						      rows[i].later, &at);
		T_EQ_INT(t, rc, rows[i].rc, "%s %02d:%02d:%02d later=%d status", rows[i].date, rows[i].h, rows[i].m,
			 rows[i].s, rows[i].later);
		if (rc == HG_OK && rows[i].utc) {
			char buf[21];
			T_EQ_STR(t, instant_format_utc(at, buf), rows[i].utc, "%s %02d:%02d later=%d", rows[i].date,
				 rows[i].h, rows[i].m, rows[i].later);
		}
	}
	hg_instant at;
	T_EQ_INT(t, cal_instant_from_local(HG_DATE_NONE, 12, 0, 0, false, &at), HG_EINVAL, "HG_DATE_NONE");
	T_EQ_INT(t, cal_instant_from_local(0, 12, 0, 0, false, NULL), HG_EINVAL, "NULL out");

	/* Every hour 1979-2031 round-trips, and the offset changes only at the switches. */
	int bad_trip = 0, switches = 0, bad_switch = 0;
	hg_instant lo = parse_utc("1979-01-01T00:00:00Z"), hi = parse_utc("2031-01-01T00:00:00Z");
	int prev = 3600;
	for (hg_instant u = lo; u < hi; u += 1800) {
		cal_local l = cal_local_from_instant(u);
		/* The later of two equal wall times is the one in winter time just after a switch. */
		bool later = l.utc_offset == 3600 && cal_local_from_instant(u - 3600).utc_offset == 7200;
		hg_instant back;
		if (cal_instant_from_local(l.date, l.hour, l.minute, l.second, later, &back) != HG_OK || back != u)
			bad_trip++;
		if (l.utc_offset != prev) {
			switches++;
			cal_local before = cal_local_from_instant(u - 1);
			/* A switch happens at 01:00 UTC on a Sunday. */
			if (u % 86400 != 3600 || date_weekday(instant_utc_date(u)) != HG_SUN || before.utc_offset != prev)
				bad_switch++;
		}
		prev = l.utc_offset;
	}
	T_EQ_INT(t, bad_trip, 0, "half-hours that do not round-trip");
	T_EQ_INT(t, switches, 2 * (2030 - 1980 + 1), "two switches a year 1980-2030");
	T_EQ_INT(t, bad_switch, 0, "switches off 01:00 UTC Sunday");
}

static void test_midnight(struct test *t)
{
	static const struct {
		const char *date, *utc;
	} rows[] = {
		{"2024-03-31", "2024-03-30T23:00:00Z"}, {"2024-04-01", "2024-03-31T22:00:00Z"},
		{"2024-10-27", "2024-10-26T22:00:00Z"}, {"2024-10-28", "2024-10-27T23:00:00Z"},
		{"2024-02-29", "2024-02-28T23:00:00Z"}, {"2024-03-01", "2024-02-29T23:00:00Z"},
		{"1990-09-30", "1990-09-29T22:00:00Z"}, {"1990-10-01", "1990-09-30T23:00:00Z"},
		{"1980-04-06", "1980-04-05T23:00:00Z"}, {"1970-01-01", "1969-12-31T23:00:00Z"},
		{"2100-03-01", "2100-02-28T23:00:00Z"}, /* 2100 is no leap year */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char buf[21];
		T_EQ_STR(t, instant_format_utc(cal_local_midnight(parse_day(rows[i].date)), buf), rows[i].utc,
			 "midnight of %s", rows[i].date);
	}
	T_EQ_INT(t, cal_local_midnight(HG_DATE_NONE), HG_INSTANT_NONE, "midnight of no date");
	/* Each local day is 24 h long except the two switch days. */
	int bad = 0;
	for (hg_date d = ymd(2023, 1, 1); d <= ymd(2025, 12, 31); d++) {
		hg_instant len = cal_local_midnight(d + 1) - cal_local_midnight(d);
		int y, m, dd;
		date_to_ymd(d, &y, &m, &dd);
		bool sw = date_weekday(d) == HG_SUN && dd > date_days_in_month(y, m) - 7 && (m == 3 || m == 10);
		if (len != (sw ? (m == 3 ? 23 : 25) * 3600 : 86400))
			bad++;
	}
	T_EQ_INT(t, bad, 0, "local day lengths 2023-2025");
}

static void test_parse_format(struct test *t)
{
	static const struct {
		const char *in, *utc; /* utc NULL: rejected */
	} rows[] = {
		{"2024-05-03", "2024-05-03T10:00:00Z"}, /* a bare date means 12:00 local */
		{"2024-01-15", "2024-01-15T11:00:00Z"},
		{"2024-05-03 08:15", "2024-05-03T06:15:00Z"},
		{"2024-05-03T08:15", "2024-05-03T06:15:00Z"},
		{"2024-05-03 08:15:30", "2024-05-03T06:15:30Z"},
		{"2024-05-03T08:15:30", "2024-05-03T06:15:30Z"},
		{"2024-01-03 00:00", "2024-01-02T23:00:00Z"},
		{"2024-01-03 23:59:59", "2024-01-03T22:59:59Z"},
		{"2024-05-03T08:15:30Z", "2024-05-03T08:15:30Z"}, /* explicit offsets are instants */
		{"2024-05-03T08:15:30+02:00", "2024-05-03T06:15:30Z"},
		{"2024-05-03T08:15+01:00", "2024-05-03T07:15:00Z"},
		{"2024-05-03T08:15:30.250-01:00", "2024-05-03T09:15:30Z"},
		{"2024-10-27 02:30", "2024-10-27T00:30:00Z"}, /* the repeated hour: the first */
		{"2024-02-29 12:00", "2024-02-29T11:00:00Z"},
		{"2024-03-31 02:30", NULL}, /* the skipped hour */
		{"", NULL},
		{"2024-05-03 ", NULL},
		{"2024-05-03 8:15", NULL},
		{"2024-05-03 08:5", NULL},
		{"2024-05-03 08:15:3", NULL},
		{"2024-05-03 08:15:", NULL},
		{"2024-05-03x08:15", NULL},
		{"2024-05-03 08-15", NULL},
		{"2024-05-03 08:15 ", NULL},
		{"2024-05-03 24:00", NULL},
		{"2024-05-03 08:60", NULL},
		{"2024-05-03 08:15:60", NULL},
		{"2023-02-29", NULL},
		{"2024-5-3", NULL},
		{"03/05/2024", NULL},
		{"2024-05-03T08:15:30+2", NULL},
		{"2024-05-03 +8:15", NULL},
		{"2024-05-03 08:15:30.5", NULL}, /* fractions only with an offset */
		{"1799-12-31", NULL},
		{"2024-05-03 08:15:30.00000000000000000000000000000000Z", NULL}, /* over the length ceiling */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_instant at = 0;
		hg_status rc = cal_parse_local(rows[i].in, &at);
		T_EQ_INT(t, rc == HG_OK, rows[i].utc != NULL, "parse '%s'", rows[i].in);
		if (rc == HG_OK && rows[i].utc) {
			char buf[21];
			T_EQ_STR(t, instant_format_utc(at, buf), rows[i].utc, "parse '%s'", rows[i].in);
		}
	}
	hg_instant at;
	T_EQ_INT(t, cal_parse_local(NULL, &at), HG_EINVAL, "parse NULL");

	static const struct {
		const char *utc, *local;
	} fmt[] = {
		{"2024-05-03T06:15:59Z", "2024-05-03 08:15"}, {"2024-10-27T00:30:00Z", "2024-10-27 02:30"},
		{"2024-10-27T01:30:00Z", "2024-10-27 02:30"}, {"2024-12-31T23:00:00Z", "2025-01-01 00:00"},
		{"2024-02-29T22:59:00Z", "2024-02-29 23:59"}, {"1985-07-01T09:05:00Z", "1985-07-01 11:05"},
	};
	for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
		char buf[17];
		T_EQ_STR(t, cal_format_local(parse_utc(fmt[i].utc), buf), fmt[i].local, "format %s", fmt[i].utc);
	}
	char buf[17];
	T_EQ_STR(t, cal_format_local(HG_INSTANT_NONE, buf), "xxxx-xx-xx xx:xx", "format of no instant");
}

/* The holiday periods of the forecast: the next one not ended by today, started no earlier than tomorrow. */
static void test_periods(struct test *t)
{
	static const struct {
		const char *today, *period, *from, *to;
	} rows[] = {
		{"2026-12-03", "christmas", "2026-12-20", "2027-01-06"},
		{"2026-12-25", "christmas", "2026-12-26", "2027-01-06"},
		{"2027-01-05", "christmas", "2027-01-06", "2027-01-06"},
		{"2027-01-06", "christmas", "2027-12-20", "2028-01-06"},
		{"2026-12-03", "summer", "2027-06-20", "2027-08-16"},
		{"2026-07-01", "summer", "2026-07-02", "2026-08-16"},
		{"2026-06-19", "summer", "2026-06-20", "2026-08-16"},
		{"2026-12-03", "easter", "2027-03-20", "2027-04-04"}, /* Easter Day 2027-03-28 */
		{"2026-04-01", "easter", "2026-04-02", "2026-04-12"}, /* Easter Day 2026-04-05 */
		{"2024-02-29", "easter", "2024-03-23", "2024-04-07"}, /* Easter Day 2024-03-31 */
		{"2026-12-03", "next4w", "2026-12-04", "2026-12-31"},
		{"2024-02-20", "next4w", "2024-02-21", "2024-03-19"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_date today, from = 0, to = 0;
		cal_period p;
		char a[11], b[11];
		T_TRUE(t, date_parse(rows[i].today, &today) == HG_OK, "period row %zu today", i);
		T_TRUE(t, cal_period_from_code(rows[i].period, &p), "period row %zu code", i);
		T_TRUE(t, cal_period_next(p, today, &from, &to) == HG_OK, "period row %zu", i);
		T_EQ_STR(t, date_format(from, a), rows[i].from, "period row %zu from", i);
		T_EQ_STR(t, date_format(to, b), rows[i].to, "period row %zu to", i);
		T_EQ_STR(t, cal_period_code(p), rows[i].period, "period row %zu code round trip", i);
	}
	cal_period p;
	hg_date from, to;
	T_TRUE(t, !cal_period_from_code("midsommar", &p), "unknown period code");
	T_TRUE(t, !cal_period_from_code(NULL, &p), "no period code");
	T_TRUE(t, cal_period_code(CAL_PERIOD_COUNT) == NULL, "code outside the table");
	T_TRUE(t, cal_period_next(CAL_PERIOD_COUNT, 20000, &from, &to) == HG_EINVAL, "period outside the table");
	T_TRUE(t, cal_period_next(CAL_PERIOD_SUMMER, HG_DATE_NONE, &from, &to) == HG_EINVAL, "no today");
}

int main(void)
{
	struct test t = {.name = "test_calendar"};
	test_year_lists(&t);
	test_english_and_bounds(&t);
	test_easter_literal(&t);
	test_sweep_rules(&t);
	test_is_weekday(&t);
	test_nth_weekday(&t);
	test_local_from_instant(&t);
	test_instant_from_local(&t);
	test_midnight(&t);
	test_parse_format(&t);
	test_periods(&t);
	return test_report(&t);
}
