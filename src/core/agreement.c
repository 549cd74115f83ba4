/*
 * agreement.c - validation, lookup and the built-in statutory default of the
 * liability agreements declared in agreement.h.
 *
 * The problem table below is the single list of what can be wrong with an
 * agreement; validation walks the record once and reports the first problem,
 * so an agreement file is rejected with the parameter named.
 */
#include "core/agreement.h"

#include <string.h>

static const struct {
	const char *param;
	const char *text;
} problems[AGREEMENT_PROBLEM_COUNT] = {
	[AGREEMENT_OK] = {"", "valid"},
	[AGREEMENT_BAD_ID] = {"id", "id must be 1-47 characters of a-z, 0-9, '.', '_', '-'"},
	[AGREEMENT_BAD_NAME] = {"name", "name must not be empty"},
	[AGREEMENT_BAD_VERSION] = {"version", "version must be at least 1"},
	[AGREEMENT_BAD_REGION] = {"region", "region must be a 2-digit county code or empty"},
	[AGREEMENT_TOO_MANY_MUNICIPALITIES] = {"municipalities", "more than 64 municipalities"},
	[AGREEMENT_BAD_MUNICIPALITY] = {"municipalities", "a municipality code must be 4 digits"},
	[AGREEMENT_MUNICIPALITY_OUTSIDE_REGION] = {"municipalities",
						   "a municipality code must start with the region code"},
	[AGREEMENT_DUPLICATE_MUNICIPALITY] = {"municipalities", "a municipality is listed twice"},
	[AGREEMENT_NO_VALID_FROM] = {"valid_from", "valid_from is missing"},
	[AGREEMENT_VALID_TO_BEFORE_FROM] = {"valid_to", "valid_to is before valid_from"},
	[AGREEMENT_BAD_MODEL] = {"model", "model must be per_night or average"},
	[AGREEMENT_BAD_GRACE] = {"grace_days", "grace days must be 0..365"},
	[AGREEMENT_BAD_COUNT] = {"count", "count must be calendar or weekdays"},
	[AGREEMENT_BAD_WITHDRAWAL] = {"withdrawal", "withdrawal must be new_grace or continue"},
	[AGREEMENT_TOO_MANY_RATES] = {"rates", "more than 64 rate rows"},
	[AGREEMENT_BAD_RATE_YEAR] = {"rates", "a rate year must be 1900..2199"},
	[AGREEMENT_BAD_RATE_CARE] = {"rates", "a rate has an unknown care type"},
	[AGREEMENT_BAD_RATE_AMOUNT] = {"rates", "a rate amount must be 0..100000000 öre"},
	[AGREEMENT_OVERLAPPING_RATES] = {"rates", "two rate rows for the same year and care type"},
	[AGREEMENT_BAD_PERIOD] = {"average", "average.period_months must be 1, 2, 3, 4, 6 or 12"},
	[AGREEMENT_BAD_THRESHOLD] = {"average", "average.threshold_centidays must be 0..100000"},
	[AGREEMENT_BAD_AVERAGE_AMOUNT] = {"average", "average.amount_ore must be 0..100000000"},
	[AGREEMENT_BAD_YARDSTICK_YEAR] = {"yardstick", "yardstick.baseline_year must be 1900..2199"},
	[AGREEMENT_TOO_MANY_TARGETS] = {"yardstick", "more than 64 yardstick targets"},
	[AGREEMENT_BAD_TARGET_MUNICIPALITY] = {"yardstick", "a target's municipality code must be 4 digits"},
	[AGREEMENT_TARGET_NOT_COVERED] = {"yardstick", "a target's municipality is not covered by the agreement"},
	[AGREEMENT_DUPLICATE_TARGET] = {"yardstick", "a municipality has two targets"},
	[AGREEMENT_BAD_TARGET] = {"yardstick", "a target must be 0..100000 hundredths of a day"},
};

const char *agreement_problem_param(agreement_problem p)
{
	return (unsigned)p < AGREEMENT_PROBLEM_COUNT ? problems[p].param : "";
}

const char *agreement_problem_text(agreement_problem p)
{
	return (unsigned)p < AGREEMENT_PROBLEM_COUNT ? problems[p].text : "unknown problem";
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

static bool id_valid(const char *s)
{
	size_t n = strnlen(s, HG_ID_MAX);
	if (n == 0 || n >= HG_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool period_months_valid(int m) { return m == 1 || m == 2 || m == 3 || m == 4 || m == 6 || m == 12; }

/* The first problem of the yardstick (none when baseline_year is 0 and there are no targets). */
static agreement_problem yardstick_problem(const agreement *a, int *index)
{
	const agreement_yardstick *y = &a->yardstick;
	*index = -1;
	if (y->baseline_year == 0 && y->n_targets == 0)
		return AGREEMENT_OK;
	if (y->baseline_year < 1900 || y->baseline_year > 2199)
		return AGREEMENT_BAD_YARDSTICK_YEAR;
	if (y->n_targets > AGREEMENT_MUNICIPALITIES_MAX)
		return AGREEMENT_TOO_MANY_TARGETS;
	for (size_t i = 0; i < y->n_targets; i++) {
		const agreement_target *t = &y->targets[i];
		*index = (int)i;
		if (strnlen(t->municipality, AGREEMENT_CODE_MAX) != 4 || !all_digits(t->municipality, 4))
			return AGREEMENT_BAD_TARGET_MUNICIPALITY;
		if (!agreement_covers(a, t->municipality))
			return AGREEMENT_TARGET_NOT_COVERED;
		for (size_t j = 0; j < i; j++)
			if (strcmp(y->targets[j].municipality, t->municipality) == 0)
				return AGREEMENT_DUPLICATE_TARGET;
		if (t->centidays < 0 || t->centidays > AGREEMENT_THRESHOLD_MAX)
			return AGREEMENT_BAD_TARGET;
	}
	*index = -1;
	return AGREEMENT_OK;
}

/* Returns the first problem found, with its row in *index. */
static agreement_problem find_problem(const agreement *a, int *index)
{
	*index = -1;
	if (!id_valid(a->id))
		return AGREEMENT_BAD_ID;
	if (strnlen(a->name, HG_NAME_MAX) == 0 || strnlen(a->name, HG_NAME_MAX) == HG_NAME_MAX)
		return AGREEMENT_BAD_NAME;
	if (a->version < 1)
		return AGREEMENT_BAD_VERSION;
	if (strnlen(a->region, AGREEMENT_CODE_MAX) == AGREEMENT_CODE_MAX ||
	    (a->region[0] && !all_digits(a->region, 2)))
		return AGREEMENT_BAD_REGION;
	if (a->n_municipalities > AGREEMENT_MUNICIPALITIES_MAX)
		return AGREEMENT_TOO_MANY_MUNICIPALITIES;
	for (size_t i = 0; i < a->n_municipalities; i++) {
		const char *m = a->municipalities[i];
		*index = (int)i;
		if (strnlen(m, AGREEMENT_CODE_MAX) != 4 || !all_digits(m, 4))
			return AGREEMENT_BAD_MUNICIPALITY;
		if (a->region[0] && strncmp(m, a->region, 2) != 0)
			return AGREEMENT_MUNICIPALITY_OUTSIDE_REGION;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->municipalities[j], m) == 0)
				return AGREEMENT_DUPLICATE_MUNICIPALITY;
	}
	*index = -1;
	if (a->valid_from == HG_DATE_NONE)
		return AGREEMENT_NO_VALID_FROM;
	if (a->valid_to != HG_DATE_NONE && a->valid_to < a->valid_from)
		return AGREEMENT_VALID_TO_BEFORE_FROM;
	if ((unsigned)a->model >= AGREEMENT_MODEL_COUNT)
		return AGREEMENT_BAD_MODEL;
	for (int c = 0; c < CARE_TYPE_COUNT; c++) {
		*index = c;
		if (a->grace_days[c] < 0 || a->grace_days[c] > AGREEMENT_GRACE_MAX)
			return AGREEMENT_BAD_GRACE;
	}
	*index = -1;
	if ((unsigned)a->count >= AGREEMENT_COUNT_MODE_COUNT)
		return AGREEMENT_BAD_COUNT;
	if ((unsigned)a->withdrawal >= AGREEMENT_WITHDRAWAL_COUNT)
		return AGREEMENT_BAD_WITHDRAWAL;
	if (a->n_rates > AGREEMENT_RATES_MAX)
		return AGREEMENT_TOO_MANY_RATES;
	for (size_t i = 0; i < a->n_rates; i++) {
		const agreement_rate *r = &a->rates[i];
		*index = (int)i;
		if (r->year < 1900 || r->year > 2199)
			return AGREEMENT_BAD_RATE_YEAR;
		if ((unsigned)r->care >= CARE_TYPE_COUNT)
			return AGREEMENT_BAD_RATE_CARE;
		if (r->amount_ore < 0 || r->amount_ore > AGREEMENT_AMOUNT_MAX)
			return AGREEMENT_BAD_RATE_AMOUNT;
		for (size_t j = 0; j < i; j++)
			if (a->rates[j].year == r->year && a->rates[j].care == r->care)
				return AGREEMENT_OVERLAPPING_RATES;
	}
	*index = -1;
	if (a->model == AGREEMENT_AVERAGE) {
		if (!period_months_valid(a->average.period_months))
			return AGREEMENT_BAD_PERIOD;
		for (int c = 0; c < CARE_TYPE_COUNT; c++) {
			*index = c;
			if (a->average.threshold_centidays[c] < 0 ||
			    a->average.threshold_centidays[c] > AGREEMENT_THRESHOLD_MAX)
				return AGREEMENT_BAD_THRESHOLD;
			if (a->average.amount_ore[c] < 0 || a->average.amount_ore[c] > AGREEMENT_AMOUNT_MAX)
				return AGREEMENT_BAD_AVERAGE_AMOUNT;
		}
		*index = -1;
	}
	return yardstick_problem(a, index);
}

hg_status agreement_validate(const agreement *a, agreement_issue *why)
{
	int index;
	agreement_problem p = find_problem(a, &index);
	if (why) {
		why->problem = p;
		why->index = p == AGREEMENT_OK ? -1 : index;
	}
	return p == AGREEMENT_OK ? HG_OK : HG_EINVAL;
}

bool agreement_covers(const agreement *a, const char *municipality)
{
	if (a->n_municipalities == 0)
		return true;
	if (!municipality)
		return false;
	for (size_t i = 0; i < a->n_municipalities && i < AGREEMENT_MUNICIPALITIES_MAX; i++)
		if (strcmp(a->municipalities[i], municipality) == 0)
			return true;
	return false;
}

bool agreement_in_force(const agreement *a, hg_date on)
{
	return on != HG_DATE_NONE && a->valid_from != HG_DATE_NONE && on >= a->valid_from &&
	       (a->valid_to == HG_DATE_NONE || on <= a->valid_to);
}

/* True when candidate should be preferred over best for the same municipality and date. */
static bool better(const agreement *candidate, const agreement *best)
{
	bool c_named = candidate->n_municipalities > 0, b_named = best->n_municipalities > 0;
	if (c_named != b_named)
		return c_named;
	if (candidate->valid_from != best->valid_from)
		return candidate->valid_from > best->valid_from;
	return candidate->version > best->version;
}

const agreement *agreement_find_in_force(const agreement *list, size_t n, const char *municipality, hg_date on)
{
	const agreement *best = NULL;
	for (size_t i = 0; i < n; i++) {
		const agreement *a = &list[i];
		if (!agreement_in_force(a, on) || !agreement_covers(a, municipality))
			continue;
		if (!best || better(a, best))
			best = a;
	}
	return best;
}

hg_status agreement_rate_for(const agreement *a, care_type care, int year, int64_t *amount_ore)
{
	for (size_t i = 0; i < a->n_rates && i < AGREEMENT_RATES_MAX; i++)
		if (a->rates[i].care == care && a->rates[i].year == year) {
			*amount_ore = a->rates[i].amount_ore;
			return HG_OK;
		}
	return HG_ENOTFOUND;
}

const agreement *agreement_for_night(const agreement *a, const agreement *list, size_t n, const char *municipality,
				     hg_date night)
{
	if (a && agreement_in_force(a, night))
		return a;
	return agreement_find_in_force(list, n, municipality, night);
}

hg_status agreement_average_period(const agreement *a, hg_date d, hg_date *start, hg_date *end)
{
	int months = a->average.period_months, y, m, day;
	if (!period_months_valid(months))
		return HG_EINVAL;
	date_to_ymd(d, &y, &m, &day);
	int first = (m - 1) / months * months + 1; /* first month of the period, 1-based */
	int next = first + months;
	*start = date_from_ymd(y, first, 1);
	*end = next > 12 ? date_from_ymd(y + 1, next - 12, 1) : date_from_ymd(y, next, 1);
	return HG_OK;
}

/*
 * The statutory defaults. Day numbers: 2018-01-01 = 17532, 2018-12-31 = 17896,
 * 2019-01-01 = 17897 (checked by test_agreement against date_from_ymd).
 * Sources are cited in agreements/statutory*.json and docs/liability.md.
 */
#define ALL_CARE(n) {[CARE_SOMATIC] = (n), [CARE_GERIATRIC] = (n), [CARE_PSYCHIATRIC] = (n)}
#define NATIONAL(year, ore) {(year), CARE_SOMATIC, (ore)}, {(year), CARE_GERIATRIC, (ore)}, {(year), CARE_PSYCHIATRIC, (ore)}

static const agreement statutory[] = {
	{
		.id = "statutory-2018",
		.name = "Lagens standard 2018 (SFS 2017:612 5 kap.; psykiatrisk vård: 30 dagar, prop. 2017/18:12)",
		.version = 1,
		.region = "",
		.n_municipalities = 0,
		.valid_from = 17532,
		.valid_to = 17896,
		.model = AGREEMENT_PER_NIGHT,
		.grace_days = {[CARE_SOMATIC] = 3, [CARE_GERIATRIC] = 3, [CARE_PSYCHIATRIC] = 30},
		.count = AGREEMENT_COUNT_CALENDAR,
		.eves_are_holidays = false,
		.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
		.conditions = {.admission_notice = true, .ready_notice = true, .sip_called = true},
		.n_rates = 0, /* the 2018 amount (HSLF-FS 2017:72) could not be documented */
	},
	{
		.id = "statutory",
		.name = "Lagens standard (SFS 2017:612 5 kap.): 3 kalenderdagar, nationellt belopp",
		.version = 1,
		.region = "",
		.n_municipalities = 0,
		.valid_from = 17897,
		.valid_to = HG_DATE_NONE,
		.model = AGREEMENT_PER_NIGHT,
		.grace_days = ALL_CARE(3),
		.count = AGREEMENT_COUNT_CALENDAR,
		.eves_are_holidays = false,
		.withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
		.conditions = {.admission_notice = true, .ready_notice = true, .sip_called = true},
		.n_rates = 6,
		.rates = {NATIONAL(2019, 780000), NATIONAL(2022, 930000)},
	},
};

const agreement *agreement_statutory(size_t *n)
{
	*n = sizeof statutory / sizeof statutory[0];
	return statutory;
}

static const char *const model_codes[AGREEMENT_MODEL_COUNT] = {
	[AGREEMENT_PER_NIGHT] = "per_night",
	[AGREEMENT_AVERAGE] = "average",
};
static const char *const count_codes[AGREEMENT_COUNT_MODE_COUNT] = {
	[AGREEMENT_COUNT_CALENDAR] = "calendar",
	[AGREEMENT_COUNT_WEEKDAYS] = "weekdays",
};
static const char *const withdrawal_codes[AGREEMENT_WITHDRAWAL_COUNT] = {
	[AGREEMENT_WITHDRAWAL_NEW_GRACE] = "new_grace",
	[AGREEMENT_WITHDRAWAL_CONTINUE] = "continue",
};

static bool code_index(const char *const *tab, int n, const char *code, int *out)
{
	if (!code)
		return false;
	for (int i = 0; i < n; i++) {
		if (strcmp(tab[i], code) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

const char *agreement_model_code(agreement_model m)
{
	return (unsigned)m < AGREEMENT_MODEL_COUNT ? model_codes[m] : "?";
}

bool agreement_model_from_code(const char *code, agreement_model *out)
{
	int i;
	if (!code_index(model_codes, AGREEMENT_MODEL_COUNT, code, &i))
		return false;
	*out = (agreement_model)i;
	return true;
}

const char *agreement_count_code(agreement_count c)
{
	return (unsigned)c < AGREEMENT_COUNT_MODE_COUNT ? count_codes[c] : "?";
}

bool agreement_count_from_code(const char *code, agreement_count *out)
{
	int i;
	if (!code_index(count_codes, AGREEMENT_COUNT_MODE_COUNT, code, &i))
		return false;
	*out = (agreement_count)i;
	return true;
}

const char *agreement_withdrawal_code(agreement_withdrawal w)
{
	return (unsigned)w < AGREEMENT_WITHDRAWAL_COUNT ? withdrawal_codes[w] : "?";
}

bool agreement_withdrawal_from_code(const char *code, agreement_withdrawal *out)
{
	int i;
	if (!code_index(withdrawal_codes, AGREEMENT_WITHDRAWAL_COUNT, code, &i))
		return false;
	*out = (agreement_withdrawal)i;
	return true;
}

bool agreement_target_for(const agreement *a, const char *municipality, int64_t *centidays, int *baseline_year)
{
	if (!a || !municipality || a->yardstick.baseline_year == 0)
		return false;
	for (size_t i = 0; i < a->yardstick.n_targets && i < AGREEMENT_MUNICIPALITIES_MAX; i++)
		if (strcmp(a->yardstick.targets[i].municipality, municipality) == 0) {
			*centidays = a->yardstick.targets[i].centidays;
			*baseline_year = a->yardstick.baseline_year;
			return true;
		}
	return false;
}

bool agreement_equal(const agreement *a, const agreement *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->name, b->name) || a->version != b->version ||
	    strcmp(a->region, b->region) || a->n_municipalities != b->n_municipalities ||
	    a->valid_from != b->valid_from || a->valid_to != b->valid_to || a->model != b->model ||
	    a->count != b->count || a->eves_are_holidays != b->eves_are_holidays ||
	    a->withdrawal != b->withdrawal || a->conditions.admission_notice != b->conditions.admission_notice ||
	    a->conditions.ready_notice != b->conditions.ready_notice ||
	    a->conditions.sip_called != b->conditions.sip_called || a->n_rates != b->n_rates ||
	    a->leave_nights_free != b->leave_nights_free)
		return false;
	if (a->n_municipalities > AGREEMENT_MUNICIPALITIES_MAX || a->n_rates > AGREEMENT_RATES_MAX)
		return false;
	for (size_t i = 0; i < a->n_municipalities; i++)
		if (strcmp(a->municipalities[i], b->municipalities[i]))
			return false;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		if (a->grace_days[c] != b->grace_days[c])
			return false;
	for (size_t i = 0; i < a->n_rates; i++)
		if (a->rates[i].year != b->rates[i].year || a->rates[i].care != b->rates[i].care ||
		    a->rates[i].amount_ore != b->rates[i].amount_ore)
			return false;
	if (a->yardstick.baseline_year != b->yardstick.baseline_year ||
	    a->yardstick.n_targets != b->yardstick.n_targets || a->yardstick.n_targets > AGREEMENT_MUNICIPALITIES_MAX)
		return false;
	for (size_t i = 0; i < a->yardstick.n_targets; i++)
		if (strcmp(a->yardstick.targets[i].municipality, b->yardstick.targets[i].municipality) ||
		    a->yardstick.targets[i].centidays != b->yardstick.targets[i].centidays)
			return false;
	if (a->model == AGREEMENT_AVERAGE) {
		if (a->average.period_months != b->average.period_months)
			return false;
		for (int c = 0; c < CARE_TYPE_COUNT; c++)
			if (a->average.threshold_centidays[c] != b->average.threshold_centidays[c] ||
			    a->average.amount_ore[c] != b->average.amount_ore[c])
				return false;
	}
	return true;
}
