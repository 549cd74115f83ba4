/*
 * test_todo.c - what is still to do for a patient, one vocabulary (todo.h):
 * the ward's list (issue 18.2: the admission notice not sent, the expected
 * discharge date passed, ready without the municipality's answer; nothing
 * for a discharged or cancelled episode) and the care process's list, which
 * shares the municipality's rule with the ward's. Judged on 2024-05-10
 * (Stockholm local dates).
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

#define NOT_READY   TODO_BIT(TODO_MUNICIPALITY_NOT_READY)
#define NO_CONTACT  TODO_BIT(TODO_MUNICIPAL_NO_CONTACT)
#define NO_DECISION TODO_BIT(TODO_MUNICIPAL_NO_DECISION)
#define SIP         TODO_BIT(TODO_SIP_NOT_HELD)
#define PLAN        TODO_BIT(TODO_CARE_PLAN_MISSING)
#define INFO        TODO_BIT(TODO_INFORMATION_MISSING)
#define UNINFORMED  TODO_BIT(TODO_PATIENT_NOT_INFORMED)
#define TAKEN       TODO_BIT(TODO_NOT_TAKEN_OVER)

/*
 * The whole set and the two lists that show it: the municipality's answer is one rule seen by both (ready
 * with no answer; not ready to receive unless its plan's date has come), the rest belongs to one list each.
 */
static void test_set(struct test *t)
{
	static const struct {
		episode_status status;
		const char *notice, *municipality_ready, *can_receive_on, *sip_meeting, *municipal_report;
		bool care_plan, all_information, informed;
		unsigned want;
	} rows[] = {
	    /* 0 */ {EPISODE_READY, "2024-05-08 09:00", NULL, NULL, NULL, NULL, false, false, false,
	             NO_MUN | NOT_READY},
	    /* 1 */ {EPISODE_READY, "2024-05-08 09:00", "2024-05-09 15:00", NULL, NULL, NULL, false, false, false, 0},
	    /* 2: the plan's date has come: ready to receive, still no answer */
	    /* 2 */ {EPISODE_READY, "2024-05-08 09:00", NULL, "2024-05-10", NULL, NULL, false, false, false, NO_MUN},
	    /* 3 */
	    {EPISODE_READY, "2024-05-08 09:00", NULL, "2024-05-11", NULL, NULL, false, false, false,
	     NO_MUN | NOT_READY},
	    /* 4 */ {EPISODE_ADMITTED, NULL, NULL, NULL, NULL, NULL, false, false, false, NOTICE},
	    /* 5: a SIP called for yesterday and not held; the municipality's report without contact */
	    /* 5 */
	    {EPISODE_ADMITTED, "2024-05-08 09:00", NULL, NULL, "2024-05-09 10:00", "2024-05-08 12:00", false, false,
	     false, SIP | NO_CONTACT},
	    /* 6 */
	    {EPISODE_ADMITTED, "2024-05-08 09:00", NULL, NULL, "2024-05-10 10:00", NULL, false, false, false, 0},
	    /* 7: LPT/LRV ready without the plan */
	    /* 7 */ {EPISODE_READY, "2024-05-08 09:00", "2024-05-09 15:00", NULL, NULL, NULL, true, false, false, PLAN},
	    /* 8: discharged: the information transfer and the patient, never the ward's list */
	    /* 8 */ {EPISODE_DISCHARGED, NULL, NULL, NULL, NULL, NULL, true, false, false, PLAN | INFO | UNINFORMED},
	    /* 9 */ {EPISODE_DISCHARGED, NULL, NULL, NULL, NULL, NULL, false, true, true, 0},
	    /* 10 */
	    {EPISODE_CANCELLED, NULL, NULL, NULL, "2024-05-09 10:00", "2024-05-08 12:00", true, false, false, 0},
	    /* 11 */ {EPISODE_EMPTY, NULL, NULL, NULL, NULL, NULL, false, false, false, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		episode_init(&st);
		st.status = rows[i].status;
		st.cancelled = rows[i].status == EPISODE_CANCELLED;
		st.admitted_at = at("2024-05-08 08:00");
		st.notice_at = at(rows[i].notice);
		if (st.status == EPISODE_READY || st.status == EPISODE_DISCHARGED)
			st.ready_at = at("2024-05-09 10:00");
		if (st.status == EPISODE_DISCHARGED)
			st.discharged_at = at("2024-05-09 16:00");
		st.municipality_ready_at = at(rows[i].municipality_ready);
		st.municipal_can_receive_on = day(rows[i].can_receive_on);
		if (rows[i].sip_meeting) {
			st.sip_called_at = at("2024-05-08 10:00");
			st.sip_meeting_at = at(rows[i].sip_meeting);
		}
		st.municipal_report_at = at(rows[i].municipal_report);
		st.legal_form = rows[i].care_plan ? LEGAL_FORM_LPT : LEGAL_FORM_NONE;
		st.information_items = rows[i].all_information ? EVENT_ITEMS_ALL : 0;
		st.patient_informed_at = rows[i].informed ? at("2024-05-09 15:00") : HG_INSTANT_NONE;
		hg_date today = day("2024-05-10");
		unsigned set = episode_todo_set(&st, today);
		T_EQ_INT(t, set, rows[i].want, "set row %zu", i);
		T_EQ_INT(t, episode_todos(&st, today), set & TODO_WARD_LIST, "ward list row %zu", i);
		T_EQ_INT(t, episode_care_todos(&st, today), set & TODO_CARE_LIST, "care list row %zu", i);
	}
	T_EQ_INT(t, TODO_WARD_LIST & TODO_CARE_LIST, 0, "a to-do is on one list");
	T_EQ_INT(t, TODO_WARD_LIST | TODO_CARE_LIST, TODO_BIT(TODO_COUNT) - 1u, "every to-do is on a list");
	T_EQ_INT(t, TAKEN & TODO_CARE_LIST, TAKEN, "taken over: the care list");
	T_EQ_INT(t, NO_DECISION & TODO_CARE_LIST, NO_DECISION, "decision: the care list");
}

static void test_labels(struct test *t)
{
	static const char *const codes[TODO_COUNT] = {
	    "notice_not_sent",       "expected_date_passed",  "ready_no_municipality_answer",
	    "care_plan_missing",     "information_missing",   "patient_not_informed",
	    "not_taken_over",        "sip_not_held",          "municipal_no_contact",
	    "municipal_no_decision", "municipality_not_ready"};
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
	test_set(&t);
	test_labels(&t);
	return test_report(&t);
}
