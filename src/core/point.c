/* point.c - the point measurement and the comparison of two (see point.h). */
#include "core/point.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/event.h"

static const hg_code_label steps[POINT_STEP_COUNT] = {
	[POINT_STEP_DISCHARGE] = {"discharge", "utskrivning (kommunen är hemgångsklar)",
				  "discharge (the municipality is ready)"},
	[POINT_STEP_SIP_MEETING] = {"sip_meeting", "SIP-möte inbokat", "SIP meeting booked"},
	[POINT_STEP_CARE_CONTACT] = {"care_contact", "fast vårdkontakt ska utses", "care contact to be appointed"},
	[POINT_STEP_SIP_CALL] = {"sip_call", "kallelse till SIP", "SIP to be called"},
	[POINT_STEP_MUNICIPALITY] = {"municipality", "väntar på kommunen", "waiting for the municipality"},
};

const hg_code_label *point_step_label(point_step s) { return (unsigned)s < POINT_STEP_COUNT ? &steps[s] : NULL; }

bool point_step_from_code(const char *code, point_step *out)
{
	int i;
	if (!hg_code_find(steps, POINT_STEP_COUNT, code, &i))
		return false;
	*out = (point_step)i;
	return true;
}

static bool by(hg_instant when, hg_instant t) { return when != HG_INSTANT_NONE && when <= t; }

static point_step next_step(const indicator_fact *f, hg_instant t, hg_instant *step_at)
{
	bool green = f->track == TRACK_GREEN;
	*step_at = HG_INSTANT_NONE;
	if (by(f->municipality_ready_at, t))
		return POINT_STEP_DISCHARGE;
	if (by(f->sip_called_at, t) && !by(f->sip_held_at, t) && f->sip_meeting_at != HG_INSTANT_NONE &&
	    f->sip_meeting_at > t) {
		*step_at = f->sip_meeting_at;
		return POINT_STEP_SIP_MEETING;
	}
	if (!green && !by(f->care_contact_at, t))
		return POINT_STEP_CARE_CONTACT;
	if (!green && !by(f->sip_called_at, t))
		return POINT_STEP_SIP_CALL;
	return POINT_STEP_MUNICIPALITY;
}

static int cmp_patient(const void *a, const void *b)
{
	const point_patient *x = a, *y = b;
	int c = strcmp(x->municipality, y->municipality);
	if (c == 0)
		c = strcmp(x->ward, y->ward);
	if (c == 0)
		c = (y->ready_days > x->ready_days) - (y->ready_days < x->ready_days);
	if (c == 0)
		c = (x->episode_id > y->episode_id) - (x->episode_id < y->episode_id);
	return c;
}

static int cmp_count(const void *a, const void *b) { return strcmp(((const point_count *)a)->key, ((const point_count *)b)->key); }

/* Adds one patient to the count of key in a list of at most n distinct keys (linear: lists are short). */
static void count_add(point_count *list, size_t *n, const char *key, int days)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(list[i].key, key) == 0) {
			list[i].patients++;
			list[i].ready_days += days;
			return;
		}
	}
	point_count *c = &list[(*n)++];
	(void)snprintf(c->key, sizeof c->key, "%s", key);
	c->patients = 1;
	c->ready_days = days;
}

void point_free(point_measurement *m)
{
	if (!m)
		return;
	hg_free(m->patients);
	hg_free(m->municipalities);
	hg_free(m->wards);
	memset(m, 0, sizeof *m);
}

hg_status point_measure(const indicator_set *s, hg_instant t, const char *municipality, point_measurement *out)
{
	size_t n = indicator_set_size(s), k = 0;
	hg_date today = cal_local_date(t);
	memset(out, 0, sizeof *out);
	out->at = t;
	for (size_t i = 0; i < n; i++) {
		const indicator_fact *f = indicator_set_fact(s, i);
		if ((!municipality || strcmp(municipality, f->municipality) == 0) && indicator_fact_ready_at(f, t, NULL))
			k++;
	}
	if (k == 0)
		return HG_OK;
	out->patients = hg_calloc(k, sizeof *out->patients);
	out->municipalities = hg_calloc(k, sizeof *out->municipalities);
	out->wards = hg_calloc(k, sizeof *out->wards);
	if (!out->patients || !out->municipalities || !out->wards) {
		point_free(out);
		return HG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const indicator_fact *f = indicator_set_fact(s, i);
		size_t per;
		if ((municipality && strcmp(municipality, f->municipality) != 0) || !indicator_fact_ready_at(f, t, &per))
			continue;
		point_patient *p = &out->patients[out->n_patients++];
		p->episode_id = f->id;
		(void)snprintf(p->municipality, sizeof p->municipality, "%s", f->municipality);
		(void)snprintf(p->hospital, sizeof p->hospital, "%s", f->hospital);
		(void)snprintf(p->ward, sizeof p->ward, "%s", f->ward);
		p->care = f->care;
		p->ready_since = f->periods[per].start;
		p->ready_days = indicator_fact_ready_days(f, today);
		p->next_step = next_step(f, t, &p->step_at);
		p->expected_date = f->expected_date;
		count_add(out->municipalities, &out->n_municipalities, p->municipality, p->ready_days);
		count_add(out->wards, &out->n_wards, p->ward, p->ready_days);
		out->total_patients++;
		out->total_ready_days += p->ready_days;
	}
	qsort(out->patients, out->n_patients, sizeof *out->patients, cmp_patient);
	qsort(out->municipalities, out->n_municipalities, sizeof *out->municipalities, cmp_count);
	qsort(out->wards, out->n_wards, sizeof *out->wards, cmp_count);
	return HG_OK;
}

hg_status point_compare(const point_count *a, size_t na, const point_count *b, size_t nb, point_diff **out, size_t *n)
{
	size_t i = 0, j = 0, k = 0;
	point_diff *d = hg_calloc(na + nb + 1, sizeof *d);
	if (!d)
		return HG_ENOMEM;
	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].key, b[j].key);
		point_diff *r = &d[k++];
		const char *key = c <= 0 ? a[i].key : b[j].key;
		(void)snprintf(r->key, sizeof r->key, "%s", key);
		if (c <= 0) {
			r->patients_a = a[i].patients;
			r->ready_days_a = a[i].ready_days;
			i++;
		}
		if (c >= 0) {
			r->patients_b = b[j].patients;
			r->ready_days_b = b[j].ready_days;
			j++;
		}
	}
	*out = d;
	*n = k;
	return HG_OK;
}
