/*
 * test_liability.c - payment liability of one episode (grace end, ready-days,
 * liable nights and amounts), withdrawal, billing conditions, invoice months
 * and the average model. Times are Europe/Stockholm local unless they carry Z.
 */
#include <string.h>

#include "core/calendar.h"
#include "core/liability.h"
#include "test.h"

static hg_date ymd(const char *s)
{
	hg_date d = HG_DATE_NONE;
	if (s && date_parse(s, &d) != HG_OK)
		return HG_DATE_NONE;
	return d;
}

static hg_instant at(const char *s)
{
	hg_instant t = HG_INSTANT_NONE;
	if (s && cal_parse_local(s, &t) != HG_OK)
		return HG_INSTANT_NONE;
	return t;
}

static const char *fmt(hg_date d, char buf[static 11])
{
	if (d == HG_DATE_NONE)
		return "none";
	return date_format(d, buf);
}

/*
 * The test agreement: somatic 1 000 kr in 2023, 2 000 kr in 2024, 3 000 kr in
 * 2025 (none for 2026); geriatric 1 500 kr and psychiatric 2 500 kr in 2024.
 */
static agreement test_agreement(care_type care, int grace, agreement_count count, bool eves)
{
	agreement a = {
		.id = "test",
		.name = "Test",
		.version = 1,
		.model = AGREEMENT_PER_NIGHT,
		.grace_days = {3, 3, 3},
		.count = count,
		.eves_are_holidays = eves,
		.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
		.conditions = {true, true, true},
		.n_rates = 5,
		.rates = {{2023, CARE_SOMATIC, 100000},
			  {2024, CARE_SOMATIC, 200000},
			  {2025, CARE_SOMATIC, 300000},
			  {2024, CARE_GERIATRIC, 150000},
			  {2024, CARE_PSYCHIATRIC, 250000}},
	};
	a.valid_from = ymd("2018-01-01");
	a.valid_to = HG_DATE_NONE;
	a.grace_days[care] = grace;
	return a;
}

#define CAL AGREEMENT_COUNT_CALENDAR
#define WKD AGREEMENT_COUNT_WEEKDAYS

/* One ready period, discharged (or still in hospital with an until date). */
static void test_single(struct test *t)
{
	static const struct {
		const char *label;
		const char *ready, *discharged, *until;
		care_type care;
		int grace;
		agreement_count count;
		bool eves;
		hg_status rc;
		int ready_days;
		const char *grace_end, *first_night;
		int nights;
		int64_t total;
		int unpriced; /* nights without an amount (issue 15.2: no earlier year's amount) */
	} rows[] = {
		/* design.md examples */
		{"design: Fri 3 May, 5 weekdays, Ascension Day", "2024-05-03 10:00", "2024-05-15 11:00", NULL,
		 CARE_SOMATIC, 5, WKD, false, HG_OK, 12, "2024-05-13", "2024-05-13", 2, 400000, false},
		{"design: 3 calendar days, out on G", "2024-03-01 10:00", "2024-03-04 10:00", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 3, "2024-03-04", NULL, 0, 0, false},
		{"design: 3 calendar days, out 2 days after G", "2024-03-01 10:00", "2024-03-06 10:00", NULL,
		 CARE_SOMATIC, 3, CAL, false, HG_OK, 5, "2024-03-04", "2024-03-04", 2, 400000, false},
		/* same day, before grace end */
		{"discharged the same day", "2024-03-01 09:00", "2024-03-01 18:00", NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_OK, 0, "2024-03-04", NULL, 0, 0, false},
		{"discharged before grace end", "2024-03-01 09:00", "2024-03-03 18:00", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 2, "2024-03-04", NULL, 0, 0, false},
		{"grace 0: liable from the ready night", "2024-03-01 09:00", "2024-03-03 18:00", NULL, CARE_SOMATIC, 0,
		 CAL, false, HG_OK, 2, "2024-03-01", "2024-03-01", 2, 400000, false},
		/* calendar vs weekdays over the same stay */
		{"Fri, 3 calendar days", "2024-05-03 10:00", "2024-05-15 10:00", NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_OK, 12, "2024-05-06", "2024-05-06", 9, 1800000, false},
		{"Fri, 3 weekdays", "2024-05-03 10:00", "2024-05-15 10:00", NULL, CARE_SOMATIC, 3, WKD, false, HG_OK,
		 12, "2024-05-08", "2024-05-08", 7, 1400000, false},
		/* eves: midsummer eve Fri 21 June 2024 */
		{"midsummer, eves are weekdays", "2024-06-19 10:00", "2024-06-26 10:00", NULL, CARE_SOMATIC, 2, WKD,
		 false, HG_OK, 7, "2024-06-21", "2024-06-21", 5, 1000000, false},
		{"midsummer, eves excluded", "2024-06-19 10:00", "2024-06-26 10:00", NULL, CARE_SOMATIC, 2, WKD, true,
		 HG_OK, 7, "2024-06-24", "2024-06-24", 2, 400000, false},
		/* Christmas and New Year: 2 000 kr in 2024, 3 000 kr from 1 January 2025 */
		{"Christmas, eves are weekdays", "2024-12-20 10:00", "2025-01-03 10:00", NULL, CARE_SOMATIC, 3, WKD,
		 false, HG_OK, 14, "2024-12-27", "2024-12-27", 7, 5 * 200000 + 2 * 300000, false},
		{"Christmas, eves excluded", "2024-12-20 10:00", "2025-01-03 10:00", NULL, CARE_SOMATIC, 3, WKD, true,
		 HG_OK, 14, "2024-12-30", "2024-12-30", 4, 2 * 200000 + 2 * 300000, false},
		{"New Year across, calendar", "2023-12-28 10:00", "2024-01-02 10:00", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 5, "2023-12-31", "2023-12-31", 2, 100000 + 200000, false},
		/* a year without a rate row: the nights are listed without an amount, never at another year's */
		{"2026: no amount, not 2025's", "2026-01-10 10:00", "2026-01-15 10:00", NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_OK, 5, "2026-01-13", "2026-01-13", 2, 0, 2},
		{"no rate for 2022", "2022-06-01 10:00", "2022-06-10 10:00", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 9, "2022-06-04", "2022-06-04", 6, 0, 6},
		/* 2024 priced, 2025 geriatric has no row: 30 and 31 December priced, 1-2 January not */
		{"geriatric over New Year, 2025 without a row", "2024-12-27 10:00", "2025-01-03 10:00", NULL,
		 CARE_GERIATRIC, 3, CAL, false, HG_OK, 7, "2024-12-30", "2024-12-30", 4, 2 * 150000, 2},
		{"no rate but nothing liable", "2022-06-01 10:00", "2022-06-03 10:00", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 2, "2022-06-04", NULL, 0, 0, false},
		/* care types pick grace and amount */
		{"geriatric, 5 calendar days", "2024-02-01 10:00", "2024-02-15 10:00", NULL, CARE_GERIATRIC, 5, CAL,
		 false, HG_OK, 14, "2024-02-06", "2024-02-06", 9, 9 * 150000, false},
		{"psychiatric, 10 calendar days", "2024-02-01 10:00", "2024-02-15 10:00", NULL, CARE_PSYCHIATRIC, 10,
		 CAL, false, HG_OK, 14, "2024-02-11", "2024-02-11", 4, 4 * 250000, false},
		{"psychiatric, 30 weekdays", "2024-01-02 10:00", "2024-02-20 10:00", NULL, CARE_PSYCHIATRIC, 30, WKD,
		 false, HG_OK, 49, "2024-02-13", "2024-02-13", 7, 7 * 250000, false},
		/* the local date of the instant decides R and U */
		{"ready 23:59", "2024-03-01 23:59", "2024-03-06 10:00", NULL, CARE_SOMATIC, 3, CAL, false, HG_OK, 5,
		 "2024-03-04", "2024-03-04", 2, 400000, false},
		{"ready 00:01 next day", "2024-03-02 00:01", "2024-03-06 10:00", NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_OK, 4, "2024-03-05", "2024-03-05", 1, 200000, false},
		{"discharged 00:01 counts as that day", "2024-03-01 10:00", "2024-03-06 00:01", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 5, "2024-03-04", "2024-03-04", 2, 400000, false},
		{"spring forward: 23:30Z is 00:30 local", "2024-03-30T23:30:00Z", "2024-04-03T10:00:00Z", NULL,
		 CARE_SOMATIC, 3, CAL, false, HG_OK, 3, "2024-04-03", NULL, 0, 0, false},
		{"fall back: 22:30Z is 00:30 CEST", "2024-10-26T22:30:00Z", "2024-10-31T10:00:00Z", NULL, CARE_SOMATIC,
		 3, CAL, false, HG_OK, 4, "2024-10-30", "2024-10-30", 1, 200000, false},
		{"fall back: 21:59Z is 23:59 CEST", "2024-10-26T21:59:00Z", "2024-10-31T10:00:00Z", NULL, CARE_SOMATIC,
		 3, CAL, false, HG_OK, 5, "2024-10-29", "2024-10-29", 2, 400000, false},
		{"winter: 23:30Z is 00:30 CET", "2024-01-09T23:30:00Z", "2024-01-14T10:00:00Z", NULL, CARE_SOMATIC, 3,
		 CAL, false, HG_OK, 4, "2024-01-13", "2024-01-13", 1, 200000, false},
		/* still in hospital: nights before the until date */
		{"in hospital until 1 April", "2024-03-01 10:00", NULL, "2024-04-01", CARE_SOMATIC, 3, CAL, false,
		 HG_OK, 31, "2024-03-04", "2024-03-04", 28, 28 * 200000, false},
		{"in hospital, until = ready date", "2024-03-01 10:00", NULL, "2024-03-01", CARE_SOMATIC, 3, CAL,
		 false, HG_OK, 0, "2024-03-04", NULL, 0, 0, false},
		/* refused input */
		{"discharged before ready", "2024-03-05 10:00", "2024-03-04 10:00", NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_EINVAL, 0, "none", NULL, 0, 0, false},
		{"discharged a minute before ready", "2024-03-05 10:00", "2024-03-05 09:59", NULL, CARE_SOMATIC, 3, CAL,
		 false, HG_EINVAL, 0, "none", NULL, 0, 0, false},
		{"neither discharged nor until", "2024-03-05 10:00", NULL, NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_EINVAL, 0, "none", NULL, 0, 0, false},
		{"until before ready", "2024-03-05 10:00", NULL, "2024-03-04", CARE_SOMATIC, 3, CAL, false, HG_EINVAL,
		 0, "none", NULL, 0, 0, false},
		{"longer than 10 years", "2014-01-01 10:00", "2024-03-05 10:00", NULL, CARE_SOMATIC, 3, CAL, false,
		 HG_ERANGE, 0, "none", NULL, 0, 0, false},
		{"bad agreement: grace 400", "2024-03-05 10:00", "2024-03-06 10:00", NULL, CARE_SOMATIC, 400, CAL,
		 false, HG_EINVAL, 0, "none", NULL, 0, 0, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(rows[i].care, rows[i].grace, rows[i].count, rows[i].eves);
		liability_period p = {at(rows[i].ready), HG_INSTANT_NONE};
		liability_input in = {
			.care = rows[i].care,
			.periods = &p,
			.n_periods = 1,
			.discharged_at = rows[i].discharged ? at(rows[i].discharged) : HG_INSTANT_NONE,
			.until = ymd(rows[i].until),
			.admission_notice_sent = true,
			.ready_notice_sent = true,
		};
		liability_result r;
		char b1[11], b2[11];
		const char *label = rows[i].label;
		T_TRUE(t, p.ready_at != HG_INSTANT_NONE, "%s: fixture parses", label);
		hg_status rc = liability_compute(&a, &in, &r);
		T_EQ_INT(t, rc, rows[i].rc, "%s: status", label);
		T_TRUE(t, rc == HG_OK || r.error != LIABILITY_ERR_NONE, "%s: an error carries its reason", label);
		T_EQ_INT(t, r.ready_days, rows[i].ready_days, "%s: ready-days", label);
		T_EQ_STR(t, fmt(r.grace_end, b1), rows[i].grace_end, "%s: grace end", label);
		T_EQ_INT(t, r.n_nights, rows[i].nights, "%s: nights", label);
		T_EQ_INT(t, r.total_ore, rows[i].total, "%s: total", label);
		T_EQ_INT(t, r.n_unpriced, rows[i].unpriced, "%s: unpriced nights", label);
		T_EQ_STR(t, r.n_nights ? fmt(r.nights[0].date, b2) : NULL, rows[i].first_night, "%s: first night", label);
		/* nights are consecutive and sum to the total */
		int64_t sum = 0;
		bool consecutive = true;
		for (size_t k = 0; k < r.n_nights; k++) {
			sum += r.nights[k].amount_ore;
			if (k > 0 && r.nights[k].date != r.nights[k - 1].date + 1)
				consecutive = false;
		}
		T_EQ_INT(t, sum, r.total_ore, "%s: nights sum to total", label);
		T_TRUE(t, consecutive, "%s: consecutive nights", label);
		liability_result_free(&r);
		T_TRUE(t, r.nights == NULL && r.n_nights == 0, "%s: freed", label);
	}
}

/* Exact reasons for refused input. */
static void test_errors(struct test *t)
{
	static const struct {
		const char *label;
		const char *r1, *e1, *r2, *e2; /* two periods; r2 NULL = one */
		const char *discharged;
		size_t n_override; /* != 0: n_periods to pass */
		liability_error want;
	} rows[] = {
		{"withdrawn before ready", "2024-03-05 10:00", "2024-03-04 10:00", NULL, NULL, "2024-03-09 10:00", 0,
		 LIABILITY_ERR_WITHDRAWN_BEFORE_READY},
		{"second ready before first withdrawal", "2024-03-01 10:00", "2024-03-05 10:00", "2024-03-04 10:00",
		 NULL, "2024-03-09 10:00", 0, LIABILITY_ERR_PERIODS_OVERLAP},
		{"first period open", "2024-03-01 10:00", NULL, "2024-03-04 10:00", NULL, "2024-03-09 10:00", 0,
		 LIABILITY_ERR_OPEN_PERIOD},
		{"withdrawn after discharge", "2024-03-01 10:00", "2024-03-10 10:00", NULL, NULL, "2024-03-09 10:00", 0,
		 LIABILITY_ERR_WITHDRAWN_AFTER_DISCHARGE},
		{"second ready after discharge", "2024-03-01 10:00", "2024-03-02 10:00", "2024-03-10 10:00", NULL,
		 "2024-03-09 10:00", 0, LIABILITY_ERR_DISCHARGE_BEFORE_READY},
		{"discharged before ready", "2024-03-05 10:00", NULL, NULL, NULL, "2024-03-01 10:00", 0,
		 LIABILITY_ERR_DISCHARGE_BEFORE_READY},
		{"no periods", "2024-03-01 10:00", NULL, NULL, NULL, "2024-03-09 10:00", (size_t)-1,
		 LIABILITY_ERR_NO_PERIODS},
		{"33 periods", "2024-03-01 10:00", NULL, NULL, NULL, "2024-03-09 10:00", LIABILITY_PERIODS_MAX + 1,
		 LIABILITY_ERR_NO_PERIODS},
		{"ready instant missing", NULL, NULL, NULL, NULL, "2024-03-09 10:00", 0, LIABILITY_ERR_PERIOD_INSTANT},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
		liability_period p[2] = {{at(rows[i].r1), at(rows[i].e1)}, {at(rows[i].r2), at(rows[i].e2)}};
		size_t n = rows[i].r2 ? 2 : 1;
		if (rows[i].n_override == (size_t)-1)
			n = 0;
		else if (rows[i].n_override)
			n = rows[i].n_override;
		liability_input in = {.care = CARE_SOMATIC, .periods = p, .n_periods = n,
				      .discharged_at = at(rows[i].discharged), .until = HG_DATE_NONE,
				      .admission_notice_sent = true, .ready_notice_sent = true};
		liability_result r;
		T_EQ_INT(t, liability_compute(&a, &in, &r), HG_EINVAL, "%s: status", rows[i].label);
		T_EQ_INT(t, r.error, rows[i].want, "%s: reason", rows[i].label);
		T_TRUE(t, strlen(liability_error_text(r.error)) > 5, "%s: text", rows[i].label);
		liability_result_free(&r);
	}
	agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
	liability_period p = {at("2024-03-01 10:00"), HG_INSTANT_NONE};
	liability_input in = {.care = (care_type)9, .periods = &p, .n_periods = 1,
			      .discharged_at = at("2024-03-09 10:00"), .until = HG_DATE_NONE};
	liability_result r;
	T_EQ_INT(t, liability_compute(&a, &in, &r), HG_EINVAL, "unknown care type");
	T_EQ_INT(t, r.error, LIABILITY_ERR_CARE, "unknown care type: reason");
	liability_result_free(&r);
}

/* Withdrawal: new grace vs continue. Each row has up to three ready periods. */
static void test_withdrawal(struct test *t)
{
	static const struct {
		const char *label;
		agreement_count count;
		int grace;
		agreement_withdrawal mode;
		const char *p[3][2]; /* {ready, withdrawn} */
		const char *discharged;
		int ready_days, nights;
		const char *grace_end_last;
	} rows[] = {
		{"grace ended, new grace", CAL, 3, AGREEMENT_WITHDRAWAL_NEW_GRACE,
		 {{"2024-03-01 10:00", "2024-03-06 10:00"}, {"2024-03-10 10:00", NULL}}, "2024-03-15 10:00", 10, 4,
		 "2024-03-13"},
		{"grace ended, continue: liable at once", CAL, 3, AGREEMENT_WITHDRAWAL_CONTINUE,
		 {{"2024-03-01 10:00", "2024-03-06 10:00"}, {"2024-03-10 10:00", NULL}}, "2024-03-15 10:00", 10, 7,
		 "2024-03-10"},
		{"1 day used, new grace", CAL, 3, AGREEMENT_WITHDRAWAL_NEW_GRACE,
		 {{"2024-03-01 10:00", "2024-03-02 10:00"}, {"2024-03-10 10:00", NULL}}, "2024-03-15 10:00", 6, 2,
		 "2024-03-13"},
		{"1 day used, continue: 2 left", CAL, 3, AGREEMENT_WITHDRAWAL_CONTINUE,
		 {{"2024-03-01 10:00", "2024-03-02 10:00"}, {"2024-03-10 10:00", NULL}}, "2024-03-15 10:00", 6, 3,
		 "2024-03-12"},
		{"exactly used up on the withdrawal day, continue", CAL, 3, AGREEMENT_WITHDRAWAL_CONTINUE,
		 {{"2024-03-01 10:00", "2024-03-04 10:00"}, {"2024-03-10 10:00", NULL}}, "2024-03-15 10:00", 8, 5,
		 "2024-03-10"},
		{"weekdays, new grace", WKD, 5, AGREEMENT_WITHDRAWAL_NEW_GRACE,
		 {{"2024-05-03 10:00", "2024-05-07 10:00"}, {"2024-05-13 10:00", NULL}}, "2024-05-20 10:00", 11, 0,
		 "2024-05-20"},
		{"weekdays, continue: Mon+Tue used", WKD, 5, AGREEMENT_WITHDRAWAL_CONTINUE,
		 {{"2024-05-03 10:00", "2024-05-07 10:00"}, {"2024-05-13 10:00", NULL}}, "2024-05-20 10:00", 11, 4,
		 "2024-05-16"},
		{"withdrawn and ready again the same day", CAL, 3, AGREEMENT_WITHDRAWAL_NEW_GRACE,
		 {{"2024-03-01 10:00", "2024-03-05 09:00"}, {"2024-03-05 15:00", NULL}}, "2024-03-10 10:00", 9, 1 + 2,
		 "2024-03-08"},
		{"three periods, continue", CAL, 3, AGREEMENT_WITHDRAWAL_CONTINUE,
		 {{"2024-03-01 10:00", "2024-03-02 10:00"},
		  {"2024-03-05 10:00", "2024-03-06 10:00"},
		  {"2024-03-10 10:00", NULL}},
		 "2024-03-14 10:00", 6, 3, "2024-03-11"},
		{"withdrawn, discharged later while not ready", CAL, 3, AGREEMENT_WITHDRAWAL_NEW_GRACE,
		 {{"2024-03-01 10:00", "2024-03-08 10:00"}}, "2024-03-20 10:00", 7, 4, "2024-03-04"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(CARE_SOMATIC, rows[i].grace, rows[i].count, false);
		liability_period p[3];
		size_t n = 0;
		a.withdrawal = rows[i].mode;
		for (; n < 3 && rows[i].p[n][0]; n++)
			p[n] = (liability_period){at(rows[i].p[n][0]), rows[i].p[n][1] ? at(rows[i].p[n][1]) : HG_INSTANT_NONE};
		liability_input in = {.care = CARE_SOMATIC, .periods = p, .n_periods = n,
				      .discharged_at = at(rows[i].discharged), .until = HG_DATE_NONE,
				      .admission_notice_sent = true, .ready_notice_sent = true};
		liability_result r;
		char b[11];
		T_EQ_INT(t, liability_compute(&a, &in, &r), HG_OK, "%s: status", rows[i].label);
		T_EQ_INT(t, r.n_periods, n, "%s: periods", rows[i].label);
		T_EQ_INT(t, r.ready_days, rows[i].ready_days, "%s: ready-days", rows[i].label);
		T_EQ_INT(t, r.n_nights, rows[i].nights, "%s: nights", rows[i].label);
		T_EQ_STR(t, n ? fmt(r.periods[n - 1].grace_end, b) : NULL, rows[i].grace_end_last, "%s: last grace end",
			 rows[i].label);
		int per_period = 0;
		for (size_t k = 0; k < r.n_periods; k++)
			per_period += r.periods[k].liable_nights;
		T_EQ_INT(t, per_period, r.n_nights, "%s: periods add up", rows[i].label);
		liability_result_free(&r);
	}
}

/* Billing conditions: each one failing, switched off, or not applicable. */
static void test_billing(struct test *t)
{
	static const struct {
		const char *label;
		bool cond_admission, cond_ready, cond_sip;
		bool admission, ready, sip_needed, sip_called;
		agreement_model model;
		liability_billing want;
		int nights;
	} rows[] = {
		{"all met", true, true, true, true, true, true, true, AGREEMENT_PER_NIGHT, LIABILITY_BILLABLE, 2},
		{"no admission notice", true, true, true, false, true, false, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_NO_ADMISSION_NOTICE, 0},
		{"no ready notice", true, true, true, true, false, false, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_NO_READY_NOTICE, 0},
		{"SIP needed, not called", true, true, true, true, true, true, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_NO_SIP_CALL, 0},
		{"SIP not needed, not called", true, true, true, true, true, false, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_BILLABLE, 2},
		{"admission condition off", false, true, true, false, true, false, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_BILLABLE, 2},
		{"ready condition off", true, false, true, true, false, false, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_BILLABLE, 2},
		{"SIP condition off", true, true, false, true, true, true, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_BILLABLE, 2},
		{"first failing condition wins", true, true, true, false, false, true, false, AGREEMENT_PER_NIGHT,
		 LIABILITY_NO_ADMISSION_NOTICE, 0},
		{"average model: no nights", true, true, true, true, true, false, false, AGREEMENT_AVERAGE,
		 LIABILITY_AVERAGE_MODEL, 0},
		{"average model, condition fails", true, true, true, true, false, false, false, AGREEMENT_AVERAGE,
		 LIABILITY_NO_READY_NOTICE, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
		a.conditions = (agreement_conditions){rows[i].cond_admission, rows[i].cond_ready, rows[i].cond_sip};
		a.model = rows[i].model;
		a.average.period_months = 1;
		liability_period p = {at("2024-03-01 10:00"), HG_INSTANT_NONE};
		liability_input in = {.care = CARE_SOMATIC, .periods = &p, .n_periods = 1,
				      .discharged_at = at("2024-03-06 10:00"), .until = HG_DATE_NONE,
				      .admission_notice_sent = rows[i].admission, .ready_notice_sent = rows[i].ready,
				      .sip_needed = rows[i].sip_needed, .sip_called = rows[i].sip_called};
		liability_result r;
		char b[11];
		T_EQ_INT(t, liability_compute(&a, &in, &r), HG_OK, "%s: status", rows[i].label);
		T_EQ_INT(t, r.billing, rows[i].want, "%s: billing", rows[i].label);
		T_EQ_INT(t, r.n_nights, rows[i].nights, "%s: nights", rows[i].label);
		T_EQ_INT(t, r.total_ore, rows[i].nights * 200000, "%s: total", rows[i].label);
		T_EQ_INT(t, r.ready_days, 5, "%s: ready-days still shown", rows[i].label);
		T_EQ_STR(t, fmt(r.grace_end, b), "2024-03-04", "%s: grace end still shown", rows[i].label);
		T_TRUE(t, liability_billing_code(r.billing)[0] && liability_billing_en(r.billing)[0] &&
				  liability_billing_sv(r.billing)[0],
		       "%s: messages", rows[i].label);
		liability_result_free(&r);
	}
	T_EQ_STR(t, liability_billing_code(LIABILITY_NO_SIP_CALL), "no_sip_call", "code");
}

/* Invoice months: nights grouped by the month they start in. */
static void test_by_month(struct test *t)
{
	static const struct {
		const char *ready, *discharged;
		size_t cap;
		hg_status rc;
		size_t n;
		int y[3], m[3], nights[3];
		int64_t amount[3];
	} rows[] = {
		{"2024-01-25 10:00", "2024-02-03 10:00", 4, HG_OK, 2, {2024, 2024}, {1, 2}, {4, 2}, {800000, 400000}},
		{"2024-12-20 10:00", "2025-01-03 10:00", 4, HG_OK, 2, {2024, 2025}, {12, 1}, {9, 2}, {1800000, 600000}},
		{"2024-01-25 10:00", "2024-03-03 10:00", 3, HG_OK, 3, {2024, 2024, 2024}, {1, 2, 3}, {4, 29, 2},
		 {800000, 5800000, 400000}},
		{"2024-01-25 10:00", "2024-03-03 10:00", 2, HG_ERANGE, 3, {2024, 2024}, {1, 2}, {4, 29},
		 {800000, 5800000}},
		{"2024-01-25 10:00", "2024-01-27 10:00", 0, HG_OK, 0, {0}, {0}, {0}, {0}},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
		liability_period p = {at(rows[i].ready), HG_INSTANT_NONE};
		liability_input in = {.care = CARE_SOMATIC, .periods = &p, .n_periods = 1,
				      .discharged_at = at(rows[i].discharged), .until = HG_DATE_NONE,
				      .admission_notice_sent = true, .ready_notice_sent = true};
		liability_result r;
		liability_month months[4] = {{0}};
		size_t n = 99;
		T_EQ_INT(t, liability_compute(&a, &in, &r), HG_OK, "months %zu: compute", i);
		T_EQ_INT(t, liability_by_month(&r, months, rows[i].cap, &n), rows[i].rc, "months %zu: status", i);
		T_EQ_INT(t, n, rows[i].n, "months %zu: count", i);
		for (size_t k = 0; k < rows[i].n && k < rows[i].cap; k++) {
			T_EQ_INT(t, months[k].year, rows[i].y[k], "months %zu/%zu: year", i, k);
			T_EQ_INT(t, months[k].month, rows[i].m[k], "months %zu/%zu: month", i, k);
			T_EQ_INT(t, months[k].nights, rows[i].nights[k], "months %zu/%zu: nights", i, k);
			T_EQ_INT(t, months[k].amount_ore, rows[i].amount[k], "months %zu/%zu: amount", i, k);
		}
		T_EQ_INT(t, months[rows[i].cap < 4 ? rows[i].cap : 3].nights, 0, "months %zu: nothing past cap", i);
		liability_result_free(&r);
	}
}

static void test_average(struct test *t)
{
	static const liability_episode_days eps[] = {
		{0, CARE_SOMATIC, true},      {2, CARE_SOMATIC, true},     {5, CARE_SOMATIC, true},
		{8, CARE_SOMATIC, true},      {20, CARE_SOMATIC, false},  /* not billable: left out */
		{10, CARE_PSYCHIATRIC, true}, {3, CARE_PSYCHIATRIC, true}, {4, CARE_GERIATRIC, true},
	};
	static const struct {
		const char *label;
		size_t from, n;
		care_type care;
		int64_t threshold, amount;
		hg_status rc;
		int64_t episodes, days, allowed, excess, billed, total;
	} rows[] = {
		{"somatic 15 days over 4 eps, 3.00", 0, 8, CARE_SOMATIC, 300, 100000, HG_OK, 4, 15, 1200, 300, 3, 300000},
		{"somatic below threshold", 0, 8, CARE_SOMATIC, 400, 100000, HG_OK, 4, 15, 1600, 0, 0, 0},
		{"exactly at threshold", 0, 8, CARE_SOMATIC, 375, 100000, HG_OK, 4, 15, 1500, 0, 0, 0},
		{"fraction of a day is not billed", 0, 8, CARE_SOMATIC, 340, 100000, HG_OK, 4, 15, 1360, 140, 1, 100000},
		{"1.01 days above: 1 day", 3, 1, CARE_SOMATIC, 699, 100000, HG_OK, 1, 8, 699, 101, 1, 100000},
		{"0.99 days above: nothing", 3, 1, CARE_SOMATIC, 701, 100000, HG_OK, 1, 8, 701, 99, 0, 0},
		{"psychiatric 13 days over 2 eps, 5.00", 0, 8, CARE_PSYCHIATRIC, 500, 250000, HG_OK, 2, 13, 1000, 300, 3,
		 750000},
		{"geriatric threshold 0", 0, 8, CARE_GERIATRIC, 0, 150000, HG_OK, 1, 4, 0, 400, 4, 600000},
		{"no episodes", 0, 0, CARE_SOMATIC, 300, 100000, HG_OK, 0, 0, 0, 0, 0, 0},
		{"only 0-day episodes", 0, 1, CARE_SOMATIC, 0, 100000, HG_OK, 1, 0, 0, 0, 0, 0},
		{"negative threshold", 0, 8, CARE_SOMATIC, -1, 100000, HG_EINVAL, 0, 0, 0, 0, 0, 0},
		{"negative amount", 0, 8, CARE_SOMATIC, 300, -1, HG_EINVAL, 0, 0, 0, 0, 0, 0},
		{"bad care type", 0, 8, CARE_TYPE_COUNT, 300, 100000, HG_EINVAL, 0, 0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		liability_average_result r;
		hg_status rc = liability_average(eps + rows[i].from, rows[i].n, rows[i].care, rows[i].threshold,
						 rows[i].amount, &r);
		T_EQ_INT(t, rc, rows[i].rc, "%s: status", rows[i].label);
		T_EQ_INT(t, r.episodes, rows[i].episodes, "%s: episodes", rows[i].label);
		T_EQ_INT(t, r.ready_days, rows[i].days, "%s: ready-days", rows[i].label);
		T_EQ_INT(t, r.allowed_centidays, rows[i].allowed, "%s: allowed", rows[i].label);
		T_EQ_INT(t, r.excess_centidays, rows[i].excess, "%s: excess", rows[i].label);
		T_EQ_INT(t, r.days_billed, rows[i].billed, "%s: days billed", rows[i].label);
		T_EQ_INT(t, r.amount_ore, rows[i].total, "%s: amount", rows[i].label);
	}
	/* bad episode data is refused, not skipped */
	liability_episode_days bad[] = {{-1, CARE_SOMATIC, true}};
	liability_average_result r;
	T_EQ_INT(t, liability_average(bad, 1, CARE_SOMATIC, 300, 1, &r), HG_EINVAL, "negative ready-days");
	bad[0] = (liability_episode_days){LIABILITY_DAYS_MAX + 1, CARE_SOMATIC, false};
	T_EQ_INT(t, liability_average(bad, 1, CARE_SOMATIC, 300, 1, &r), HG_EINVAL, "ready-days above ceiling");
	T_EQ_INT(t, liability_average(bad, LIABILITY_EPISODES_MAX + 1, CARE_SOMATIC, 300, 1, &r), HG_ERANGE,
		 "too many episodes");

	/* the agreement wrapper: one result per care type */
	agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
	liability_average_result all[CARE_TYPE_COUNT];
	int64_t total = -1;
	T_EQ_INT(t, liability_average_all(&a, eps, 8, all, &total), HG_EINVAL, "per-night agreement refused");
	a.model = AGREEMENT_AVERAGE;
	a.average = (agreement_average){.period_months = 1,
					.threshold_centidays = {300, 300, 500},
					.amount_ore = {100000, 150000, 250000}};
	T_EQ_INT(t, liability_average_all(&a, eps, 8, all, &total), HG_OK, "average agreement");
	T_EQ_INT(t, all[CARE_SOMATIC].amount_ore, 300000, "all: somatic");
	T_EQ_INT(t, all[CARE_GERIATRIC].amount_ore, 150000, "all: geriatric (4 days over 3.00)");
	T_EQ_INT(t, all[CARE_PSYCHIATRIC].amount_ore, 750000, "all: psychiatric");
	T_EQ_INT(t, total, 1200000, "all: total");
}

/* liability_grace_end: the day liability starts, for worklists. */
static void test_grace_end(struct test *t)
{
	static const struct {
		const char *ready;
		int grace;
		agreement_count count;
		bool eves;
		const char *want;
	} rows[] = {
		{"2024-05-03", 5, AGREEMENT_COUNT_WEEKDAYS, false, "2024-05-13"}, /* design.md: Ascension Day skipped */
		{"2024-03-01", 3, AGREEMENT_COUNT_CALENDAR, false, "2024-03-04"}, /* design.md */
		{"2024-06-20", 1, AGREEMENT_COUNT_WEEKDAYS, false, "2024-06-21"}, /* midsummer eve counts ... */
		{"2024-06-20", 1, AGREEMENT_COUNT_WEEKDAYS, true, "2024-06-24"},  /* ... unless eves are holidays */
		{"2024-12-30", 3, AGREEMENT_COUNT_CALENDAR, false, "2025-01-02"}, /* across New Year */
		{"2024-05-03", 0, AGREEMENT_COUNT_WEEKDAYS, false, "2024-05-03"}, /* no grace */
	};
	char buf[11];
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(CARE_SOMATIC, rows[i].grace, rows[i].count, rows[i].eves);
		T_EQ_STR(t, fmt(liability_grace_end(&a, CARE_SOMATIC, ymd(rows[i].ready)), buf), rows[i].want, "grace end row %zu", i);
	}
	agreement a = test_agreement(CARE_SOMATIC, 3, AGREEMENT_COUNT_CALENDAR, false);
	T_EQ_INT(t, liability_grace_end(NULL, CARE_SOMATIC, ymd("2024-01-01")), HG_DATE_NONE, "no agreement");
	T_EQ_INT(t, liability_grace_end(&a, CARE_TYPE_COUNT, ymd("2024-01-01")), HG_DATE_NONE, "bad care type");
	T_EQ_INT(t, liability_grace_end(&a, CARE_SOMATIC, HG_DATE_NONE), HG_DATE_NONE, "no date");
}

/*
 * The Stockholm 2018-19 terms (seed 003 §10): 5 weekdays somatic and
 * geriatric, 30 psychiatric; 2019: 5 042 kr somatic, 3 638 kr geriatric,
 * 4 277 kr psychiatric. For the year boundary 2020 gets 6 000 / 4 000 /
 * 5 000 kr (figures of this test only).
 */
static agreement stockholm_like(void)
{
	agreement a = {
		.id = "sthlm",
		.name = "Stockholm-like",
		.version = 1,
		.model = AGREEMENT_PER_NIGHT,
		.grace_days = {5, 5, 30},
		.count = AGREEMENT_COUNT_WEEKDAYS,
		.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
		.conditions = {true, true, true},
		.n_rates = 6,
		.rates = {{2019, CARE_SOMATIC, 504200},
			  {2019, CARE_GERIATRIC, 363800},
			  {2019, CARE_PSYCHIATRIC, 427700},
			  {2020, CARE_SOMATIC, 600000},
			  {2020, CARE_GERIATRIC, 400000},
			  {2020, CARE_PSYCHIATRIC, 500000}},
	};
	a.valid_from = ymd("2018-01-01");
	a.valid_to = HG_DATE_NONE;
	return a;
}

/* The amount of each night follows the care type of the ward the patient is in that night (issue 15.1). */
static void test_moves(struct test *t)
{
	static const struct {
		const char *label;
		const char *ready, *discharged;
		care_type care;        /* before the first move */
		const char *moves;     /* "DATE:care DATE:care ..." */
		hg_status rc;
		const char *grace_end;
		int nights;
		int64_t total;
		const char *cares;     /* one letter per night: s, g, p */
	} rows[] = {
		/* issue 15: ready Mon 4 Nov, G = Mon 11 Nov; 11-14 somatic, 15-23 geriatric:
		 * 4 x 5 042 + 9 x 3 638 = 20 168 + 32 742 = 52 910 kr */
		{"issue 15 example", "2019-11-04 10:00", "2019-11-24 10:00", CARE_SOMATIC, "2019-11-15:geriatric", HG_OK,
		 "2019-11-11", 13, 5291000, "ssssggggggggg"},
		{"no move", "2019-11-04 10:00", "2019-11-24 10:00", CARE_SOMATIC, "", HG_OK, "2019-11-11", 13,
		 13 * 504200, "sssssssssssss"},
		/* a move before the ready date sets the care type of every liable night */
		{"moved before ready", "2019-11-04 10:00", "2019-11-13 10:00", CARE_SOMATIC, "2019-11-01:geriatric",
		 HG_OK, "2019-11-11", 2, 2 * 363800, "gg"},
		/* the grace days are those of the care type on the ready date: psychiatric 30 weekdays
		 * from Mon 4 Nov: 4 Nov + 30 weekdays = Mon 16 Dec; moved back to somatic the 2 December:
		 * nights 16..19 Dec somatic */
		{"grace of the ready date's care type", "2019-11-04 10:00", "2019-12-20 10:00", CARE_PSYCHIATRIC,
		 "2019-12-02:somatic", HG_OK, "2019-12-16", 4, 4 * 504200, "ssss"},
		/* moved on the grace end itself: that night is already geriatric */
		{"moved on G", "2019-11-04 10:00", "2019-11-13 10:00", CARE_SOMATIC, "2019-11-11:geriatric", HG_OK,
		 "2019-11-11", 2, 2 * 363800, "gg"},
		/* moved on the discharge date: no night at the new ward */
		{"moved on discharge day", "2019-11-04 10:00", "2019-11-13 10:00", CARE_SOMATIC, "2019-11-13:geriatric",
		 HG_OK, "2019-11-11", 2, 2 * 504200, "ss"},
		/* two moves on one day: the ward at midnight counts */
		{"there and back the same day", "2019-11-04 10:00", "2019-11-13 10:00", CARE_SOMATIC,
		 "2019-11-12:geriatric 2019-11-12:somatic", HG_OK, "2019-11-11", 2, 2 * 504200, "ss"},
		/* month boundary: ready Mon 21 Oct, G = Mon 28 Oct; moved 1 Nov: 28-31 Oct somatic, 1-2 Nov
		 * psychiatric = 4 x 5 042 + 2 x 4 277 = 28 722 kr */
		{"month boundary", "2019-10-21 10:00", "2019-11-03 10:00", CARE_SOMATIC, "2019-11-01:psychiatric", HG_OK,
		 "2019-10-28", 6, 4 * 504200 + 2 * 427700, "sssspp"},
		/* year boundary: ready Fri 13 Dec 2019, G = Fri 20 Dec (5 weekdays: 16-20); moved to geriatric
		 * 28 Dec; 20-27 Dec somatic 2019 (8 x 5 042), 28-31 Dec geriatric 2019 (4 x 3 638),
		 * 1-3 Jan geriatric 2020 (3 x 4 000) */
		{"year boundary", "2019-12-13 10:00", "2020-01-04 10:00", CARE_SOMATIC, "2019-12-28:geriatric", HG_OK,
		 "2019-12-20", 15, 8 * 504200 + 4 * 363800 + 3 * 400000, "ssssssssggggggg"},
		/* refused */
		{"moves out of order", "2019-11-04 10:00", "2019-11-24 10:00", CARE_SOMATIC,
		 "2019-11-15:geriatric 2019-11-10:somatic", HG_EINVAL, "none", 0, 0, ""},
		{"unknown care type", "2019-11-04 10:00", "2019-11-24 10:00", CARE_SOMATIC, "2019-11-15:x", HG_EINVAL,
		 "none", 0, 0, ""},
	};
	agreement a = stockholm_like();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *label = rows[i].label;
		liability_period p = {at(rows[i].ready), HG_INSTANT_NONE};
		liability_input in = {.care = rows[i].care, .periods = &p, .n_periods = 1,
				      .discharged_at = at(rows[i].discharged), .until = HG_DATE_NONE,
				      .admission_notice_sent = true, .ready_notice_sent = true};
		for (const char *m = rows[i].moves; *m;) {
			char day[11], care[16] = "";
			size_t len = strcspn(m, " ");
			memcpy(day, m, 10);
			day[10] = '\0';
			if (len > 11 && len - 11 < sizeof care)
				memcpy(care, m + 11, len - 11);
			liability_move *mv = &in.moves[in.n_moves++];
			mv->from = ymd(day);
			if (!care_type_from_code(care, &mv->care))
				mv->care = CARE_TYPE_COUNT;
			m += len + (m[len] == ' ');
		}
		liability_result r;
		char b[11], cares[64] = "";
		hg_status rc = liability_compute(&a, &in, &r);
		T_EQ_INT(t, rc, rows[i].rc, "%s: status", label);
		if (rc != HG_OK)
			T_EQ_INT(t, r.error, LIABILITY_ERR_MOVES, "%s: error", label);
		T_EQ_STR(t, fmt(r.grace_end, b), rows[i].grace_end, "%s: grace end", label);
		T_EQ_INT(t, r.n_nights, rows[i].nights, "%s: nights", label);
		T_EQ_INT(t, r.total_ore, rows[i].total, "%s: total", label);
		for (size_t k = 0; k < r.n_nights && k + 1 < sizeof cares; k++)
			cares[k] = "sgp"[r.nights[k].care];
		T_EQ_STR(t, cares, rows[i].cares, "%s: care type per night", label);
		liability_result_free(&r);
	}
	liability_input in = {.care = CARE_SOMATIC};
	in.n_moves = 2;
	in.moves[0] = (liability_move){ymd("2019-11-15"), CARE_GERIATRIC};
	in.moves[1] = (liability_move){ymd("2019-11-20"), CARE_PSYCHIATRIC};
	T_EQ_INT(t, liability_care_on(&in, ymd("2019-11-14")), CARE_SOMATIC, "care on: before the first move");
	T_EQ_INT(t, liability_care_on(&in, ymd("2019-11-15")), CARE_GERIATRIC, "care on: the day of a move");
	T_EQ_INT(t, liability_care_on(&in, ymd("2019-11-19")), CARE_GERIATRIC, "care on: between");
	T_EQ_INT(t, liability_care_on(&in, ymd("2019-12-31")), CARE_PSYCHIATRIC, "care on: after the last");
}

/*
 * An agreement that ends hands over, night by night, to its successor or the
 * statutory default (issue 15.2). A: Stockholm-like, 2019 amounts only, in
 * force to 31 Dec 2019. Successor S: a regional agreement from 1 Jan 2020 at
 * 6 500 kr somatic for 2020. Default D: every municipality, 2 calendar days,
 * 7 800 kr somatic 2019 and 9 300 kr somatic 2021, nothing for 2020.
 */
static void test_handover(struct test *t)
{
	agreement a = stockholm_like(), list[2];
	a.n_rates = 3;
	a.valid_to = ymd("2019-12-31");
	a.n_municipalities = 1;
	(void)snprintf(a.region, sizeof a.region, "01");
	(void)snprintf(a.municipalities[0], sizeof a.municipalities[0], "0180");
	agreement succ = a;
	(void)snprintf(succ.id, sizeof succ.id, "successor");
	succ.valid_from = ymd("2020-01-01");
	succ.valid_to = HG_DATE_NONE;
	succ.n_rates = 1;
	succ.rates[0] = (agreement_rate){2020, CARE_SOMATIC, 650000};
	agreement def = stockholm_like();
	(void)snprintf(def.id, sizeof def.id, "default");
	def.count = AGREEMENT_COUNT_CALENDAR;
	def.grace_days[CARE_SOMATIC] = 2;
	def.n_rates = 2;
	def.rates[0] = (agreement_rate){2019, CARE_SOMATIC, 780000};
	def.rates[1] = (agreement_rate){2021, CARE_SOMATIC, 930000};
	static const struct {
		const char *label;
		const char *ready, *discharged;
		int list; /* 0: no hand-over list, 1: default only, 2: successor and default */
		int nights;
		int64_t total;
		int unpriced;
		const char *by; /* the agreement of each night: a, s, d, - (none) */
	} rows[] = {
		/* ready Fri 13 Dec 2019, G = Fri 20 Dec; nights 20-31 Dec at A (12 x 5 042), then 1-3 Jan */
		{"to the successor", "2019-12-13 10:00", "2020-01-04 10:00", 2, 15, 12 * 504200 + 3 * 650000, 0,
		 "aaaaaaaaaaaasss"},
		{"to the default, which has no 2020 amount", "2019-12-13 10:00", "2020-01-04 10:00", 1, 15, 12 * 504200,
		 3, "aaaaaaaaaaaaddd"},
		{"no agreement after the end", "2019-12-13 10:00", "2020-01-04 10:00", 0, 15, 12 * 504200, 3,
		 "aaaaaaaaaaaa---"},
		/* a stay inside A's validity never asks the list */
		{"inside the agreement: no hand-over", "2019-11-04 10:00", "2019-11-13 10:00", 2, 2, 2 * 504200, 0, "aa"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		list[0] = def;
		list[1] = succ;
		liability_period p = {at(rows[i].ready), HG_INSTANT_NONE};
		liability_input in = {.care = CARE_SOMATIC, .periods = &p, .n_periods = 1,
				      .discharged_at = at(rows[i].discharged), .until = HG_DATE_NONE,
				      .admission_notice_sent = true, .ready_notice_sent = true,
				      .handover = rows[i].list ? list : NULL, .n_handover = (size_t)rows[i].list,
				      .municipality = "0180"};
		liability_result r;
		char by[64] = "";
		T_EQ_INT(t, liability_compute(&a, &in, &r), HG_OK, "%s: status", rows[i].label);
		T_EQ_INT(t, r.n_nights, rows[i].nights, "%s: nights", rows[i].label);
		T_EQ_INT(t, r.total_ore, rows[i].total, "%s: total", rows[i].label);
		T_EQ_INT(t, r.n_unpriced, rows[i].unpriced, "%s: unpriced", rows[i].label);
		for (size_t k = 0; k < r.n_nights && k + 1 < sizeof by; k++) {
			const agreement *na = r.nights[k].agreement;
			by[k] = !na ? '-' : na == &a ? 'a' : na == &list[1] ? 's' : na == &list[0] ? 'd' : '?';
			if (!r.nights[k].priced && r.nights[k].amount_ore != 0)
				by[k] = '!';
		}
		T_EQ_STR(t, by, rows[i].by, "%s: agreement per night", rows[i].label);
		liability_result_free(&r);
	}
	T_TRUE(t, agreement_for_night(&a, list, 2, "0180", ymd("2019-12-31")) == &a, "for night: a on its last day");
	T_TRUE(t, agreement_for_night(&a, list, 2, "0180", ymd("2020-01-01")) == &list[1],
	       "for night: the successor naming the municipality beats the default");
	T_TRUE(t, agreement_for_night(&a, list, 2, "0181", ymd("2020-01-01")) == &list[0],
	       "for night: another municipality gets the default");
	T_TRUE(t, agreement_for_night(&a, NULL, 0, "0180", ymd("2020-01-01")) == NULL, "for night: none");
}

/*
 * Nights on leave (permission) are not charged when the agreement says so
 * (issue 15.3). Test agreement: 3 calendar days, somatic 2 000 kr in 2024,
 * 3 000 kr in 2025. The night of D is on leave when the patient left on or
 * before D and came back after D.
 */
static void test_leave(struct test *t)
{
	static const struct {
		const char *label;
		bool free;
		const char *ready, *discharged;
		const char *leaves; /* "START/END;..." local times, END "-" = still away */
		int nights;
		int64_t total;
		int leave_nights;
		const char *first, *last;
	} rows[] = {
		/* R = Fri 1 March, G = Mon 4; out Mon 11: nights 4..10 = 7; a weekend at home Fri 8 14:00 to
		 * Sun 10 18:00: nights 8 and 9 on leave, 5 nights charged */
		{"weekend leave, free", true, "2024-03-01 10:00", "2024-03-11 10:00", "2024-03-08 14:00/2024-03-10 18:00",
		 5, 5 * 200000, 2, "2024-03-04", "2024-03-10"},
		{"weekend leave, charged", false, "2024-03-01 10:00", "2024-03-11 10:00",
		 "2024-03-08 14:00/2024-03-10 18:00", 7, 7 * 200000, 0, "2024-03-04", "2024-03-10"},
		/* a day visit home (out and back the same day) spans no night */
		{"day leave", true, "2024-03-01 10:00", "2024-03-11 10:00", "2024-03-06 09:00/2024-03-06 20:00", 7,
		 7 * 200000, 0, "2024-03-04", "2024-03-10"},
		/* leave inside the grace days: nothing to free, the grace is not prolonged */
		{"leave in the grace days", true, "2024-03-01 10:00", "2024-03-06 10:00",
		 "2024-03-01 15:00/2024-03-03 12:00", 2, 2 * 200000, 0, "2024-03-04", "2024-03-05"},
		/* month boundary: on leave 29 Feb (R = 25 Feb, G = 28 Feb) to 2 March; nights 29 Feb and 1 March free */
		{"leave over the month end", true, "2024-02-25 10:00", "2024-03-04 10:00",
		 "2024-02-29 12:00/2024-03-02 12:00", 3, 3 * 200000, 2, "2024-02-28", "2024-03-03"},
		/* year boundary: R = 27 Dec 2024, G = 30 Dec; home for New Year 31 Dec to 1 Jan; out 3 Jan:
		 * nights 30 Dec (2 000), 1 Jan and 2 Jan (3 000 each) charged, 31 Dec free */
		{"leave over New Year", true, "2024-12-27 10:00", "2025-01-03 10:00", "2024-12-31 10:00/2025-01-01 16:00",
		 3, 200000 + 2 * 300000, 1, "2024-12-30", "2025-01-02"},
		/* still away at the discharge (the fold closes the leave at the discharge) */
		{"away to the end", true, "2024-03-01 10:00", "2024-03-11 10:00", "2024-03-09 10:00/-", 5, 5 * 200000, 2,
		 "2024-03-04", "2024-03-08"},
		{"two leaves", true, "2024-03-01 10:00", "2024-03-11 10:00",
		 "2024-03-04 10:00/2024-03-05 10:00;2024-03-07 10:00/2024-03-08 10:00", 5, 5 * 200000, 2, "2024-03-05",
		 "2024-03-10"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
		a.leave_nights_free = rows[i].free;
		liability_period p = {at(rows[i].ready), HG_INSTANT_NONE};
		liability_input in = {.care = CARE_SOMATIC, .periods = &p, .n_periods = 1,
				      .discharged_at = at(rows[i].discharged), .until = HG_DATE_NONE,
				      .admission_notice_sent = true, .ready_notice_sent = true};
		for (const char *s = rows[i].leaves; *s;) {
			char start[17] = "", end[17] = "";
			size_t len = strcspn(s, ";");
			const char *slash = strchr(s, '/');
			memcpy(start, s, 16);
			if (slash && (size_t)(slash - s) < len && s + len - slash - 1 < (long)sizeof end)
				memcpy(end, slash + 1, (size_t)(s + len - slash - 1));
			in.leaves[in.n_leaves++] = (liability_leave){at(start), strcmp(end, "-") == 0 ? HG_INSTANT_NONE : at(end)};
			s += len + (s[len] == ';');
		}
		liability_result r;
		char b[11];
		const char *label = rows[i].label;
		T_EQ_INT(t, liability_compute(&a, &in, &r), HG_OK, "%s: status", label);
		T_EQ_INT(t, r.n_nights, rows[i].nights, "%s: nights", label);
		T_EQ_INT(t, r.total_ore, rows[i].total, "%s: total", label);
		T_EQ_INT(t, r.n_leave_nights, rows[i].leave_nights, "%s: leave nights", label);
		T_EQ_INT(t, r.periods[0].liable_nights, rows[i].nights, "%s: period's liable nights", label);
		T_EQ_STR(t, r.n_nights ? fmt(r.nights[0].date, b) : "none", rows[i].first, "%s: first", label);
		T_EQ_STR(t, r.n_nights ? fmt(r.nights[r.n_nights - 1].date, b) : "none", rows[i].last, "%s: last", label);
		liability_result_free(&r);
	}
	/* refused: a leave that ends before it starts */
	agreement a = test_agreement(CARE_SOMATIC, 3, CAL, false);
	liability_period p = {at("2024-03-01 10:00"), HG_INSTANT_NONE};
	liability_input in = {.care = CARE_SOMATIC, .periods = &p, .n_periods = 1,
			      .discharged_at = at("2024-03-11 10:00"), .n_leaves = 1};
	in.leaves[0] = (liability_leave){at("2024-03-05 10:00"), at("2024-03-04 10:00")};
	liability_result r;
	T_EQ_INT(t, liability_compute(&a, &in, &r), HG_EINVAL, "leave backwards: refused");
	T_EQ_INT(t, r.error, LIABILITY_ERR_LEAVES, "leave backwards: the reason");
	liability_result_free(&r);
}

int main(void)
{
	struct test t = {.name = "test_liability"};
	test_leave(&t);
	test_handover(&t);
	test_moves(&t);
	test_grace_end(&t);
	test_single(&t);
	test_errors(&t);
	test_withdrawal(&t);
	test_billing(&t);
	test_by_month(&t);
	test_average(&t);
	return test_report(&t);
}
