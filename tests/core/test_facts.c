/*
 * test_facts.c - the follow-up facts of an episode (core/facts.h): what
 * facts_derive keeps from the fold (a table of episodes with their expected
 * rows), the stored form (every row round-trips; truncated, padded, foreign
 * and out-of-range bytes are refused), and the promise the report rests on:
 * an indicator set built from stored rows gives the same table, cell for
 * cell, as one built by folding the events - at "as of" instants before,
 * during and after the stays (deadlines and nights of a stay in progress
 * are judged when the row is added) and with agreements given to the set
 * (the liable nights come from the agreements of the set, not of the row).
 * Times are Europe/Stockholm local.
 */
#include <stdlib.h>

#include "core/billing.h"
#include "core/calendar.h"
#include "core/facts.h"
#include "core/indicator.h"
#include "test.h"

#define MAX_STEPS 16

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

/* Who writes a step. */
enum who { WARD = 0, VC, MUNI };
/* For an admission notice, arg is a mask of recipients. */
enum { TO_MUNI = 1, TO_VC = 2 };

/* One event: type, local time, author; arg = recipients / colour / destination / category; ref = step it points at. */
struct step {
	event_type type;
	const char *when;
	enum who who;
	int arg;
	int ref; /* 1-based index of the step this one acknowledges, cancels or corrects; 0 none */
};

static void put(char *dst, size_t cap, const char *s) { (void)snprintf(dst, cap, "%s", s); }

static void party(event_party *p, enum who who)
{
	static const struct { const char *unit, *org; unit_kind kind; } parties[] = {
		[WARD] = {"W12", "R20", UNIT_WARD},
		[VC] = {"VC1", "R20", UNIT_PRIMARY_CARE},
		[MUNI] = {"K2080", "2080", UNIT_MUNICIPAL_SOCIAL},
	};
	put(p->unit, sizeof p->unit, parties[who].unit);
	put(p->org, sizeof p->org, parties[who].org);
	p->kind = parties[who].kind;
}

/* The events of steps[0..n) (in time order already) into out, seq 1..n. */
static void build(const struct step *steps, size_t n, const char *pnr, event *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		event *ev = &out[i];
		event_party author;
		event_init(ev, s->type);
		ev->seq = (int32_t)i + 1;
		ev->occurred_at = at(s->when);
		party(&author, s->who);
		put(ev->author_unit, sizeof ev->author_unit, author.unit);
		put(ev->author_org, sizeof ev->author_org, author.org);
		ev->author_kind = author.kind;
		if (s->ref && s->type == EVENT_ACKNOWLEDGED)
			ev->u.acknowledged.ack_seq = s->ref;
		else if (s->ref && s->type == EVENT_CANCELLED)
			ev->u.cancelled.cancels_seq = s->ref;
		else if (s->ref)
			ev->corrects_seq = s->ref;
		switch (s->type) {
		case EVENT_ADMITTED: {
			struct event_admitted *a = &ev->u.admitted;
			put(a->patient.personnummer, sizeof a->patient.personnummer, pnr);
			put(a->patient.name, sizeof a->patient.name, "Test Testsson");
			put(a->patient.registered_municipality, sizeof a->patient.registered_municipality, "2080");
			put(a->patient.primary_care_unit, sizeof a->patient.primary_care_unit, "VC1");
			put(a->hospital, sizeof a->hospital, "Falu lasarett");
			put(a->ward, sizeof a->ward, "W12");
			a->care = CARE_SOMATIC;
			break;
		}
		case EVENT_ADMISSION_NOTICE: {
			struct event_admission_notice *nt = &ev->u.admission_notice;
			if (s->arg & TO_MUNI)
				party(&nt->recipients.to[nt->recipients.count++], MUNI);
			if (s->arg & TO_VC)
				party(&nt->recipients.to[nt->recipients.count++], VC);
			nt->expected_discharge_date = cal_local_date(ev->occurred_at) + 5;
			break;
		}
		case EVENT_TRACK_SET: ev->u.track_set.colour = (track_colour)s->arg; break;
		case EVENT_TRANSFERRED:
			put(ev->u.transferred.ward, sizeof ev->u.transferred.ward, "G3");
			ev->u.transferred.care = (care_type)s->arg;
			break;
		case EVENT_CARE_CONTACT_APPOINTED:
			put(ev->u.care_contact_appointed.name, sizeof ev->u.care_contact_appointed.name, "Kim Kontakt");
			break;
		case EVENT_SIP_CALLED:
			ev->u.sip_called.meeting_at = ev->occurred_at + 86400;
			ev->u.sip_called.place = SIP_HOME;
			break;
		case EVENT_DISCHARGED: ev->u.discharged.destination = (discharge_destination)s->arg; break;
		case EVENT_LEGAL_FORM_SET: ev->u.legal_form_set.form = (legal_form)s->arg; break;
		case EVENT_CARE_PLAN_CALLED:
			ev->u.care_plan_called.meeting_at = ev->occurred_at + 86400;
			ev->u.care_plan_called.place = SIP_HOSPITAL;
			break;
		case EVENT_MUNICIPAL_DECISION:
			ev->u.municipal_decision.services = EVENT_SERVICE_BIT(SERVICE_HOME_CARE);
			break;
		case EVENT_CHILDREN_AS_RELATIVES: ev->u.children_as_relatives.present = s->arg != 0; break;
		case EVENT_DEVIATION:
			ev->u.deviation.category = (deviation_category)s->arg;
			put(ev->u.deviation.against_org, sizeof ev->u.deviation.against_org, "2080");
			break;
		default: break;
		}
	}
}

/* An episode and the row facts_derive should give for it. */
struct episode_case {
	const char *name;
	int64_t id;
	const char *pnr;
	struct step steps[MAX_STEPS];
	bool has_facts;
	const char *discharged; /* local date, or NULL */
	int age, track;
	size_t n_periods;
	uint32_t billing_open;
	bool has_liability, notice_sent, ready_sent, sip_needed, sip_called;
	size_t n_deviations, n_recipients;
	int date_changes, withdrawals;
};

static const struct episode_case cases[] = {
	{"ready and discharged, all conditions met", 1, "19400315-1232",
	 {{EVENT_ADMITTED, "2024-01-25 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-01-25 09:00", WARD, TO_MUNI | TO_VC, 0},
	  {EVENT_ACKNOWLEDGED, "2024-01-25 11:00", MUNI, 0, 2},
	  {EVENT_TRACK_SET, "2024-01-25 10:00", WARD, TRACK_YELLOW, 0},
	  {EVENT_READY_FOR_DISCHARGE, "2024-01-29 10:00", WARD, 0, 0},
	  {EVENT_CARE_CONTACT_APPOINTED, "2024-01-30 09:00", VC, 0, 0},
	  {EVENT_SIP_CALLED, "2024-01-30 10:00", VC, 0, 0},
	  {EVENT_DISCHARGED, "2024-02-08 11:00", WARD, DEST_OWN_HOME, 0}},
	 true, "2024-02-08", 83, TRACK_YELLOW, 1, 1u, true, true, true, true, true, 0, 2, 0, 0},
	{"withdrawn and ready again, no notice to the municipality", 2, "19900704-1230",
	 {{EVENT_ADMITTED, "2024-02-01 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-02-01 09:00", WARD, TO_VC, 0},
	  {EVENT_READY_FOR_DISCHARGE, "2024-02-05 10:00", WARD, 0, 0},
	  {EVENT_READY_WITHDRAWN, "2024-02-07 10:00", WARD, 0, 0},
	  {EVENT_READY_FOR_DISCHARGE, "2024-02-12 09:00", WARD, 0, 0},
	  {EVENT_DISCHARGED, "2024-02-20 12:00", WARD, DEST_DECEASED, 0}},
	 true, "2024-02-20", 33, -1, 2, 2u, true, false, false, true, false, 0, 1, 0, 1},
	{"still in hospital, green, deviations cancelled and corrected", 3, "19300211-1239",
	 {{EVENT_ADMITTED, "2024-03-01 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-03-03 09:00", WARD, TO_MUNI, 0},
	  {EVENT_TRACK_SET, "2024-03-03 10:00", WARD, TRACK_GREEN, 0},
	  {EVENT_DEVIATION, "2024-03-04 10:00", WARD, DEVIATION_OTHER, 0},
	  {EVENT_DEVIATION, "2024-03-04 11:00", WARD, DEVIATION_NOTICE_LATE, 0},
	  {EVENT_CANCELLED, "2024-03-04 12:00", WARD, 0, 5},
	  {EVENT_DEVIATION, "2024-03-04 13:00", WARD, DEVIATION_SIP_MISSING, 4},
	  {EVENT_READY_FOR_DISCHARGE, "2024-03-05 10:00", WARD, 0, 0}},
	 true, NULL, 94, TRACK_GREEN, 1, 1u, true, true, true, false, false, 1, 1, 0, 0},
	{"never ready", 4, "20100101-1236",
	 {{EVENT_ADMITTED, "2024-03-01 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-03-01 09:00", WARD, TO_MUNI, 0},
	  {EVENT_DISCHARGED, "2024-03-02 12:00", WARD, DEST_OWN_HOME, 0}},
	 true, "2024-03-02", 14, -1, 0, 0u, false, false, false, false, false, 0, 1, 0, 0},
	{"admission cancelled: no facts", 5, "19600808-1231",
	 {{EVENT_ADMITTED, "2024-03-01 08:00", WARD, 0, 0}, {EVENT_CANCELLED, "2024-03-01 09:00", WARD, 0, 1}},
	 false, NULL, 0, 0, 0, 0u, false, false, false, false, false, 0, 0, 0, 0},
	{"a deviation reported last, after the discharge", 7, "19400315-1232",
	 {{EVENT_ADMITTED, "2024-04-01 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-04-01 09:00", WARD, TO_MUNI, 0},
	  {EVENT_DEVIATION, "2024-04-01 10:00", WARD, DEVIATION_OTHER, 0},
	  {EVENT_DISCHARGED, "2024-04-03 12:00", WARD, DEST_OWN_HOME, 0},
	  {EVENT_DEVIATION, "2024-04-03 13:00", WARD, DEVIATION_NOTICE_LATE, 0}},
	 true, "2024-04-03", 84, -1, 0, 0u, false, false, false, false, false, 2, 1, 0, 0},
	{"moved to geriatric care while ready, on leave one night", 8, "19300211-1239",
	 {{EVENT_ADMITTED, "2024-05-01 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-05-01 09:00", WARD, TO_MUNI | TO_VC, 0},
	  {EVENT_TRACK_SET, "2024-05-01 10:00", WARD, TRACK_GREEN, 0},
	  {EVENT_READY_FOR_DISCHARGE, "2024-05-02 10:00", WARD, 0, 0},
	  {EVENT_TRANSFERRED, "2024-05-08 10:00", WARD, CARE_GERIATRIC, 0},
	  {EVENT_LEAVE_STARTED, "2024-05-10 15:00", WARD, 0, 0},
	  {EVENT_LEAVE_ENDED, "2024-05-11 18:00", WARD, 0, 0},
	  {EVENT_DISCHARGED, "2024-05-15 11:00", WARD, DEST_OWN_HOME, 0}},
	 true, "2024-05-15", 94, TRACK_GREEN, 1, 1u, true, true, true, false, false, 0, 2, 0, 0},
	/* issue 14: LPT (the plan in place of the SIP, green or not), the municipality's decision, children */
	{"LPT with a samordnad vårdplan, decided, children as relatives", 9, "19900704-1230",
	 {{EVENT_ADMITTED, "2024-06-03 08:00", WARD, 0, 0},
	  {EVENT_ADMISSION_NOTICE, "2024-06-03 09:00", WARD, TO_MUNI | TO_VC, 0},
	  {EVENT_TRACK_SET, "2024-06-03 10:00", WARD, TRACK_GREEN, 0},
	  {EVENT_CHILDREN_AS_RELATIVES, "2024-06-03 11:00", MUNI, 1, 0},
	  {EVENT_MUNICIPAL_APPLICATION_RECEIVED, "2024-06-04 10:00", MUNI, 0, 0},
	  {EVENT_LEGAL_FORM_SET, "2024-06-05 09:00", WARD, LEGAL_FORM_LPT, 0},
	  {EVENT_READY_FOR_DISCHARGE, "2024-06-05 10:00", WARD, 0, 0},
	  {EVENT_CARE_PLAN_CALLED, "2024-06-06 10:00", WARD, 0, 0},
	  {EVENT_MUNICIPAL_DECISION, "2024-06-10 14:00", MUNI, 0, 0},
	  {EVENT_DISCHARGED, "2024-06-12 11:00", WARD, DEST_OWN_HOME, 0}},
	 true, "2024-06-12", 33, TRACK_GREEN, 1, 1u, true, true, true, true, true, 0, 2, 0, 0},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static size_t count_steps(const struct episode_case *c)
{
	size_t n = 0;
	while (n < MAX_STEPS && c->steps[n].when)
		n++;
	return n;
}

/* Folds case c into st and its events into evs; *n their count. */
static bool fold_case(struct test *t, const struct episode_case *c, event *evs, size_t *n, episode_state *st)
{
	event_error err;
	*n = count_steps(c);
	build(c->steps, *n, c->pnr, evs);
	hg_status rc = episode_fold(evs, *n, st, &err);
	T_TRUE(t, rc == HG_OK, "%s: folds (%s at seq %d)", c->name, rc == HG_OK ? "" : err.code, (int)err.seq);
	st->id = c->id;
	return rc == HG_OK;
}

static void test_derive(struct test *t)
{
	static event evs[MAX_STEPS];
	static episode_state st;
	static facts_row r, split;
	for (size_t i = 0; i < N_CASES; i++) {
		const struct episode_case *c = &cases[i];
		size_t n;
		fold_case(t, c, evs, &n, &st);
		bool has = facts_derive(&st, evs, n, NULL, &r);
		T_EQ_INT(t, has, c->has_facts, "%s: has facts", c->name);
		if (!has)
			continue;
		T_EQ_INT(t, r.id, c->id, "%s: id", c->name);
		T_EQ_STR(t, r.municipality, "2080", "%s: municipality", c->name);
		bool moved = false, leave = false;
		for (size_t k = 0; k < n; k++) {
			moved |= c->steps[k].type == EVENT_TRANSFERRED;
			leave |= c->steps[k].type == EVENT_LEAVE_STARTED;
		}
		T_EQ_STR(t, r.ward, moved ? "G3" : "W12", "%s: ward", c->name);
		T_EQ_INT(t, r.care, moved ? CARE_GERIATRIC : CARE_SOMATIC, "%s: care type at discharge", c->name);
		T_EQ_INT(t, r.n_moves, moved && r.has_liability, "%s: the move kept for liability", c->name);
		T_EQ_INT(t, r.n_leaves, leave && r.has_liability, "%s: the leave kept for liability", c->name);
		if (moved && r.has_liability)
			T_TRUE(t, r.liability_care == CARE_SOMATIC && r.moves[0].care == CARE_GERIATRIC &&
					  r.moves[0].from == day("2024-05-08"),
			       "%s: liability from somatic, geriatric from 05-08", c->name);
		T_EQ_STR(t, r.patient, c->pnr, "%s: patient", c->name);
		T_EQ_INT(t, r.admitted, cal_local_date(at(c->steps[0].when)), "%s: admitted", c->name);
		T_EQ_INT(t, r.discharged, c->discharged ? day(c->discharged) : HG_DATE_NONE, "%s: discharged", c->name);
		T_EQ_INT(t, r.discharged_at == HG_INSTANT_NONE, c->discharged == NULL, "%s: discharged_at", c->name);
		T_EQ_INT(t, r.age, c->age, "%s: age", c->name);
		T_EQ_INT(t, r.track, c->track, "%s: track", c->name);
		T_EQ_INT(t, r.n_periods, c->n_periods, "%s: periods", c->name);
		T_EQ_INT(t, r.billing_open, c->billing_open, "%s: billing_open", c->name);
		T_EQ_INT(t, r.has_liability, c->has_liability, "%s: liability input", c->name);
		T_EQ_INT(t, r.admission_notice_sent, c->notice_sent, "%s: notice sent", c->name);
		T_EQ_INT(t, r.ready_notice_sent, c->ready_sent, "%s: ready notice sent", c->name);
		T_EQ_INT(t, r.sip_needed, c->sip_needed, "%s: SIP needed", c->name);
		T_EQ_INT(t, r.sip_called, c->sip_called, "%s: SIP called", c->name);
		T_EQ_INT(t, r.n_deviations, c->n_deviations, "%s: deviations in force", c->name);
		T_EQ_INT(t, r.n_recipients, c->n_recipients, "%s: recipients", c->name);
		T_EQ_INT(t, r.date_changes, c->date_changes, "%s: date changes", c->name);
		T_EQ_INT(t, r.withdrawals, c->withdrawals, "%s: withdrawals", c->name);
		T_EQ_INT(t, r.ready_date, r.n_periods ? r.periods[0].from : HG_DATE_NONE, "%s: ready date", c->name);
		for (size_t p = 0; p < r.n_periods; p++)
			T_EQ_INT(t, r.periods[p].from, cal_local_date(r.periods[p].start), "%s: period %zu from", c->name, p);
		/* The row of an append (the last event given apart) is the row of the whole sequence. */
		T_TRUE(t, facts_derive(&st, evs, n - 1, &evs[n - 1], &split), "%s: derive with last apart", c->name);
		uint8_t a[FACTS_ENCODED_MAX], b[FACTS_ENCODED_MAX];
		size_t la = facts_encode(&r, a, sizeof a), lb = facts_encode(&split, b, sizeof b);
		T_TRUE(t, la > 0 && la == lb && memcmp(a, b, la) == 0, "%s: the last event apart gives the same row", c->name);
		/* A writer that read no events: the deviations of the row before, and the last (ordinary) event. */
		if (evs[n - 1].type != EVENT_CANCELLED && evs[n - 1].corrects_seq == 0) {
			static episode_state before;
			static facts_row prev;
			event_error err;
			T_EQ_INT(t, episode_fold(evs, n - 1, &before, &err), HG_OK, "%s: fold before the last", c->name);
			before.id = c->id;
			T_TRUE(t, facts_derive(&before, evs, n - 1, NULL, &prev), "%s: the row before", c->name);
			T_TRUE(t, facts_derive(&st, NULL, 0, NULL, &split), "%s: derive without events", c->name);
			facts_deviations_after(&split, prev.deviations, prev.n_deviations, &evs[n - 1]);
			lb = facts_encode(&split, b, sizeof b);
			T_TRUE(t, la == lb && memcmp(a, b, la) == 0, "%s: the row before and the last event give the same row",
			       c->name);
		}
	}
	/* The deviation case keeps the correction in force (SIP missing), not the cancelled one. */
	size_t n;
	fold_case(t, &cases[2], evs, &n, &st);
	T_TRUE(t, facts_derive(&st, evs, n, NULL, &r), "deviations: derived");
	T_EQ_INT(t, r.deviations[0].category, DEVIATION_SIP_MISSING, "deviations: the correction is in force");
	T_EQ_INT(t, r.deviations[0].at, at("2024-03-04 13:00"), "deviations: at the correction's time");
	T_EQ_STR(t, r.deviations[0].party, "2080", "deviations: party");
}

static void test_stored_form(struct test *t)
{
	static event evs[MAX_STEPS];
	static episode_state st;
	static facts_row r, back;
	uint8_t buf[FACTS_ENCODED_MAX], again[FACTS_ENCODED_MAX];
	for (size_t i = 0; i < N_CASES; i++) {
		const struct episode_case *c = &cases[i];
		size_t n;
		fold_case(t, c, evs, &n, &st);
		if (!facts_derive(&st, evs, n, NULL, &r))
			continue;
		size_t len = facts_encode(&r, buf, sizeof buf);
		T_TRUE(t, len > 10 && len < 400, "%s: a short stored form (%zu bytes)", c->name, len);
		T_EQ_INT(t, buf[0], FACTS_VERSION, "%s: version byte", c->name);
		T_EQ_INT(t, facts_encode(&r, buf, len - 1), 0, "%s: too small a buffer", c->name);
		T_EQ_INT(t, facts_decode(buf, len, &back), HG_OK, "%s: decodes", c->name);
		size_t len2 = facts_encode(&back, again, sizeof again);
		T_TRUE(t, len2 == len && memcmp(buf, again, len) == 0, "%s: round trip", c->name);
		T_EQ_INT(t, back.id, r.id, "%s: id back", c->name);
		T_EQ_STR(t, back.patient, r.patient, "%s: patient back", c->name);
		T_EQ_INT(t, back.deadlines.ready_at, r.deadlines.ready_at, "%s: ready_at back", c->name);
		T_EQ_INT(t, back.discharged_at, r.discharged_at, "%s: discharged_at back", c->name);
		T_EQ_INT(t, back.n_periods, r.n_periods, "%s: periods back", c->name);
		T_TRUE(t, back.deadlines.care_plan == r.deadlines.care_plan &&
				  back.deadlines.care_plan_called_at == r.deadlines.care_plan_called_at &&
				  back.municipal_decision_at == r.municipal_decision_at &&
				  back.children_as_relatives == r.children_as_relatives &&
				  memcmp(back.settled, r.settled, sizeof r.settled) == 0,
		       "%s: the care process facts back (version 2)", c->name);
		for (size_t p = 0; p < r.n_periods; p++)
			T_TRUE(t, back.periods[p].start == r.periods[p].start && back.periods[p].end == r.periods[p].end &&
					  back.periods[p].to == r.periods[p].to,
			       "%s: period %zu back", c->name, p);
		/* Every strict prefix is refused, and so is a byte too many. */
		size_t refused = 0;
		for (size_t k = 0; k < len; k++)
			refused += facts_decode(buf, k, &back) == HG_EINVAL;
		T_EQ_INT(t, refused, len, "%s: every truncation refused", c->name);
		buf[len] = 0;
		T_EQ_INT(t, facts_decode(buf, len + 1, &back), HG_EINVAL, "%s: a trailing byte refused", c->name);
		buf[0] = FACTS_VERSION + 1;
		T_EQ_INT(t, facts_decode(buf, len, &back), HG_EINVAL, "%s: another version refused", c->name);
	}
	/* A value out of its range: the care type byte (after id and four texts) set to 9. */
	fold_case(t, &cases[0], evs, &(size_t){0}, &st);
	T_TRUE(t, facts_derive(&st, evs, count_steps(&cases[0]), NULL, &r), "range: derived");
	size_t len = facts_encode(&r, buf, sizeof buf);
	size_t care_at = 1 + 1 + (1 + 4) + (1 + strlen(r.hospital)) + (1 + 3) + (1 + strlen(r.patient)) + 1;
	T_EQ_INT(t, buf[care_at], CARE_SOMATIC, "range: the care byte is where the layout says");
	buf[care_at] = 9;
	T_EQ_INT(t, facts_decode(buf, len, &back), HG_EINVAL, "range: an unknown care type refused");
}

/* ---- rows give the tables a refold gives ---- */

static agreement calendar_agreement(void)
{
	agreement a;
	memset(&a, 0, sizeof a);
	put(a.id, sizeof a.id, "test-2080");
	put(a.name, sizeof a.name, "Test 2080");
	a.version = 1;
	put(a.region, sizeof a.region, "20");
	a.n_municipalities = 1;
	put(a.municipalities[0], sizeof a.municipalities[0], "2080");
	a.valid_from = day("2020-01-01");
	a.valid_to = HG_DATE_NONE;
	a.model = AGREEMENT_PER_NIGHT;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		a.grace_days[c] = 3;
	a.count = AGREEMENT_COUNT_CALENDAR;
	a.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE;
	a.conditions = (agreement_conditions){.admission_notice = true, .ready_notice = true, .sip_called = true};
	a.n_rates = CARE_TYPE_COUNT;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		a.rates[c] = (agreement_rate){.year = 2024, .care = (care_type)c, .amount_ore = 780000 + c};
	return a;
}

static indicator_set *make(struct test *t, hg_instant asof, const agreement *agr, bool from_rows)
{
	static event evs[MAX_STEPS];
	static episode_state st;
	static facts_row r, back;
	uint8_t buf[FACTS_ENCODED_MAX];
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = asof};
	indicator_set *s = NULL;
	T_EQ_INT(t, indicator_set_new(&cfg, &s), HG_OK, "new set");
	if (agr)
		T_EQ_INT(t, indicator_set_agreements(s, agr, 1), HG_OK, "agreements");
	for (size_t i = 0; i < N_CASES; i++) {
		size_t n;
		fold_case(t, &cases[i], evs, &n, &st);
		if (!from_rows) {
			T_EQ_INT(t, indicator_set_add_events(s, cases[i].id, evs, n), HG_OK, "refold %s", cases[i].name);
			continue;
		}
		if (!facts_derive(&st, evs, n, NULL, &r))
			continue;
		size_t len = facts_encode(&r, buf, sizeof buf);
		T_EQ_INT(t, facts_decode(buf, len, &back), HG_OK, "decode %s", cases[i].name);
		T_EQ_INT(t, indicator_set_add_facts(s, &back), HG_OK, "add row %s", cases[i].name);
	}
	T_EQ_INT(t, indicator_set_finish(s), HG_OK, "finish");
	return s;
}

/* Every cell (state and value) and key of two tables. */
static bool same_table(const indicator_table *a, const indicator_table *b)
{
	if (a->n_rows != b->n_rows || a->n_measures != b->n_measures)
		return false;
	for (size_t r = 0; r <= a->n_rows; r++) {
		const indicator_row *x = r < a->n_rows ? &a->rows[r] : &a->total;
		const indicator_row *y = r < a->n_rows ? &b->rows[r] : &b->total;
		if (memcmp(x->keys, y->keys, sizeof x->keys) != 0)
			return false;
		for (size_t m = 0; m < a->n_measures; m++)
			if (x->cells[m].state != y->cells[m].state || x->cells[m].value != y->cells[m].value)
				return false;
	}
	return true;
}

static void test_rows_equal_refold(struct test *t)
{
	static const struct {
		const char *asof;
		bool agreements;
	} runs[] = {
		{"2024-01-26 12:00", false}, /* E1 in hospital, notice deadline judged */
		{"2024-02-06 12:00", true},  /* E1 ready, liable nights running to the as-of date */
		{"2024-03-05 23:00", true},  /* E3 ready that day, its deadlines not due yet */
		{"2024-03-20 12:00", true},  /* E3 overdue; liable nights to the 20th */
		{"2024-12-31 12:00", false},
		{"2024-12-31 12:00", true},
	};
	static const struct {
		indicator_subject subject;
		size_t n;
		indicator_dim dims[2];
	} groupings[] = {
		{IND_SUBJECT_EPISODES, 0, {0}},
		{IND_SUBJECT_EPISODES, 2, {IND_DIM_MUNICIPALITY, IND_DIM_MONTH}},
		{IND_SUBJECT_EPISODES, 2, {IND_DIM_WEEK, IND_DIM_TRACK}},
		{IND_SUBJECT_EPISODES, 1, {IND_DIM_AGE_BAND}},
		{IND_SUBJECT_DEVIATIONS, 2, {IND_DIM_CATEGORY, IND_DIM_MONTH}},
		{IND_SUBJECT_ACKS, 2, {IND_DIM_RECIPIENT_KIND, IND_DIM_NOTICE}},
	};
	agreement agr = calendar_agreement();
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		indicator_set *refold = make(t, at(runs[i].asof), runs[i].agreements ? &agr : NULL, false);
		indicator_set *rows = make(t, at(runs[i].asof), runs[i].agreements ? &agr : NULL, true);
		double liable = 0;
		for (size_t g = 0; g < sizeof groupings / sizeof groupings[0]; g++) {
			indicator_query q = {.subject = groupings[g].subject, .from = day("2024-01-01"),
					     .to = day("2025-01-01"), .n_dims = groupings[g].n};
			memcpy(q.dims, groupings[g].dims, sizeof groupings[g].dims);
			indicator_table a, b;
			memset(&a, 0, sizeof a);
			memset(&b, 0, sizeof b);
			hg_status ra = refold ? indicator_compute(refold, &q, &a, NULL) : HG_ENOMEM;
			hg_status rb = rows ? indicator_compute(rows, &q, &b, NULL) : HG_ENOMEM;
			T_EQ_INT(t, ra, HG_OK, "compute refold");
			T_EQ_INT(t, rb, HG_OK, "compute rows");
			if (ra != HG_OK || rb != HG_OK) { /* an allocation failed (the fault runs): nothing to compare */
				if (ra == HG_OK)
					indicator_table_free(&a);
				if (rb == HG_OK)
					indicator_table_free(&b);
				continue;
			}
			T_TRUE(t, same_table(&a, &b), "as of %s%s, grouping %zu: rows equal the refold", runs[i].asof,
			       runs[i].agreements ? " with agreements" : "", g);
			if (g == 0)
				liable = b.total.cells[indicator_measure_find(IND_SUBJECT_EPISODES, "liable_nights")].value;
			indicator_table_free(&a);
			indicator_table_free(&b);
		}
		/* The agreements of the set decide: none given, no liable nights; given, some (E1 from its grace end). */
		if (runs[i].agreements && i > 0)
			T_TRUE(t, liable > 0, "as of %s: liable nights under the set's agreement (%g)", runs[i].asof, liable);
		else
			T_TRUE(t, liable == 0, "as of %s: no agreements, no liable nights (%g)", runs[i].asof, liable);
		indicator_set_free(refold);
		indicator_set_free(rows);
	}
}

/*
 * What a row is judged into when it is added to a set equals what the fold
 * gives: the deadlines (deadline_evaluate on the fold) and the liability of
 * the stay as an invoice judges it (billing_stay_judge on the fold), at every
 * "as of" date of the stays, under an agreement.
 */
static void test_judged_as_the_fold(struct test *t)
{
	static facts_row late;
	static event evs[MAX_STEPS];
	static episode_state st;
	static facts_row r;
	static const char *const asofs[] = {"2024-01-25 08:30", "2024-01-26 12:00", "2024-01-31 12:00",
					    "2024-02-06 12:00", "2024-02-13 12:00", "2024-03-05 23:00",
					    "2024-03-20 12:00", "2024-12-31 12:00"};
	agreement agr = calendar_agreement();
	deadline_rules rules = deadline_rules_default();
	for (size_t i = 0; i < N_CASES; i++) {
		size_t n;
		fold_case(t, &cases[i], evs, &n, &st);
		if (!facts_derive(&st, evs, n, NULL, &r))
			continue;
		for (size_t k = 0; k < sizeof asofs / sizeof asofs[0]; k++) {
			deadline a[DEADLINE_KIND_COUNT], b[DEADLINE_KIND_COUNT];
			hg_instant now = at(asofs[k]);
			T_EQ_INT(t, deadline_evaluate(&st, &rules, now, a), HG_OK, "evaluate");
			T_EQ_INT(t, deadline_evaluate_inputs(&r.deadlines, &rules, now, b), HG_OK, "evaluate inputs");
			deadline_state c[DEADLINE_KIND_COUNT];
			T_EQ_INT(t, facts_deadlines_at(&r, &rules, now, c), HG_OK, "deadlines at");
			for (int d = 0; d < DEADLINE_KIND_COUNT; d++) {
				T_TRUE(t, a[d].state == b[d].state && a[d].due_at == b[d].due_at && a[d].met_at == b[d].met_at,
				       "%s as of %s: deadline %d as the fold's", cases[i].name, asofs[k], d);
				T_EQ_INT(t, c[d], a[d].state, "%s as of %s: deadline %d, settled or judged", cases[i].name,
					 asofs[k], d);
			}

			hg_date until = st.discharged_at == HG_INSTANT_NONE ? cal_local_date(now) : HG_DATE_NONE;
			if (st.ready_period_count == 0 || (until != HG_DATE_NONE && until < r.ready_date))
				continue;
			billing_stay x, y;
			liability_period periods[FACTS_PERIODS_MAX];
			liability_input in;
			facts_liability_input(&r, until, periods, &in);
			T_EQ_INT(t, billing_stay_judge(&st, until, &agr, 1, &x), HG_OK, "judge fold");
			T_EQ_INT(t, billing_stay_judge_input(r.has_liability ? &in : NULL, r.municipality, r.ready_date, &agr, 1,
							     &y),
				 HG_OK, "judge row");
			T_TRUE(t, x.judged == y.judged && x.billing == y.billing && x.computed == y.computed &&
					  x.r.n_nights == y.r.n_nights && x.r.total_ore == y.r.total_ore &&
					  x.r.ready_days == y.r.ready_days,
			       "%s as of %s: liability as the invoice's (%zu nights %lld öre, row %zu nights %lld öre)",
			       cases[i].name, asofs[k], x.r.n_nights, (long long)x.r.total_ore, y.r.n_nights,
			       (long long)y.r.total_ore);
			liability_result_free(&x.r);
			liability_result_free(&y.r);
		}
	}
	/* Case 1 settles when its last due instant (SIP call, 3 days after the ready date 01-29) has passed. */
	size_t n;
	fold_case(t, &cases[0], evs, &n, &st);
	T_TRUE(t, facts_derive(&st, evs, n, NULL, &late), "settled: derived");
	T_EQ_INT(t, late.deadlines_settled, at("2024-02-08 11:00") + 1, "settled after the discharge (the last act)");
	T_EQ_INT(t, late.settled[DEADLINE_SIP_CALL], DEADLINE_MET, "settled: SIP call met");
	/* Other rules are always judged: case 3's notice came two days after the admission, late under the
	 * default 24 hours (settled), on time under 72 hours. */
	deadline_rules slow = deadline_rules_default();
	deadline_state c[DEADLINE_KIND_COUNT];
	fold_case(t, &cases[2], evs, &n, &st);
	T_TRUE(t, facts_derive(&st, evs, n, NULL, &late), "rules: derived");
	T_TRUE(t, late.deadlines_settled != HG_INSTANT_NONE, "rules: settled");
	T_EQ_INT(t, late.settled[DEADLINE_ADMISSION_NOTICE], DEADLINE_MET_LATE, "rules: late under the default");
	slow.notice_hours = 72;
	T_EQ_INT(t, facts_deadlines_at(&late, &slow, at("2024-12-31 12:00"), c), HG_OK, "72 hours");
	T_EQ_INT(t, c[DEADLINE_ADMISSION_NOTICE], DEADLINE_MET, "rules: on time under 72 hours");
}

/* A set with no rows (a period without episodes, or a table emptied): an empty table, not a crash. */
static void test_empty(struct test *t)
{
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = at("2024-12-31 12:00")};
	indicator_set *s = NULL;
	indicator_table tb;
	indicator_query q = {.subject = IND_SUBJECT_EPISODES, .from = day("2024-01-01"), .to = day("2025-01-01"),
			     .n_dims = 2, .dims = {IND_DIM_MUNICIPALITY, IND_DIM_MONTH}};
	if (!T_TRUE(t, indicator_set_new(&cfg, &s) == HG_OK, "empty: new"))
		return; /* out of memory: no set */
	T_EQ_INT(t, indicator_set_finish(s), HG_OK, "empty: finish");
	if (T_TRUE(t, indicator_compute(s, &q, &tb, NULL) == HG_OK, "empty: compute")) {
		T_EQ_INT(t, tb.n_rows, 0, "empty: no rows");
		T_EQ_INT(t, tb.total.cells[0].value, 0, "empty: no episodes in the total");
		indicator_table_free(&tb);
	}
	indicator_set_free(s);
}

/* Issue 14 in follow-up: the samordnad vårdplan's deadline, days from ready to the decision, children as relatives. */
static void test_care_process_measures(struct test *t)
{
	static const struct {
		const char *code;
		double want;
	} rows[] = {
		{"care_plan_call_due", 1},          /* the LPT episode: the plan, not the SIP */
		{"care_plan_call_3d", 1},           /* called the day after the ready notice */
		{"decision_episodes", 1},
		{"ready_to_decision_days_mean", 5}, /* ready 5 June, decided 10 June */
		{"children_as_relatives", 1},
	};
	for (int from_rows = 0; from_rows < 2; from_rows++) {
		indicator_set *s = make(t, at("2024-12-31 12:00"), NULL, from_rows);
		indicator_query q = {.subject = IND_SUBJECT_EPISODES, .from = day("2024-06-01"), .to = day("2024-07-01")};
		indicator_table tb;
		memset(&tb, 0, sizeof tb);
		if (!s || indicator_compute(s, &q, &tb, NULL) != HG_OK) {
			indicator_set_free(s);
			continue; /* an allocation failed (the fault runs) */
		}
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			int m = indicator_measure_find(IND_SUBJECT_EPISODES, rows[i].code);
			T_TRUE(t, m >= 0, "measure %s exists", rows[i].code);
			if (m < 0)
				continue;
			T_EQ_INT(t, tb.total.cells[m].state, IND_CELL_VALUE, "%s: a value (%s)", rows[i].code, from_rows ? "rows" : "refold");
			T_TRUE(t, tb.total.cells[m].value == rows[i].want, "%s: %g, want %g (%s)", rows[i].code,
			       tb.total.cells[m].value, rows[i].want, from_rows ? "rows" : "refold");
		}
		int sip = indicator_measure_find(IND_SUBJECT_EPISODES, "sip_call_due");
		T_TRUE(t, sip >= 0 && tb.total.cells[sip].value == 0, "the LPT episode has no SIP deadline");
		indicator_table_free(&tb);
		indicator_set_free(s);
	}
}

int main(void)
{
	struct test t = {"test_facts", 0, 0};
	test_derive(&t);
	test_stored_form(&t);
	test_empty(&t);
	test_judged_as_the_fold(&t);
	test_rows_equal_refold(&t);
	test_care_process_measures(&t);
	return test_report(&t);
}
