/*
 * facts.c - the follow-up facts of an episode (see facts.h): derived once from
 * the fold, stored as a short byte string, read back without the events.
 *
 * The stored form is a version byte and then every field in a fixed order:
 * unsigned varints for counts and codes, zigzag varints for instants and dates
 * (NONE is 0, a value v is zigzag(v) + 1, so an absent instant costs a byte),
 * strings as a length and their bytes. Each field has a ceiling that the
 * decoder checks, so any byte string either decodes to a valid row or is
 * refused.
 */
#include "core/facts.h"

#include <string.h>

#include "core/billing.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "core/text.h"

/* ---- deriving ---- */

static hg_date local_date_or_none(hg_instant t) { return t == HG_INSTANT_NONE ? HG_DATE_NONE : cal_local_date(t); }

/* True when e is a cancellation of event seq among evs[from..n) and last. */
static bool cancelled_after(const event *evs, size_t n, const event *last, size_t from, int32_t seq)
{
	for (size_t k = from; k < n; k++)
		if (evs[k].type == EVENT_CANCELLED && evs[k].u.cancelled.cancels_seq == seq)
			return true;
	return last && last->type == EVENT_CANCELLED && last->u.cancelled.cancels_seq == seq;
}

/* The i-th of evs[0..n) followed by last. */
static const event *at_index(const event *evs, size_t n, const event *last, size_t i)
{
	return i < n ? &evs[i] : last;
}

void facts_deviations(const event *evs, size_t n, const event *last, facts_deviation *out, size_t cap, size_t *n_out)
{
	size_t total = n + (last ? 1 : 0);
	*n_out = 0;
	for (size_t i = 0; i < total; i++) {
		const event *orig = at_index(evs, n, last, i);
		if (orig->type != EVENT_DEVIATION || orig->corrects_seq != 0)
			continue;
		const event *version = orig;
		bool gone = cancelled_after(evs, n, last, 0, orig->seq);
		/* The latest surviving correction in the chain of this original. */
		for (size_t j = i + 1; j < total; j++) {
			const event *e = at_index(evs, n, last, j);
			if (e->type != EVENT_DEVIATION || e->corrects_seq == 0)
				continue;
			/* Follow the chain back to its original (references always point back; seq k is index k-1). */
			int32_t root = e->corrects_seq;
			for (size_t guard = 0; guard < total && root >= 1 && (size_t)root <= total &&
					       at_index(evs, n, last, (size_t)root - 1)->corrects_seq;
			     guard++)
				root = at_index(evs, n, last, (size_t)root - 1)->corrects_seq;
			if (root != orig->seq)
				continue;
			if (!cancelled_after(evs, n, last, j + 1 < n ? j + 1 : n, e->seq))
				version = e;
		}
		if (gone || *n_out >= cap)
			continue;
		facts_deviation *d = &out[(*n_out)++];
		d->at = version->occurred_at;
		d->date = local_date_or_none(d->at);
		d->category = version->u.deviation.category;
		memcpy(d->party, version->u.deviation.against_org, sizeof d->party);
		d->party[sizeof d->party - 1] = '\0';
	}
}

void facts_deviations_after(facts_row *r, const facts_deviation *prev, size_t n_prev, const event *last)
{
	size_t n = n_prev < FACTS_DEVIATIONS_MAX ? n_prev : FACTS_DEVIATIONS_MAX;
	if (n && r->deviations != prev)
		memmove(r->deviations, prev, n * sizeof *prev);
	r->n_deviations = n;
	if (last && last->type == EVENT_DEVIATION && last->corrects_seq == 0 && n < FACTS_DEVIATIONS_MAX) {
		size_t added = 0;
		facts_deviations(NULL, 0, last, &r->deviations[n], 1, &added);
		r->n_deviations += added;
	}
}

/* Age in whole years on date `on` from the personnummer; -1 when it carries no birth date. */
static int age_at(const char *personnummer, hg_date on)
{
	pnr_options opt = pnr_options_default(on);
	pnr p;
	pnr_reason why;
	int age;
	opt.accept_reserve = true;
	if (on == HG_DATE_NONE || pnr_parse(personnummer, &opt, &p, &why) != HG_OK || pnr_age_at(&p, on, &age) != HG_OK)
		return -1;
	return age;
}


/*
 * From the instant when every act of the deadlines has happened and every due
 * instant has passed, their judgement no longer changes with "now": it is kept.
 */
static void settle_deadlines(facts_row *r)
{
	const deadline_inputs *in = &r->deadlines;
	const hg_instant acts[] = {in->admitted_at, in->need_judged_at, in->notice_at, in->ready_at,
				   in->discharged_at, in->care_contact_at, in->sip_called_at, in->care_plan_called_at};
	deadline dl[DEADLINE_KIND_COUNT];
	hg_instant last = HG_INSTANT_NONE;
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (acts[i] != HG_INSTANT_NONE && acts[i] > last)
			last = acts[i];
	r->deadlines_settled = HG_INSTANT_NONE;
	if (last == HG_INSTANT_NONE || deadline_in_force_inputs(in, last, dl) != HG_OK)
		return; /* nothing has happened: judged every time */
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		if (dl[k].due_at != HG_INSTANT_NONE && dl[k].due_at > last)
			last = dl[k].due_at;
	last++;
	if (deadline_in_force_inputs(in, last, dl) != HG_OK)
		return;
	r->deadlines_settled = last;
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		r->settled[k] = dl[k].state;
}

hg_status facts_deadlines_at(const facts_row *r, const deadline_rules *rules, hg_instant asof,
			     deadline_state out[static DEADLINE_KIND_COUNT])
{
	deadline dl[DEADLINE_KIND_COUNT];
	deadline_rules def = deadline_rules_default();
	if (r->deadlines_settled != HG_INSTANT_NONE && asof >= r->deadlines_settled && deadline_rules_equal(rules, &def)) {
		memcpy(out, r->settled, sizeof r->settled);
		return HG_OK;
	}
	if (deadline_evaluate_inputs(&r->deadlines, rules, asof, dl) != HG_OK)
		return HG_EINVAL;
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		out[k] = dl[k].state;
	return HG_OK;
}

bool facts_derive(const episode_state *st, const event *evs, size_t n, const event *last, facts_row *out)
{
	liability_period periods[LIABILITY_PERIODS_MAX];
	liability_input in;
	memset(out, 0, sizeof *out);
	if (st->cancelled || st->status == EPISODE_CANCELLED || st->status == EPISODE_EMPTY)
		return false;
	const char *muni = st->patient.registered_municipality;
	out->id = st->id;
	hg_copy(out->municipality, sizeof out->municipality, muni);
	hg_copy(out->hospital, sizeof out->hospital, st->hospital);
	hg_copy(out->ward, sizeof out->ward, st->ward);
	hg_copy(out->patient, sizeof out->patient, st->patient.personnummer);
	out->care = st->care;
	out->admitted_at = st->admitted_at;
	out->admitted = local_date_or_none(st->admitted_at);
	out->age = age_at(st->patient.personnummer, out->admitted);
	out->track = st->track_is_set ? (int)st->track : -1;
	out->discharged_at = st->status == EPISODE_DISCHARGED ? st->discharged_at : HG_INSTANT_NONE;
	out->discharged = local_date_or_none(out->discharged_at);
	out->destination = st->destination;
	out->expected_date = st->expected_date;
	out->sip_meeting_at = st->sip_called_at == HG_INSTANT_NONE ? HG_INSTANT_NONE : st->sip_meeting_at;
	out->sip_held_at = st->sip_held_at;
	out->sip_held_place = st->sip_held_at == HG_INSTANT_NONE ? -1 : (int)st->sip_held_place;
	out->municipality_ready_at = st->municipality_ready_at;
	out->municipal_decision_at = st->municipal_decision_at;
	out->children_as_relatives = st->children_as_relatives;
	out->date_changes = st->date_changes;
	out->withdrawals = st->withdrawals;
	deadline_inputs_of(st, &out->deadlines);
	settle_deadlines(out);

	out->n_periods = (size_t)st->ready_period_count;
	for (size_t i = 0; i < out->n_periods; i++) {
		const episode_ready_period *p = &st->ready_periods[i];
		out->periods[i] = (facts_period){.start = p->start, .end = p->end, .from = local_date_or_none(p->start),
						 .to = local_date_or_none(p->end)};
	}
	out->ready_date = episode_ready_date(st);
	out->has_liability = billing_input(st, muni, HG_DATE_NONE, periods, &in) == HG_OK;
	if (out->has_liability) {
		out->admission_notice_sent = in.admission_notice_sent;
		out->ready_notice_sent = in.ready_notice_sent;
		out->sip_needed = in.sip_needed;
		out->sip_called = in.sip_called;
		for (size_t i = 0; i < in.n_periods && i < FACTS_PERIODS_MAX; i++)
			if (periods[i].end_at == HG_INSTANT_NONE)
				out->billing_open |= 1u << i;
		out->liability_care = in.care;
		out->n_moves = in.n_moves;
		memcpy(out->moves, in.moves, in.n_moves * sizeof in.moves[0]);
		out->n_leaves = in.n_leaves;
		memcpy(out->leaves, in.leaves, in.n_leaves * sizeof in.leaves[0]);
	}

	out->n_recipients = (size_t)st->recipient_count;
	for (size_t i = 0; i < out->n_recipients; i++) {
		const episode_recipient *r = &st->recipients[i];
		facts_recipient *f = &out->recipients[i];
		hg_copy(f->unit, sizeof f->unit, r->party.unit);
		f->kind = r->party.kind;
		f->notified_at = r->notified_at;
		f->notice_ack_at = r->notice_ack_at;
		f->ready_notified_at = r->ready_notified_at;
		f->ready_ack_at = r->ready_ack_at;
		f->notified = local_date_or_none(r->notified_at);
		f->ready_notified = local_date_or_none(r->ready_notified_at);
	}
	if (evs || last)
		facts_deviations(evs, n, last, out->deviations, FACTS_DEVIATIONS_MAX, &out->n_deviations);
	return true;
}

void facts_liability_input(const facts_row *r, hg_date until, liability_period periods[static FACTS_PERIODS_MAX],
			   liability_input *in)
{
	memset(in, 0, sizeof *in);
	for (size_t i = 0; i < r->n_periods; i++)
		periods[i] = (liability_period){.ready_at = r->periods[i].start,
						.end_at = r->billing_open & (1u << i) ? HG_INSTANT_NONE : r->periods[i].end};
	in->care = r->liability_care;
	in->n_moves = r->n_moves;
	memcpy(in->moves, r->moves, r->n_moves * sizeof r->moves[0]);
	in->n_leaves = r->n_leaves;
	memcpy(in->leaves, r->leaves, r->n_leaves * sizeof r->leaves[0]);
	in->periods = periods;
	in->n_periods = r->n_periods;
	in->discharged_at = r->deadlines.discharged_at;
	in->until = in->discharged_at == HG_INSTANT_NONE ? until : HG_DATE_NONE;
	in->admission_notice_sent = r->admission_notice_sent;
	in->ready_notice_sent = r->ready_notice_sent;
	in->sip_needed = r->sip_needed;
	in->sip_called = r->sip_called;
	in->care_plan = r->deadlines.care_plan;
}

/* ---- the stored form ---- */

struct writer {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

static void put_byte(struct writer *w, uint8_t b)
{
	if (w->len < w->cap)
		w->buf[w->len++] = b;
	else
		w->full = true;
}

static void put_u(struct writer *w, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(w, (uint8_t)v);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* An instant; NONE (INT64_MIN) is 0, anything else zigzag + 1 (instants stay far from the extremes). */
static void put_instant(struct writer *w, hg_instant t) { put_u(w, t == HG_INSTANT_NONE ? 0 : zigzag(t) + 1); }
static void put_date(struct writer *w, hg_date d) { put_u(w, d == HG_DATE_NONE ? 0 : zigzag(d) + 1); }
/* A small signed code (-1 for none). */
static void put_code(struct writer *w, int v) { put_u(w, (uint64_t)((int64_t)v + 1)); }

static void put_text(struct writer *w, const char *s, size_t cap)
{
	size_t len = strnlen(s, cap - 1);
	put_u(w, len);
	for (size_t i = 0; i < len; i++)
		put_byte(w, (uint8_t)s[i]);
}

enum {
	FLAG_HAS_LIABILITY = 1u << 0,
	FLAG_ADMISSION_NOTICE_SENT = 1u << 1,
	FLAG_READY_NOTICE_SENT = 1u << 2,
	FLAG_SIP_NEEDED = 1u << 3,
	FLAG_SIP_CALLED = 1u << 4,
	FLAG_DEADLINES_APPLY = 1u << 5,
	FLAG_GREEN = 1u << 6,
	FLAG_ALL = (1u << 7) - 1
};
/* Version 2 adds a tail after the recipients: these flags, the care plan's call and deadline, the decision. */
enum {
	FLAG2_CARE_PLAN = 1u << 0,
	FLAG2_CHILDREN_AS_RELATIVES = 1u << 1,
	FLAG2_ALL = (1u << 2) - 1
};
/* The deadlines of version 1, stored in the body; the later kinds are in the tail. */
#define FACTS_V1_DEADLINES (DEADLINE_SIP_CALL + 1)

size_t facts_encode(const facts_row *r, uint8_t *buf, size_t cap)
{
	struct writer w = {buf, cap, 0, false};
	const deadline_inputs *d = &r->deadlines;
	unsigned flags = (r->has_liability ? FLAG_HAS_LIABILITY : 0) |
			 (r->admission_notice_sent ? FLAG_ADMISSION_NOTICE_SENT : 0) |
			 (r->ready_notice_sent ? FLAG_READY_NOTICE_SENT : 0) | (r->sip_needed ? FLAG_SIP_NEEDED : 0) |
			 (r->sip_called ? FLAG_SIP_CALLED : 0) | (d->applies ? FLAG_DEADLINES_APPLY : 0) |
			 (d->green ? FLAG_GREEN : 0);
	put_byte(&w, FACTS_VERSION);
	put_u(&w, (uint64_t)r->id);
	put_text(&w, r->municipality, sizeof r->municipality);
	put_text(&w, r->hospital, sizeof r->hospital);
	put_text(&w, r->ward, sizeof r->ward);
	put_text(&w, r->patient, sizeof r->patient);
	put_u(&w, flags);
	put_u(&w, (uint64_t)r->care);
	put_code(&w, r->age);
	put_code(&w, r->track);
	put_u(&w, (uint64_t)r->destination);
	put_code(&w, r->sip_held_place);
	put_instant(&w, r->admitted_at);
	put_date(&w, r->admitted);
	put_instant(&w, r->discharged_at);
	put_date(&w, r->discharged);
	put_date(&w, r->expected_date);
	put_instant(&w, r->sip_meeting_at);
	put_instant(&w, r->sip_held_at);
	put_instant(&w, r->municipality_ready_at);
	put_u(&w, (uint64_t)r->date_changes);
	put_u(&w, (uint64_t)r->withdrawals);
	put_instant(&w, d->admitted_at);
	put_instant(&w, d->need_judged_at);
	put_instant(&w, d->notice_at);
	put_instant(&w, d->ready_at);
	put_instant(&w, d->discharged_at);
	put_instant(&w, d->care_contact_at);
	put_instant(&w, d->sip_called_at);
	put_instant(&w, r->deadlines_settled);
	for (int k = 0; k < FACTS_V1_DEADLINES; k++)
		put_u(&w, (uint64_t)r->settled[k]);
	put_date(&w, r->ready_date);
	put_u(&w, r->billing_open);
	put_u(&w, (uint64_t)r->liability_care);
	put_u(&w, r->n_moves);
	for (size_t i = 0; i < r->n_moves; i++) {
		put_date(&w, r->moves[i].from);
		put_u(&w, (uint64_t)r->moves[i].care);
	}
	put_u(&w, r->n_leaves);
	for (size_t i = 0; i < r->n_leaves; i++) {
		put_instant(&w, r->leaves[i].start);
		put_instant(&w, r->leaves[i].end);
	}
	put_u(&w, r->n_periods);
	for (size_t i = 0; i < r->n_periods; i++) {
		put_instant(&w, r->periods[i].start);
		put_instant(&w, r->periods[i].end);
		put_date(&w, r->periods[i].from);
		put_date(&w, r->periods[i].to);
	}
	put_u(&w, r->n_deviations);
	for (size_t i = 0; i < r->n_deviations; i++) {
		put_instant(&w, r->deviations[i].at);
		put_date(&w, r->deviations[i].date);
		put_u(&w, (uint64_t)r->deviations[i].category);
		put_text(&w, r->deviations[i].party, sizeof r->deviations[i].party);
	}
	put_u(&w, r->n_recipients);
	for (size_t i = 0; i < r->n_recipients; i++) {
		const facts_recipient *p = &r->recipients[i];
		put_text(&w, p->unit, sizeof p->unit);
		put_u(&w, (uint64_t)p->kind);
		put_instant(&w, p->notified_at);
		put_instant(&w, p->notice_ack_at);
		put_instant(&w, p->ready_notified_at);
		put_instant(&w, p->ready_ack_at);
		put_date(&w, p->notified);
		put_date(&w, p->ready_notified);
	}
	put_u(&w, (d->care_plan ? FLAG2_CARE_PLAN : 0) | (r->children_as_relatives ? FLAG2_CHILDREN_AS_RELATIVES : 0));
	put_instant(&w, d->care_plan_called_at);
	for (int k = FACTS_V1_DEADLINES; k < DEADLINE_KIND_COUNT; k++)
		put_u(&w, (uint64_t)r->settled[k]);
	put_instant(&w, r->municipal_decision_at);
	return w.full ? 0 : w.len;
}

struct reader {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_u(struct reader *r)
{
	if (r->p < r->end && !(*r->p & 0x80))
		return *r->p++; /* most values are one byte */
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		uint8_t b = *r->p++;
		if ((shift == 63 && b > 1) || (shift > 0 && b == 0))
			break; /* beyond 64 bits, or a longer spelling than the writer's */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* An unsigned value at most max. */
static uint64_t get_max(struct reader *r, uint64_t max)
{
	uint64_t v = get_u(r);
	if (v > max)
		r->bad = true;
	return v > max ? 0 : v;
}

#define INSTANT_LIMIT ((int64_t)1 << 40) /* far beyond any calendar year the core accepts */

static hg_instant get_instant(struct reader *r)
{
	uint64_t v = get_u(r);
	if (v == 0)
		return HG_INSTANT_NONE;
	int64_t t = unzigzag(v - 1);
	if (t <= -INSTANT_LIMIT || t >= INSTANT_LIMIT) {
		r->bad = true;
		return HG_INSTANT_NONE;
	}
	return t;
}

static hg_date get_date(struct reader *r)
{
	uint64_t v = get_u(r);
	if (v == 0)
		return HG_DATE_NONE;
	int64_t d = unzigzag(v - 1);
	if (d <= -(1 << 24) || d >= (1 << 24)) {
		r->bad = true;
		return HG_DATE_NONE;
	}
	return (hg_date)d;
}

static int get_code(struct reader *r, int max) { return (int)get_max(r, (uint64_t)max + 1) - 1; }

static void get_text(struct reader *r, char *dst, size_t cap)
{
	size_t len = (size_t)get_max(r, cap - 1);
	if ((size_t)(r->end - r->p) < len) {
		r->bad = true;
		len = 0;
	}
	memcpy(dst, r->p, len);
	dst[len] = '\0';
	r->p += len;
	if (memchr(dst, '\0', len))
		r->bad = true; /* a NUL inside a text: not a row we wrote */
}

hg_status facts_decode(const uint8_t *buf, size_t len, facts_row *out)
{
	struct reader r = {buf, buf + len, false};
	deadline_inputs *d = &out->deadlines;
	memset(out, 0, offsetof(facts_row, periods)); /* the arrays are filled up to their counts */
	out->n_periods = out->n_deviations = out->n_recipients = out->n_moves = out->n_leaves = 0;
	if (len < 1 || (buf[0] != FACTS_VERSION && buf[0] != 1))
		return HG_EINVAL;
	int version = buf[0];
	r.p++;
	out->id = (int64_t)get_max(&r, INT64_MAX);
	get_text(&r, out->municipality, sizeof out->municipality);
	get_text(&r, out->hospital, sizeof out->hospital);
	get_text(&r, out->ward, sizeof out->ward);
	get_text(&r, out->patient, sizeof out->patient);
	unsigned flags = (unsigned)get_max(&r, FLAG_ALL);
	out->has_liability = flags & FLAG_HAS_LIABILITY;
	out->admission_notice_sent = flags & FLAG_ADMISSION_NOTICE_SENT;
	out->ready_notice_sent = flags & FLAG_READY_NOTICE_SENT;
	out->sip_needed = flags & FLAG_SIP_NEEDED;
	out->sip_called = flags & FLAG_SIP_CALLED;
	d->applies = flags & FLAG_DEADLINES_APPLY;
	d->green = flags & FLAG_GREEN;
	out->care = (care_type)get_max(&r, CARE_TYPE_COUNT - 1);
	out->age = get_code(&r, 200);
	out->track = get_code(&r, TRACK_COLOUR_COUNT - 1);
	out->destination = (discharge_destination)get_max(&r, DEST_COUNT - 1);
	out->sip_held_place = get_code(&r, SIP_PLACE_COUNT - 1);
	out->admitted_at = get_instant(&r);
	out->admitted = get_date(&r);
	out->discharged_at = get_instant(&r);
	out->discharged = get_date(&r);
	out->expected_date = get_date(&r);
	out->sip_meeting_at = get_instant(&r);
	out->sip_held_at = get_instant(&r);
	out->municipality_ready_at = get_instant(&r);
	out->date_changes = (int)get_max(&r, INT32_MAX);
	out->withdrawals = (int)get_max(&r, INT32_MAX);
	d->admitted_at = get_instant(&r);
	d->need_judged_at = get_instant(&r);
	d->notice_at = get_instant(&r);
	d->ready_at = get_instant(&r);
	d->discharged_at = get_instant(&r);
	d->care_contact_at = get_instant(&r);
	d->sip_called_at = get_instant(&r);
	out->deadlines_settled = get_instant(&r);
	for (int k = 0; k < FACTS_V1_DEADLINES; k++)
		out->settled[k] = (deadline_state)get_max(&r, DEADLINE_STATE_COUNT - 1);
	for (int k = FACTS_V1_DEADLINES; k < DEADLINE_KIND_COUNT; k++)
		out->settled[k] = DEADLINE_NOT_APPLICABLE; /* version 1: no care plan existed */
	d->care_plan_called_at = HG_INSTANT_NONE;
	out->municipal_decision_at = HG_INSTANT_NONE;
	out->ready_date = get_date(&r);
	out->billing_open = (uint32_t)get_max(&r, (1u << FACTS_PERIODS_MAX) - 1);
	out->liability_care = (care_type)get_max(&r, CARE_TYPE_COUNT - 1);
	out->n_moves = (size_t)get_max(&r, LIABILITY_MOVES_MAX);
	for (size_t i = 0; i < out->n_moves && !r.bad; i++) {
		out->moves[i].from = get_date(&r);
		out->moves[i].care = (care_type)get_max(&r, CARE_TYPE_COUNT - 1);
	}
	out->n_leaves = (size_t)get_max(&r, LIABILITY_LEAVES_MAX);
	for (size_t i = 0; i < out->n_leaves && !r.bad; i++) {
		out->leaves[i].start = get_instant(&r);
		out->leaves[i].end = get_instant(&r);
	}
	out->n_periods = (size_t)get_max(&r, FACTS_PERIODS_MAX);
	for (size_t i = 0; i < out->n_periods && !r.bad; i++) {
		out->periods[i].start = get_instant(&r);
		out->periods[i].end = get_instant(&r);
		out->periods[i].from = get_date(&r);
		out->periods[i].to = get_date(&r);
	}
	out->n_deviations = (size_t)get_max(&r, FACTS_DEVIATIONS_MAX);
	for (size_t i = 0; i < out->n_deviations && !r.bad; i++) {
		out->deviations[i].at = get_instant(&r);
		out->deviations[i].date = get_date(&r);
		out->deviations[i].category = (deviation_category)get_max(&r, DEVIATION_CATEGORY_COUNT - 1);
		get_text(&r, out->deviations[i].party, sizeof out->deviations[i].party);
	}
	out->n_recipients = (size_t)get_max(&r, FACTS_RECIPIENTS_MAX);
	for (size_t i = 0; i < out->n_recipients && !r.bad; i++) {
		facts_recipient *p = &out->recipients[i];
		get_text(&r, p->unit, sizeof p->unit);
		p->kind = (unit_kind)get_max(&r, UNIT_KIND_COUNT - 1);
		p->notified_at = get_instant(&r);
		p->notice_ack_at = get_instant(&r);
		p->ready_notified_at = get_instant(&r);
		p->ready_ack_at = get_instant(&r);
		p->notified = get_date(&r);
		p->ready_notified = get_date(&r);
	}
	if (version >= 2 && !r.bad) {
		unsigned flags2 = (unsigned)get_max(&r, FLAG2_ALL);
		d->care_plan = flags2 & FLAG2_CARE_PLAN;
		out->children_as_relatives = flags2 & FLAG2_CHILDREN_AS_RELATIVES;
		d->care_plan_called_at = get_instant(&r);
		for (int k = FACTS_V1_DEADLINES; k < DEADLINE_KIND_COUNT; k++)
			out->settled[k] = (deadline_state)get_max(&r, DEADLINE_STATE_COUNT - 1);
		out->municipal_decision_at = get_instant(&r);
	}
	if (r.bad || r.p != r.end) {
		out->n_periods = out->n_deviations = out->n_recipients = out->n_moves = out->n_leaves = 0;
		return HG_EINVAL;
	}
	return HG_OK;
}
