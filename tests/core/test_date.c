/* test_date.c - day numbers, weekdays, parsing and formatting of dates and instants. */
#include "core/date.h"
#include "test.h"

static void test_roundtrip(struct test *t)
{
	/* Every day 1800-01-01 .. 2399-12-31 converts to y-m-d and back. */
	hg_date lo = date_from_ymd(1800, 1, 1), hi = date_from_ymd(2399, 12, 31);
	int bad = 0;
	for (hg_date d = lo; d <= hi; d++) {
		int y, m, dd;
		date_to_ymd(d, &y, &m, &dd);
		if (!date_ymd_valid(y, m, dd) || date_from_ymd(y, m, dd) != d || date_weekday(d + 1) % 7 != (date_weekday(d) + 1) % 7)
			bad++;
	}
	T_EQ_INT(t, bad, 0, "roundtrip failures");
}

static void test_known(struct test *t)
{
	static const struct { int y, m, d; int32_t num; int wd; } rows[] = {
		{1970, 1, 1, 0, HG_THU},   {2000, 2, 29, 11016, HG_TUE}, {2024, 5, 3, 19846, HG_FRI},
		{1900, 1, 1, -25567, HG_MON}, {2199, 12, 31, 84005, HG_TUE},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		T_EQ_INT(t, date_from_ymd(rows[i].y, rows[i].m, rows[i].d), rows[i].num, "row %zu number", i);
		T_EQ_INT(t, date_weekday(rows[i].num), rows[i].wd, "row %zu weekday", i);
	}
}

static void test_parse(struct test *t)
{
	static const struct { const char *in; int ok; } rows[] = {
		{"2024-02-29", 1}, {"2023-02-29", 0}, {"1900-02-29", 0}, {"2000-02-29", 1}, {"2024-13-01", 0},
		{"2024-00-10", 0}, {"2024-1-01", 0},  {"2024-01-01x", 0}, {"", 0},          {"abcd-ef-gh", 0},
		{"2024-04-31", 0}, {"2024-12-31", 1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_date d;
		hg_status rc = date_parse(rows[i].in, &d);
		T_EQ_INT(t, rc == HG_OK, rows[i].ok, "parse '%s'", rows[i].in);
		if (rc == HG_OK) {
			char buf[11];
			T_EQ_STR(t, date_format(d, buf), rows[i].in, "format back");
		}
	}
}

static void test_instants(struct test *t)
{
	static const struct { const char *in; int ok; const char *utc; } rows[] = {
		{"2024-03-31T01:00:00Z", 1, "2024-03-31T01:00:00Z"},
		{"2024-03-31T03:00:00+02:00", 1, "2024-03-31T01:00:00Z"},
		{"2024-10-27T02:30:00.123+01:00", 1, "2024-10-27T01:30:00Z"},
		{"2024-01-01T00:00-01:00", 1, "2024-01-01T01:00:00Z"},
		{"2024-01-01T24:00:00Z", 0, NULL},
		{"2024-01-01T10:00:00", 0, NULL},
		{"2024-01-01T10:00:00+2", 0, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_instant at;
		hg_status rc = instant_parse_iso(rows[i].in, &at);
		T_EQ_INT(t, rc == HG_OK, rows[i].ok, "instant '%s'", rows[i].in);
		if (rc == HG_OK) {
			char buf[21];
			T_EQ_STR(t, instant_format_utc(at, buf), rows[i].utc, "instant '%s'", rows[i].in);
		}
	}
	T_EQ_INT(t, instant_utc_date(-1), -1, "one second before the epoch");
}

int main(void)
{
	struct test t = {.name = "test_date"};
	test_roundtrip(&t);
	test_known(&t);
	test_parse(&t);
	test_instants(&t);
	return test_report(&t);
}
