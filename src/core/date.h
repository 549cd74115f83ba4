/*
 * date.h - civil dates and instants, the time vocabulary of the core.
 *
 * A date (hg_date) is a day number in the proleptic Gregorian calendar, counted
 * from 1970-01-01 = 0, so date arithmetic is integer arithmetic and a night is
 * simply "the date it starts on". An instant (hg_instant) is seconds since
 * 1970-01-01T00:00:00Z. Which local date an instant falls on is a question for
 * calendar.h (Europe/Stockholm); nothing here knows about time zones.
 */
#ifndef HG_DATE_H
#define HG_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef int32_t hg_date;    /* days since 1970-01-01 */
typedef int64_t hg_instant; /* seconds since 1970-01-01T00:00:00Z */

#define HG_DATE_NONE INT32_MIN     /* "no date" sentinel */
#define HG_INSTANT_NONE INT64_MIN  /* "no instant" sentinel */
#define HG_SECONDS_PER_DAY 86400

/* Supported range of years for parsing and validation. */
#define HG_YEAR_MIN 1800
#define HG_YEAR_MAX 2399

enum hg_weekday { HG_MON = 1, HG_TUE, HG_WED, HG_THU, HG_FRI, HG_SAT, HG_SUN };

bool date_is_leap_year(int year);
int date_days_in_month(int year, int month);
bool date_ymd_valid(int year, int month, int day);
/* Day number of a valid y-m-d (the caller checks validity first). */
hg_date date_from_ymd(int year, int month, int day);
void date_to_ymd(hg_date d, int *year, int *month, int *day);
/* ISO weekday of d: 1 = Monday ... 7 = Sunday. */
int date_weekday(hg_date d);

/* Parses exactly "YYYY-MM-DD"; HG_EINVAL for anything else or an impossible date. */
hg_status date_parse(const char *s, hg_date *out) HG_MUST_CHECK;
/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). Returns buf. */
char *date_format(hg_date d, char buf[static 11]);

/* Instants at UTC: day number and seconds within the day. */
hg_date instant_utc_date(hg_instant t);
/* Parses an ISO 8601 instant with an offset: "YYYY-MM-DDTHH:MM[:SS][.fff](Z|+HH:MM|-HH:MM)". */
hg_status instant_parse_iso(const char *s, hg_instant *out) HG_MUST_CHECK;
/* Writes "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). Returns buf. */
char *instant_format_utc(hg_instant t, char buf[static 21]);

#endif
