/*
 * test_indicator.c - the follow-up indicators on a hand-built set of episodes
 * with known answers: an episode spanning two months, a same-day discharge,
 * a withdrawn and renewed ready notice, readmissions at exactly 30 and 31
 * days, a death (outside the readmission base), a stay still in hospital,
 * deviations cancelled and corrected, acknowledgements, survey answers, and
 * small-cell suppression. Times are Europe/Stockholm local; the set is judged
 * as of 2024-03-31 12:00.
 *
 * The episodes (municipality 2080 unless noted):
 *   E1 A 1940  adm 01-25  ready 01-29 10:00  disch 02-02 11:00 home      4 days, yellow, SIP at home
 *   E2 B 1990  adm 02-05  ready 02-08 09:00  disch 02-08 15:00 home      0 days (same day), green, notice late
 *   E3 C 1950  adm 02-01  ready 02-05, withdrawn 02-07, ready 02-12, disch 02-14    2 + 2 = 4 days, red, no SIP
 *   E4 A       adm 03-03 (30 days after E1)  disch 03-10, never ready
 *   E5 C       adm 03-16 (31 days after E3)  disch 03-20, never ready
 *   E6 D 2010  2081, psychiatric, adm 02-10  ready 02-20  disch 02-25    5 days
 *   E7 E 1960  adm 02-20  ready 02-26  still in hospital
 *   E8 F 1930  adm 02-03  ready 02-05  disch 02-16 deceased             11 days, red, SIP in hospital
 * That set is given no agreements: it has no liable nights.
 *
 * Payment liability has its own set (test_liability, as of 2024-06-30 12:00)
 * with three agreements: calendar 3 days for 2080 with the amount changing on
 * 1 January, 5 weekdays for 2082 (an odd amount in öre), the average model
 * for 2081; 2083 has none. Its episodes and answers are listed there.
 */
#include <stdlib.h>

#include "core/calendar.h"
#include "core/indicator.h"
#include "test.h"

#define MAX_EVENTS 32

static hg_instant at(const char *local)
{
	hg_instant t;
	if (!local || cal_parse_local(local, &t) != HG_OK) {
		fprintf(stderr, "bad test instant %s\n", local ? local : "(null)");
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

enum dev_mode { DEV_NONE = 0, DEV_ONE_AND_CANCELLED, DEV_CORRECTED };

struct spec {
	int64_t id;
	const char *pnr, *muni;
	care_type care;
	const char *admitted, *notice; /* notice NULL: one hour after the admission */
	const char *ready[2], *withdrawn[2];
	const char *discharged;
	discharge_destination dest;
	int track; /* -1: none */
	const char *contact, *sip_call, *sip_held;
	sip_place sip_place;
	enum dev_mode devs;
	const char *mun_ack; /* the municipality acknowledges the admission notice then */
	bool notice_vc_only; /* the admission notice goes to the primary care centre only, not the municipality */
};

static const struct spec episodes[] = {
	{1, "19400315-1232", "2080", CARE_SOMATIC, "2024-01-25 08:00", NULL, {"2024-01-29 10:00"}, {NULL},
	 "2024-02-02 11:00", DEST_OWN_HOME, TRACK_YELLOW, "2024-01-30 09:00", "2024-01-30 10:00", "2024-02-01 13:00",
	 SIP_HOME, DEV_NONE, "2024-01-25 11:00", false},
	{2, "19900704-1230", "2080", CARE_SOMATIC, "2024-02-05 08:00", "2024-02-06 10:00", {"2024-02-08 09:00"}, {NULL},
	 "2024-02-08 15:00", DEST_OWN_HOME, TRACK_GREEN, NULL, NULL, NULL, SIP_HOME, DEV_NONE, NULL, false},
	{3, "19500520-1230", "2080", CARE_GERIATRIC, "2024-02-01 08:00", NULL, {"2024-02-05 10:00", "2024-02-12 09:00"},
	 {"2024-02-07 10:00"}, "2024-02-14 12:00", DEST_OWN_HOME, TRACK_RED, "2024-02-10 09:00", NULL, NULL, SIP_HOME,
	 DEV_ONE_AND_CANCELLED, NULL, false},
	{4, "19400315-1232", "2080", CARE_SOMATIC, "2024-03-03 08:00", NULL, {NULL}, {NULL}, "2024-03-10 12:00",
	 DEST_OWN_HOME, -1, NULL, NULL, NULL, SIP_HOME, DEV_NONE, NULL, false},
	{5, "19500520-1230", "2080", CARE_SOMATIC, "2024-03-16 08:00", NULL, {NULL}, {NULL}, "2024-03-20 12:00",
	 DEST_OWN_HOME, -1, NULL, NULL, NULL, SIP_HOME, DEV_NONE, NULL, false},
	{6, "20100101-1236", "2081", CARE_PSYCHIATRIC, "2024-02-10 08:00", NULL, {"2024-02-20 10:00"}, {NULL},
	 "2024-02-25 12:00", DEST_OWN_HOME, -1, NULL, NULL, NULL, SIP_HOME, DEV_NONE, NULL, false},
	{7, "19600808-1231", "2080", CARE_SOMATIC, "2024-02-20 08:00", NULL, {"2024-02-26 10:00"}, {NULL}, NULL,
	 DEST_OWN_HOME, -1, NULL, NULL, NULL, SIP_HOME, DEV_NONE, NULL, false},
	{8, "19300211-1239", "2080", CARE_SOMATIC, "2024-02-03 08:00", NULL, {"2024-02-05 10:00"}, {NULL},
	 "2024-02-16 12:00", DEST_DECEASED, TRACK_RED, "2024-02-06 09:00", "2024-02-07 09:00", "2024-02-08 13:00",
	 SIP_HOSPITAL, DEV_CORRECTED, NULL, false},
};

/* ---- building the events of a spec ---- */

struct built {
	event ev;
	int ref; /* index (in build order) of the event this one refers to, or -1 */
};

struct builder {
	struct built items[MAX_EVENTS];
	int n;
	const struct spec *sp;
};

static void put(char *dst, size_t cap, const char *s) { (void)snprintf(dst, cap, "%s", s); }

static int add(struct builder *b, event_type type, const char *when, int who)
{
	struct built *it = &b->items[b->n];
	event_init(&it->ev, type);
	it->ev.occurred_at = at(when);
	it->ref = -1;
	if (who == 0) { /* the ward */
		put(it->ev.author_unit, sizeof it->ev.author_unit, b->sp->care == CARE_PSYCHIATRIC ? "P41" : "W12");
		it->ev.author_kind = UNIT_WARD;
		put(it->ev.author_org, sizeof it->ev.author_org, "R20");
	} else if (who == 1) { /* the primary care centre */
		put(it->ev.author_unit, sizeof it->ev.author_unit, "VC1");
		it->ev.author_kind = UNIT_PRIMARY_CARE;
		put(it->ev.author_org, sizeof it->ev.author_org, "R20");
	} else { /* the municipality */
		(void)snprintf(it->ev.author_unit, sizeof it->ev.author_unit, "K%s", b->sp->muni);
		it->ev.author_kind = UNIT_MUNICIPAL_SOCIAL;
		put(it->ev.author_org, sizeof it->ev.author_org, b->sp->muni);
	}
	return b->n++;
}

static int cmp_built(const void *a, const void *b)
{
	const struct built *x = a, *y = b;
	if (x->ev.occurred_at != y->ev.occurred_at)
		return x->ev.occurred_at < y->ev.occurred_at ? -1 : 1;
	return (x->ev.seq > y->ev.seq) - (x->ev.seq < y->ev.seq); /* seq holds the build order until sorted */
}

/* The events of sp in time order with seq 1..n; *n gets their count. */
static void build(const struct spec *sp, event *out, size_t *n)
{
	struct builder b = {.n = 0, .sp = sp};
	int i = add(&b, EVENT_ADMITTED, sp->admitted, 0);
	struct event_admitted *a = &b.items[i].ev.u.admitted;
	put(a->patient.personnummer, sizeof a->patient.personnummer, sp->pnr);
	put(a->patient.name, sizeof a->patient.name, "Test Testsson");
	put(a->patient.registered_municipality, sizeof a->patient.registered_municipality, sp->muni);
	put(a->patient.primary_care_unit, sizeof a->patient.primary_care_unit, "VC1");
	put(a->hospital, sizeof a->hospital, "Falu lasarett");
	put(a->ward, sizeof a->ward, sp->care == CARE_PSYCHIATRIC ? "P41" : "W12");
	a->care = sp->care;

	char notice_at[20];
	if (sp->notice) {
		put(notice_at, sizeof notice_at, sp->notice);
	} else {
		char buf[17];
		cal_format_local(at(sp->admitted) + 3600, buf);
		put(notice_at, sizeof notice_at, buf);
	}
	int notice = add(&b, EVENT_ADMISSION_NOTICE, notice_at, 0);
	struct event_admission_notice *nt = &b.items[notice].ev.u.admission_notice;
	nt->recipients.count = sp->notice_vc_only ? 1 : 2;
	int vc = sp->notice_vc_only ? 0 : 1;
	if (!sp->notice_vc_only) {
		(void)snprintf(nt->recipients.to[0].unit, sizeof nt->recipients.to[0].unit, "K%s", sp->muni);
		nt->recipients.to[0].kind = UNIT_MUNICIPAL_SOCIAL;
		put(nt->recipients.to[0].org, sizeof nt->recipients.to[0].org, sp->muni);
	}
	put(nt->recipients.to[vc].unit, sizeof nt->recipients.to[vc].unit, "VC1");
	nt->recipients.to[vc].kind = UNIT_PRIMARY_CARE;
	put(nt->recipients.to[vc].org, sizeof nt->recipients.to[vc].org, "R20");
	nt->expected_discharge_date = cal_local_date(at(notice_at)) + 7;
	if (sp->mun_ack) {
		int k = add(&b, EVENT_ACKNOWLEDGED, sp->mun_ack, 2);
		b.items[k].ref = notice;
	}
	if (sp->track >= 0) {
		int k = add(&b, EVENT_TRACK_SET, notice_at, 0);
		b.items[k].ev.occurred_at += 600;
		b.items[k].ev.u.track_set.colour = (track_colour)sp->track;
	}
	for (int r = 0; r < 2 && sp->ready[r]; r++) {
		add(&b, EVENT_READY_FOR_DISCHARGE, sp->ready[r], 0);
		if (sp->withdrawn[r])
			add(&b, EVENT_READY_WITHDRAWN, sp->withdrawn[r], 0);
	}
	if (sp->contact) {
		int k = add(&b, EVENT_CARE_CONTACT_APPOINTED, sp->contact, 1);
		put(b.items[k].ev.u.care_contact_appointed.name, sizeof b.items[k].ev.u.care_contact_appointed.name,
		    "Kim Kontakt");
	}
	if (sp->sip_call) {
		int k = add(&b, EVENT_SIP_CALLED, sp->sip_call, 1);
		b.items[k].ev.u.sip_called.meeting_at = at(sp->sip_held ? sp->sip_held : sp->sip_call) + 60;
		b.items[k].ev.u.sip_called.place = sp->sip_place;
	}
	if (sp->sip_held) {
		int k = add(&b, EVENT_SIP_HELD, sp->sip_held, 1);
		b.items[k].ev.occurred_at += 3600;
		b.items[k].ev.u.sip_held.held_at = at(sp->sip_held) + 60;
		b.items[k].ev.u.sip_held.place = sp->sip_place;
	}
	const char *dev_at = sp->discharged ? sp->discharged : sp->admitted;
	if (sp->devs != DEV_NONE) {
		int d1 = add(&b, EVENT_DEVIATION, dev_at, 0);
		b.items[d1].ev.occurred_at -= 7200;
		b.items[d1].ev.u.deviation.category = DEVIATION_OTHER;
		put(b.items[d1].ev.u.deviation.against_org, sizeof b.items[d1].ev.u.deviation.against_org, "R20");
		int d2 = add(&b, sp->devs == DEV_CORRECTED ? EVENT_DEVIATION : EVENT_DEVIATION, dev_at, 0);
		b.items[d2].ev.occurred_at -= 3600;
		b.items[d2].ev.u.deviation.category = DEVIATION_SIP_MISSING;
		put(b.items[d2].ev.u.deviation.against_org, sizeof b.items[d2].ev.u.deviation.against_org, "2080");
		if (sp->devs == DEV_CORRECTED) {
			b.items[d2].ref = d1; /* d2 corrects d1 */
		} else {
			int c = add(&b, EVENT_CANCELLED, dev_at, 0);
			b.items[c].ev.occurred_at -= 1800;
			b.items[c].ref = d2;
		}
	}
	if (sp->discharged) {
		int k = add(&b, EVENT_DISCHARGED, sp->discharged, 0);
		b.items[k].ev.u.discharged.destination = sp->dest;
	}
	/* Sort by time, then resolve the references to seq numbers. */
	for (int k = 0; k < b.n; k++)
		b.items[k].ev.seq = k;
	int order[MAX_EVENTS];
	struct built sorted[MAX_EVENTS];
	memcpy(sorted, b.items, sizeof(struct built) * (size_t)b.n);
	qsort(sorted, (size_t)b.n, sizeof sorted[0], cmp_built);
	for (int k = 0; k < b.n; k++)
		order[sorted[k].ev.seq] = k + 1;
	for (int k = 0; k < b.n; k++) {
		event *ev = &sorted[k].ev;
		int ref = sorted[k].ref;
		ev->seq = k + 1;
		if (ref < 0)
			continue;
		if (ev->type == EVENT_ACKNOWLEDGED)
			ev->u.acknowledged.ack_seq = order[ref];
		else if (ev->type == EVENT_CANCELLED)
			ev->u.cancelled.cancels_seq = order[ref];
		else
			ev->corrects_seq = order[ref];
	}
	for (int k = 0; k < b.n; k++)
		out[k] = sorted[k].ev;
	*n = (size_t)b.n;
}

static indicator_set *make_set(struct test *t)
{
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = at("2024-03-31 12:00")};
	indicator_set *s = NULL;
	if (!T_TRUE(t, indicator_set_new(&cfg, &s) == HG_OK, "new set"))
		return NULL; /* out of memory: no set to fill */
	static event evs[MAX_EVENTS];
	for (size_t i = 0; i < sizeof episodes / sizeof episodes[0]; i++) {
		size_t n;
		build(&episodes[i], evs, &n);
		hg_status rc = indicator_set_add_events(s, episodes[i].id, evs, n);
		T_EQ_INT(t, rc, HG_OK, "add episode %lld", (long long)episodes[i].id);
	}
	survey_answer a;
	survey_answer_init(&a);
	a.answered_at = at("2024-02-20 10:00");
	a.replies[SURVEY_FELT_SAFE] = SURVEY_YES;
	a.replies[SURVEY_TOOK_PART] = SURVEY_NO;
	T_EQ_INT(t, indicator_set_add_survey(s, 1, &a), HG_OK, "survey E1");
	a.replies[SURVEY_TOOK_PART] = SURVEY_YES;
	a.replies[SURVEY_KNEW_CARE_CONTACT] = SURVEY_NO;
	T_EQ_INT(t, indicator_set_add_survey(s, 3, &a), HG_OK, "survey E3");
	T_EQ_INT(t, indicator_set_add_survey(s, 99, &a), HG_ENOTFOUND, "survey of an unknown episode");
	if (!T_TRUE(t, indicator_set_finish(s) == HG_OK, "finish")) {
		indicator_set_free(s); /* an unfinished set cannot be read */
		return NULL;
	}
	return s;
}

/* The cell of measure `code` in the row whose keys are k0 (and k1), or NULL. */
static const indicator_cell *cell(const indicator_table *tb, const char *k0, const char *k1, const char *code)
{
	int m = indicator_measure_find(tb->query.subject, code);
	if (m < 0 || !tb->total.cells) /* no table: a failed compute (the allocation-failure runs) */
		return NULL;
	if (!k0)
		return &tb->total.cells[m];
	for (size_t r = 0; r < tb->n_rows; r++)
		if (strcmp(tb->rows[r].keys[0], k0) == 0 && (!k1 || strcmp(tb->rows[r].keys[1], k1) == 0))
			return &tb->rows[r].cells[m];
	return NULL;
}

/* Expected values: state, and the value when the state is IND_CELL_VALUE. */
struct want {
	const char *k0, *k1, *code;
	indicator_cell_state state;
	double value;
};

static void check_rows(struct test *t, const indicator_table *tb, const struct want *w, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		const indicator_cell *c = cell(tb, w[i].k0, w[i].k1, w[i].code);
		if (!T_TRUE(t, c != NULL, "%s row %zu (%s/%s) %s exists", what, i, w[i].k0 ? w[i].k0 : "total",
			    w[i].k1 ? w[i].k1 : "", w[i].code))
			continue;
		T_EQ_INT(t, c->state, w[i].state, "%s row %zu %s state", what, i, w[i].code);
		if (w[i].state == IND_CELL_VALUE) {
			double diff = c->value - w[i].value;
			T_TRUE(t, diff < 1e-9 && diff > -1e-9, "%s row %zu %s/%s %s: got %g want %g", what, i,
			       w[i].k0 ? w[i].k0 : "total", w[i].k1 ? w[i].k1 : "", w[i].code, c->value, w[i].value);
		}
	}
}

static indicator_query query(indicator_subject s, const char *from, const char *to, size_t nd, indicator_dim d0,
			     indicator_dim d1)
{
	indicator_query q = {.subject = s, .from = day(from), .to = day(to), .n_dims = nd, .dims = {d0, d1}};
	return q;
}

static void test_by_municipality_month(struct test *t, const indicator_set *s)
{
	indicator_query q = query(IND_SUBJECT_EPISODES, "2024-01-01", "2024-04-01", 2, IND_DIM_MUNICIPALITY,
				  IND_DIM_MONTH);
	indicator_table tb;
	indicator_error err;
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "compute by municipality, month"))
		return; /* no table to read */
	static const struct want w[] = {
		/* February, 2080: E1 (4, spans Jan-Feb), E2 (0, same day), E3 (2+2 after a withdrawal), E8 (11) */
		{"2080", "2024-02", "episodes", IND_CELL_VALUE, 4},
		{"2080", "2024-02", "ready_episodes", IND_CELL_VALUE, 3},
		{"2080", "2024-02", "ready_days", IND_CELL_VALUE, 19},
		{"2080", "2024-02", "ready_days_mean", IND_CELL_VALUE, 19.0 / 3},
		{"2080", "2024-02", "ready_days_median", IND_CELL_VALUE, 4},
		{"2080", "2024-02", "ready_days_p90", IND_CELL_VALUE, 11},
		{"2080", "2024-02", "ready_discharged", IND_CELL_VALUE, 4},
		{"2080", "2024-02", "same_day", IND_CELL_VALUE, 1},
		{"2080", "2024-02", "same_day_share", IND_CELL_VALUE, 0.25},
		{"2080", "2024-02", "withdrawals", IND_CELL_VALUE, 1},
		/* readmissions: E1 -> E4 after exactly 30 days counts; E3 -> E5 after 31 does not; E8 died */
		{"2080", "2024-02", "readmission_base", IND_CELL_VALUE, 3},
		{"2080", "2024-02", "readmitted_30", IND_CELL_VALUE, 1},
		{"2080", "2024-02", "readmission_share", IND_CELL_VALUE, 1.0 / 3},
		{"2080", "2024-02", "readmission_base_65", IND_CELL_VALUE, 2},
		{"2080", "2024-02", "readmission_share_65", IND_CELL_VALUE, 0.5},
		/* deadlines: E2's notice came after 26 h; care contact: E1 and E8 met, E3 late, E2 none (cut by the discharge) */
		{"2080", "2024-02", "notice_due", IND_CELL_VALUE, 4},
		{"2080", "2024-02", "notice_24h_share", IND_CELL_VALUE, 0.75},
		{"2080", "2024-02", "care_contact_due", IND_CELL_VALUE, 4},
		{"2080", "2024-02", "care_contact_3d", IND_CELL_VALUE, 2},
		{"2080", "2024-02", "sip_call_due", IND_CELL_VALUE, 3},
		{"2080", "2024-02", "sip_call_3d", IND_CELL_VALUE, 2},
		/* SIP and tracks */
		{"2080", "2024-02", "sip_held", IND_CELL_VALUE, 2},
		{"2080", "2024-02", "sip_home_share", IND_CELL_VALUE, 0.5},
		{"2080", "2024-02", "track_set", IND_CELL_VALUE, 4},
		{"2080", "2024-02", "green_share", IND_CELL_VALUE, 0.25},
		{"2080", "2024-02", "red_share", IND_CELL_VALUE, 0.5},
		{"2080", "2024-02", "red_without_sip", IND_CELL_VALUE, 1},
		/* survey: E1 (safe, did not take part), E3 (safe, took part, did not know the contact) */
		{"2080", "2024-02", "survey_answers", IND_CELL_VALUE, 2},
		{"2080", "2024-02", "felt_safe_share", IND_CELL_VALUE, 1},
		{"2080", "2024-02", "took_part_share", IND_CELL_VALUE, 0.5},
		{"2080", "2024-02", "knew_care_contact_share", IND_CELL_VALUE, 0},
		{"2080", "2024-02", "sip_where_wanted_share", IND_CELL_EMPTY, 0},
		/* ready nights by the date they start: E1 3 in January, 1 in February */
		{"2080", "2024-01", "ready_nights", IND_CELL_VALUE, 3},
		{"2080", "2024-01", "episodes", IND_CELL_VALUE, 0},
		{"2080", "2024-01", "ready_days_mean", IND_CELL_EMPTY, 0},
		{"2080", "2024-02", "ready_nights", IND_CELL_VALUE, 1 + 4 + 11 + 4},
		{"2080", "2024-02", "night_episodes", IND_CELL_VALUE, 4},
		{"2080", "2024-03", "ready_nights", IND_CELL_VALUE, 30}, /* E7, nights 1..30 March */
		{"2080", "2024-03", "episodes", IND_CELL_VALUE, 2},
		{"2080", "2024-03", "ready_discharged", IND_CELL_VALUE, 0},
		{"2080", "2024-03", "same_day_share", IND_CELL_EMPTY, 0},
		/* 2081, psychiatric: E6 */
		{"2081", "2024-02", "ready_days", IND_CELL_VALUE, 5},
		{"2081", "2024-02", "ready_days_mean", IND_CELL_VALUE, 5},
		{"2081", "2024-02", "survey_answers", IND_CELL_VALUE, 0},
		{"2081", "2024-02", "felt_safe_share", IND_CELL_EMPTY, 0},
		/* the whole period */
		{NULL, NULL, "episodes", IND_CELL_VALUE, 7},
		{NULL, NULL, "ready_days", IND_CELL_VALUE, 24},
		{NULL, NULL, "ready_nights", IND_CELL_VALUE, 3 + 20 + 30 + 5},
		/* a set without agreements has no liability */
		{NULL, NULL, "liable_nights", IND_CELL_VALUE, 0},
		{NULL, NULL, "liable_episodes", IND_CELL_VALUE, 0},
		{NULL, NULL, "excluded_nights", IND_CELL_VALUE, 0},
	};
	check_rows(t, &tb, w, sizeof w / sizeof w[0], "municipality x month");
	T_EQ_INT(t, tb.n_rows, 4, "rows: 2080 x January, February, March; 2081 x February");
	/* Sorted by keys */
	T_EQ_STR(t, tb.rows[0].keys[1], "2024-01", "first row is January");
	T_EQ_STR(t, tb.rows[tb.n_rows - 1].keys[0], "2081", "last row is 2081");
	indicator_table_free(&tb);
}

static void test_groupings(struct test *t, const indicator_set *s)
{
	indicator_table tb;
	indicator_error err;
	/* Care group: geriatric counts as somatic; psychiatric apart. Age bands at admission. */
	indicator_query q = query(IND_SUBJECT_EPISODES, "2024-02-01", "2024-03-01", 1, IND_DIM_CARE_GROUP, 0);
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "by care group"))
		return; /* no table to read */
	static const struct want w1[] = {
		{"somatic", NULL, "episodes", IND_CELL_VALUE, 4},
		{"somatic", NULL, "ready_days", IND_CELL_VALUE, 19},
		{"psychiatric", NULL, "episodes", IND_CELL_VALUE, 1},
	};
	check_rows(t, &tb, w1, sizeof w1 / sizeof w1[0], "care group");
	indicator_table_free(&tb);

	q = query(IND_SUBJECT_EPISODES, "2024-02-01", "2024-03-01", 1, IND_DIM_AGE_BAND, 0);
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "by age band"))
		return; /* no table to read */
	static const struct want w2[] = {
		{"0-17", NULL, "episodes", IND_CELL_VALUE, 1},  {"18-64", NULL, "episodes", IND_CELL_VALUE, 1},
		{"65-79", NULL, "episodes", IND_CELL_VALUE, 1}, {"80+", NULL, "episodes", IND_CELL_VALUE, 2},
	};
	check_rows(t, &tb, w2, sizeof w2 / sizeof w2[0], "age band");
	indicator_table_free(&tb);

	/* Weeks: E2 ended Thursday 8 Feb (week 6); ready nights by week. */
	q = query(IND_SUBJECT_EPISODES, "2024-02-05", "2024-02-12", 1, IND_DIM_WEEK, 0);
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "by week"))
		return; /* no table to read */
	static const struct want w3[] = {
		{"2024-W06", NULL, "episodes", IND_CELL_VALUE, 1},
		{"2024-W06", NULL, "same_day", IND_CELL_VALUE, 1},
		{"2024-W06", NULL, "ready_nights", IND_CELL_VALUE, 2 + 7}, /* E3 5-6, E8 5-11 */
	};
	check_rows(t, &tb, w3, sizeof w3 / sizeof w3[0], "week");
	T_EQ_INT(t, tb.n_rows, 1, "one week");
	indicator_table_free(&tb);

	/* A filter: only municipality 2081. */
	q = query(IND_SUBJECT_EPISODES, "2024-01-01", "2024-04-01", 0, 0, 0);
	q.municipality = "2081";
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "filter 2081"))
		return; /* no table to read */
	static const struct want w4[] = {{NULL, NULL, "episodes", IND_CELL_VALUE, 1},
					 {NULL, NULL, "ready_nights", IND_CELL_VALUE, 5}};
	check_rows(t, &tb, w4, sizeof w4 / sizeof w4[0], "filter");
	T_EQ_INT(t, tb.n_rows, 1, "no dimension: one row");
	indicator_table_free(&tb);
}

static void test_deviations_acks(struct test *t, const indicator_set *s)
{
	indicator_table tb;
	indicator_error err;
	indicator_query q = query(IND_SUBJECT_DEVIATIONS, "2024-01-01", "2024-04-01", 2, IND_DIM_CATEGORY, IND_DIM_PARTY);
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "deviations"))
		return; /* no table to read */
	static const struct want w1[] = {
		{"other", "R20", "deviations", IND_CELL_VALUE, 1},       /* E3's; its second was cancelled */
		{"sip_missing", "2080", "deviations", IND_CELL_VALUE, 1}, /* E8's, corrected from other/R20 */
		{NULL, NULL, "deviations", IND_CELL_VALUE, 2},
	};
	check_rows(t, &tb, w1, sizeof w1 / sizeof w1[0], "deviations");
	T_EQ_INT(t, tb.n_rows, 2, "two deviation rows");
	indicator_table_free(&tb);

	q = query(IND_SUBJECT_ACKS, "2024-01-25", "2024-01-28", 1, IND_DIM_RECIPIENT, 0);
	if (!T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "acknowledgements"))
		return; /* no table to read */
	static const struct want w2[] = {
		{"K2080", NULL, "notices", IND_CELL_VALUE, 1},         {"K2080", NULL, "ack_share", IND_CELL_VALUE, 1},
		{"K2080", NULL, "ack_hours_median", IND_CELL_VALUE, 2}, {"VC1", NULL, "notices", IND_CELL_VALUE, 1},
		{"VC1", NULL, "ack_share", IND_CELL_VALUE, 0},          {"VC1", NULL, "ack_hours_median", IND_CELL_EMPTY, 0},
	};
	check_rows(t, &tb, w2, sizeof w2 / sizeof w2[0], "acks");
	indicator_table_free(&tb);

	/* Dimensions that a subject has not, and bad periods. */
	static const struct {
		indicator_subject s;
		const char *from, *to;
		size_t nd;
		indicator_dim d0, d1;
		indicator_error want;
	} bad[] = {
		{IND_SUBJECT_EPISODES, "2024-01-01", "2024-02-01", 1, IND_DIM_CATEGORY, 0, IND_ERR_DIM_SUBJECT},
		{IND_SUBJECT_DEVIATIONS, "2024-01-01", "2024-02-01", 1, IND_DIM_RECIPIENT, 0, IND_ERR_DIM_SUBJECT},
		{IND_SUBJECT_EPISODES, "2024-02-01", "2024-02-01", 0, 0, 0, IND_ERR_PERIOD},
		{IND_SUBJECT_EPISODES, "2024-01-01", "2024-02-01", 2, IND_DIM_WARD, IND_DIM_WARD, IND_ERR_DIMS},
		{IND_SUBJECT_EPISODES, "2024-01-01", "2024-02-01", 5, 0, 0, IND_ERR_DIMS},
		{IND_SUBJECT_ACKS, "2024-01-01", "2024-02-01", 2, IND_DIM_NOTICE, IND_DIM_MONTH, IND_ERR_NONE},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		q = query(bad[i].s, bad[i].from, bad[i].to, bad[i].nd, bad[i].d0, bad[i].d1);
		hg_status rc = indicator_compute(s, &q, &tb, &err);
		T_EQ_INT(t, rc, bad[i].want == IND_ERR_NONE ? HG_OK : HG_EINVAL, "bad query %zu status", i);
		T_EQ_INT(t, err, bad[i].want, "bad query %zu reason", i);
		indicator_table_free(&tb);
	}
}

static void test_suppression(struct test *t, const indicator_set *s)
{
	static const struct {
		int min_cell;
		const char *k0, *code;
		indicator_cell_state state;
	} rows[] = {
		{5, "2080", "episodes", IND_CELL_SUPPRESSED},       /* 4 < 5 */
		{5, "2080", "ready_days_mean", IND_CELL_SUPPRESSED}, /* base 3 */
		{5, "2081", "episodes", IND_CELL_SUPPRESSED},       /* 1 */
		{5, "2081", "survey_answers", IND_CELL_VALUE},      /* 0 is shown */
		{5, "2081", "felt_safe_share", IND_CELL_EMPTY},
		{5, NULL, "episodes", IND_CELL_VALUE},            /* the total: 5 */
		{5, NULL, "ready_days", IND_CELL_SUPPRESSED},     /* base 4 */
		{4, "2080", "episodes", IND_CELL_VALUE},
		{4, "2080", "ready_days", IND_CELL_SUPPRESSED},
		{4, "2080", "same_day_share", IND_CELL_VALUE},     /* base ready_discharged 4 */
		{1, "2081", "episodes", IND_CELL_VALUE},           /* 1 suppresses nothing */
		{0, "2081", "ready_days", IND_CELL_VALUE},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		indicator_query q = query(IND_SUBJECT_EPISODES, "2024-02-01", "2024-03-01", 1, IND_DIM_MUNICIPALITY, 0);
		indicator_table tb;
		indicator_error err;
		if (indicator_compute(s, &q, &tb, &err) != HG_OK) {
			T_TRUE(t, false, "suppression %zu compute", i);
			continue;
		}
		indicator_suppress(&tb, rows[i].min_cell);
		const indicator_cell *c = cell(&tb, rows[i].k0, NULL, rows[i].code);
		if (T_TRUE(t, c != NULL, "suppression %zu cell", i)) {
			T_EQ_INT(t, c->state, rows[i].state, "suppression %zu (%d, %s, %s)", i, rows[i].min_cell,
				 rows[i].k0 ? rows[i].k0 : "total", rows[i].code);
			if (c->state == IND_CELL_SUPPRESSED)
				T_TRUE(t, c->value == 0, "suppression %zu hides the value", i);
		}
		indicator_table_free(&tb);
	}
}

static void test_facts(struct test *t, const indicator_set *s)
{
	/* Who is in hospital and ready at an instant (the point measurement's rule). */
	static const struct {
		const char *when;
		int64_t ids[4];
		int days[4];
	} rows[] = {
		{"2024-02-06 12:00", {3, 8}, {1, 1}},
		{"2024-02-08 12:00", {2, 8}, {0, 3}},   /* E3 withdrawn on the 7th; E2 ready at 09:00 */
		{"2024-02-08 15:00", {8}, {3}},         /* E2 discharged at 15:00 */
		{"2024-02-13 08:00", {3, 8}, {3, 8}},  /* E3 2 + 1 */
		{"2024-03-31 12:00", {7}, {34}},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_instant when = at(rows[i].when);
		size_t k = 0;
		for (size_t f = 0; f < indicator_set_size(s); f++) {
			const indicator_fact *fa = indicator_set_fact(s, f);
			if (!indicator_fact_ready_at(fa, when, NULL))
				continue;
			T_EQ_INT(t, fa->id, rows[i].ids[k], "ready at %s #%zu", rows[i].when, k);
			T_EQ_INT(t, indicator_fact_ready_days(fa, cal_local_date(when)), rows[i].days[k], "days at %s #%zu",
				 rows[i].when, k);
			k++;
		}
		size_t want = 0;
		while (want < 4 && rows[i].ids[want])
			want++;
		T_EQ_INT(t, k, want, "ready count at %s", rows[i].when);
	}
	T_EQ_INT(t, indicator_set_fact(s, 0)->days_to_readmission, 30, "E1 readmitted after 30 days");
	T_EQ_INT(t, indicator_set_fact(s, 2)->days_to_readmission, 31, "E3 readmitted after 31 days");
	T_EQ_INT(t, indicator_set_fact(s, 1)->days_to_readmission, -1, "E2 not readmitted");
}

/* ---- payment liability: liable nights and amounts ---- */

/* An agreement for the liability set; rates rows {year, care, öre}. */
static agreement make_agreement(const char *id, const char *muni, agreement_model model, agreement_count count,
				int grace, const agreement_rate *rates, size_t n_rates)
{
	agreement a;
	memset(&a, 0, sizeof a);
	put(a.id, sizeof a.id, id);
	put(a.name, sizeof a.name, id);
	a.version = 1;
	put(a.region, sizeof a.region, "20");
	a.n_municipalities = 1;
	put(a.municipalities[0], sizeof a.municipalities[0], muni);
	a.valid_from = day("2020-01-01");
	a.valid_to = HG_DATE_NONE;
	a.model = model;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		a.grace_days[c] = grace;
	a.count = count;
	a.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE;
	a.conditions = (agreement_conditions){.admission_notice = true, .ready_notice = true, .sip_called = true};
	a.n_rates = n_rates;
	if (n_rates)
		memcpy(a.rates, rates, n_rates * sizeof *rates);
	if (model == AGREEMENT_AVERAGE) {
		a.average.period_months = 1;
		for (int c = 0; c < CARE_TYPE_COUNT; c++) {
			a.average.threshold_centidays[c] = 300;
			a.average.amount_ore[c] = 930000;
		}
	}
	return a;
}

/*
 * The liability set, as of 2024-06-30 12:00. Nights are the dates they start on.
 *   L1  2080 somatic  ready 2023-12-20, disch 2024-01-05  G 12-23: Dec 23-31 9 x 5 000 kr, Jan 1-4 4 x 6 000 kr
 *   L2  2082 somatic  ready Fri 2024-05-03, disch 05-15  5 weekdays (Ascension 9 May skipped): G 05-13, 2 x 8 000.25 kr
 *   L3  2080 somatic  ready 03-01, withdrawn 03-08, ready 03-12, disch 03-20: 4-7 March and 15-19 March, 9 x 6 000 kr
 *   L4  2080 somatic  no admission notice to the municipality; ready 03-02, disch 03-07: excluded, 2 nights (5, 6)
 *   L5  2080 somatic  ready and discharged 03-05: 0 nights
 *   L6  2081 somatic  average model; ready 03-02, disch 03-12: 10 ready nights, no liable night
 *   L7  2080 somatic  ready 06-20, still in hospital: G 06-23, nights 23-29 June (30 June has not begun), 7 x 6 000 kr
 *   L8  2083 somatic  no agreement covers 2083; ready 03-02, disch 03-10: 8 ready nights, no liable night
 *   L9  2080 somatic  yellow track, no SIP called; ready 04-02, disch 04-10: excluded, 5 nights (5-9 April)
 *   L10 2080 geriatric ready 01-27, disch 02-03: G 01-30, Jan 30-31 and Feb 1-2, 4 x 4 000 kr
 */
static const struct spec liable_specs[] = {
	{.id = 101, .pnr = "19400315-1232", .muni = "2080", .care = CARE_SOMATIC, .admitted = "2023-12-15 08:00",
	 .ready = {"2023-12-20 10:00"}, .discharged = "2024-01-05 11:00", .track = TRACK_GREEN},
	{.id = 102, .pnr = "19900704-1230", .muni = "2082", .care = CARE_SOMATIC, .admitted = "2024-05-01 08:00",
	 .ready = {"2024-05-03 10:00"}, .discharged = "2024-05-15 11:00", .track = TRACK_GREEN},
	{.id = 103, .pnr = "19500520-1230", .muni = "2080", .care = CARE_SOMATIC, .admitted = "2024-02-28 08:00",
	 .ready = {"2024-03-01 10:00", "2024-03-12 09:00"}, .withdrawn = {"2024-03-08 10:00"},
	 .discharged = "2024-03-20 12:00", .track = TRACK_GREEN},
	{.id = 104, .pnr = "19600808-1231", .muni = "2080", .care = CARE_SOMATIC, .admitted = "2024-03-01 08:00",
	 .ready = {"2024-03-02 10:00"}, .discharged = "2024-03-07 11:00", .track = TRACK_GREEN, .notice_vc_only = true},
	{.id = 105, .pnr = "19300211-1239", .muni = "2080", .care = CARE_SOMATIC, .admitted = "2024-03-03 08:00",
	 .ready = {"2024-03-05 10:00"}, .discharged = "2024-03-05 15:00", .track = TRACK_GREEN},
	{.id = 106, .pnr = "20100101-1236", .muni = "2081", .care = CARE_SOMATIC, .admitted = "2024-03-01 08:00",
	 .ready = {"2024-03-02 10:00"}, .discharged = "2024-03-12 11:00", .track = TRACK_GREEN},
	{.id = 107, .pnr = "19400315-1232", .muni = "2080", .care = CARE_SOMATIC, .admitted = "2024-06-10 08:00",
	 .ready = {"2024-06-20 10:00"}, .track = TRACK_GREEN},
	{.id = 108, .pnr = "19900704-1230", .muni = "2083", .care = CARE_SOMATIC, .admitted = "2024-03-01 08:00",
	 .ready = {"2024-03-02 10:00"}, .discharged = "2024-03-10 11:00", .track = TRACK_GREEN},
	{.id = 109, .pnr = "19500520-1230", .muni = "2080", .care = CARE_SOMATIC, .admitted = "2024-04-01 08:00",
	 .ready = {"2024-04-02 10:00"}, .discharged = "2024-04-10 11:00", .track = TRACK_YELLOW},
	{.id = 110, .pnr = "19600808-1231", .muni = "2080", .care = CARE_GERIATRIC, .admitted = "2024-01-25 08:00",
	 .ready = {"2024-01-27 10:00"}, .discharged = "2024-02-03 11:00", .track = TRACK_GREEN},
};

static indicator_set *make_liable_set(struct test *t)
{
	static const agreement_rate calendar_rates[] = {
		{2023, CARE_SOMATIC, 500000}, {2024, CARE_SOMATIC, 600000}, {2024, CARE_GERIATRIC, 400000},
		{2024, CARE_PSYCHIATRIC, 300000}};
	static const agreement_rate weekday_rates[] = {{2024, CARE_SOMATIC, 800025}};
	agreement list[3] = {
		make_agreement("test-calendar", "2080", AGREEMENT_PER_NIGHT, AGREEMENT_COUNT_CALENDAR, 3, calendar_rates,
			       sizeof calendar_rates / sizeof calendar_rates[0]),
		make_agreement("test-weekdays", "2082", AGREEMENT_PER_NIGHT, AGREEMENT_COUNT_WEEKDAYS, 5, weekday_rates, 1),
		make_agreement("test-average", "2081", AGREEMENT_AVERAGE, AGREEMENT_COUNT_CALENDAR, 0, NULL, 0),
	};
	/* issue 15.4: Falun's yardstick, 3.50 liable days per episode as in 2017 */
	list[0].yardstick = (agreement_yardstick){.baseline_year = 2017, .n_targets = 1, .targets = {{"2080", 350}}};
	for (size_t i = 0; i < 3; i++)
		T_EQ_INT(t, agreement_validate(&list[i], NULL), HG_OK, "agreement %s is valid", list[i].id);
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = at("2024-06-30 12:00")};
	indicator_set *s = NULL;
	if (!T_TRUE(t, indicator_set_new(&cfg, &s) == HG_OK, "new liability set"))
		return NULL;
	T_EQ_INT(t, indicator_set_agreements(s, list, 3), HG_OK, "agreements given");
	list[0].rates[1].amount_ore = 1; /* the set keeps its own copy */
	static event evs[MAX_EVENTS];
	for (size_t i = 0; i < sizeof liable_specs / sizeof liable_specs[0]; i++) {
		size_t n;
		build(&liable_specs[i], evs, &n);
		T_EQ_INT(t, indicator_set_add_events(s, liable_specs[i].id, evs, n), HG_OK, "add L%lld",
			 (long long)liable_specs[i].id - 100);
	}
	T_EQ_INT(t, indicator_set_agreements(s, list, 3), HG_EINVAL, "agreements after the first episode");
	if (!T_TRUE(t, indicator_set_finish(s) == HG_OK, "finish the liability set")) {
		indicator_set_free(s); /* an unfinished set cannot be read */
		return NULL;
	}
	return s;
}

static void test_liability(struct test *t)
{
	indicator_set *s = make_liable_set(t);
	if (!s)
		return;
	/* How each episode was judged, and its runs of nights. */
	static const struct {
		int64_t id;
		indicator_liability how;
		liability_billing billing;
		size_t n_runs;
		const char *from0, *to0;
		int64_t ore0;
	} facts[] = {
		{101, IND_LIABILITY_BILLABLE, LIABILITY_BILLABLE, 2, "2023-12-23", "2024-01-01", 500000},
		{102, IND_LIABILITY_BILLABLE, LIABILITY_BILLABLE, 1, "2024-05-13", "2024-05-15", 800025},
		{103, IND_LIABILITY_BILLABLE, LIABILITY_BILLABLE, 2, "2024-03-04", "2024-03-08", 600000},
		{104, IND_LIABILITY_EXCLUDED, LIABILITY_NO_ADMISSION_NOTICE, 1, "2024-03-05", "2024-03-07", 600000},
		{105, IND_LIABILITY_BILLABLE, LIABILITY_BILLABLE, 0, NULL, NULL, 0},
		{106, IND_LIABILITY_AVERAGE, LIABILITY_BILLABLE, 0, NULL, NULL, 0},
		{107, IND_LIABILITY_BILLABLE, LIABILITY_BILLABLE, 1, "2024-06-23", "2024-06-30", 600000},
		{108, IND_LIABILITY_NO_AGREEMENT, LIABILITY_BILLABLE, 0, NULL, NULL, 0},
		{109, IND_LIABILITY_EXCLUDED, LIABILITY_NO_SIP_CALL, 1, "2024-04-05", "2024-04-10", 600000},
		{110, IND_LIABILITY_BILLABLE, LIABILITY_BILLABLE, 1, "2024-01-30", "2024-02-03", 400000},
	};
	T_EQ_INT(t, indicator_set_size(s), sizeof facts / sizeof facts[0], "liability set size");
	for (size_t i = 0; i < sizeof facts / sizeof facts[0] && i < indicator_set_size(s); i++) {
		const indicator_fact *f = indicator_set_fact(s, i);
		T_EQ_INT(t, f->id, facts[i].id, "fact %zu id", i);
		T_EQ_INT(t, f->liability, facts[i].how, "L%lld judged", (long long)facts[i].id - 100);
		T_EQ_INT(t, f->billing, facts[i].billing, "L%lld billing", (long long)facts[i].id - 100);
		T_EQ_INT(t, f->n_runs, facts[i].n_runs, "L%lld runs", (long long)facts[i].id - 100);
		if (f->n_runs != facts[i].n_runs || !f->n_runs)
			continue;
		T_EQ_INT(t, f->runs[0].from, day(facts[i].from0), "L%lld first run from", (long long)facts[i].id - 100);
		T_EQ_INT(t, f->runs[0].to, day(facts[i].to0), "L%lld first run to", (long long)facts[i].id - 100);
		T_EQ_INT(t, f->runs[0].amount_ore, facts[i].ore0, "L%lld first run amount", (long long)facts[i].id - 100);
	}

	indicator_table tb;
	indicator_error err;
	indicator_query q = query(IND_SUBJECT_EPISODES, "2023-12-01", "2024-07-01", 2, IND_DIM_MUNICIPALITY,
				  IND_DIM_MONTH);
	if (T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "liability by municipality, month")) {
		static const struct want w[] = {
			/* the year boundary: December at the 2023 amount, January at the 2024 amount */
			{"2080", "2023-12", "liable_nights", IND_CELL_VALUE, 9},
			{"2080", "2023-12", "liable_amount_ore", IND_CELL_VALUE, 4500000},
			{"2080", "2023-12", "liable_amount", IND_CELL_VALUE, 45000},
			{"2080", "2023-12", "liable_episodes", IND_CELL_VALUE, 1},
			{"2080", "2023-12", "ready_nights", IND_CELL_VALUE, 12},
			{"2080", "2024-01", "liable_nights", IND_CELL_VALUE, 4 + 2}, /* L1, L10 */
			{"2080", "2024-01", "liable_amount_ore", IND_CELL_VALUE, 4 * 600000 + 2 * 400000},
			{"2080", "2024-01", "liable_episodes", IND_CELL_VALUE, 2},
			{"2080", "2024-02", "liable_nights", IND_CELL_VALUE, 2}, /* L10 across the month boundary */
			{"2080", "2024-02", "liable_amount_ore", IND_CELL_VALUE, 800000},
			/* March: L3 after a withdrawal (new grace); L4 excluded; L5 same day */
			{"2080", "2024-03", "liable_nights", IND_CELL_VALUE, 9},
			{"2080", "2024-03", "liable_amount_ore", IND_CELL_VALUE, 5400000},
			{"2080", "2024-03", "liable_episodes", IND_CELL_VALUE, 1},
			{"2080", "2024-03", "ready_nights", IND_CELL_VALUE, 7 + 8 + 5},
			{"2080", "2024-03", "excluded_episodes", IND_CELL_VALUE, 1},
			{"2080", "2024-03", "excluded_nights", IND_CELL_VALUE, 2},
			{"2080", "2024-03", "excluded_amount_ore", IND_CELL_VALUE, 1200000},
			{"2080", "2024-04", "liable_nights", IND_CELL_VALUE, 0},
			{"2080", "2024-04", "excluded_nights", IND_CELL_VALUE, 5}, /* L9: no SIP call */
			{"2080", "2024-04", "excluded_amount_ore", IND_CELL_VALUE, 3000000},
			{"2080", "2024-06", "liable_nights", IND_CELL_VALUE, 7}, /* L7 still in hospital */
			{"2080", "2024-06", "liable_amount", IND_CELL_VALUE, 42000},
			/* grace days ending mid-month, weekdays; 2 x 8 000.25 kr */
			{"2082", "2024-05", "liable_nights", IND_CELL_VALUE, 2},
			{"2082", "2024-05", "liable_amount_ore", IND_CELL_VALUE, 1600050},
			{"2082", "2024-05", "liable_amount", IND_CELL_VALUE, 16000.5},
			/* the average model and no agreement: ready nights, no liable night */
			{"2081", "2024-03", "ready_nights", IND_CELL_VALUE, 10},
			{"2081", "2024-03", "liable_nights", IND_CELL_VALUE, 0},
			{"2081", "2024-03", "liable_episodes", IND_CELL_VALUE, 0},
			{"2083", "2024-03", "ready_nights", IND_CELL_VALUE, 8},
			{"2083", "2024-03", "liable_nights", IND_CELL_VALUE, 0},
			{"2083", "2024-03", "excluded_nights", IND_CELL_VALUE, 0},
			/* the whole period: L1, L2, L3, L7, L10 */
			{NULL, NULL, "liable_nights", IND_CELL_VALUE, 9 + 6 + 2 + 9 + 7 + 2},
			{NULL, NULL, "liable_amount_ore", IND_CELL_VALUE,
			 4500000 + 3200000 + 800000 + 5400000 + 4200000 + 1600050},
			{NULL, NULL, "liable_amount", IND_CELL_VALUE, 197000.5},
			{NULL, NULL, "liable_episodes", IND_CELL_VALUE, 5},
			{NULL, NULL, "excluded_episodes", IND_CELL_VALUE, 2},
			{NULL, NULL, "excluded_nights", IND_CELL_VALUE, 7},
			{NULL, NULL, "excluded_amount_ore", IND_CELL_VALUE, 4200000},
			/* issue 15.4: mean liable days of the stays that ended with a ready-day (their whole stay):
			 * January L1 13 nights; February L10 4; March L3 9 and L4 excluded (0) over 2; April L9 0;
			 * June: L7 has not ended; all: L1 13 + L2 2 + L3 9 + L10 4 over 8 (L4, L6, L8, L9 with 0) */
			{"2080", "2024-01", "liable_days_mean", IND_CELL_VALUE, 13},
			{"2080", "2024-02", "liable_days_mean", IND_CELL_VALUE, 4},
			{"2080", "2024-03", "liable_days_mean", IND_CELL_VALUE, 4.5},
			{"2080", "2024-04", "liable_days_mean", IND_CELL_VALUE, 0},
			{"2080", "2024-06", "liable_days_mean", IND_CELL_EMPTY, 0},
			{"2082", "2024-05", "liable_days_mean", IND_CELL_VALUE, 2},
			{NULL, NULL, "liable_days_mean", IND_CELL_VALUE, 3.5},
			/* the yardstick of the agreement in force for the row's municipality */
			{"2080", "2024-03", "liable_days_target", IND_CELL_VALUE, 3.5},
			{"2080", "2024-06", "liable_days_target", IND_CELL_VALUE, 3.5},
			{"2080", "2024-03", "target_baseline_year", IND_CELL_VALUE, 2017},
			{"2082", "2024-05", "liable_days_target", IND_CELL_EMPTY, 0},
			{"2081", "2024-03", "target_baseline_year", IND_CELL_EMPTY, 0},
			{NULL, NULL, "liable_days_target", IND_CELL_EMPTY, 0},
		};
		check_rows(t, &tb, w, sizeof w / sizeof w[0], "liability");
		indicator_table_free(&tb);
	}

	/* By year: L1 counts in both years, each night at its own year's amount. */
	q = query(IND_SUBJECT_EPISODES, "2023-01-01", "2025-01-01", 1, IND_DIM_YEAR, 0);
	q.municipality = "2080";
	if (T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "liability by year")) {
		static const struct want w[] = {
			{"2023", NULL, "liable_nights", IND_CELL_VALUE, 9},
			{"2023", NULL, "liable_amount_ore", IND_CELL_VALUE, 4500000},
			{"2023", NULL, "liable_episodes", IND_CELL_VALUE, 1},
			{"2024", NULL, "liable_nights", IND_CELL_VALUE, 4 + 4 + 9 + 7},
			{"2024", NULL, "liable_amount_ore", IND_CELL_VALUE, 2400000 + 1600000 + 5400000 + 4200000},
			{"2024", NULL, "liable_episodes", IND_CELL_VALUE, 4},
			/* one municipality asked for: its target on every row, and the mean of the year's ended stays
			 * (L1 13, L3 9, L4 0, L9 0, L10 4 over 5; L5 had no ready-day) */
			{"2024", NULL, "liable_days_target", IND_CELL_VALUE, 3.5},
			{"2024", NULL, "liable_days_mean", IND_CELL_VALUE, 26.0 / 5},
		};
		check_rows(t, &tb, w, sizeof w / sizeof w[0], "liability by year");
		indicator_table_free(&tb);
	}

	/* A period that cuts a stay: only its nights count (L1 from 1 January, L10 to 31 January). */
	q = query(IND_SUBJECT_EPISODES, "2024-01-01", "2024-02-01", 0, 0, 0);
	if (T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "liability in January")) {
		static const struct want w[] = {
			{NULL, NULL, "liable_nights", IND_CELL_VALUE, 6},
			{NULL, NULL, "liable_amount_ore", IND_CELL_VALUE, 3200000},
			{NULL, NULL, "episodes", IND_CELL_VALUE, 1}, /* L1 ended in January; L10 in February */
		};
		check_rows(t, &tb, w, sizeof w / sizeof w[0], "January");
		indicator_table_free(&tb);
	}

	/* Small cells: the base of the liable figures is liable_episodes, of the excluded ones excluded_episodes. */
	static const struct {
		const char *k0, *code;
		indicator_cell_state state;
	} sup[] = {
		{"2080", "liable_nights", IND_CELL_SUPPRESSED},   /* L1, L3, L7, L10: 4 < 5 */
		{"2080", "liable_amount", IND_CELL_SUPPRESSED},
		{"2080", "excluded_nights", IND_CELL_SUPPRESSED}, /* 2 */
		{"2081", "liable_nights", IND_CELL_VALUE},        /* 0 is shown */
		{"2082", "liable_amount_ore", IND_CELL_SUPPRESSED},
		{NULL, "liable_nights", IND_CELL_VALUE},          /* 5 */
		{NULL, "liable_amount_ore", IND_CELL_VALUE},
		{NULL, "excluded_amount_ore", IND_CELL_SUPPRESSED},
	};
	q = query(IND_SUBJECT_EPISODES, "2023-12-01", "2024-07-01", 1, IND_DIM_MUNICIPALITY, 0);
	if (T_TRUE(t, indicator_compute(s, &q, &tb, &err) == HG_OK, "liability by municipality")) {
		indicator_suppress(&tb, 5);
		for (size_t i = 0; i < sizeof sup / sizeof sup[0]; i++) {
			const indicator_cell *c = cell(&tb, sup[i].k0, NULL, sup[i].code);
			if (T_TRUE(t, c != NULL, "liability suppression %zu cell", i))
				T_EQ_INT(t, c->state, sup[i].state, "liability suppression %zu (%s, %s)", i,
					 sup[i].k0 ? sup[i].k0 : "total", sup[i].code);
		}
		indicator_table_free(&tb);
	}
	indicator_set_free(s);
}

static void test_helpers(struct test *t)
{
	static const struct { const char *date, *week; } weeks[] = {
		{"2024-02-08", "2024-W06"}, {"2024-12-30", "2025-W01"}, {"2021-01-03", "2020-W53"},
		{"2026-01-01", "2026-W01"}, {"2027-01-01", "2026-W53"},
	};
	for (size_t i = 0; i < sizeof weeks / sizeof weeks[0]; i++) {
		char buf[9];
		T_EQ_STR(t, indicator_iso_week(day(weeks[i].date), buf), weeks[i].week, "iso week of %s", weeks[i].date);
	}
	static const struct { int age; const char *band; } bands[] = {
		{-1, "unknown"}, {0, "0-17"}, {17, "0-17"}, {18, "18-64"}, {64, "18-64"}, {65, "65-79"}, {79, "65-79"},
		{80, "80+"},     {104, "80+"},
	};
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		T_EQ_STR(t, indicator_age_band(bands[i].age), bands[i].band, "age band of %d", bands[i].age);
	static const struct { int v[10]; size_t n; double q; int want; } qs[] = {
		{{5}, 1, 0.5, 5},          {{1, 2}, 2, 0.5, 1},           {{3, 1, 2}, 3, 0.5, 2},
		{{4, 4, 11}, 3, 0.9, 11},  {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, 0.9, 9},
		{{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10, 0.5, 5}, {{0}, 0, 0.5, 0},
	};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		int v[10];
		memcpy(v, qs[i].v, sizeof v);
		T_EQ_INT(t, indicator_quantile(v, qs[i].n, qs[i].q), qs[i].want, "quantile row %zu", i);
	}
	/* Every measure's base is a count of the same subject; codes are unique and findable. */
	for (int s = 0; s < IND_SUBJECT_COUNT; s++) {
		size_t n;
		const indicator_measure *m = indicator_measures((indicator_subject)s, &n);
		for (size_t i = 0; i < n; i++) {
			T_TRUE(t, m[i].base >= 0 && (size_t)m[i].base < n && m[m[i].base].kind == IND_COUNT,
			       "measure %s has a count as base", m[i].code);
			T_EQ_INT(t, indicator_measure_find((indicator_subject)s, m[i].code), (long long)i, "find %s",
				 m[i].code);
		}
	}
	/* Episodes must come in id order. */
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = at("2024-03-31 12:00")};
	indicator_set *s = NULL;
	event evs[MAX_EVENTS];
	size_t n;
	T_EQ_INT(t, indicator_set_new(&cfg, &s), HG_OK, "new set");
	build(&episodes[0], evs, &n);
	T_EQ_INT(t, indicator_set_add_events(s, 5, evs, n), HG_OK, "id 5");
	T_EQ_INT(t, indicator_set_add_events(s, 5, evs, n), HG_EINVAL, "id 5 again");
	T_EQ_INT(t, indicator_set_add_events(s, 4, evs, n), HG_EINVAL, "id 4 after 5");
	evs[0].seq = 7; /* a broken sequence: the fold refuses it */
	T_EQ_INT(t, indicator_set_add_events(s, 6, evs, n), HG_EINVAL, "a sequence the fold refuses");
	indicator_set_free(s);
	cfg.rules.sip_days = 0;
	T_EQ_INT(t, indicator_set_new(&cfg, &s), HG_EINVAL, "invalid deadline rules");
}

int main(void)
{
	struct test t = {.name = "test_indicator"};
	indicator_set *s = make_set(&t);
	if (s) {
		test_by_municipality_month(&t, s);
		test_groupings(&t, s);
		test_deviations_acks(&t, s);
		test_suppression(&t, s);
		test_facts(&t, s);
		indicator_set_free(s);
	}
	test_liability(&t);
	test_helpers(&t);
	return test_report(&t);
}
