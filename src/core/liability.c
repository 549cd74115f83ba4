/*
 * liability.c - payment liability of one episode under an agreement, the
 * per-month sums for invoices, and the average model (see liability.h for the
 * counting convention).
 *
 * liability_compute works in three steps with one exit: turn the instants into
 * local dates and check their order; walk the ready periods to find each grace
 * end (carrying the grace already used when the agreement says "continue");
 * then, if the episode is billable, list and price the nights.
 */
#include "core/liability.h"

#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"

static const struct {
	const char *code, *en, *sv;
} billing_texts[LIABILITY_BILLING_COUNT] = {
	[LIABILITY_BILLABLE] = {"billable", "the liable nights are billable",
				"betalningsansvar för de utskrivningsklara dygnen"},
	[LIABILITY_NO_ADMISSION_NOTICE] = {"no_admission_notice",
					   "not billable: the admission notice was not sent to the municipality",
					   "ej betalningsansvar: inskrivningsmeddelande har inte skickats till kommunen"},
	[LIABILITY_NO_READY_NOTICE] = {"no_ready_notice",
				       "not billable: the ready-for-discharge notice was not sent to the municipality",
				       "ej betalningsansvar: underrättelse om utskrivningsklar har inte skickats till "
				       "kommunen"},
	[LIABILITY_NO_SIP_CALL] = {"no_sip_call",
				   "not billable: a SIP was needed but the care contact did not call it",
				   "ej betalningsansvar: SIP behövdes men den fasta vårdkontakten har inte kallat till "
				   "SIP"},
	[LIABILITY_NO_CARE_PLAN_CALL] = {"no_care_plan_call",
					 "not billable: a coordinated care plan (LPT/LRV) was needed but not called",
					 "ej betalningsansvar: samordnad vårdplan (LPT/LRV) behövdes men har inte kallats"},
	[LIABILITY_AVERAGE_MODEL] = {"average_model",
				     "billed under the average model per municipality and period, not per night",
				     "faktureras enligt genomsnittsmodellen per kommun och period, inte per dygn"},
};

static const char *const error_texts[LIABILITY_ERROR_COUNT] = {
	[LIABILITY_ERR_NONE] = "no error",
	[LIABILITY_ERR_AGREEMENT] = "the agreement is invalid",
	[LIABILITY_ERR_CARE] = "unknown care type",
	[LIABILITY_ERR_NO_PERIODS] = "there must be 1..32 ready periods",
	[LIABILITY_ERR_PERIOD_INSTANT] = "a ready or withdrawal time is missing or out of range",
	[LIABILITY_ERR_WITHDRAWN_BEFORE_READY] = "a withdrawal is before its ready notice",
	[LIABILITY_ERR_PERIODS_OVERLAP] = "a ready notice is before the previous withdrawal",
	[LIABILITY_ERR_OPEN_PERIOD] = "only the last ready period may be without a withdrawal",
	[LIABILITY_ERR_DISCHARGE_BEFORE_READY] = "discharge is before the ready notice",
	[LIABILITY_ERR_WITHDRAWN_AFTER_DISCHARGE] = "a withdrawal is after the discharge",
	[LIABILITY_ERR_NO_END] = "neither a discharge nor an until date",
	[LIABILITY_ERR_UNTIL_BEFORE_READY] = "the until date is before the ready date",
	[LIABILITY_ERR_TOO_LONG] = "the stay is longer than 3660 days",
	[LIABILITY_ERR_NO_RATE] = "the agreement has no daily amount for the year of a liable night",
	[LIABILITY_ERR_LEAVES] = "a leave has no start, ends before it starts, or there are too many",
	[LIABILITY_ERR_MOVES] = "the moves between care types are out of date order, too many, or of an unknown care type",
};

const char *liability_billing_code(liability_billing b)
{
	return (unsigned)b < LIABILITY_BILLING_COUNT ? billing_texts[b].code : "unknown";
}

const char *liability_billing_en(liability_billing b)
{
	return (unsigned)b < LIABILITY_BILLING_COUNT ? billing_texts[b].en : "unknown";
}

const char *liability_billing_sv(liability_billing b)
{
	return (unsigned)b < LIABILITY_BILLING_COUNT ? billing_texts[b].sv : "okänd";
}

const char *liability_error_text(liability_error e)
{
	return (unsigned)e < LIABILITY_ERROR_COUNT ? error_texts[e] : "unknown error";
}

void liability_result_free(liability_result *r)
{
	if (!r)
		return;
	hg_free(r->nights);
	r->nights = NULL;
	r->n_nights = 0;
}

static int year_of(hg_date d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return y;
}

/* G: the n-th counted day strictly after r (r itself when n == 0). */
static hg_date grace_end(const agreement *a, hg_date r, int n)
{
	if (a->count == AGREEMENT_COUNT_WEEKDAYS)
		return cal_nth_weekday_after(r, n, a->eves_are_holidays);
	return r + n;
}

hg_date liability_grace_end(const agreement *a, care_type care, hg_date ready_date)
{
	if (!a || (unsigned)care >= CARE_TYPE_COUNT || ready_date == HG_DATE_NONE)
		return HG_DATE_NONE;
	return grace_end(a, ready_date, a->grace_days[care]);
}

/* Counted days d with r < d <= e: the grace a period used up. */
static int counted_days(const agreement *a, hg_date r, hg_date e)
{
	int n = 0;
	if (e <= r)
		return 0;
	if (a->count == AGREEMENT_COUNT_CALENDAR)
		return e - r;
	for (hg_date d = r + 1; d <= e; d++)
		n += cal_is_weekday(d, a->eves_are_holidays);
	return n;
}

static liability_billing billing_of(const agreement *a, const liability_input *in)
{
	if (a->conditions.admission_notice && !in->admission_notice_sent)
		return LIABILITY_NO_ADMISSION_NOTICE;
	if (a->conditions.ready_notice && !in->ready_notice_sent)
		return LIABILITY_NO_READY_NOTICE;
	if (a->conditions.sip_called && in->sip_needed && !in->sip_called)
		return in->care_plan ? LIABILITY_NO_CARE_PLAN_CALL : LIABILITY_NO_SIP_CALL;
	if (a->model == AGREEMENT_AVERAGE)
		return LIABILITY_AVERAGE_MODEL;
	return LIABILITY_BILLABLE;
}

/* Checks the order of the instants and fills each period's R and E. */
static liability_error periods_dates(const liability_input *in, liability_result *out)
{
	const liability_period *p = in->periods;
	size_t n = in->n_periods;
	hg_date last_end;
	if (!p || n == 0 || n > LIABILITY_PERIODS_MAX)
		return LIABILITY_ERR_NO_PERIODS;
	for (size_t k = 0; k < n; k++) {
		liability_period_result *pr = &out->periods[k];
		if (p[k].ready_at == HG_INSTANT_NONE || (pr->ready_date = cal_local_date(p[k].ready_at)) == HG_DATE_NONE)
			return LIABILITY_ERR_PERIOD_INSTANT;
		if (k > 0 && p[k].ready_at < p[k - 1].end_at)
			return LIABILITY_ERR_PERIODS_OVERLAP;
		if (p[k].end_at == HG_INSTANT_NONE) {
			if (k + 1 < n)
				return LIABILITY_ERR_OPEN_PERIOD;
			pr->end_date = HG_DATE_NONE;
			continue;
		}
		if (p[k].end_at < p[k].ready_at)
			return LIABILITY_ERR_WITHDRAWN_BEFORE_READY;
		if ((pr->end_date = cal_local_date(p[k].end_at)) == HG_DATE_NONE)
			return LIABILITY_ERR_PERIOD_INSTANT;
	}
	out->n_periods = n;
	out->ready_date = out->periods[0].ready_date;
	if (in->discharged_at != HG_INSTANT_NONE) {
		hg_date u = cal_local_date(in->discharged_at);
		if (u == HG_DATE_NONE)
			return LIABILITY_ERR_PERIOD_INSTANT;
		for (size_t k = 0; k < n; k++) {
			if (in->discharged_at < p[k].ready_at)
				return LIABILITY_ERR_DISCHARGE_BEFORE_READY;
			if (p[k].end_at != HG_INSTANT_NONE && p[k].end_at > in->discharged_at)
				return LIABILITY_ERR_WITHDRAWN_AFTER_DISCHARGE;
		}
		out->discharge_date = u;
		if (out->periods[n - 1].end_date == HG_DATE_NONE)
			out->periods[n - 1].end_date = u;
	} else {
		if (in->until == HG_DATE_NONE)
			return LIABILITY_ERR_NO_END;
		if (in->until < out->ready_date)
			return LIABILITY_ERR_UNTIL_BEFORE_READY;
		/* A stay in progress: nothing after the until date counts yet. */
		for (size_t k = 0; k < n; k++) {
			liability_period_result *pr = &out->periods[k];
			if (pr->end_date == HG_DATE_NONE || pr->end_date > in->until)
				pr->end_date = in->until;
			if (pr->end_date < pr->ready_date)
				pr->end_date = pr->ready_date;
		}
	}
	last_end = out->periods[n - 1].end_date;
	if ((int64_t)last_end - out->ready_date > LIABILITY_DAYS_MAX)
		return LIABILITY_ERR_TOO_LONG;
	return LIABILITY_ERR_NONE;
}

care_type liability_care_on(const liability_input *in, hg_date d)
{
	care_type care = in->care;
	for (size_t i = 0; i < in->n_moves && i < LIABILITY_MOVES_MAX && in->moves[i].from <= d; i++)
		care = in->moves[i].care;
	return care;
}

static bool leaves_valid(const liability_input *in)
{
	if (in->n_leaves > LIABILITY_LEAVES_MAX)
		return false;
	for (size_t i = 0; i < in->n_leaves; i++) {
		const liability_leave *l = &in->leaves[i];
		if (l->start == HG_INSTANT_NONE || cal_local_date(l->start) == HG_DATE_NONE ||
		    (l->end != HG_INSTANT_NONE && (l->end < l->start || cal_local_date(l->end) == HG_DATE_NONE)))
			return false;
	}
	return true;
}

/* True when the night starting on d is spent on leave: a leave from a date <= d to a date > d. */
static bool on_leave_night(const liability_input *in, hg_date d)
{
	for (size_t i = 0; i < in->n_leaves && i < LIABILITY_LEAVES_MAX; i++) {
		const liability_leave *l = &in->leaves[i];
		if (cal_local_date(l->start) <= d && (l->end == HG_INSTANT_NONE || cal_local_date(l->end) > d))
			return true;
	}
	return false;
}

static bool moves_valid(const liability_input *in)
{
	if (in->n_moves > LIABILITY_MOVES_MAX)
		return false;
	for (size_t i = 0; i < in->n_moves; i++)
		if ((unsigned)in->moves[i].care >= CARE_TYPE_COUNT || in->moves[i].from == HG_DATE_NONE ||
		    (i > 0 && in->moves[i].from < in->moves[i - 1].from))
			return false;
	return true;
}

/*
 * Walks the periods: grace end, ready-days and liable nights of each. The
 * grace days of a period are those of the care type on its ready date; with
 * "continue", the days already used count against that number.
 */
static void periods_grace(const agreement *a, const liability_input *in, liability_result *out)
{
	int used = 0;
	for (size_t k = 0; k < out->n_periods; k++) {
		liability_period_result *pr = &out->periods[k];
		int n_grace = a->grace_days[liability_care_on(in, pr->ready_date)];
		int left = n_grace;
		if (a->withdrawal == AGREEMENT_WITHDRAWAL_CONTINUE)
			left = used >= n_grace ? 0 : n_grace - used;
		pr->grace_left = left;
		pr->grace_end = grace_end(a, pr->ready_date, left);
		pr->ready_days = pr->end_date - pr->ready_date;
		pr->liable_nights = pr->end_date > pr->grace_end ? pr->end_date - pr->grace_end : 0;
		out->ready_days += pr->ready_days;
		if (a->withdrawal == AGREEMENT_WITHDRAWAL_CONTINUE)
			used += counted_days(a, pr->ready_date, pr->end_date);
	}
	out->grace_end = out->periods[0].grace_end;
}

/*
 * Lists and prices the liable nights into out->nights (owned by out): each at
 * the agreement in force that night (a, then its successor) for the care type
 * of that night, and only at the amount of that very year.
 */
static hg_status nights_price(const agreement *a, const liability_input *in, liability_result *out)
{
	size_t total = 0, i = 0;
	for (size_t k = 0; k < out->n_periods; k++)
		total += (size_t)out->periods[k].liable_nights;
	if (total == 0)
		return HG_OK;
	out->nights = hg_calloc(total, sizeof *out->nights);
	if (!out->nights)
		return HG_ENOMEM;
	for (size_t k = 0; k < out->n_periods; k++) {
		liability_period_result *pr = &out->periods[k];
		for (hg_date d = pr->grace_end; d < pr->end_date; d++) {
			const agreement *by = agreement_for_night(a, in->handover, in->n_handover, in->municipality, d);
			if (by && by->leave_nights_free && on_leave_night(in, d)) {
				out->n_leave_nights++;
				pr->liable_nights--;
				continue;
			}
			liability_night *night = &out->nights[i++];
			night->date = d;
			night->care = liability_care_on(in, d);
			night->agreement = by;
			night->priced = night->agreement &&
					agreement_rate_for(night->agreement, night->care, year_of(d), &night->amount_ore) == HG_OK;
			if (!night->priced) {
				night->amount_ore = 0;
				out->n_unpriced++;
			}
			out->total_ore += night->amount_ore;
		}
	}
	out->n_nights = i;
	return HG_OK;
}

hg_status liability_compute(const agreement *a, const liability_input *in, liability_result *out)
{
	hg_status rc = HG_EINVAL;
	liability_error err;
	memset(out, 0, sizeof *out);
	out->ready_date = out->discharge_date = out->grace_end = HG_DATE_NONE;
	if (agreement_validate(a, NULL) != HG_OK) {
		out->error = LIABILITY_ERR_AGREEMENT;
		goto fail;
	}
	if ((unsigned)in->care >= CARE_TYPE_COUNT) {
		out->error = LIABILITY_ERR_CARE;
		goto fail;
	}
	if (!moves_valid(in)) {
		out->error = LIABILITY_ERR_MOVES;
		goto fail;
	}
	if (!leaves_valid(in)) {
		out->error = LIABILITY_ERR_LEAVES;
		goto fail;
	}
	out->error = periods_dates(in, out);
	if (out->error != LIABILITY_ERR_NONE) {
		rc = out->error == LIABILITY_ERR_TOO_LONG ? HG_ERANGE : HG_EINVAL;
		goto fail;
	}
	periods_grace(a, in, out);
	out->billing = billing_of(a, in);
	if (out->billing != LIABILITY_BILLABLE)
		return HG_OK;
	rc = nights_price(a, in, out);
	if (rc != HG_OK)
		goto fail;
	return HG_OK;
fail:
	/* A refused input leaves nothing half-computed: only the reason. */
	hg_free(out->nights);
	err = out->error;
	memset(out, 0, sizeof *out);
	out->ready_date = out->discharge_date = out->grace_end = HG_DATE_NONE;
	out->error = err;
	return rc;
}

hg_status liability_by_month(const liability_result *r, liability_month *out, size_t cap, size_t *n)
{
	size_t count = 0;
	int cur_y = 0, cur_m = 0;
	for (size_t i = 0; i < r->n_nights; i++) {
		int y, m, d;
		date_to_ymd(r->nights[i].date, &y, &m, &d);
		if (count == 0 || y != cur_y || m != cur_m) {
			count++;
			cur_y = y;
			cur_m = m;
			if (count <= cap)
				out[count - 1] = (liability_month){.year = y, .month = m};
		}
		if (count <= cap) {
			out[count - 1].nights++;
			out[count - 1].amount_ore += r->nights[i].amount_ore;
		}
	}
	*n = count;
	return count <= cap ? HG_OK : HG_ERANGE;
}

hg_status liability_average(const liability_episode_days *eps, size_t n, care_type care,
			    int64_t threshold_centidays, int64_t amount_ore, liability_average_result *out)
{
	memset(out, 0, sizeof *out);
	if ((unsigned)care >= CARE_TYPE_COUNT || threshold_centidays < 0 ||
	    threshold_centidays > AGREEMENT_THRESHOLD_MAX || amount_ore < 0 || amount_ore > AGREEMENT_AMOUNT_MAX)
		return HG_EINVAL;
	if (n > LIABILITY_EPISODES_MAX)
		return HG_ERANGE;
	if (n > 0 && !eps)
		return HG_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)eps[i].care >= CARE_TYPE_COUNT || eps[i].ready_days < 0 ||
		    eps[i].ready_days > LIABILITY_DAYS_MAX) {
			memset(out, 0, sizeof *out);
			return HG_EINVAL;
		}
		if (eps[i].care != care || !eps[i].billable)
			continue;
		out->episodes++;
		out->ready_days += eps[i].ready_days;
	}
	out->allowed_centidays = threshold_centidays * out->episodes;
	out->excess_centidays = out->ready_days * 100 - out->allowed_centidays;
	if (out->excess_centidays < 0)
		out->excess_centidays = 0;
	out->days_billed = out->excess_centidays / 100;
	out->amount_ore = out->days_billed * amount_ore;
	return HG_OK;
}

hg_status liability_average_all(const agreement *a, const liability_episode_days *eps, size_t n,
				liability_average_result out[CARE_TYPE_COUNT], int64_t *total_ore)
{
	hg_status rc;
	*total_ore = 0;
	memset(out, 0, sizeof(liability_average_result) * CARE_TYPE_COUNT);
	if (agreement_validate(a, NULL) != HG_OK || a->model != AGREEMENT_AVERAGE)
		return HG_EINVAL;
	for (int c = 0; c < CARE_TYPE_COUNT; c++) {
		rc = liability_average(eps, n, (care_type)c, a->average.threshold_centidays[c],
				       a->average.amount_ore[c], &out[c]);
		if (rc != HG_OK) {
			*total_ore = 0;
			return rc;
		}
		*total_ore += out[c].amount_ore;
	}
	return HG_OK;
}
