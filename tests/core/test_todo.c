/*
 * test_todo.c - what is still to do for a patient in hospital (issue 18.2):
 * the admission notice not sent, the expected discharge date passed, ready
 * without the municipality's answer; nothing for a discharged or cancelled
 * episode. Judged on 2024-05-10 (Stockholm local dates).
 */
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/todo.h"
#include "test.h"

static hg_instant at(const char *local)
{
	hg_instant t;
	if (!local)
		return HG_INSTANT_NONE;
	if (cal_parse_local(local, &t) != HG_OK)
		abort();
	return t;
}

static hg_date day(const char *s)
{
	hg_date d;
	if (!s)
		return HG_DATE_NONE;
	if (date_parse(s, &d) != HG_OK)
		abort();
	return d;
}

#define NOTICE TODO_BIT(TODO_NOTICE_NOT_SENT)
#define PASSED TODO_BIT(TODO_EXPECTED_DATE_PASSED)
#define NO_MUN TODO_BIT(TODO_READY_NO_MUNICIPALITY)

static void test_todos(struct test *t)
{
	static const struct {
		episode_status status;
		const char *notice, *expected, *ready, *municipality_ready;
		unsigned want;
	} rows[] = {
	    /* 0 */ {EPISODE_ADMITTED, NULL, NULL, NULL, NULL, NOTICE},
	    /* 1 */ {EPISODE_ADMITTED, "2024-05-08 09:00", "2024-05-12", NULL, NULL, 0},
	    /* 2 */ {EPISODE_ADMITTED, "2024-05-08 09:00", "2024-05-10", NULL, NULL, 0}, /* due today: not passed */
	    /* 3 */ {EPISODE_ADMITTED, "2024-05-08 09:00", "2024-05-09", NULL, NULL, PASSED},
	    /* 4 */ {EPISODE_ADMITTED, NULL, "2024-05-01", NULL, NULL, NOTICE | PASSED},
	    /* 5 */ {EPISODE_READY, "2024-05-08 09:00", "2024-05-12", "2024-05-09 10:00", NULL, NO_MUN},
	    /* 6 */ {EPISODE_READY, "2024-05-08 09:00", "2024-05-12", "2024-05-09 10:00", "2024-05-09 15:00", 0},
	    /* 7 */ {EPISODE_READY, "2024-05-08 09:00", "2024-05-09", "2024-05-09 10:00", NULL, PASSED | NO_MUN},
	    /* 8 */ {EPISODE_DISCHARGED, NULL, "2024-05-01", "2024-05-09 10:00", NULL, 0},
	    /* 9 */ {EPISODE_CANCELLED, NULL, "2024-05-01", NULL, NULL, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		episode_init(&st);
		st.status = rows[i].status;
		st.admitted_at = at("2024-05-08 08:00");
		st.notice_at = at(rows[i].notice);
		st.expected_date = day(rows[i].expected);
		st.ready_at = at(rows[i].ready);
		st.municipality_ready_at = at(rows[i].municipality_ready);
		T_EQ_INT(t, episode_todos(&st, day("2024-05-10")), rows[i].want, "row %zu", i);
	}
}

static void test_labels(struct test *t)
{
	static const char *const codes[TODO_COUNT] = {"notice_not_sent", "expected_date_passed",
	                                              "ready_no_municipality_answer"};
	for (int i = 0; i < TODO_COUNT; i++) {
		const hg_code_label *l = episode_todo_label((episode_todo)i);
		T_EQ_STR(t, l->code, codes[i], "code %d", i);
		T_TRUE(t, l->sv && *l->sv && l->en && *l->en, "texts of %s", codes[i]);
	}
}

int main(void)
{
	struct test t = {.name = "test_todo"};
	test_todos(&t);
	test_labels(&t);
	return test_report(&t);
}
