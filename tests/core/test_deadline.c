/*
 * test_deadline.c - the three legal deadlines: due instants across midnight,
 * daylight saving, weekends and holidays; met / met late / overdue / due today
 * at given instants; not applicable on the green track, before a ready notice
 * and in a cancelled episode. Times are Europe/Stockholm local.
 */
#include <stdlib.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "test.h"

static hg_instant at(const char *local)
{
	hg_instant t;
	if (!local)
		return HG_INSTANT_NONE;
	if (cal_parse_local(local, &t) != HG_OK) {
		fprintf(stderr, "bad test instant %s\n", local);
		abort();
	}
	return t;
}

static hg_date day(const char *s)
{
	hg_date d;
	if (date_parse(s, &d) != HG_OK)
		abort();
	return d;
}

static void test_day_end(struct test *t)
{
	static const struct {
		const char *from;
		int n;
		deadline_count count;
		bool eves;
		const char *last; /* local 23:59:59 of this date */
	} rows[] = {
		{"2024-05-03", 3, DEADLINE_COUNT_CALENDAR, false, "2024-05-06"}, /* Friday: over the weekend */
		{"2024-05-03", 3, DEADLINE_COUNT_WEEKDAYS, false, "2024-05-08"}, /* Mon, Tue, Wed */
		{"2024-05-08", 3, DEADLINE_COUNT_WEEKDAYS, false, "2024-05-14"}, /* Thu 9 Ascension: Fri, Mon, Tue */
		{"2024-03-28", 3, DEADLINE_COUNT_WEEKDAYS, false, "2024-04-04"}, /* Easter: Good Fri, Easter Mon */
		{"2024-03-28", 3, DEADLINE_COUNT_CALENDAR, false, "2024-03-31"}, /* ends on the DST day */
		{"2024-12-20", 3, DEADLINE_COUNT_WEEKDAYS, false, "2024-12-27"}, /* Mon 23, Tue 24 (eve), Fri 27 */
		{"2024-12-20", 3, DEADLINE_COUNT_WEEKDAYS, true, "2024-12-30"},  /* eves excluded: 23, 27, 30 */
		{"2024-12-30", 1, DEADLINE_COUNT_WEEKDAYS, true, "2025-01-02"},  /* 31 eve, 1 Jan holiday */
		{"2024-06-20", 1, DEADLINE_COUNT_WEEKDAYS, true, "2024-06-24"},  /* midsummer eve 21 excluded */
		{"2024-06-20", 1, DEADLINE_COUNT_WEEKDAYS, false, "2024-06-21"}, /* midsummer eve counted */
		{"2024-02-28", 1, DEADLINE_COUNT_CALENDAR, false, "2024-02-29"}, /* leap day */
		{"2024-10-25", 2, DEADLINE_COUNT_CALENDAR, false, "2024-10-27"}, /* ends on the 25-hour day */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		deadline_rules r = deadline_rules_default();
		r.count = rows[i].count;
		r.eves_are_holidays = rows[i].eves;
		hg_instant got = deadline_day_end(day(rows[i].from), rows[i].n, &r);
		hg_instant want = cal_local_midnight(day(rows[i].last) + 1) - 1;
		T_EQ_INT(t, got, want, "row %zu: %d days after %s", i, rows[i].n, rows[i].from);
		cal_local l = cal_local_from_instant(got);
		T_TRUE(t, l.hour == 23 && l.minute == 59 && l.second == 59, "row %zu: ends 23:59:59 local", i);
	}
}

/* An episode state built directly: only what the deadlines read. */
struct scene {
	const char *admitted, *judged, *notice, *ready, *contact, *sip, *discharged;
	int track; /* -1 unset */
};

static episode_state build(const struct scene *s)
{
	episode_state st;
	episode_init(&st);
	st.status = EPISODE_ADMITTED;
	st.admitted_at = at(s->admitted);
	st.need_judged_at = at(s->judged);
	st.notice_at = at(s->notice);
	if (s->ready) {
		st.ready_period_count = 1;
		st.ready_periods[0] = (episode_ready_period){at(s->ready), HG_INSTANT_NONE, 3, 0, 1};
		st.ready_at = at(s->ready);
		st.status = EPISODE_READY;
	}
	st.care_contact_first_at = st.care_contact_at = at(s->contact);
	st.sip_called_at = at(s->sip);
	if (s->discharged) {
		st.discharged_at = at(s->discharged);
		st.status = EPISODE_DISCHARGED;
	}
	if (s->track >= 0) {
		st.track_is_set = true;
		st.track = (track_colour)s->track;
	}
	return st;
}

#define NONE_ NULL
#define UNSET (-1)

static void test_states(struct test *t)
{
	static const struct {
		struct scene s;
		const char *now;
		deadline_kind kind;
		const char *state;
		const char *due; /* local, or NULL for none */
	} rows[] = {
		/* admission notice: 24 elapsed hours */
		{{"2024-05-02 08:00", NONE_, "2024-05-03 07:59", NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-04 12:00",
		 DEADLINE_ADMISSION_NOTICE, "met", "2024-05-03 08:00"},
		{{"2024-05-02 08:00", NONE_, "2024-05-03 08:00", NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-04 12:00",
		 DEADLINE_ADMISSION_NOTICE, "met", "2024-05-03 08:00"},
		{{"2024-05-02 08:00", NONE_, "2024-05-03 08:01", NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-04 12:00",
		 DEADLINE_ADMISSION_NOTICE, "met_late", "2024-05-03 08:00"},
		/* across midnight */
		{{"2024-05-02 23:30", NONE_, NONE_, NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-02 23:45",
		 DEADLINE_ADMISSION_NOTICE, "not_due_yet", "2024-05-03 23:30"},
		{{"2024-05-02 23:30", NONE_, NONE_, NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-03 00:10",
		 DEADLINE_ADMISSION_NOTICE, "due_today", "2024-05-03 23:30"},
		{{"2024-05-02 23:30", NONE_, NONE_, NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-03 23:31",
		 DEADLINE_ADMISSION_NOTICE, "overdue", "2024-05-03 23:30"},
		/* a notice recorded after `now` has not been sent yet */
		{{"2024-05-02 23:30", NONE_, "2024-05-03 12:00", NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-03 11:00",
		 DEADLINE_ADMISSION_NOTICE, "due_today", "2024-05-03 23:30"},
		/* daylight saving: 24 real hours */
		{{"2024-03-30 10:00", NONE_, NONE_, NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-03-30 12:00",
		 DEADLINE_ADMISSION_NOTICE, "not_due_yet", "2024-03-31 11:00"},
		{{"2024-10-26 10:00", NONE_, NONE_, NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-10-27 09:30",
		 DEADLINE_ADMISSION_NOTICE, "overdue", "2024-10-27 09:00"},
		/* from the moment the need was judged */
		{{"2024-05-02 08:00", "2024-05-04 09:00", "2024-05-05 08:00", NONE_, NONE_, NONE_, NONE_, UNSET},
		 "2024-05-06 12:00", DEADLINE_ADMISSION_NOTICE, "met", "2024-05-05 09:00"},
		/* discharged within the 24 h without a notice: no need was identified */
		{{"2024-05-02 08:00", NONE_, NONE_, NONE_, NONE_, NONE_, "2024-05-02 18:00", UNSET}, "2024-05-04 12:00",
		 DEADLINE_ADMISSION_NOTICE, "not_applicable", "2024-05-03 08:00"},
		{{"2024-05-02 08:00", NONE_, NONE_, NONE_, NONE_, NONE_, "2024-05-03 18:00", UNSET}, "2024-05-04 12:00",
		 DEADLINE_ADMISSION_NOTICE, "overdue", "2024-05-03 08:00"},

		/* care contact: 3 calendar days after Friday 3 May → end of Monday 6 May */
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", "2024-05-04 09:00", NONE_, NONE_, UNSET},
		 "2024-05-10 12:00", DEADLINE_CARE_CONTACT, "met", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", "2024-05-06 23:59", NONE_, NONE_, UNSET},
		 "2024-05-10 12:00", DEADLINE_CARE_CONTACT, "met", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", "2024-05-07 00:00", NONE_, NONE_, UNSET},
		 "2024-05-10 12:00", DEADLINE_CARE_CONTACT, "met_late", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, NONE_, UNSET}, "2024-05-05 12:00",
		 DEADLINE_CARE_CONTACT, "not_due_yet", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, NONE_, UNSET}, "2024-05-06 00:00",
		 DEADLINE_CARE_CONTACT, "due_today", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, NONE_, UNSET}, "2024-05-07 00:00",
		 DEADLINE_CARE_CONTACT, "overdue", "2024-05-06 23:59:59"},
		/* appointed before the ready notice: met */
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", "2024-05-02 12:00", NONE_, NONE_, UNSET},
		 "2024-05-03 12:00", DEADLINE_CARE_CONTACT, "met", "2024-05-06 23:59:59"},
		/* ... and before the discharge: discharged on Saturday, appointed on Monday → late */
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", "2024-05-06 09:00", NONE_, "2024-05-04 11:00", UNSET},
		 "2024-05-10 12:00", DEADLINE_CARE_CONTACT, "met_late", "2024-05-04 11:00"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, "2024-05-04 11:00", UNSET},
		 "2024-05-04 12:00", DEADLINE_CARE_CONTACT, "overdue", "2024-05-04 11:00"},
		/* no ready notice yet / never */
		{{"2024-05-02 08:00", NONE_, NONE_, NONE_, NONE_, NONE_, NONE_, UNSET}, "2024-05-10 12:00",
		 DEADLINE_CARE_CONTACT, "not_due_yet", NONE_},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, NONE_, UNSET}, "2024-05-03 09:00",
		 DEADLINE_CARE_CONTACT, "not_due_yet", NONE_},
		{{"2024-05-02 08:00", NONE_, NONE_, NONE_, NONE_, NONE_, "2024-05-04 11:00", UNSET}, "2024-05-10 12:00",
		 DEADLINE_CARE_CONTACT, "not_applicable", NONE_},
		/* across the spring DST change: ends 23:59:59 CEST on 1 April */
		{{"2024-03-27 08:00", NONE_, NONE_, "2024-03-29 10:00", NONE_, NONE_, NONE_, UNSET}, "2024-04-01 23:30",
		 DEADLINE_CARE_CONTACT, "due_today", "2024-04-01 23:59:59"},

		/* SIP call */
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, "2024-05-06 08:00", NONE_, TRACK_YELLOW},
		 "2024-05-10 12:00", DEADLINE_SIP_CALL, "met", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, "2024-05-08 08:00", NONE_, TRACK_RED},
		 "2024-05-10 12:00", DEADLINE_SIP_CALL, "met_late", "2024-05-06 23:59:59"},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, NONE_, TRACK_GREEN}, "2024-05-10 12:00",
		 DEADLINE_SIP_CALL, "not_applicable", NONE_},
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, NONE_, NONE_, UNSET}, "2024-05-10 12:00",
		 DEADLINE_SIP_CALL, "overdue", "2024-05-06 23:59:59"},
		/* the call may come after the discharge (yellow: SIP at home); the discharge does not cut it */
		{{"2024-05-02 08:00", NONE_, NONE_, "2024-05-03 10:00", NONE_, "2024-05-06 10:00", "2024-05-04 11:00", TRACK_YELLOW},
		 "2024-05-10 12:00", DEADLINE_SIP_CALL, "met", "2024-05-06 23:59:59"},
	};
	/* the rows are the statutory reading: the rules in force (deadline_in_force), the one entry point */
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st = build(&rows[i].s);
		deadline out[DEADLINE_KIND_COUNT];
		T_EQ_INT(t, deadline_in_force(&st, at(rows[i].now), out), HG_OK, "row %zu evaluates", i);
		const deadline *d = &out[rows[i].kind];
		T_EQ_INT(t, d->kind, rows[i].kind, "row %zu kind", i);
		T_EQ_STR(t, deadline_state_label(d->state)->code, rows[i].state, "row %zu state", i);
		T_EQ_INT(t, d->due_at, at(rows[i].due), "row %zu due", i);
		bool met = d->state == DEADLINE_MET || d->state == DEADLINE_MET_LATE;
		T_TRUE(t, met == (d->met_at != HG_INSTANT_NONE), "row %zu: met_at set exactly when met", i);
	}
}

static void test_rules(struct test *t)
{
	/* weekdays, with the eves: ready Friday 20 December → 23, 27, 30 December */
	struct scene s = {"2024-12-18 08:00", NONE_, "2024-12-18 09:00", "2024-12-20 10:00", NONE_, NONE_, NONE_, UNSET};
	episode_state st = build(&s);
	deadline out[DEADLINE_KIND_COUNT];
	deadline_rules r = deadline_rules_default();
	r.count = DEADLINE_COUNT_WEEKDAYS;
	r.eves_are_holidays = true;
	r.sip_days = 1;
	r.notice_hours = 48;
	T_EQ_INT(t, deadline_evaluate(&st, &r, at("2024-12-27 12:00"), out), HG_OK, "weekday rules");
	T_EQ_INT(t, out[DEADLINE_CARE_CONTACT].due_at, at("2024-12-30 23:59:59"), "care contact: 3 weekdays");
	T_EQ_INT(t, out[DEADLINE_SIP_CALL].due_at, at("2024-12-23 23:59:59"), "SIP: 1 weekday");
	T_EQ_STR(t, deadline_state_label(out[DEADLINE_SIP_CALL].state)->code, "overdue", "SIP overdue");
	T_EQ_STR(t, deadline_state_label(out[DEADLINE_CARE_CONTACT].state)->code, "not_due_yet", "care contact open");
	T_EQ_INT(t, out[DEADLINE_ADMISSION_NOTICE].due_at, at("2024-12-20 08:00"), "48 hours");
	T_EQ_INT(t, out[DEADLINE_ADMISSION_NOTICE].starts_at, at("2024-12-18 08:00"), "starts at admission");
	T_EQ_INT(t, out[DEADLINE_CARE_CONTACT].starts_at, at("2024-12-20 10:00"), "starts at the ready notice");

	/* invalid rules */
	static const struct { int hours, cc, sip, count; hg_status want; } rows[] = {
		{24, 3, 3, DEADLINE_COUNT_CALENDAR, HG_OK}, {0, 3, 3, DEADLINE_COUNT_CALENDAR, HG_EINVAL},
		{721, 3, 3, DEADLINE_COUNT_CALENDAR, HG_EINVAL}, {24, 0, 3, DEADLINE_COUNT_CALENDAR, HG_EINVAL},
		{24, 3, 61, DEADLINE_COUNT_CALENDAR, HG_EINVAL}, {24, 3, 3, 2, HG_EINVAL},
		{720, 60, 60, DEADLINE_COUNT_WEEKDAYS, HG_OK},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		deadline_rules x = {rows[i].hours, rows[i].cc, rows[i].sip, (deadline_count)rows[i].count, false};
		T_EQ_INT(t, deadline_rules_validate(&x), rows[i].want, "rules row %zu", i);
		T_EQ_INT(t, deadline_evaluate(&st, &x, at("2024-12-27 12:00"), out), rows[i].want, "evaluate row %zu", i);
	}

	/* nothing applies to a cancelled or empty episode */
	st.cancelled = true;
	st.status = EPISODE_CANCELLED;
	T_EQ_INT(t, deadline_evaluate(&st, &r, at("2024-12-27 12:00"), out), HG_OK, "cancelled");
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		T_EQ_INT(t, out[k].state, DEADLINE_NOT_APPLICABLE, "cancelled: kind %d", k);
	episode_init(&st);
	T_EQ_INT(t, deadline_evaluate(&st, &r, at("2024-12-27 12:00"), out), HG_OK, "empty");
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		T_EQ_INT(t, out[k].state, DEADLINE_NOT_APPLICABLE, "empty: kind %d", k);
}

/* The rules in force are the statutory default; rules are equal only when every count is. */
static void test_in_force(struct test *t)
{
	struct scene s = {"2024-12-18 08:00", NONE_, NONE_, "2024-12-20 10:00", NONE_, NONE_, NONE_, UNSET};
	episode_state st = build(&s);
	deadline_inputs in;
	deadline a[DEADLINE_KIND_COUNT], b[DEADLINE_KIND_COUNT], c[DEADLINE_KIND_COUNT];
	deadline_rules def = deadline_rules_default();
	deadline_inputs_of(&st, &in);
	T_EQ_INT(t, deadline_in_force(&st, at("2024-12-23 12:00"), a), HG_OK, "in force");
	T_EQ_INT(t, deadline_in_force_inputs(&in, at("2024-12-23 12:00"), b), HG_OK, "in force, inputs");
	T_EQ_INT(t, deadline_evaluate(&st, &def, at("2024-12-23 12:00"), c), HG_OK, "default rules");
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++) {
		T_TRUE(t, a[k].state == c[k].state && a[k].due_at == c[k].due_at && a[k].starts_at == c[k].starts_at,
		       "kind %d: in force is the default", k);
		T_TRUE(t, b[k].state == c[k].state && b[k].due_at == c[k].due_at, "kind %d: inputs alike", k);
	}
	T_EQ_INT(t, a[DEADLINE_CARE_CONTACT].due_at, at("2024-12-23 23:59:59"), "3 calendar days");

	static const struct {
		deadline_rules r;
		bool equal;
	} rows[] = {
	    /* 0 */ {{24, 3, 3, DEADLINE_COUNT_CALENDAR, false}, true},
	    /* 1 */ {{48, 3, 3, DEADLINE_COUNT_CALENDAR, false}, false},
	    /* 2 */ {{24, 5, 3, DEADLINE_COUNT_CALENDAR, false}, false},
	    /* 3 */ {{24, 3, 1, DEADLINE_COUNT_CALENDAR, false}, false},
	    /* 4 */ {{24, 3, 3, DEADLINE_COUNT_WEEKDAYS, false}, false},
	    /* 5 */ {{24, 3, 3, DEADLINE_COUNT_CALENDAR, true}, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		T_EQ_INT(t, deadline_rules_equal(&rows[i].r, &def), rows[i].equal, "equal row %zu", i);
		T_EQ_INT(t, deadline_rules_equal(&def, &rows[i].r), rows[i].equal, "equal row %zu, turned", i);
	}
}

static void test_labels(struct test *t)
{
	for (int i = 0; i < DEADLINE_KIND_COUNT; i++) {
		deadline_kind k;
		T_TRUE(t, deadline_kind_from_code(deadline_kind_label((deadline_kind)i)->code, &k) && k == (deadline_kind)i,
		       "kind %d", i);
	}
	for (int i = 0; i < DEADLINE_STATE_COUNT; i++) {
		deadline_state s;
		T_TRUE(t, deadline_state_from_code(deadline_state_label((deadline_state)i)->code, &s) && s == (deadline_state)i,
		       "state %d", i);
	}
	for (int i = 0; i < DEADLINE_COUNT_KIND_COUNT; i++) {
		deadline_count c;
		T_TRUE(t, deadline_count_from_code(deadline_count_label((deadline_count)i)->code, &c) && c == (deadline_count)i,
		       "count %d", i);
	}
	deadline_count c;
	T_TRUE(t, !deadline_count_from_code("fortnights", &c) && !deadline_count_from_code(NULL, &c), "unknown count");
}

int main(void)
{
	struct test t = {.name = "test_deadline"};
	test_day_end(&t);
	test_states(&t);
	test_rules(&t);
	test_in_force(&t);
	test_labels(&t);
	return test_report(&t);
}
