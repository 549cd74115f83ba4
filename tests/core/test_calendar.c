/* test_calendar.c - Swedish holidays, weekdays and Europe/Stockholm time. */
#include "core/calendar.h"
#include "test.h"

static hg_date ymd(int y, int m, int d) { return date_from_ymd(y, m, d); }

static void test_nth_weekday(struct test *t)
{
	static const struct {
		int y, m, d, n, eves;
		int wy, wm, wd;
	} rows[] = {
		{2024, 5, 3, 5, 0, 2024, 5, 13}, /* design.md: Ascension Day 9 May skipped */
		{2024, 5, 3, 0, 0, 2024, 5, 3},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, cal_nth_weekday_after(ymd(rows[i].y, rows[i].m, rows[i].d), rows[i].n, rows[i].eves),
			 ymd(rows[i].wy, rows[i].wm, rows[i].wd), "nth row %zu", i);
}

int main(void)
{
	struct test t = {.name = "test_calendar"};
	test_nth_weekday(&t);
	return test_report(&t);
}
