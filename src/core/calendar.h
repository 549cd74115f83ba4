/*
 * calendar.h - the Swedish calendar: public holidays, eves, weekdays, and
 * Europe/Stockholm local time.
 *
 * Public holidays (allmänna helgdagar) follow lag (1989:253) om allmänna
 * helgdagar and the earlier rules it replaced, for every year 1900-2199:
 * Annunciation Day (25 March) until 1952, May Day from 1939, midsummer day on
 * 24 June until 1952 and the Saturday 20-26 June from 1953, All Saints' Day on
 * the Saturday 31 Oct-6 Nov from 1953, Whit Monday (annandag pingst) until
 * 2004, National Day (6 June) from 2005 (docs/calendar.md gives the sources).
 * Dates outside 1900-2199 but within HG_YEAR_MIN..HG_YEAR_MAX get the nearest
 * period's rules; beyond that only Sundays are holidays. The de facto eves
 * (midsummer eve, Christmas eve, New Year's eve) are not public holidays in law
 * but are treated as such by many agreements, so they form a separate, optional
 * set.
 *
 * Local time: Sweden uses CET (UTC+1) and CEST (UTC+2). From 1996 the EU rule
 * applies (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC);
 * 1980-1995 summer time ended on the last Sunday of September; before 1980
 * there was no summer time (1916 is ignored); 1980 began on 6 April (the
 * first Sunday of April), every other year on the last Sunday of March, always
 * at 01:00 UTC. Instants outside the years 1800-2399 have no local time.
 */
#ifndef HG_CALENDAR_H
#define HG_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"

#define CAL_YEAR_MIN 1900
#define CAL_YEAR_MAX 2199
#define CAL_MAX_DAYS_PER_YEAR 24 /* generous bound for cal_holidays() output */

typedef struct cal_day {
	hg_date date;
	const char *name_sv; /* e.g. "Långfredagen"; static storage */
	const char *name_en; /* e.g. "Good Friday"; static storage */
	bool is_eve;         /* one of the three de facto eves, not a public holiday */
} cal_day;

/* Easter Sunday of year (Gregorian computus); HG_DATE_NONE outside HG_YEAR_MIN..HG_YEAR_MAX. */
hg_date cal_easter_sunday(int year);

/*
 * Fills out[] with the named public holidays of year, sorted by date, one entry
 * per date (a date that is two holidays at once, e.g. 1 May 2008 = Ascension
 * Day, is one entry whose names are joined with " / "), Easter Day and Whit
 * Sunday included; with with_eves the three eves are merged in. Returns the
 * number of entries written (at most cap; CAL_MAX_DAYS_PER_YEAR always
 * suffices), or 0 when year is outside CAL_YEAR_MIN..CAL_YEAR_MAX.
 */
size_t cal_holidays(int year, bool with_eves, cal_day *out, size_t cap);

/* True when d is a public holiday by law (Sundays are holidays by law too). */
bool cal_is_public_holiday(hg_date d);
/* True when d is midsummer eve, Christmas eve or New Year's eve. */
bool cal_is_eve(hg_date d);
/* True for Monday-Friday that is not a public holiday (and, with eves, not an eve). */
bool cal_is_weekday(hg_date d, bool eves_are_holidays);
/*
 * The n-th weekday strictly after d (n >= 1). n <= 0 returns d. HG_DATE_NONE
 * when d is HG_DATE_NONE or the answer would not fit in an hg_date.
 */
hg_date cal_nth_weekday_after(hg_date d, int n, bool eves_are_holidays);

/*
 * The holiday periods the follow-up groups plan for (the holiday forecast): Christmas and New Year
 * 20 Dec - 6 Jan, summer 20 Jun - 16 Aug, Easter from the Saturday before Palm Sunday to the Sunday after
 * Easter Monday, or simply the next four weeks.
 */
typedef enum cal_period {
	CAL_PERIOD_CHRISTMAS = 0,
	CAL_PERIOD_SUMMER,
	CAL_PERIOD_EASTER,
	CAL_PERIOD_NEXT4W,
	CAL_PERIOD_COUNT
} cal_period;

/* Code of a period ("christmas", "summer", "easter", "next4w"), or NULL outside the table. */
const char *cal_period_code(cal_period p);
bool cal_period_from_code(const char *code, cal_period *out);
/*
 * The next occurrence of period p that has not ended by today, as local dates *from..*to (both inclusive),
 * its start moved to tomorrow when it has begun (a forecast starts after its origin). HG_EINVAL when today is
 * outside HG_YEAR_MIN + 1 .. HG_YEAR_MAX - 1 or p is not a period.
 */
hg_status cal_period_next(cal_period p, hg_date today, hg_date *from, hg_date *to) HG_MUST_CHECK;

/* Local (Europe/Stockholm) wall-clock time. */
typedef struct cal_local {
	hg_date date;
	int hour, minute, second;
	int utc_offset; /* seconds east of UTC in force: 3600 or 7200 */
} cal_local;

/* Local time of an instant; date HG_DATE_NONE outside the years 1800-2399. */
cal_local cal_local_from_instant(hg_instant t);
/* Local date of an instant (the common case); HG_DATE_NONE as above. */
hg_date cal_local_date(hg_instant t);

/*
 * The instant of a local wall-clock time. On the spring-forward day the hour
 * 02:00-02:59 does not exist: HG_EINVAL. On the fall-back day 02:00-02:59
 * happens twice: the earlier (summer time) instant is chosen unless
 * prefer_later is set.
 */
hg_status cal_instant_from_local(hg_date date, int hour, int minute, int second, bool prefer_later,
				 hg_instant *out) HG_MUST_CHECK;
/* The instant local midnight starts date (always exists in Sweden); HG_INSTANT_NONE for a bad date. */
hg_instant cal_local_midnight(hg_date date);

/*
 * Parses a local date-time "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DDTHH:MM[:SS]"
 * (Europe/Stockholm), or a bare "YYYY-MM-DD" meaning 12:00 that day, or an ISO
 * instant with an explicit offset/Z. A time in the repeated autumn hour is the
 * first (summer time) one; one in the skipped spring hour is HG_EINVAL, as is
 * anything else, including input over 40 characters.
 */
hg_status cal_parse_local(const char *s, hg_instant *out) HG_MUST_CHECK;
/* Writes "YYYY-MM-DD HH:MM" local time into buf (at least 17 bytes), or
 * "xxxx-xx-xx xx:xx" for an instant without a local time. Returns buf. */
char *cal_format_local(hg_instant t, char buf[static 17]);

#endif
