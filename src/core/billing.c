/*
 * billing.c - an episode's line on a monthly invoice basis (see billing.h).
 *
 * The work is deciding which of four outcomes applies and filling the line so
 * that it explains itself; every number of nights and every amount comes from
 * liability_compute() and liability_by_month().
 */
#include <stdio.h>
#include <string.h>

#include "core/billing.h"
#include "core/calendar.h"

static const hg_code_label reason_labels[BILLING_REASON_COUNT] = {
	[BILLING_REASON_NONE] = {"none", "faktureras", "billed"},
	[BILLING_REASON_NO_ADMISSION_NOTICE] = {"no_admission_notice",
						"inget inskrivningsmeddelande till kommunen",
						"no admission notice to the municipality"},
	[BILLING_REASON_NO_READY_NOTICE] = {"no_ready_notice", "ingen underrättelse om utskrivningsklar till kommunen",
					    "no ready-for-discharge notice to the municipality"},
	[BILLING_REASON_NO_SIP_CALL] = {"no_sip_call", "SIP behövdes men kallades inte",
					"a SIP was needed and the care contact did not call it"},
	[BILLING_REASON_NO_AGREEMENT] = {"no_agreement", "ingen överenskommelse gäller på utskrivningsklar-dagen",
					 "no agreement in force on the ready date covers the municipality"},
	[BILLING_REASON_NO_RATE] = {"no_rate", "överenskommelsen saknar dygnskostnad för vårdformen och året",
				    "the agreement has no daily amount for the care type and year"},
	[BILLING_REASON_NO_CARE_PLAN_CALL] = {"no_care_plan_call", "samordnad vårdplan behövdes men kallades inte",
					      "a coordinated care plan (LPT/LRV) was needed and not called"},
	[BILLING_REASON_INVALID] = {"invalid", "vårdtillfällets utskrivningsklar-perioder kan inte beräknas",
				    "the ready periods of the episode cannot be computed"},
};

static const hg_code_label outcome_labels[BILLING_OUTCOME_COUNT] = {
	[BILLING_NOTHING] = {"nothing", "inget denna månad", "nothing this month"},
	[BILLING_LINE] = {"line", "fakturarad", "invoice line"},
	[BILLING_EXCLUDED] = {"excluded", "faktureras inte", "not billed"},
	[BILLING_AVERAGE] = {"average", "medelvärdesmodell", "average model"},
};

const hg_code_label *billing_reason_label(billing_reason r)
{
	return (unsigned)r < BILLING_REASON_COUNT ? &reason_labels[r] : NULL;
}

bool billing_reason_from_code(const char *code, billing_reason *out)
{
	for (int i = 0; i < BILLING_REASON_COUNT; i++)
		if (code && strcmp(code, reason_labels[i].code) == 0) {
			*out = (billing_reason)i;
			return true;
		}
	return false;
}

const hg_code_label *billing_outcome_label(billing_outcome o)
{
	return (unsigned)o < BILLING_OUTCOME_COUNT ? &outcome_labels[o] : NULL;
}

hg_status billing_month_make(int year, int month, billing_month *out)
{
	if (year < HG_YEAR_MIN || year > HG_YEAR_MAX || month < 1 || month > 12)
		return HG_EINVAL;
	out->year = year;
	out->month = month;
	out->first = date_from_ymd(year, month, 1);
	out->end = out->first + date_days_in_month(year, month);
	return HG_OK;
}

hg_status billing_month_parse(const char *s, billing_month *out)
{
	int v[2] = {0, 0};
	static const int widths[2] = {4, 2};
	if (!s)
		return HG_EINVAL;
	for (int part = 0; part < 2; part++) {
		for (int i = 0; i < widths[part]; i++, s++) {
			if (*s < '0' || *s > '9')
				return HG_EINVAL;
			v[part] = v[part] * 10 + (*s - '0');
		}
		if (part == 0 && *s++ != '-')
			return HG_EINVAL;
	}
	if (*s != '\0')
		return HG_EINVAL;
	return billing_month_make(v[0], v[1], out);
}

char *billing_month_format(const billing_month *m, char buf[static 8])
{
	(void)snprintf(buf, 8, "%04u-%02u", (unsigned)m->year % 10000u, (unsigned)m->month % 100u);
	return buf;
}

/* A ready period of the fold ends with the discharge when its end is the discharge instant. */
static bool ended_by_discharge(const episode_state *st, const episode_ready_period *p)
{
	return st->discharged_at != HG_INSTANT_NONE && p->end == st->discharged_at;
}

/*
 * The care type at admission and each change of it, as local dates in date
 * order (stable: of two moves on one date the later wins, as the ward at
 * midnight decides the night).
 */
static void billing_input_moves(const episode_state *st, liability_input *in)
{
	in->care = st->care_change_count > 0 ? st->admitted_care : st->care;
	in->n_moves = 0;
	for (int i = 0; i < st->care_change_count && in->n_moves < LIABILITY_MOVES_MAX; i++) {
		liability_move mv = {cal_local_date(st->care_changes[i].at), st->care_changes[i].care};
		size_t k = in->n_moves++;
		for (; k > 0 && in->moves[k - 1].from > mv.from; k--)
			in->moves[k] = in->moves[k - 1];
		in->moves[k] = mv;
	}
}

hg_status billing_input(const episode_state *st, const char *municipality, hg_date until,
			liability_period periods[static LIABILITY_PERIODS_MAX], liability_input *in)
{
	hg_instant at;
	if (st->cancelled || st->ready_period_count < 1 || st->ready_period_count > LIABILITY_PERIODS_MAX)
		return HG_EINVAL;
	memset(in, 0, sizeof *in);
	bool ready_sent = true;
	for (int i = 0; i < st->ready_period_count; i++) {
		const episode_ready_period *p = &st->ready_periods[i];
		periods[i].ready_at = p->start;
		periods[i].end_at = ended_by_discharge(st, p) ? HG_INSTANT_NONE : p->end;
		if (!episode_ready_notice_sent_to_org(st, i, municipality, &at))
			ready_sent = false;
	}
	billing_input_moves(st, in);
	in->n_leaves = 0;
	for (int i = 0; i < st->leave_count && i < LIABILITY_LEAVES_MAX; i++)
		in->leaves[in->n_leaves++] = (liability_leave){st->leave_periods[i].start, st->leave_periods[i].end};
	in->periods = periods;
	in->n_periods = (size_t)st->ready_period_count;
	in->discharged_at = st->discharged_at;
	in->until = st->discharged_at == HG_INSTANT_NONE ? until : HG_DATE_NONE;
	in->admission_notice_sent = episode_notice_sent_to_org(st, municipality, &at);
	in->ready_notice_sent = ready_sent;
	/* LPT/LRV: the conditions follow the samordnad vårdplan, whatever the track (issue 14.1). */
	in->care_plan = episode_has_care_plan(st);
	in->sip_needed = in->care_plan || !(st->track_is_set && st->track == TRACK_GREEN);
	in->sip_called = in->care_plan ? st->care_plan_called_at != HG_INSTANT_NONE : st->sip_called_at != HG_INSTANT_NONE;
	return HG_OK;
}

static billing_reason reason_of(liability_billing b)
{
	switch (b) {
	case LIABILITY_NO_ADMISSION_NOTICE: return BILLING_REASON_NO_ADMISSION_NOTICE;
	case LIABILITY_NO_READY_NOTICE: return BILLING_REASON_NO_READY_NOTICE;
	case LIABILITY_NO_SIP_CALL: return BILLING_REASON_NO_SIP_CALL;
	case LIABILITY_NO_CARE_PLAN_CALL: return BILLING_REASON_NO_CARE_PLAN_CALL;
	default: return BILLING_REASON_NONE;
	}
}

/* Copies the explanation of r (periods, grace end, ready-days) into the line. */
static void explain(const agreement *a, const liability_result *r, billing_line *out)
{
	out->ready_days = r->ready_days;
	out->grace_end = r->grace_end;
	out->n_periods = r->n_periods;
	memcpy(out->periods, r->periods, r->n_periods * sizeof r->periods[0]);
	out->n_holidays = 0;
	if (a->count != AGREEMENT_COUNT_WEEKDAYS)
		return;
	for (size_t i = 0; i < r->n_periods; i++)
		for (hg_date d = r->periods[i].ready_date + 1; d < r->periods[i].grace_end; d++)
			if (date_weekday(d) <= HG_FRI && !cal_is_weekday(d, a->eves_are_holidays) &&
			    out->n_holidays < BILLING_HOLIDAYS_MAX)
				out->holidays[out->n_holidays++] = d;
}

/* The nights of r that start in month m: count, amount, first and last, fallback. */
static hg_status month_nights(const liability_result *r, const billing_month *m, billing_line *out)
{
	liability_month months[LIABILITY_DAYS_MAX / 28 + 2];
	size_t n = 0;
	hg_status rc = liability_by_month(r, months, sizeof months / sizeof months[0], &n);
	if (rc)
		return HG_EINTERNAL; /* NEVER: the ceiling on a stay bounds the months */
	out->nights = 0;
	out->amount_ore = 0;
	for (size_t i = 0; i < n; i++)
		if (months[i].year == m->year && months[i].month == m->month) {
			out->nights = months[i].nights;
			out->amount_ore = months[i].amount_ore;
		}
	out->first_night = out->last_night = HG_DATE_NONE;
	out->unpriced_nights = 0;
	for (size_t i = 0; i < r->n_nights; i++) {
		const liability_night *ni = &r->nights[i];
		if (ni->date < m->first || ni->date >= m->end)
			continue;
		if (out->first_night == HG_DATE_NONE)
			out->first_night = ni->date;
		out->last_night = ni->date;
		if (!ni->priced && out->unpriced_nights < BILLING_MONTH_NIGHTS_MAX)
			out->unpriced[out->unpriced_nights++] = ni->date;
	}
	return HG_OK;
}

static void line_init(billing_line *out)
{
	memset(out, 0, sizeof *out);
	out->outcome = BILLING_NOTHING;
	out->ready_date = out->discharge_date = out->until = out->grace_end = HG_DATE_NONE;
	out->first_night = out->last_night = HG_DATE_NONE;
}

hg_status billing_stay_judge(const episode_state *st, hg_date until, const agreement *list, size_t n,
			     billing_stay *out)
{
	liability_period periods[LIABILITY_PERIODS_MAX];
	liability_input in;
	const char *municipality = st->patient.registered_municipality;
	bool valid = billing_input(st, municipality, until, periods, &in) == HG_OK;
	return billing_stay_judge_input(valid ? &in : NULL, municipality, episode_ready_date(st), list, n, out);
}

hg_status billing_stay_judge_input(const liability_input *input, const char *municipality, hg_date ready_date,
				   const agreement *list, size_t n, billing_stay *out)
{
	memset(out, 0, sizeof *out);
	out->billing = LIABILITY_BILLABLE;
	out->computed = HG_EINVAL;
	out->agreement = agreement_find_in_force(list, n, municipality, ready_date);
	if (!out->agreement || out->agreement->model == AGREEMENT_AVERAGE || !input)
		return HG_OK;
	liability_input in = *input;
	in.handover = list; /* a night after the agreement ends: its successor or the statutory default */
	in.n_handover = n;
	in.municipality = municipality;
	out->judged = true;
	out->computed = liability_compute(out->agreement, &in, &out->r);
	if (out->computed == HG_OK && out->r.billing != LIABILITY_BILLABLE) {
		out->billing = out->r.billing;
		liability_result_free(&out->r);
		in.admission_notice_sent = in.ready_notice_sent = in.sip_called = true;
		out->computed = liability_compute(out->agreement, &in, &out->r);
	}
	return out->computed == HG_ENOMEM ? HG_ENOMEM : HG_OK;
}

hg_status billing_so_far_judge(const episode_state *st, hg_date today, const agreement *list, size_t n,
			       billing_so_far *out)
{
	billing_stay stay;
	memset(out, 0, sizeof *out);
	out->billing = LIABILITY_BILLABLE;
	out->ready_date = out->liable_from = HG_DATE_NONE;
	if (st->cancelled || st->ready_period_count == 0 || today == HG_DATE_NONE)
		return HG_OK;
	bool in_hospital = st->discharged_at == HG_INSTANT_NONE;
	hg_status rc = billing_stay_judge(st, in_hospital ? today : HG_DATE_NONE, list, n, &stay);
	if (rc != HG_OK)
		return rc;
	out->agreement = stay.agreement;
	out->average = stay.agreement && stay.agreement->model == AGREEMENT_AVERAGE;
	out->billing = stay.billing;
	if (stay.judged && stay.computed == HG_OK && stay.r.n_periods > 0) {
		const liability_period_result *last = &stay.r.periods[stay.r.n_periods - 1];
		out->counted = true;
		out->ready_date = last->ready_date;
		out->liable_from = last->grace_end;
		out->ready_days = stay.r.ready_days;
		out->nights = (int)stay.r.n_nights;
		out->amount_ore = stay.r.total_ore;
		out->liable = st->status == EPISODE_READY && stay.billing == LIABILITY_BILLABLE &&
			      last->grace_end != HG_DATE_NONE && last->grace_end <= today;
	}
	liability_result_free(&stay.r);
	return HG_OK;
}

hg_status billing_episode_month(const episode_state *st, const billing_month *m, hg_instant cutoff,
				const agreement *list, size_t n, billing_line *out)
{
	billing_stay stay;
	hg_status rc = HG_OK;

	line_init(out);
	if (st->cancelled || st->status == EPISODE_EMPTY || st->ready_period_count == 0)
		return HG_OK;
	out->care = st->care;
	out->ready_date = episode_ready_date(st);
	out->discharge_date = st->discharged_at != HG_INSTANT_NONE ? cal_local_date(st->discharged_at) : HG_DATE_NONE;
	out->until = m->end;
	hg_date cut = cal_local_date(cutoff);
	if (cut != HG_DATE_NONE && cut < out->until)
		out->until = cut;
	if (out->ready_date == HG_DATE_NONE || out->ready_date >= out->until)
		return HG_OK;
	out->ready_nights = episode_ready_days_at(st, out->until) - episode_ready_days_at(st, m->first);
	if (out->ready_nights <= 0) {
		out->ready_nights = 0;
		return HG_OK;
	}

	rc = billing_stay_judge(st, out->until, list, n, &stay);
	if (rc != HG_OK)
		goto out;
	out->agreement = stay.agreement;
	if (!stay.agreement) {
		out->outcome = BILLING_EXCLUDED;
		out->reason = BILLING_REASON_NO_AGREEMENT;
		goto out;
	}
	if (stay.agreement->model == AGREEMENT_AVERAGE) {
		out->outcome = BILLING_AVERAGE;
		goto out;
	}
	if (!stay.judged) {
		rc = HG_EINTERNAL; /* NEVER: checked above, and the fold keeps at most 16 periods */
		goto out;
	}
	if (stay.billing != LIABILITY_BILLABLE)
		out->reason = reason_of(stay.billing);
	if (stay.computed != HG_OK) {
		out->outcome = BILLING_EXCLUDED;
		if (stay.billing == LIABILITY_BILLABLE)
			out->reason = stay.computed == HG_ENOTFOUND ? BILLING_REASON_NO_RATE : BILLING_REASON_INVALID;
		out->error = stay.r.error;
		goto out;
	}
	explain(stay.agreement, &stay.r, out);
	rc = month_nights(&stay.r, m, out);
	if (rc == HG_OK && out->nights > 0)
		out->outcome = stay.billing == LIABILITY_BILLABLE ? BILLING_LINE : BILLING_EXCLUDED;
out:
	liability_result_free(&stay.r);
	if (out->outcome == BILLING_NOTHING)
		out->reason = BILLING_REASON_NONE;
	return rc;
}

hg_status billing_episode_days(const episode_state *st, const agreement *a, liability_episode_days *out,
			       billing_reason *reason)
{
	liability_period periods[LIABILITY_PERIODS_MAX];
	liability_input in;
	*reason = BILLING_REASON_NONE;
	if (st->discharged_at == HG_INSTANT_NONE || a->model != AGREEMENT_AVERAGE)
		return HG_EINVAL;
	if (billing_input(st, st->patient.registered_municipality, HG_DATE_NONE, periods, &in))
		return HG_EINVAL;
	return billing_episode_days_input(&in, st->care, a, out, reason);
}

hg_status billing_episode_days_input(const liability_input *in, care_type care, const agreement *a,
				     liability_episode_days *out, billing_reason *reason)
{
	liability_result r = {0};
	*reason = BILLING_REASON_NONE;
	if (in->discharged_at == HG_INSTANT_NONE || a->model != AGREEMENT_AVERAGE)
		return HG_EINVAL;
	hg_status rc = liability_compute(a, in, &r);
	if (rc == HG_OK) {
		out->ready_days = r.ready_days;
		out->care = care;
		out->billable = r.billing == LIABILITY_AVERAGE_MODEL;
		*reason = reason_of(r.billing);
	} else if (rc != HG_ENOMEM) {
		*reason = BILLING_REASON_INVALID;
		rc = HG_EINVAL;
	}
	liability_result_free(&r);
	return rc;
}

const agreement *billing_settling_average(const agreement *list, size_t n, const char *municipality,
					  const billing_month *month, hg_date *from)
{
	hg_date start, end;
	const agreement *a = agreement_find_in_force(list, n, municipality, month->first);
	if (!a || a->model != AGREEMENT_AVERAGE || agreement_average_period(a, month->first, &start, &end) != HG_OK ||
	    end != month->end)
		return NULL;
	*from = start;
	return a;
}

bool billing_average_membership(const episode_state *st, const billing_month *month, const agreement *list, size_t n,
				billing_average_member *out)
{
	hg_date from;
	const char *m = st->patient.registered_municipality;
	const agreement *avg = billing_settling_average(list, n, m, month, &from);
	if (!avg || st->discharged_at == HG_INSTANT_NONE || st->ready_period_count == 0)
		return false;
	hg_date out_date = cal_local_date(st->discharged_at);
	if (out_date < from || out_date >= month->end ||
	    agreement_find_in_force(list, n, m, episode_ready_date(st)) != avg)
		return false;
	out->agreement = avg;
	out->discharge_date = out_date;
	if (billing_episode_days(st, avg, &out->days, &out->reason) != HG_OK)
		out->days = (liability_episode_days){0, st->care, false};
	return true;
}
