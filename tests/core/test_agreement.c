/* test_agreement.c - agreement validation, lookup in force, rates, average periods, statutory default. */
#include <string.h>

#include "core/agreement.h"
#include "test.h"

static hg_date ymd(const char *s)
{
	hg_date d = HG_DATE_NONE;
	if (date_parse(s, &d) != HG_OK)
		return HG_DATE_NONE;
	return d;
}

/* A valid regional agreement every mutation starts from. */
static agreement base(void)
{
	agreement a = {
		.id = "test-1",
		.name = "Test agreement",
		.version = 1,
		.region = "01",
		.n_municipalities = 2,
		.municipalities = {"0180", "0184"},
		.model = AGREEMENT_PER_NIGHT,
		.grace_days = {5, 5, 30},
		.count = AGREEMENT_COUNT_WEEKDAYS,
		.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
		.conditions = {true, true, true},
		.n_rates = 3,
		.rates = {{2018, CARE_SOMATIC, 504200}, {2018, CARE_GERIATRIC, 363800}, {2018, CARE_PSYCHIATRIC, 427700}},
		.average = {.period_months = 1},
	};
	a.valid_from = ymd("2018-01-01");
	a.valid_to = ymd("2019-12-31");
	return a;
}

static void m_none(agreement *a) { (void)a; }
static void m_id_empty(agreement *a) { a->id[0] = '\0'; }
static void m_id_upper(agreement *a) { memcpy(a->id, "Test", 5); }
static void m_name_empty(agreement *a) { a->name[0] = '\0'; }
static void m_version_0(agreement *a) { a->version = 0; }
static void m_region_3(agreement *a) { memcpy(a->region, "011", 4); }
static void m_region_alpha(agreement *a) { memcpy(a->region, "AB", 3); }
static void m_region_empty(agreement *a) { a->region[0] = '\0'; }
static void m_muni_short(agreement *a) { memcpy(a->municipalities[1], "184", 4); }
static void m_muni_alpha(agreement *a) { memcpy(a->municipalities[0], "01x0", 5); }
static void m_muni_outside(agreement *a) { memcpy(a->municipalities[1], "2080", 5); }
static void m_muni_dup(agreement *a) { memcpy(a->municipalities[1], "0180", 5); }
static void m_muni_many(agreement *a) { a->n_municipalities = AGREEMENT_MUNICIPALITIES_MAX + 1; }
static void m_no_from(agreement *a) { a->valid_from = HG_DATE_NONE; }
static void m_to_before(agreement *a) { a->valid_to = a->valid_from - 1; }
static void m_to_same(agreement *a) { a->valid_to = a->valid_from; }
static void m_to_open(agreement *a) { a->valid_to = HG_DATE_NONE; }
static void m_model(agreement *a) { a->model = AGREEMENT_MODEL_COUNT; }
static void m_grace_neg(agreement *a) { a->grace_days[CARE_GERIATRIC] = -1; }
static void m_grace_big(agreement *a) { a->grace_days[CARE_PSYCHIATRIC] = 366; }
static void m_grace_zero(agreement *a) { a->grace_days[CARE_SOMATIC] = 0; }
static void m_count(agreement *a) { a->count = (agreement_count)7; }
static void m_withdrawal(agreement *a) { a->withdrawal = (agreement_withdrawal)-1; }
static void m_rate_year(agreement *a) { a->rates[2].year = 1899; }
static void m_rate_care(agreement *a) { a->rates[1].care = CARE_TYPE_COUNT; }
static void m_rate_neg(agreement *a) { a->rates[0].amount_ore = -1; }
static void m_rate_big(agreement *a) { a->rates[0].amount_ore = AGREEMENT_AMOUNT_MAX + 1; }
static void m_rate_zero(agreement *a) { a->rates[0].amount_ore = 0; }
static void m_rate_overlap(agreement *a) { a->rates[a->n_rates++] = (agreement_rate){2018, CARE_GERIATRIC, 1}; }
static void m_rate_next_year(agreement *a) { a->rates[a->n_rates++] = (agreement_rate){2019, CARE_GERIATRIC, 1}; }
static void m_rates_many(agreement *a) { a->n_rates = AGREEMENT_RATES_MAX + 1; }
static void m_no_rates(agreement *a) { a->n_rates = 0; }
static void m_avg_period(agreement *a) { a->model = AGREEMENT_AVERAGE; a->average.period_months = 5; }
static void m_avg_thr(agreement *a) { a->model = AGREEMENT_AVERAGE; a->average.threshold_centidays[1] = -5; }
static void m_avg_amount(agreement *a) { a->model = AGREEMENT_AVERAGE; a->average.amount_ore[2] = -1; }
static void m_avg_ok(agreement *a)
{
	a->model = AGREEMENT_AVERAGE;
	a->average.period_months = 3;
	a->average.threshold_centidays[0] = 300;
	a->average.amount_ore[0] = 930000;
}
/* Yardsticks (issue 15.4): a baseline year and a target per covered municipality. */
static void yard(agreement *a, int year, const char *m0, int64_t c0, const char *m1, int64_t c1)
{
	a->yardstick.baseline_year = year;
	a->yardstick.n_targets = 0;
	if (m0) {
		snprintf(a->yardstick.targets[0].municipality, AGREEMENT_CODE_MAX, "%s", m0);
		a->yardstick.targets[a->yardstick.n_targets++].centidays = c0;
	}
	if (m1) {
		snprintf(a->yardstick.targets[1].municipality, AGREEMENT_CODE_MAX, "%s", m1);
		a->yardstick.targets[a->yardstick.n_targets++].centidays = c1;
	}
}
static void m_yard_ok(agreement *a) { yard(a, 2017, "0180", 250, "0184", 0); }
static void m_yard_year(agreement *a) { yard(a, 1899, "0180", 250, NULL, 0); }
static void m_yard_no_year(agreement *a) { yard(a, 0, "0180", 250, NULL, 0); }
static void m_yard_code(agreement *a) { yard(a, 2017, "0180", 250, "18x4", 100); }
static void m_yard_outside(agreement *a) { yard(a, 2017, "0180", 250, "0186", 100); }
static void m_yard_dup(agreement *a) { yard(a, 2017, "0184", 250, "0184", 100); }
static void m_yard_neg(agreement *a) { yard(a, 2017, "0180", -1, NULL, 0); }
static void m_yard_big(agreement *a) { yard(a, 2017, "0180", 250, "0184", AGREEMENT_THRESHOLD_MAX + 1); }
static void m_yard_many(agreement *a)
{
	yard(a, 2017, "0180", 250, NULL, 0);
	a->yardstick.n_targets = AGREEMENT_MUNICIPALITIES_MAX + 1;
}

/* The average parameters do not matter under the per-night model. */
static void m_avg_ignored(agreement *a) { a->average.period_months = 5; }

static void test_validate(struct test *t)
{
	static const struct {
		const char *label;
		void (*mutate)(agreement *);
		agreement_problem want;
		int index;
		const char *param;
	} rows[] = {
		{"valid", m_none, AGREEMENT_OK, -1, ""},
		{"empty id", m_id_empty, AGREEMENT_BAD_ID, -1, "id"},
		{"upper-case id", m_id_upper, AGREEMENT_BAD_ID, -1, "id"},
		{"empty name", m_name_empty, AGREEMENT_BAD_NAME, -1, "name"},
		{"version 0", m_version_0, AGREEMENT_BAD_VERSION, -1, "version"},
		{"region of 3 digits", m_region_3, AGREEMENT_BAD_REGION, -1, "region"},
		{"region letters", m_region_alpha, AGREEMENT_BAD_REGION, -1, "region"},
		{"no region: any municipality", m_region_empty, AGREEMENT_OK, -1, ""},
		{"municipality of 3 digits", m_muni_short, AGREEMENT_BAD_MUNICIPALITY, 1, "municipalities"},
		{"municipality with a letter", m_muni_alpha, AGREEMENT_BAD_MUNICIPALITY, 0, "municipalities"},
		{"municipality in another county", m_muni_outside, AGREEMENT_MUNICIPALITY_OUTSIDE_REGION, 1,
		 "municipalities"},
		{"municipality twice", m_muni_dup, AGREEMENT_DUPLICATE_MUNICIPALITY, 1, "municipalities"},
		{"65 municipalities", m_muni_many, AGREEMENT_TOO_MANY_MUNICIPALITIES, -1, "municipalities"},
		{"no valid_from", m_no_from, AGREEMENT_NO_VALID_FROM, -1, "valid_from"},
		{"valid_to before valid_from", m_to_before, AGREEMENT_VALID_TO_BEFORE_FROM, -1, "valid_to"},
		{"one-day agreement", m_to_same, AGREEMENT_OK, -1, ""},
		{"open-ended", m_to_open, AGREEMENT_OK, -1, ""},
		{"bad model", m_model, AGREEMENT_BAD_MODEL, -1, "model"},
		{"negative grace", m_grace_neg, AGREEMENT_BAD_GRACE, CARE_GERIATRIC, "grace_days"},
		{"grace 366", m_grace_big, AGREEMENT_BAD_GRACE, CARE_PSYCHIATRIC, "grace_days"},
		{"grace 0", m_grace_zero, AGREEMENT_OK, -1, ""},
		{"bad count", m_count, AGREEMENT_BAD_COUNT, -1, "count"},
		{"bad withdrawal", m_withdrawal, AGREEMENT_BAD_WITHDRAWAL, -1, "withdrawal"},
		{"rate year 1899", m_rate_year, AGREEMENT_BAD_RATE_YEAR, 2, "rates"},
		{"rate care", m_rate_care, AGREEMENT_BAD_RATE_CARE, 1, "rates"},
		{"negative rate", m_rate_neg, AGREEMENT_BAD_RATE_AMOUNT, 0, "rates"},
		{"huge rate", m_rate_big, AGREEMENT_BAD_RATE_AMOUNT, 0, "rates"},
		{"rate 0 (no invoicing)", m_rate_zero, AGREEMENT_OK, -1, ""},
		{"overlapping rate rows", m_rate_overlap, AGREEMENT_OVERLAPPING_RATES, 3, "rates"},
		{"next year's rate", m_rate_next_year, AGREEMENT_OK, -1, ""},
		{"65 rate rows", m_rates_many, AGREEMENT_TOO_MANY_RATES, -1, "rates"},
		{"no rates at all", m_no_rates, AGREEMENT_OK, -1, ""},
		{"average: 5-month period", m_avg_period, AGREEMENT_BAD_PERIOD, -1, "average"},
		{"average: negative threshold", m_avg_thr, AGREEMENT_BAD_THRESHOLD, 1, "average"},
		{"average: negative amount", m_avg_amount, AGREEMENT_BAD_AVERAGE_AMOUNT, 2, "average"},
		{"average: valid", m_avg_ok, AGREEMENT_OK, -1, ""},
		{"per night ignores average", m_avg_ignored, AGREEMENT_OK, -1, ""},
		{"yardstick", m_yard_ok, AGREEMENT_OK, -1, ""},
		{"yardstick: baseline 1899", m_yard_year, AGREEMENT_BAD_YARDSTICK_YEAR, -1, "yardstick"},
		{"yardstick: targets without a year", m_yard_no_year, AGREEMENT_BAD_YARDSTICK_YEAR, -1, "yardstick"},
		{"yardstick: bad code", m_yard_code, AGREEMENT_BAD_TARGET_MUNICIPALITY, 1, "yardstick"},
		{"yardstick: not covered", m_yard_outside, AGREEMENT_TARGET_NOT_COVERED, 1, "yardstick"},
		{"yardstick: twice", m_yard_dup, AGREEMENT_DUPLICATE_TARGET, 1, "yardstick"},
		{"yardstick: negative", m_yard_neg, AGREEMENT_BAD_TARGET, 0, "yardstick"},
		{"yardstick: too large", m_yard_big, AGREEMENT_BAD_TARGET, 1, "yardstick"},
		{"yardstick: 65 targets", m_yard_many, AGREEMENT_TOO_MANY_TARGETS, -1, "yardstick"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = base();
		agreement_issue why = {AGREEMENT_PROBLEM_COUNT, 99};
		rows[i].mutate(&a);
		hg_status rc = agreement_validate(&a, &why);
		T_EQ_INT(t, rc, rows[i].want == AGREEMENT_OK ? HG_OK : HG_EINVAL, "%s: status", rows[i].label);
		T_EQ_INT(t, why.problem, rows[i].want, "%s: problem", rows[i].label);
		T_EQ_INT(t, why.index, rows[i].index, "%s: index", rows[i].label);
		T_EQ_STR(t, agreement_problem_param(why.problem), rows[i].param, "%s: param", rows[i].label);
		T_TRUE(t, agreement_problem_text(why.problem)[0] != '\0', "%s: text", rows[i].label);
	}
	agreement a = base();
	T_EQ_INT(t, agreement_validate(&a, NULL), HG_OK, "validate without issue");
	int64_t centidays = -1;
	int year = -1;
	T_TRUE(t, !agreement_target_for(&a, "0180", &centidays, &year), "no yardstick: no target");
	m_yard_ok(&a);
	T_TRUE(t, agreement_target_for(&a, "0184", &centidays, &year) && centidays == 0 && year == 2017,
	       "a target of 0.00 days in 2017's yardstick");
	T_TRUE(t, agreement_target_for(&a, "0180", &centidays, &year) && centidays == 250, "0180: 2.50 days");
	T_TRUE(t, !agreement_target_for(&a, "0186", &centidays, &year), "no target for another municipality");
	agreement b = a;
	T_TRUE(t, agreement_equal(&a, &b), "equal with yardsticks");
	b.yardstick.targets[1].centidays = 1;
	T_TRUE(t, !agreement_equal(&a, &b), "another target differs");
	a = base();
	T_EQ_STR(t, agreement_problem_param(AGREEMENT_PROBLEM_COUNT), "", "param out of range");
}

static agreement named(const char *id, int version, const char *region, const char *munis, const char *from,
		       const char *to)
{
	agreement a = base();
	snprintf(a.id, sizeof a.id, "%s", id);
	a.version = version;
	snprintf(a.region, sizeof a.region, "%s", region);
	a.n_municipalities = 0;
	for (const char *p = munis; *p; p += p[4] ? 5 : 4)
		snprintf(a.municipalities[a.n_municipalities++], AGREEMENT_CODE_MAX, "%.4s", p);
	a.valid_from = ymd(from);
	a.valid_to = to ? ymd(to) : HG_DATE_NONE;
	return a;
}

static void test_find_in_force(struct test *t)
{
	agreement list[6];
	size_t n_stat;
	const agreement *stat = agreement_statutory(&n_stat);
	list[0] = stat[0];
	list[1] = stat[1];
	list[2] = named("stockholm-2018", 1, "01", "0180 0184", "2018-01-01", "2019-12-31");
	list[3] = named("stockholm-2018", 2, "01", "0180", "2019-07-01", "2019-12-31");
	list[4] = named("falun", 1, "20", "2080", "2020-01-01", NULL);
	list[5] = named("falun", 2, "20", "2080", "2020-01-01", NULL);
	static const struct {
		const char *muni, *on, *want_id;
		int want_version;
	} rows[] = {
		{"0180", "2018-06-01", "stockholm-2018", 1},
		{"0180", "2019-06-30", "stockholm-2018", 1},
		{"0180", "2019-07-01", "stockholm-2018", 2}, /* the later valid_from supersedes */
		{"0180", "2019-12-31", "stockholm-2018", 2}, /* valid_to is inclusive */
		{"0184", "2019-08-01", "stockholm-2018", 1}, /* version 2 does not name Solna */
		{"0180", "2020-01-01", "statutory", 1},       /* regional agreement ended: the law's default */
		{"2080", "2018-06-01", "statutory-2018", 1},
		{"2080", "2018-12-31", "statutory-2018", 1},
		{"2080", "2019-01-01", "statutory", 1},
		{"2080", "2020-01-01", "falun", 2}, /* same start: the higher version */
		{"2080", "2017-12-31", NULL, 0},    /* before the law */
		{"1480", "2030-01-01", "statutory", 1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const agreement *a = agreement_find_in_force(list, 6, rows[i].muni, ymd(rows[i].on));
		T_EQ_STR(t, a ? a->id : NULL, rows[i].want_id, "in force for %s on %s", rows[i].muni, rows[i].on);
		T_EQ_INT(t, a ? a->version : 0, rows[i].want_version, "version for %s on %s", rows[i].muni, rows[i].on);
	}
	T_TRUE(t, agreement_find_in_force(list, 0, "0180", ymd("2019-01-01")) == NULL, "empty list");
	T_TRUE(t, !agreement_covers(&list[2], NULL), "a named list does not cover no municipality");
	T_TRUE(t, agreement_covers(&list[1], "9999"), "the default covers every municipality");
}

static void test_rates(struct test *t)
{
	agreement a = base();
	a.n_rates = 0;
	a.rates[a.n_rates++] = (agreement_rate){2019, CARE_SOMATIC, 780000};
	a.rates[a.n_rates++] = (agreement_rate){2022, CARE_SOMATIC, 930000};
	a.rates[a.n_rates++] = (agreement_rate){2020, CARE_SOMATIC, 800000};
	a.rates[a.n_rates++] = (agreement_rate){2021, CARE_PSYCHIATRIC, 5};
	static const struct {
		care_type care;
		int year;
		hg_status rc;
		int64_t amount;
	} rows[] = {
		{CARE_SOMATIC, 2019, HG_OK, 780000},       {CARE_SOMATIC, 2020, HG_OK, 800000},
		/* issue 15.2: no fallback to an earlier year's amount */
		{CARE_SOMATIC, 2021, HG_ENOTFOUND, -1},    {CARE_SOMATIC, 2022, HG_OK, 930000},
		{CARE_SOMATIC, 2030, HG_ENOTFOUND, -1},    {CARE_SOMATIC, 2018, HG_ENOTFOUND, -1},
		{CARE_GERIATRIC, 2022, HG_ENOTFOUND, -1},  {CARE_PSYCHIATRIC, 2021, HG_OK, 5},
		{CARE_PSYCHIATRIC, 2020, HG_ENOTFOUND, -1}, {CARE_PSYCHIATRIC, 2022, HG_ENOTFOUND, -1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t amount = -1;
		T_EQ_INT(t, agreement_rate_for(&a, rows[i].care, rows[i].year, &amount), rows[i].rc, "rate row %zu", i);
		T_EQ_INT(t, amount, rows[i].amount, "rate row %zu amount", i);
	}
}

static void test_average_period(struct test *t)
{
	static const struct {
		int months;
		const char *on, *start, *end;
	} rows[] = {
		{1, "2024-02-29", "2024-02-01", "2024-03-01"}, {1, "2024-12-31", "2024-12-01", "2025-01-01"},
		{3, "2024-05-15", "2024-04-01", "2024-07-01"}, {3, "2024-12-01", "2024-10-01", "2025-01-01"},
		{4, "2024-09-01", "2024-09-01", "2025-01-01"}, {6, "2024-06-30", "2024-01-01", "2024-07-01"},
		{12, "2024-07-01", "2024-01-01", "2025-01-01"}, {2, "2024-01-01", "2024-01-01", "2024-03-01"},
		{5, "2024-01-01", NULL, NULL},                   {0, "2024-01-01", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a = base();
		hg_date s = HG_DATE_NONE, e = HG_DATE_NONE;
		char b1[11] = "none", b2[11] = "none";
		a.average.period_months = rows[i].months;
		hg_status rc = agreement_average_period(&a, ymd(rows[i].on), &s, &e);
		T_EQ_INT(t, rc, rows[i].start ? HG_OK : HG_EINVAL, "period %d of %s", rows[i].months, rows[i].on);
		if (rc == HG_OK) {
			T_EQ_STR(t, date_format(s, b1), rows[i].start, "period %d of %s: start", rows[i].months, rows[i].on);
			T_EQ_STR(t, date_format(e, b2), rows[i].end, "period %d of %s: end", rows[i].months, rows[i].on);
		}
	}
}

static void test_statutory(struct test *t)
{
	size_t n = 0;
	const agreement *s = agreement_statutory(&n);
	T_EQ_INT(t, n, 2, "two statutory records");
	for (size_t i = 0; i < n; i++)
		T_EQ_INT(t, agreement_validate(&s[i], NULL), HG_OK, "statutory %zu validates", i);
	T_EQ_STR(t, s[0].id, "statutory-2018", "first id");
	T_EQ_INT(t, s[0].valid_from, ymd("2018-01-01"), "2018 from");
	T_EQ_INT(t, s[0].valid_to, ymd("2018-12-31"), "2018 to");
	T_EQ_INT(t, s[0].grace_days[CARE_PSYCHIATRIC], 30, "2018 psychiatric: 30 days");
	T_EQ_STR(t, s[1].id, "statutory", "second id");
	T_EQ_INT(t, s[1].valid_from, ymd("2019-01-01"), "from 2019");
	T_EQ_INT(t, s[1].valid_to, HG_DATE_NONE, "open-ended");
	for (int c = 0; c < CARE_TYPE_COUNT; c++) {
		int64_t amount = 0;
		T_EQ_INT(t, s[1].grace_days[c], 3, "3 days for care %d", c);
		T_EQ_INT(t, agreement_rate_for(&s[1], (care_type)c, 2019, &amount), HG_OK, "2019 rate %d", c);
		T_EQ_INT(t, amount, 780000, "7 800 kr in 2019 for care %d", c);
		T_EQ_INT(t, agreement_rate_for(&s[1], (care_type)c, 2022, &amount), HG_OK, "2022 rate %d", c);
		T_EQ_INT(t, amount, 930000, "9 300 kr in 2022 for care %d", c);
		T_EQ_INT(t, agreement_rate_for(&s[1], (care_type)c, 2020, &amount), HG_ENOTFOUND,
			 "2020: no amount until an administrator imports it, care %d", c);
	}
	T_EQ_INT(t, s[1].count, AGREEMENT_COUNT_CALENDAR, "calendar days");
	T_TRUE(t, agreement_equal(&s[1], &s[1]), "equal to itself");
	T_TRUE(t, !agreement_equal(&s[0], &s[1]), "the two differ");
}

static void test_codes(struct test *t)
{
	static const struct {
		const char *code;
		int kind; /* 0 model, 1 count, 2 withdrawal */
		int want; /* -1: unknown */
	} rows[] = {
		{"per_night", 0, AGREEMENT_PER_NIGHT},
		{"average", 0, AGREEMENT_AVERAGE},
		{"Average", 0, -1},
		{"calendar", 1, AGREEMENT_COUNT_CALENDAR},
		{"weekdays", 1, AGREEMENT_COUNT_WEEKDAYS},
		{"workdays", 1, -1},
		{"new_grace", 2, AGREEMENT_WITHDRAWAL_NEW_GRACE},
		{"continue", 2, AGREEMENT_WITHDRAWAL_CONTINUE},
		{"", 2, -1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int got = -1;
		bool ok;
		const char *back = NULL;
		if (rows[i].kind == 0) {
			agreement_model m;
			ok = agreement_model_from_code(rows[i].code, &m);
			if (ok) {
				got = (int)m;
				back = agreement_model_code(m);
			}
		} else if (rows[i].kind == 1) {
			agreement_count c;
			ok = agreement_count_from_code(rows[i].code, &c);
			if (ok) {
				got = (int)c;
				back = agreement_count_code(c);
			}
		} else {
			agreement_withdrawal w;
			ok = agreement_withdrawal_from_code(rows[i].code, &w);
			if (ok) {
				got = (int)w;
				back = agreement_withdrawal_code(w);
			}
		}
		T_EQ_INT(t, got, rows[i].want, "code '%s'", rows[i].code);
		if (ok)
			T_EQ_STR(t, back, rows[i].code, "code '%s' back", rows[i].code);
	}
}

int main(void)
{
	struct test t = {.name = "test_agreement"};
	test_validate(&t);
	test_find_in_force(&t);
	test_rates(&t);
	test_average_period(&t);
	test_statutory(&t);
	test_codes(&t);
	return test_report(&t);
}
