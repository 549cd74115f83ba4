/*
 * test_point.c - the point measurement at 2024-02-07 12:00 over hand-built
 * episode states: who is in hospital and ready, ready-days so far, the next
 * step, counts per municipality and ward, a municipality filter, and the
 * comparison of two measurements.
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/point.h"
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

static const struct pstay {
	int64_t id;
	const char *muni, *ward, *admitted, *ready, *withdrawn, *discharged;
	int track; /* -1 none */
	const char *contact, *sip_call, *sip_meeting, *municipality_ready;
} stays[] = {
	/* P1: the municipality is ready: discharge is next */
	{1, "2080", "W1", "2024-02-01 08:00", "2024-02-05 10:00", NULL, NULL, TRACK_YELLOW, "2024-02-05 12:00",
	 "2024-02-05 13:00", "2024-02-06 10:00", "2024-02-06 15:00"},
	/* P2: yellow, no care contact yet */
	{2, "2080", "W2", "2024-02-02 08:00", "2024-02-06 10:00", NULL, NULL, TRACK_YELLOW, NULL, NULL, NULL, NULL},
	/* P3: a care contact, no SIP call yet */
	{3, "2081", "W1", "2024-02-02 08:00", "2024-02-04 10:00", NULL, NULL, TRACK_YELLOW, "2024-02-05 09:00", NULL,
	 NULL, NULL},
	/* P4: red, SIP meeting on the 9th */
	{4, "2081", "W1", "2024-02-01 08:00", "2024-02-06 10:00", NULL, NULL, TRACK_RED, "2024-02-06 11:00",
	 "2024-02-06 12:00", "2024-02-09 13:00", NULL},
	/* P5: green: waiting for the municipality */
	{5, "2080", "W1", "2024-02-03 08:00", "2024-02-07 11:00", NULL, NULL, TRACK_GREEN, NULL, NULL, NULL, NULL},
	/* P6: discharged before the measurement */
	{6, "2080", "W1", "2024-02-01 08:00", "2024-02-03 10:00", NULL, "2024-02-07 11:00", -1, NULL, NULL, NULL, NULL},
	/* P7: ready withdrawn before it */
	{7, "2080", "W1", "2024-02-01 08:00", "2024-02-03 10:00", "2024-02-06 10:00", NULL, -1, NULL, NULL, NULL, NULL},
	/* P8: ready only after it */
	{8, "2080", "W1", "2024-02-01 08:00", "2024-02-07 13:00", NULL, NULL, -1, NULL, NULL, NULL, NULL},
	/* P9: also the care contact's SIP call came after the measurement */
	{9, "2082", "W3", "2024-02-01 08:00", "2024-02-02 10:00", NULL, NULL, -1, "2024-02-03 08:00",
	 "2024-02-07 14:00", "2024-02-08 10:00", NULL},
};

static indicator_set *make_set(struct test *t)
{
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = at("2024-02-10 12:00")};
	indicator_set *s = NULL;
	episode_state *st = hg_malloc(sizeof *st);
	if (!st || indicator_set_new(&cfg, &s) != HG_OK) {
		hg_free(st);
		T_TRUE(t, false, "set up");
		return NULL;
	}
	for (size_t i = 0; i < sizeof stays / sizeof stays[0]; i++) {
		const struct pstay *p = &stays[i];
		episode_init(st);
		st->id = p->id;
		st->status = p->discharged ? EPISODE_DISCHARGED : EPISODE_READY;
		(void)snprintf(st->patient.personnummer, sizeof st->patient.personnummer, "19400315-1232");
		(void)snprintf(st->patient.registered_municipality, sizeof st->patient.registered_municipality, "%s", p->muni);
		(void)snprintf(st->hospital, sizeof st->hospital, "H");
		(void)snprintf(st->ward, sizeof st->ward, "%s", p->ward);
		st->admitted_at = at(p->admitted);
		st->ready_period_count = 1;
		st->ready_periods[0].start = at(p->ready);
		st->ready_periods[0].end = p->withdrawn ? at(p->withdrawn) : p->discharged ? at(p->discharged) : HG_INSTANT_NONE;
		st->discharged_at = at(p->discharged);
		st->track_is_set = p->track >= 0;
		st->track = p->track >= 0 ? (track_colour)p->track : TRACK_GREEN;
		st->care_contact_first_at = at(p->contact);
		st->sip_called_at = at(p->sip_call);
		st->sip_meeting_at = at(p->sip_meeting);
		st->municipality_ready_at = at(p->municipality_ready);
		T_EQ_INT(t, indicator_set_add(s, st, NULL, 0), HG_OK, "add P%lld", (long long)p->id);
	}
	hg_free(st);
	T_EQ_INT(t, indicator_set_finish(s), HG_OK, "finish");
	return s;
}

static void test_measure(struct test *t, const indicator_set *s)
{
	static const struct {
		int64_t id;
		int days;
		point_step step;
	} want[] = {
		/* by municipality, ward, then the longest ready first */
		{1, 2, POINT_STEP_DISCHARGE}, {5, 0, POINT_STEP_MUNICIPALITY}, {2, 1, POINT_STEP_CARE_CONTACT},
		{3, 3, POINT_STEP_SIP_CALL},  {4, 1, POINT_STEP_SIP_MEETING},  {9, 5, POINT_STEP_SIP_CALL},
	};
	point_measurement m;
	if (!T_TRUE(t, point_measure(s, at("2024-02-07 12:00"), NULL, &m) == HG_OK, "measure"))
		return;
	T_EQ_INT(t, m.n_patients, sizeof want / sizeof want[0], "patients");
	for (size_t i = 0; i < m.n_patients && i < sizeof want / sizeof want[0]; i++) {
		T_EQ_INT(t, m.patients[i].episode_id, want[i].id, "patient %zu", i);
		T_EQ_INT(t, m.patients[i].ready_days, want[i].days, "patient %zu ready-days", i);
		T_EQ_STR(t, point_step_label(m.patients[i].next_step)->code, point_step_label(want[i].step)->code,
			 "patient %zu next step", i);
	}
	T_TRUE(t, m.n_patients > 4 && m.patients[4].step_at == at("2024-02-09 13:00"), "the SIP meeting's time");
	T_TRUE(t, m.n_patients > 1 && m.patients[1].ready_since == at("2024-02-07 11:00"), "ready since");
	static const struct { const char *key; int patients, days; } munis[] = {
		{"2080", 3, 3}, {"2081", 2, 4}, {"2082", 1, 5}};
	T_EQ_INT(t, m.n_municipalities, 3, "municipalities");
	for (size_t i = 0; i < m.n_municipalities && i < 3; i++) {
		T_EQ_STR(t, m.municipalities[i].key, munis[i].key, "municipality %zu", i);
		T_EQ_INT(t, m.municipalities[i].patients, munis[i].patients, "municipality %zu patients", i);
		T_EQ_INT(t, m.municipalities[i].ready_days, munis[i].days, "municipality %zu days", i);
	}
	T_EQ_INT(t, m.n_wards, 3, "wards");
	T_TRUE(t, m.n_wards == 3 && strcmp(m.wards[0].key, "W1") == 0 && m.wards[0].patients == 4, "W1 has 4");
	T_EQ_INT(t, m.total_patients, 6, "total");
	T_EQ_INT(t, m.total_ready_days, 12, "total ready-days");

	point_measurement f;
	if (T_TRUE(t, point_measure(s, at("2024-02-07 12:00"), "2081", &f) == HG_OK, "filtered")) {
		T_EQ_INT(t, f.n_patients, 2, "2081 only");
		point_free(&f);
	}
	if (T_TRUE(t, point_measure(s, at("2024-01-01 12:00"), NULL, &f) == HG_OK, "before anyone")) {
		T_EQ_INT(t, f.n_patients + f.n_municipalities + f.n_wards, 0, "empty measurement");
		point_free(&f);
	}

	/* Compare with another count list. */
	static const point_count other[] = {{"2081", 1, 7}, {"2083", 4, 9}};
	point_diff *d = NULL;
	size_t nd = 0;
	if (T_TRUE(t, point_compare(m.municipalities, m.n_municipalities, other, 2, &d, &nd) == HG_OK, "compare")) {
		static const struct { const char *key; int a, b, da, db; } rows[] = {
			{"2080", 3, 0, 3, 0}, {"2081", 2, 1, 4, 7}, {"2082", 1, 0, 5, 0}, {"2083", 0, 4, 0, 9}};
		T_EQ_INT(t, nd, 4, "compare rows");
		for (size_t i = 0; i < nd && i < 4; i++) {
			T_EQ_STR(t, d[i].key, rows[i].key, "compare %zu key", i);
			T_EQ_INT(t, d[i].patients_a, rows[i].a, "compare %zu a", i);
			T_EQ_INT(t, d[i].patients_b, rows[i].b, "compare %zu b", i);
			T_EQ_INT(t, d[i].ready_days_a, rows[i].da, "compare %zu days a", i);
			T_EQ_INT(t, d[i].ready_days_b, rows[i].db, "compare %zu days b", i);
		}
		hg_free(d);
	}
	point_free(&m);
	point_step ps;
	T_TRUE(t, point_step_from_code("sip_meeting", &ps) && ps == POINT_STEP_SIP_MEETING, "step code");
	T_TRUE(t, !point_step_from_code("lunch", &ps), "unknown step code");
}

int main(void)
{
	struct test t = {.name = "test_point"};
	indicator_set *s = make_set(&t);
	if (s) {
		test_measure(&t, s);
		indicator_set_free(s);
	}
	return test_report(&t);
}
