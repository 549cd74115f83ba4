/*
 * test_billing.c - an episode's line on a monthly invoice basis: month and
 * year boundaries, the amount change on 1 January, weekday counting across
 * Easter, Ascension, midsummer and Christmas, withdrawals, patients still in
 * hospital, the cut-off, every billing condition and every other reason for
 * an exclusion, and the average model's ready-days.
 *
 * Each row is an episode written as a small script of events (Europe/Stockholm
 * local times), a month, a cut-off and an agreement, with the expected line
 * beside it. The patient is registered in Falun (2080); the admission notice
 * goes to the municipality's unit MUN (2080) and the primary care centre VC.
 *
 *   adm D T [ger|psy]   admitted at ward W12 (somatic unless given)
 *   notice D T          admission notice to MUN and VC
 *   notice-vc D T       admission notice to VC only (not to the municipality)
 *   ready D T           ready for discharge (to the recipients of the notice)
 *   ready-vc D T        ready for discharge to VC only
 *   withdraw D T        ready status withdrawn
 *   green|yellow D T    process track
 *   sip D T             the care contact at VC calls the SIP
 *   move D T ger|som|psy  transferred to a ward of that care type (W14, W15, W16)
 *   leave D T / back D T  leave (permission) starts / ends
 *   disch D T           discharged
 *   cancel D T          the admission is cancelled (seq 1)
 */
#include <stdlib.h>
#include <string.h>

#include "core/billing.h"
#include "core/calendar.h"
#include "test.h"

#define MAX_EVENTS 32

static hg_instant at(const char *local)
{
	hg_instant t;
	if (cal_parse_local(local, &t) != HG_OK) {
		fprintf(stderr, "bad test instant %s\n", local);
		abort();
	}
	return t;
}

static hg_date day(const char *s)
{
	hg_date d;
	if (!s)
		return HG_DATE_NONE;
	if (date_parse(s, &d) != HG_OK) {
		fprintf(stderr, "bad test date %s\n", s);
		abort();
	}
	return d;
}

static const char *fmt(hg_date d, char buf[static 11]) { return d == HG_DATE_NONE ? "none" : date_format(d, buf); }

static void set_party(event_party *p, const char *unit, unit_kind kind, const char *org)
{
	(void)snprintf(p->unit, sizeof p->unit, "%s", unit);
	p->kind = kind;
	(void)snprintf(p->org, sizeof p->org, "%s", org);
}

/* One script step into an event; false for an unknown verb. */
static bool script_event(const char *verb, const char *when, const char *arg, event *ev)
{
	static const struct {
		const char *verb;
		event_type type;
	} verbs[] = {
		{"adm", EVENT_ADMITTED},         {"notice", EVENT_ADMISSION_NOTICE},
		{"notice-vc", EVENT_ADMISSION_NOTICE}, {"ready", EVENT_READY_FOR_DISCHARGE},
		{"ready-vc", EVENT_READY_FOR_DISCHARGE}, {"withdraw", EVENT_READY_WITHDRAWN},
		{"green", EVENT_TRACK_SET},      {"yellow", EVENT_TRACK_SET},
		{"sip", EVENT_SIP_CALLED},       {"disch", EVENT_DISCHARGED},
		{"cancel", EVENT_CANCELLED},     {"move", EVENT_TRANSFERRED},
		{"leave", EVENT_LEAVE_STARTED},  {"back", EVENT_LEAVE_ENDED},
	};
	size_t i = 0;
	while (i < sizeof verbs / sizeof verbs[0] && strcmp(verbs[i].verb, verb) != 0)
		i++;
	if (i == sizeof verbs / sizeof verbs[0])
		return false;
	event_init(ev, verbs[i].type);
	ev->occurred_at = at(when);
	(void)snprintf(ev->author_unit, sizeof ev->author_unit, "W12");
	ev->author_kind = UNIT_WARD;
	(void)snprintf(ev->author_org, sizeof ev->author_org, "20");
	switch (verbs[i].type) {
	case EVENT_ADMITTED: {
		struct event_admitted *a = &ev->u.admitted;
		(void)snprintf(a->patient.personnummer, sizeof a->patient.personnummer, "19121212-1212");
		(void)snprintf(a->patient.name, sizeof a->patient.name, "Tolvan Tolvansson");
		(void)snprintf(a->patient.registered_municipality, sizeof a->patient.registered_municipality, "2080");
		(void)snprintf(a->patient.primary_care_unit, sizeof a->patient.primary_care_unit, "VC");
		(void)snprintf(a->hospital, sizeof a->hospital, "FALU");
		(void)snprintf(a->ward, sizeof a->ward, "W12");
		a->care = strcmp(arg, "psy") == 0 ? CARE_PSYCHIATRIC : strcmp(arg, "ger") == 0 ? CARE_GERIATRIC
												 : CARE_SOMATIC;
		break;
	}
	case EVENT_ADMISSION_NOTICE: {
		struct event_admission_notice *n = &ev->u.admission_notice;
		n->recipients.count = 0;
		if (strcmp(verb, "notice") == 0)
			set_party(&n->recipients.to[n->recipients.count++], "MUN", UNIT_MUNICIPAL_SOCIAL, "2080");
		set_party(&n->recipients.to[n->recipients.count++], "VC", UNIT_PRIMARY_CARE, "20");
		n->expected_discharge_date = cal_local_date(ev->occurred_at) + 5;
		break;
	}
	case EVENT_READY_FOR_DISCHARGE:
		if (strcmp(verb, "ready-vc") == 0) {
			ev->u.ready_for_discharge.recipients.count = 1;
			set_party(&ev->u.ready_for_discharge.recipients.to[0], "VC", UNIT_PRIMARY_CARE, "20");
		}
		break;
	case EVENT_TRACK_SET: ev->u.track_set.colour = strcmp(verb, "green") == 0 ? TRACK_GREEN : TRACK_YELLOW; break;
	case EVENT_SIP_CALLED:
		(void)snprintf(ev->author_unit, sizeof ev->author_unit, "VC");
		ev->author_kind = UNIT_PRIMARY_CARE;
		ev->u.sip_called.meeting_at = ev->occurred_at + 2 * HG_SECONDS_PER_DAY;
		ev->u.sip_called.place = SIP_HOSPITAL;
		break;
	case EVENT_TRANSFERRED: {
		struct event_transferred *m = &ev->u.transferred;
		m->care = strcmp(arg, "psy") == 0 ? CARE_PSYCHIATRIC : strcmp(arg, "ger") == 0 ? CARE_GERIATRIC
												 : CARE_SOMATIC;
		(void)snprintf(m->ward, sizeof m->ward, "W1%d", 4 + (int)m->care);
		break;
	}
	case EVENT_DISCHARGED: ev->u.discharged.destination = DEST_OWN_HOME; break;
	case EVENT_CANCELLED: ev->u.cancelled.cancels_seq = 1; break;
	default: break;
	}
	return true;
}

/* Folds a script into *st; false (with a message) when a step is malformed or refused. */
static bool fold_script(const char *script, episode_state *st)
{
	event evs[MAX_EVENTS];
	size_t n = 0;
	const char *p = script;
	while (*p) {
		char step[96], verb[16] = "", d[11] = "", t[6] = "", arg[16] = "", when[20];
		size_t len = strcspn(p, ";");
		if (len >= sizeof step || n == MAX_EVENTS)
			return false;
		memcpy(step, p, len);
		step[len] = '\0';
		p += len + (p[len] == ';');
		if (sscanf(step, " %15s %10s %5s %15s", verb, d, t, arg) < 3)
			return false;
		(void)snprintf(when, sizeof when, "%s %s", d, t);
		if (!script_event(verb, when, arg, &evs[n]))
			return false;
		evs[n].seq = (int32_t)(n + 1);
		n++;
	}
	event_error err;
	episode_init(st);
	if (episode_fold(evs, n, st, &err) != HG_OK) {
		fprintf(stderr, "script refused at seq %d: %s (%s)\n", err.seq, err.code, err.field);
		return false;
	}
	return true;
}

/* ---- agreements ---- */

enum { A_CAL, A_WKD5, A_WKD2_EVES, A_WKD2, A_CONT, A_NOCOND, A_AVERAGE, A_FUTURE, A_NORATE, A_LEAVE, A_COUNT };

static agreement make_agreement(int which)
{
	agreement a = {
		.id = "test",
		.name = "Test",
		.version = 1,
		.region = "20",
		.n_municipalities = 1,
		.municipalities = {"2080"},
		.valid_to = HG_DATE_NONE,
		.model = AGREEMENT_PER_NIGHT,
		.grace_days = {3, 3, 3},
		.count = AGREEMENT_COUNT_CALENDAR,
		.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
		.conditions = {true, true, true},
		.n_rates = 5,
		/* 1 000 kr in 2023, 2 000 kr in 2024, 3 000 kr in 2025 somatic; 1 500 / 2 500 kr ger/psy from 2024 */
		.rates = {{2023, CARE_SOMATIC, 100000},
			  {2024, CARE_SOMATIC, 200000},
			  {2025, CARE_SOMATIC, 300000},
			  {2024, CARE_GERIATRIC, 150000},
			  {2024, CARE_PSYCHIATRIC, 250000}},
	};
	a.valid_from = day("2018-01-01");
	switch (which) {
	case A_WKD5:
		a.count = AGREEMENT_COUNT_WEEKDAYS;
		a.grace_days[CARE_SOMATIC] = a.grace_days[CARE_GERIATRIC] = 5;
		a.grace_days[CARE_PSYCHIATRIC] = 30;
		break;
	case A_WKD2_EVES:
	case A_WKD2:
		a.count = AGREEMENT_COUNT_WEEKDAYS;
		a.grace_days[CARE_SOMATIC] = 2;
		a.eves_are_holidays = which == A_WKD2_EVES;
		break;
	case A_CONT: a.withdrawal = AGREEMENT_WITHDRAWAL_CONTINUE; break;
	case A_NOCOND: a.conditions = (agreement_conditions){false, false, false}; break;
	case A_AVERAGE:
		a.model = AGREEMENT_AVERAGE;
		a.n_rates = 0;
		a.average = (agreement_average){1, {300, 300, 500}, {930000, 930000, 930000}};
		break;
	case A_FUTURE: a.valid_from = day("2030-01-01"); break;
	case A_LEAVE: a.leave_nights_free = true; break;
	case A_NORATE:
		a.n_rates = 1;
		a.rates[0] = (agreement_rate){2025, CARE_SOMATIC, 300000};
		break;
	default: break;
	}
	return a;
}

/* ---- months ---- */

static void test_months(struct test *t)
{
	static const struct {
		const char *in;
		hg_status rc;
		const char *first, *end;
	} rows[] = {
		{"2024-02", HG_OK, "2024-02-01", "2024-03-01"},
		{"2023-02", HG_OK, "2023-02-01", "2023-03-01"},
		{"2024-12", HG_OK, "2024-12-01", "2025-01-01"},
		{"2024-01", HG_OK, "2024-01-01", "2024-02-01"},
		{"2024-13", HG_EINVAL, NULL, NULL},
		{"2024-00", HG_EINVAL, NULL, NULL},
		{"2024-1", HG_EINVAL, NULL, NULL},
		{"24-01", HG_EINVAL, NULL, NULL},
		{"2024-01x", HG_EINVAL, NULL, NULL},
		{"2024/01", HG_EINVAL, NULL, NULL},
		{"", HG_EINVAL, NULL, NULL},
		{"1799-12", HG_EINVAL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		billing_month m;
		char b[11], mb[8];
		hg_status rc = billing_month_parse(rows[i].in, &m);
		T_EQ_INT(t, rc, rows[i].rc, "month %zu '%s'", i, rows[i].in);
		if (rc != HG_OK || rows[i].rc != HG_OK)
			continue;
		T_EQ_STR(t, fmt(m.first, b), rows[i].first, "month %zu first", i);
		T_EQ_STR(t, fmt(m.end, b), rows[i].end, "month %zu end", i);
		T_EQ_STR(t, billing_month_format(&m, mb), rows[i].in, "month %zu format", i);
	}
	T_TRUE(t, billing_month_parse(NULL, &(billing_month){0}) == HG_EINVAL, "month NULL");
}

/* ---- lines ---- */

#define BASE "adm 2024-02-28 08:00; notice 2024-02-28 12:00; green 2024-02-29 09:00; "
#define FAR "2099-01-01 00:00"

static void test_lines(struct test *t)
{
	static const struct {
		const char *label;
		const char *script;
		const char *month, *cutoff;
		int agreement;
		billing_outcome outcome;
		billing_reason reason;
		int nights;
		int64_t amount_ore;
		const char *first_night, *last_night, *grace_end, *discharge;
		int ready_days, ready_nights;
		const char *holidays; /* comma-separated dates, "" for none */
	} rows[] = {
		/* design.md: R = 2024-03-01, 3 calendar days, G = 03-04, U = 03-06: nights 4 and 5 */
		{"calendar-1", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", FAR, A_CAL, BILLING_LINE,
		 BILLING_REASON_NONE, 2, 400000, "2024-03-04", "2024-03-05", "2024-03-04", "2024-03-06", 5, 5, ""},
		{"calendar-same-as-grace", BASE "ready 2024-03-01 10:00; disch 2024-03-04 11:00", "2024-03", FAR, A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, "2024-03-04", "2024-03-04", 3, 3, ""},
		{"month-before", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-02", FAR, A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, NULL, "2024-03-06", 0, 0, ""},
		{"month-after", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-04", FAR, A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, NULL, "2024-03-06", 0, 0, ""},
		{"same-day", BASE "ready 2024-03-01 10:00; disch 2024-03-01 15:00", "2024-03", FAR, A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, NULL, "2024-03-01", 0, 0, ""},
		/* month boundary: R = 02-25 (2024 is a leap year), G = 02-28: nights 28, 29 | 1, 2 */
		{"month-boundary-feb", BASE "ready 2024-02-29 10:00; disch 2024-03-07 09:00", "2024-02", FAR, A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, "2024-03-03", "2024-03-07", 7, 1, ""},
		{"month-boundary-mar", BASE "ready 2024-02-29 10:00; disch 2024-03-07 09:00", "2024-03", FAR, A_CAL,
		 BILLING_LINE, BILLING_REASON_NONE, 4, 800000, "2024-03-03", "2024-03-06", "2024-03-03", "2024-03-07", 7,
		 6, ""},
		{"month-split-jan", "adm 2024-01-20 08:00; notice 2024-01-20 12:00; green 2024-01-21 09:00; "
				    "ready 2024-01-25 10:00; disch 2024-02-03 11:00",
		 "2024-01", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 4, 800000, "2024-01-28", "2024-01-31",
		 "2024-01-28", "2024-02-03", 9, 7, ""},
		{"month-split-feb", "adm 2024-01-20 08:00; notice 2024-01-20 12:00; green 2024-01-21 09:00; "
				    "ready 2024-01-25 10:00; disch 2024-02-03 11:00",
		 "2024-02", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-02-01", "2024-02-02",
		 "2024-01-28", "2024-02-03", 9, 2, ""},
		/* year boundary: 2 000 kr for 30 and 31 December 2024, 3 000 kr from 1 January 2025 */
		{"year-dec", "adm 2024-12-20 08:00; notice 2024-12-20 12:00; green 2024-12-21 09:00; "
			     "ready 2024-12-27 10:00; disch 2025-01-03 11:00",
		 "2024-12", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-12-30", "2024-12-31",
		 "2024-12-30", "2025-01-03", 7, 5, ""},
		{"year-jan", "adm 2024-12-20 08:00; notice 2024-12-20 12:00; green 2024-12-21 09:00; "
			     "ready 2024-12-27 10:00; disch 2025-01-03 11:00",
		 "2025-01", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 600000, "2025-01-01", "2025-01-02",
		 "2024-12-30", "2025-01-03", 7, 2, ""},
		/* 2026 has no rate: the nights are on the line without an amount (checked below), never at
		 * 2025's amount; December is priced */
		{"year-unpriced", "adm 2025-12-20 08:00; notice 2025-12-20 12:00; green 2025-12-21 09:00; "
				  "ready 2025-12-27 10:00; disch 2026-01-03 11:00",
		 "2026-01", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 0, "2026-01-01", "2026-01-02",
		 "2025-12-30", "2026-01-03", 7, 2, ""},
		{"year-unpriced-dec", "adm 2025-12-20 08:00; notice 2025-12-20 12:00; green 2025-12-21 09:00; "
				      "ready 2025-12-27 10:00; disch 2026-01-03 11:00",
		 "2025-12", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 600000, "2025-12-30", "2025-12-31",
		 "2025-12-30", "2026-01-03", 7, 5, ""},
		/* still in hospital: nights of the month, then the next month continues */
		{"in-hospital-mar", BASE "ready 2024-03-20 10:00", "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE,
		 9, 1800000, "2024-03-23", "2024-03-31", "2024-03-23", NULL, 12, 12, ""},
		{"in-hospital-apr", BASE "ready 2024-03-20 10:00", "2024-04", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE,
		 30, 6000000, "2024-04-01", "2024-04-30", "2024-03-23", NULL, 42, 30, ""},
		/* a cut-off inside the month: nights that have not begun are not billed */
		{"in-hospital-cutoff", BASE "ready 2024-03-20 10:00", "2024-04", "2024-04-10 12:00", A_CAL, BILLING_LINE,
		 BILLING_REASON_NONE, 9, 1800000, "2024-04-01", "2024-04-09", "2024-03-23", NULL, 21, 9, ""},
		{"cutoff-before-month", BASE "ready 2024-03-20 10:00", "2024-04", "2024-03-31 12:00", A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, NULL, NULL, 0, 0, ""},
		/* withdrawal: a new ready notice starts a new grace period ... */
		{"withdrawal-new-grace", BASE "ready 2024-03-01 10:00; withdraw 2024-03-08 10:00; ready 2024-03-10 10:00; "
					      "disch 2024-03-15 10:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 6, 1200000, "2024-03-04", "2024-03-14",
		 "2024-03-04", "2024-03-15", 12, 12, ""},
		/* ... or, with "continue", the grace already used counts */
		{"withdrawal-continue", BASE "ready 2024-03-01 10:00; withdraw 2024-03-08 10:00; ready 2024-03-10 10:00; "
					     "disch 2024-03-15 10:00",
		 "2024-03", FAR, A_CONT, BILLING_LINE, BILLING_REASON_NONE, 9, 1800000, "2024-03-04", "2024-03-14",
		 "2024-03-04", "2024-03-15", 12, 12, ""},
		{"withdrawn-in-grace", BASE "ready 2024-03-01 10:00; withdraw 2024-03-03 10:00; disch 2024-03-10 10:00",
		 "2024-03", FAR, A_CAL, BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, "2024-03-04",
		 "2024-03-10", 2, 2, ""},
		/* weekdays across Easter 2024: Good Friday 29 March and Easter Monday 1 April are skipped */
		{"easter", BASE "ready 2024-03-27 10:00; disch 2024-04-08 10:00", "2024-04", FAR, A_WKD5, BILLING_LINE,
		 BILLING_REASON_NONE, 3, 600000, "2024-04-05", "2024-04-07", "2024-04-05", "2024-04-08", 12, 7,
		 "2024-03-29,2024-04-01"},
		{"easter-march", BASE "ready 2024-03-27 10:00; disch 2024-04-08 10:00", "2024-03", FAR, A_WKD5,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, "2024-04-05", "2024-04-08", 12, 5,
		 "2024-03-29,2024-04-01"},
		/* design.md: R = Friday 2024-05-03, 5 weekdays, Ascension Day 9 May: G = 05-13, U = 05-15 */
		{"ascension", "adm 2024-05-01 08:00; notice 2024-05-01 12:00; green 2024-05-02 09:00; "
			      "ready 2024-05-03 10:00; disch 2024-05-15 10:00",
		 "2024-05", FAR, A_WKD5, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-05-13", "2024-05-14",
		 "2024-05-13", "2024-05-15", 12, 12, "2024-05-09"},
		/* midsummer: R = Wed 19 June, 2 weekdays; with eves midsummer eve (Fri 21) is skipped */
		{"midsummer-eves", "adm 2024-06-17 08:00; notice 2024-06-17 12:00; green 2024-06-18 09:00; "
				   "ready 2024-06-19 10:00; disch 2024-06-26 10:00",
		 "2024-06", FAR, A_WKD2_EVES, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-06-24", "2024-06-25",
		 "2024-06-24", "2024-06-26", 7, 7, "2024-06-21"},
		{"midsummer-no-eves", "adm 2024-06-17 08:00; notice 2024-06-17 12:00; green 2024-06-18 09:00; "
				      "ready 2024-06-19 10:00; disch 2024-06-26 10:00",
		 "2024-06", FAR, A_WKD2, BILLING_LINE, BILLING_REASON_NONE, 5, 1000000, "2024-06-21", "2024-06-25",
		 "2024-06-21", "2024-06-26", 7, 7, ""},
		/* Christmas: R = Mon 23 Dec 2024, 5 weekdays: 24, 27, 30, 31 Dec, 2 Jan; G = 2025-01-02 */
		{"christmas-dec", "adm 2024-12-20 08:00; notice 2024-12-20 12:00; green 2024-12-21 09:00; "
				  "ready 2024-12-23 10:00; disch 2025-01-06 10:00",
		 "2024-12", FAR, A_WKD5, BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, "2025-01-02",
		 "2025-01-06", 14, 9, "2024-12-25,2024-12-26,2025-01-01"},
		{"christmas-jan", "adm 2024-12-20 08:00; notice 2024-12-20 12:00; green 2024-12-21 09:00; "
				  "ready 2024-12-23 10:00; disch 2025-01-06 10:00",
		 "2025-01", FAR, A_WKD5, BILLING_LINE, BILLING_REASON_NONE, 4, 1200000, "2025-01-02", "2025-01-05",
		 "2025-01-02", "2025-01-06", 14, 5, "2024-12-25,2024-12-26,2025-01-01"},
		/* psychiatric care: 30 weekdays; geriatric care: its own amount */
		{"psychiatric-30", "adm 2024-02-28 08:00 psy; notice 2024-02-28 12:00; green 2024-02-29 09:00; "
				   "ready 2024-03-01 10:00; disch 2024-04-30 10:00",
		 "2024-04", FAR, A_WKD5, BILLING_LINE, BILLING_REASON_NONE, 14, 3500000, "2024-04-16", "2024-04-29",
		 "2024-04-16", "2024-04-30", 60, 29, "2024-03-29,2024-04-01"},
		{"geriatric", "adm 2024-02-28 08:00 ger; notice 2024-02-28 12:00; green 2024-02-29 09:00; "
			      "ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 300000, "2024-03-04", "2024-03-05",
		 "2024-03-04", "2024-03-06", 5, 5, ""},
		/* billing conditions: listed apart with what would have been billed */
		{"no-admission-notice", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; green 2024-02-29 09:00; "
					"ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 "2024-03", FAR, A_CAL, BILLING_EXCLUDED, BILLING_REASON_NO_ADMISSION_NOTICE, 2, 400000, "2024-03-04",
		 "2024-03-05", "2024-03-04", "2024-03-06", 5, 5, ""},
		{"no-ready-notice", BASE "ready-vc 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", FAR, A_CAL,
		 BILLING_EXCLUDED, BILLING_REASON_NO_READY_NOTICE, 2, 400000, "2024-03-04", "2024-03-05", "2024-03-04",
		 "2024-03-06", 5, 5, ""},
		{"no-ready-notice-2nd-period",
		 BASE "ready 2024-03-01 10:00; withdraw 2024-03-02 10:00; ready-vc 2024-03-03 10:00; disch 2024-03-09 10:00",
		 "2024-03", FAR, A_CAL, BILLING_EXCLUDED, BILLING_REASON_NO_READY_NOTICE, 3, 600000, "2024-03-06",
		 "2024-03-08", "2024-03-04", "2024-03-09", 7, 7, ""},
		{"no-sip-yellow", "adm 2024-02-28 08:00; notice 2024-02-28 12:00; yellow 2024-02-29 09:00; "
				  "ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 "2024-03", FAR, A_CAL, BILLING_EXCLUDED, BILLING_REASON_NO_SIP_CALL, 2, 400000, "2024-03-04",
		 "2024-03-05", "2024-03-04", "2024-03-06", 5, 5, ""},
		{"no-sip-no-track", "adm 2024-02-28 08:00; notice 2024-02-28 12:00; "
				    "ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 "2024-03", FAR, A_CAL, BILLING_EXCLUDED, BILLING_REASON_NO_SIP_CALL, 2, 400000, "2024-03-04",
		 "2024-03-05", "2024-03-04", "2024-03-06", 5, 5, ""},
		{"sip-called-yellow", "adm 2024-02-28 08:00; notice 2024-02-28 12:00; yellow 2024-02-29 09:00; "
				      "ready 2024-03-01 10:00; sip 2024-03-02 10:00; disch 2024-03-06 11:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-03-04", "2024-03-05",
		 "2024-03-04", "2024-03-06", 5, 5, ""},
		{"excluded-in-grace", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; green 2024-02-29 09:00; "
				      "ready 2024-03-01 10:00; disch 2024-03-03 11:00",
		 "2024-03", FAR, A_CAL, BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, "2024-03-04",
		 "2024-03-03", 2, 2, ""},
		{"conditions-off", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; "
				   "ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 "2024-03", FAR, A_NOCOND, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-03-04", "2024-03-05",
		 "2024-03-04", "2024-03-06", 5, 5, ""},
		/* issue 15.1: each night at the care type of the ward the patient is in that night
		 * (A_CAL 2024: somatic 2 000 kr, geriatric 1 500 kr, psychiatric 2 500 kr) */
		{"moved-mid-stay", BASE "ready 2024-03-01 10:00; move 2024-03-05 14:00 ger; disch 2024-03-08 11:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 4, 200000 + 3 * 150000, "2024-03-04",
		 "2024-03-07", "2024-03-04", "2024-03-08", 7, 7, ""},
		{"moved-at-month-end-mar", BASE "ready 2024-03-28 10:00; move 2024-04-01 09:00 ger; disch 2024-04-03 11:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 1, 200000, "2024-03-31", "2024-03-31",
		 "2024-03-31", "2024-04-03", 6, 4, ""},
		{"moved-at-month-end-apr", BASE "ready 2024-03-28 10:00; move 2024-04-01 09:00 ger; disch 2024-04-03 11:00",
		 "2024-04", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 2, 300000, "2024-04-01", "2024-04-02",
		 "2024-03-31", "2024-04-03", 6, 2, ""},
		{"moved-there-and-back", BASE "ready 2024-03-01 10:00; move 2024-03-05 10:00 ger; "
					      "move 2024-03-05 15:00 som; disch 2024-03-07 11:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 3, 600000, "2024-03-04", "2024-03-06",
		 "2024-03-04", "2024-03-07", 6, 6, ""},
		/* psychiatric 30 weekdays, somatic 5: the grace follows the care type on the ready date
		 * (somatic since 29 Feb): R = Fri 1 March, G = Fri 8 March, nights 8, 9, 10 */
		{"moved-before-ready", "adm 2024-02-28 08:00 psy; notice 2024-02-28 12:00; green 2024-02-29 09:00; "
				       "move 2024-02-29 10:00 som; ready 2024-03-01 10:00; disch 2024-03-11 11:00",
		 "2024-03", FAR, A_WKD5, BILLING_LINE, BILLING_REASON_NONE, 3, 600000, "2024-03-08", "2024-03-10",
		 "2024-03-08", "2024-03-11", 10, 10, ""},
		/* issue 15.3: nights on leave are free under A_LEAVE (G = 03-04; home Fri 8 to Sun 10: 8, 9 free) */
		{"leave-free", BASE "ready 2024-03-01 10:00; leave 2024-03-08 14:00; back 2024-03-10 18:00; "
				    "disch 2024-03-11 10:00",
		 "2024-03", FAR, A_LEAVE, BILLING_LINE, BILLING_REASON_NONE, 5, 1000000, "2024-03-04", "2024-03-10",
		 "2024-03-04", "2024-03-11", 10, 10, ""},
		{"leave-charged", BASE "ready 2024-03-01 10:00; leave 2024-03-08 14:00; back 2024-03-10 18:00; "
				       "disch 2024-03-11 10:00",
		 "2024-03", FAR, A_CAL, BILLING_LINE, BILLING_REASON_NONE, 7, 1400000, "2024-03-04", "2024-03-10",
		 "2024-03-04", "2024-03-11", 10, 10, ""},
		/* on leave over the month end (G = 28 March): 31 March free in March, 1 April free in April */
		{"leave-month-end-mar", BASE "ready 2024-03-25 10:00; leave 2024-03-31 10:00; back 2024-04-02 10:00; "
					    "disch 2024-04-04 10:00",
		 "2024-03", FAR, A_LEAVE, BILLING_LINE, BILLING_REASON_NONE, 3, 600000, "2024-03-28", "2024-03-30",
		 "2024-03-28", "2024-04-04", 10, 7, ""},
		{"leave-month-end-apr", BASE "ready 2024-03-25 10:00; leave 2024-03-31 10:00; back 2024-04-02 10:00; "
					    "disch 2024-04-04 10:00",
		 "2024-04", FAR, A_LEAVE, BILLING_LINE, BILLING_REASON_NONE, 2, 400000, "2024-04-02", "2024-04-03",
		 "2024-03-28", "2024-04-04", 10, 3, ""},
		/* discharged from leave: the leave ends with the discharge */
		{"discharged-from-leave", BASE "ready 2024-03-01 10:00; leave 2024-03-08 14:00; disch 2024-03-11 10:00",
		 "2024-03", FAR, A_LEAVE, BILLING_LINE, BILLING_REASON_NONE, 4, 800000, "2024-03-04", "2024-03-07",
		 "2024-03-04", "2024-03-11", 10, 10, ""},
		/* the other reasons */
		{"no-agreement", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", FAR, A_FUTURE,
		 BILLING_EXCLUDED, BILLING_REASON_NO_AGREEMENT, 0, 0, NULL, NULL, NULL, "2024-03-06", 0, 5, ""},
		{"no-rate", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", FAR, A_NORATE,
		 BILLING_LINE, BILLING_REASON_NONE, 2, 0, "2024-03-04", "2024-03-05", "2024-03-04", "2024-03-06", 5, 5,
		 ""},
		{"average-model", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", FAR, A_AVERAGE,
		 BILLING_AVERAGE, BILLING_REASON_NONE, 0, 0, NULL, NULL, NULL, "2024-03-06", 0, 5, ""},
		{"cancelled", BASE "ready 2024-03-01 10:00; cancel 2024-03-06 11:00", "2024-03", FAR, A_CAL,
		 BILLING_NOTHING, BILLING_REASON_NONE, 0, 0, NULL, NULL, NULL, NULL, 0, 0, ""},
		{"never-ready", BASE "disch 2024-03-06 11:00", "2024-03", FAR, A_CAL, BILLING_NOTHING, BILLING_REASON_NONE,
		 0, 0, NULL, NULL, NULL, NULL, 0, 0, ""},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		billing_month m;
		billing_line line;
		char b[11], holidays[256] = "";
		if (!T_TRUE(t, fold_script(rows[i].script, &st), "%s: script folds", rows[i].label))
			continue;
		if (billing_month_parse(rows[i].month, &m) != HG_OK)
			abort();
		agreement a = make_agreement(rows[i].agreement);
		hg_status rc = billing_episode_month(&st, &m, at(rows[i].cutoff), &a, 1, &line);
		T_EQ_INT(t, rc, HG_OK, "%s: status", rows[i].label);
		T_EQ_STR(t, billing_outcome_label(line.outcome)->code, billing_outcome_label(rows[i].outcome)->code,
			 "%s: outcome", rows[i].label);
		T_EQ_STR(t, billing_reason_label(line.reason)->code, billing_reason_label(rows[i].reason)->code,
			 "%s: reason", rows[i].label);
		T_EQ_INT(t, line.nights, rows[i].nights, "%s: nights", rows[i].label);
		T_EQ_INT(t, line.amount_ore, rows[i].amount_ore, "%s: amount", rows[i].label);
		T_EQ_STR(t, fmt(line.first_night, b), rows[i].first_night ? rows[i].first_night : "none",
			 "%s: first night", rows[i].label);
		T_EQ_STR(t, fmt(line.last_night, b), rows[i].last_night ? rows[i].last_night : "none",
			 "%s: last night", rows[i].label);
		T_EQ_STR(t, fmt(line.grace_end, b), rows[i].grace_end ? rows[i].grace_end : "none", "%s: grace end",
			 rows[i].label);
		T_EQ_STR(t, fmt(line.discharge_date, b), rows[i].discharge ? rows[i].discharge : "none",
			 "%s: discharge", rows[i].label);
		T_EQ_INT(t, line.ready_days, rows[i].ready_days, "%s: ready-days", rows[i].label);
		T_EQ_INT(t, line.ready_nights, rows[i].ready_nights, "%s: ready nights in month", rows[i].label);
		for (size_t k = 0; k < line.n_holidays; k++) {
			size_t len = strlen(holidays);
			(void)snprintf(holidays + len, sizeof holidays - len, "%s%s", k ? "," : "",
				       date_format(line.holidays[k], b));
		}
		T_EQ_STR(t, holidays, rows[i].holidays, "%s: holidays skipped", rows[i].label);
		T_EQ_INT(t, line.unpriced_nights,
			 strcmp(rows[i].label, "year-unpriced") == 0 || strcmp(rows[i].label, "no-rate") == 0 ? 2 : 0,
			 "%s: nights without an amount", rows[i].label);
		if (rows[i].outcome != BILLING_NOTHING)
			T_TRUE(t, (line.agreement != NULL) == (rows[i].reason != BILLING_REASON_NO_AGREEMENT),
			       "%s: agreement named", rows[i].label);
	}
}

/* The statutory default applies to every municipality without an agreement of its own. */
static void test_statutory(struct test *t)
{
	size_t n;
	const agreement *list = agreement_statutory(&n);
	episode_state st;
	billing_month m;
	billing_line line;
	if (!fold_script(BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", &st) ||
	    billing_month_parse("2024-03", &m) != HG_OK)
		abort();
	T_EQ_INT(t, billing_episode_month(&st, &m, at(FAR), list, n, &line), HG_OK, "statutory status");
	T_EQ_STR(t, line.agreement ? line.agreement->id : "none", "statutory", "statutory agreement");
	T_EQ_INT(t, line.nights, 2, "statutory nights");
	/* the statutory amount for 2024 is not in the built-in table: no guess, two nights without one */
	T_EQ_INT(t, line.amount_ore, 0, "statutory 2024: no amount");
	T_EQ_INT(t, line.unpriced_nights, 2, "statutory 2024: two nights without an amount");
	/* a regional agreement that names the municipality beats the default */
	agreement both[3];
	memcpy(both, list, 2 * sizeof both[0]);
	both[2] = make_agreement(A_WKD5);
	T_EQ_INT(t, billing_episode_month(&st, &m, at(FAR), both, 3, &line), HG_OK, "regional status");
	T_EQ_STR(t, line.agreement ? line.agreement->id : "none", "test", "regional agreement wins");
}

/* The input built from the fold: periods, conditions. */
static void test_input(struct test *t)
{
	static const struct {
		const char *label, *script;
		size_t periods;
		bool first_open, last_open, discharged, notice, ready, sip_needed, sip_called;
	} rows[] = {
		{"open", BASE "ready 2024-03-01 10:00", 1, true, true, false, true, true, false, false},
		{"discharged", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", 1, true, true, true, true, true,
		 false, false},
		{"withdrawn", BASE "ready 2024-03-01 10:00; withdraw 2024-03-02 10:00", 1, false, false, false, true, true,
		 false, false},
		{"two", BASE "ready 2024-03-01 10:00; withdraw 2024-03-02 10:00; ready-vc 2024-03-03 10:00", 2, false,
		 true, false, true, false, false, false},
		{"yellow-sip", "adm 2024-02-28 08:00; notice 2024-02-28 12:00; yellow 2024-02-29 09:00; "
			       "ready 2024-03-01 10:00; sip 2024-03-02 10:00",
		 1, true, true, false, true, true, true, true},
		{"vc-only", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; ready 2024-03-01 10:00", 1, true, true,
		 false, false, false, true, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		liability_period periods[LIABILITY_PERIODS_MAX];
		liability_input in;
		if (!T_TRUE(t, fold_script(rows[i].script, &st), "%s: folds", rows[i].label))
			continue;
		if (!T_TRUE(t, billing_input(&st, "2080", day("2024-04-01"), periods, &in) == HG_OK, "%s: input",
			    rows[i].label))
			continue;
		T_EQ_INT(t, in.n_periods, rows[i].periods, "%s: periods", rows[i].label);
		T_TRUE(t, (periods[0].end_at == HG_INSTANT_NONE) == rows[i].first_open, "%s: first open", rows[i].label);
		T_TRUE(t, (periods[in.n_periods - 1].end_at == HG_INSTANT_NONE) == rows[i].last_open, "%s: last open",
		       rows[i].label);
		T_TRUE(t, (in.discharged_at != HG_INSTANT_NONE) == rows[i].discharged, "%s: discharged", rows[i].label);
		T_TRUE(t, in.until == (rows[i].discharged ? HG_DATE_NONE : day("2024-04-01")), "%s: until",
		       rows[i].label);
		T_TRUE(t, in.admission_notice_sent == rows[i].notice, "%s: notice", rows[i].label);
		T_TRUE(t, in.ready_notice_sent == rows[i].ready, "%s: ready notice", rows[i].label);
		T_TRUE(t, in.sip_needed == rows[i].sip_needed, "%s: sip needed", rows[i].label);
		T_TRUE(t, in.sip_called == rows[i].sip_called, "%s: sip called", rows[i].label);
		T_TRUE(t, billing_input(&st, "2081", day("2024-04-01"), periods, &in) == HG_OK &&
				  !in.admission_notice_sent && !in.ready_notice_sent,
		       "%s: another municipality got nothing", rows[i].label);
	}
	episode_state st;
	liability_period periods[LIABILITY_PERIODS_MAX];
	liability_input in;
	if (fold_script(BASE "disch 2024-03-06 11:00", &st))
		T_EQ_INT(t, billing_input(&st, "2080", HG_DATE_NONE, periods, &in), HG_EINVAL, "never ready");
}

/* The average model's view of one ended episode. */
static void test_days(struct test *t)
{
	static const struct {
		const char *label, *script;
		hg_status rc;
		int ready_days;
		bool billable;
		billing_reason reason;
	} rows[] = {
		{"ended", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", HG_OK, 5, true, BILLING_REASON_NONE},
		{"day-0", BASE "ready 2024-03-01 10:00; disch 2024-03-01 16:00", HG_OK, 0, true, BILLING_REASON_NONE},
		{"withdrawn", BASE "ready 2024-03-01 10:00; withdraw 2024-03-03 10:00; ready 2024-03-05 10:00; "
				   "disch 2024-03-06 11:00",
		 HG_OK, 3, true, BILLING_REASON_NONE},
		{"no-notice", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; green 2024-02-29 09:00; "
			      "ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 HG_OK, 5, false, BILLING_REASON_NO_ADMISSION_NOTICE},
		{"in-hospital", BASE "ready 2024-03-01 10:00", HG_EINVAL, 0, false, BILLING_REASON_NONE},
		{"never-ready", BASE "disch 2024-03-06 11:00", HG_EINVAL, 0, false, BILLING_REASON_NONE},
	};
	agreement avg = make_agreement(A_AVERAGE), cal = make_agreement(A_CAL);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		liability_episode_days d = {0};
		billing_reason why = BILLING_REASON_INVALID;
		if (!T_TRUE(t, fold_script(rows[i].script, &st), "%s: folds", rows[i].label))
			continue;
		T_EQ_INT(t, billing_episode_days(&st, &avg, &d, &why), rows[i].rc, "%s: status", rows[i].label);
		if (rows[i].rc != HG_OK)
			continue;
		T_EQ_INT(t, d.ready_days, rows[i].ready_days, "%s: ready-days", rows[i].label);
		T_TRUE(t, d.billable == rows[i].billable, "%s: billable", rows[i].label);
		T_EQ_INT(t, why, rows[i].reason, "%s: reason", rows[i].label);
		T_EQ_INT(t, billing_episode_days(&st, &cal, &d, &why), HG_EINVAL, "%s: per-night agreement refused",
			 rows[i].label);
	}
}

/*
 * The average model's membership (moved from the invoice store into the core, issue 12): which episodes a
 * month's average settlement of their municipality counts, and with which ready-days.
 */
static void test_average_membership(struct test *t)
{
	static const struct {
		const char *label, *script, *month;
		int agreement;
		bool member;
		int ready_days;
		bool billable;
		billing_reason reason;
	} rows[] = {
		{"discharged-in-month", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", A_AVERAGE, true,
		 5, true, BILLING_REASON_NONE},
		{"discharged-last-day", BASE "ready 2024-03-25 10:00; disch 2024-03-31 23:00", "2024-03", A_AVERAGE, true,
		 6, true, BILLING_REASON_NONE},
		{"discharged-next-month", BASE "ready 2024-03-01 10:00; disch 2024-04-01 00:30", "2024-03", A_AVERAGE,
		 false, 0, false, BILLING_REASON_NONE},
		{"discharged-month-before", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-04", A_AVERAGE,
		 false, 0, false, BILLING_REASON_NONE},
		{"in-hospital", BASE "ready 2024-03-01 10:00", "2024-03", A_AVERAGE, false, 0, false, BILLING_REASON_NONE},
		{"never-ready", BASE "disch 2024-03-06 11:00", "2024-03", A_AVERAGE, false, 0, false, BILLING_REASON_NONE},
		{"per-night-agreement", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", A_CAL, false, 0,
		 false, BILLING_REASON_NONE},
		{"not-yet-in-force", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03", A_FUTURE, false, 0,
		 false, BILLING_REASON_NONE},
		{"condition-failed", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; green 2024-02-29 09:00; "
				     "ready 2024-03-01 10:00; disch 2024-03-06 11:00",
		 "2024-03", A_AVERAGE, true, 5, false, BILLING_REASON_NO_ADMISSION_NOTICE},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		billing_month month;
		billing_average_member m = {0};
		agreement a = make_agreement(rows[i].agreement);
		if (rows[i].agreement == A_FUTURE) { /* an average-model agreement that starts in 2030 */
			a = make_agreement(A_AVERAGE);
			a.valid_from = make_agreement(A_FUTURE).valid_from;
		}
		if (!T_TRUE(t, fold_script(rows[i].script, &st), "%s: folds", rows[i].label) ||
		    !T_TRUE(t, billing_month_parse(rows[i].month, &month) == HG_OK, "%s: month", rows[i].label))
			continue;
		bool member = billing_average_membership(&st, &month, &a, 1, &m);
		T_TRUE(t, member == rows[i].member, "%s: member %d", rows[i].label, (int)member);
		if (!member)
			continue;
		T_TRUE(t, m.agreement && strcmp(m.agreement->id, "test") == 0, "%s: the settling agreement", rows[i].label);
		T_EQ_INT(t, m.days.ready_days, rows[i].ready_days, "%s: ready-days", rows[i].label);
		T_TRUE(t, m.days.billable == rows[i].billable, "%s: billable", rows[i].label);
		T_EQ_INT(t, m.reason, rows[i].reason, "%s: reason", rows[i].label);
	}
}

/* Liability so far (issue 18): what the episode page and the worklists show while the patient waits. */
static void test_so_far(struct test *t)
{
	static const struct {
		const char *label, *script, *today;
		int agreement;
		bool named, average, counted, liable;
		liability_billing billing;
		const char *ready, *from;
		int ready_days, nights;
		int64_t amount_ore;
	} rows[] = {
		/* R = Fri 2024-03-01, 3 calendar days: G = 03-04; nights that began before today */
		{"waiting", BASE "ready 2024-03-01 10:00", "2024-03-06", A_CAL, true, false, true, true, LIABILITY_BILLABLE,
		 "2024-03-01", "2024-03-04", 5, 2, 400000},
		{"pays-tonight", BASE "ready 2024-03-01 10:00", "2024-03-04", A_CAL, true, false, true, true,
		 LIABILITY_BILLABLE, "2024-03-01", "2024-03-04", 3, 0, 0},
		{"in-grace", BASE "ready 2024-03-01 10:00", "2024-03-03", A_CAL, true, false, true, false,
		 LIABILITY_BILLABLE, "2024-03-01", "2024-03-04", 2, 0, 0},
		{"ready-today", BASE "ready 2024-03-01 10:00", "2024-03-01", A_CAL, true, false, true, false,
		 LIABILITY_BILLABLE, "2024-03-01", "2024-03-04", 0, 0, 0},
		{"discharged", BASE "ready 2024-03-01 10:00; disch 2024-03-06 11:00", "2024-03-20", A_CAL, true, false, true,
		 false, LIABILITY_BILLABLE, "2024-03-01", "2024-03-04", 5, 2, 400000},
		/* design.md: R = Fri 2024-05-03, 5 weekdays skipping Ascension Day: G = 05-13 */
		{"weekdays", "adm 2024-05-01 08:00; notice 2024-05-01 12:00; green 2024-05-02 09:00; "
			     "ready 2024-05-03 10:00",
		 "2024-05-15", A_WKD5, true, false, true, true, LIABILITY_BILLABLE, "2024-05-03", "2024-05-13", 12, 2,
		 400000},
		{"no-notice", "adm 2024-02-28 08:00; notice-vc 2024-02-28 12:00; green 2024-02-29 09:00; "
			      "ready 2024-03-01 10:00",
		 "2024-03-06", A_CAL, true, false, true, false, LIABILITY_NO_ADMISSION_NOTICE, "2024-03-01", "2024-03-04",
		 5, 2, 400000},
		/* withdrawn, ready again on 03-05 with a new grace period: G = 03-08 */
		{"re-ready", BASE "ready 2024-03-01 10:00; withdraw 2024-03-02 10:00; ready 2024-03-05 10:00",
		 "2024-03-10", A_CAL, true, false, true, true, LIABILITY_BILLABLE, "2024-03-05", "2024-03-08", 6, 2, 400000},
		{"withdrawn", BASE "ready 2024-03-01 10:00; withdraw 2024-03-06 10:00", "2024-03-10", A_CAL, true, false,
		 true, false, LIABILITY_BILLABLE, "2024-03-01", "2024-03-04", 5, 2, 400000},
		{"average", BASE "ready 2024-03-01 10:00", "2024-03-06", A_AVERAGE, true, true, false, false,
		 LIABILITY_BILLABLE, NULL, NULL, 0, 0, 0},
		{"no-agreement", BASE "ready 2024-03-01 10:00", "2024-03-06", A_FUTURE, false, false, false, false,
		 LIABILITY_BILLABLE, NULL, NULL, 0, 0, 0},
		{"never-ready", BASE "disch 2024-03-06 11:00", "2024-03-10", A_CAL, false, false, false, false,
		 LIABILITY_BILLABLE, NULL, NULL, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		episode_state st;
		billing_so_far sf;
		char b[11];
		if (!T_TRUE(t, fold_script(rows[i].script, &st), "%s: folds", rows[i].label))
			continue;
		agreement a = make_agreement(rows[i].agreement);
		T_EQ_INT(t, billing_so_far_judge(&st, day(rows[i].today), &a, 1, &sf), HG_OK, "%s: status", rows[i].label);
		T_TRUE(t, (sf.agreement != NULL) == rows[i].named, "%s: agreement", rows[i].label);
		T_TRUE(t, sf.average == rows[i].average, "%s: average", rows[i].label);
		T_TRUE(t, sf.counted == rows[i].counted, "%s: counted", rows[i].label);
		T_TRUE(t, sf.liable == rows[i].liable, "%s: liable", rows[i].label);
		T_EQ_STR(t, liability_billing_code(sf.billing), liability_billing_code(rows[i].billing), "%s: billing",
			 rows[i].label);
		T_EQ_STR(t, fmt(sf.ready_date, b), rows[i].ready ? rows[i].ready : "none", "%s: ready date", rows[i].label);
		T_EQ_STR(t, fmt(sf.liable_from, b), rows[i].from ? rows[i].from : "none", "%s: liable from", rows[i].label);
		T_EQ_INT(t, sf.ready_days, rows[i].ready_days, "%s: ready-days", rows[i].label);
		T_EQ_INT(t, sf.nights, rows[i].nights, "%s: nights", rows[i].label);
		T_EQ_INT(t, sf.amount_ore, rows[i].amount_ore, "%s: amount", rows[i].label);
	}
}

static void test_labels(struct test *t)
{
	for (int r = 0; r < BILLING_REASON_COUNT; r++) {
		billing_reason back;
		const hg_code_label *l = billing_reason_label((billing_reason)r);
		T_TRUE(t, l && l->code && l->sv && l->en, "reason %d labelled", r);
		T_TRUE(t, l && billing_reason_from_code(l->code, &back) && back == (billing_reason)r, "reason %d code", r);
	}
	for (int o = 0; o < BILLING_OUTCOME_COUNT; o++)
		T_TRUE(t, billing_outcome_label((billing_outcome)o) != NULL, "outcome %d labelled", o);
	T_TRUE(t, billing_reason_label(BILLING_REASON_COUNT) == NULL, "reason out of range");
	billing_reason r;
	T_TRUE(t, !billing_reason_from_code("nonsense", &r), "unknown reason code");
}

int main(void)
{
	struct test t = {.name = "test_billing"};
	test_months(&t);
	test_lines(&t);
	test_statutory(&t);
	test_input(&t);
	test_days(&t);
	test_average_membership(&t);
	test_so_far(&t);
	test_labels(&t);
	return test_report(&t);
}
