/*
 * agreement_json.c - the JSON file format of an agreement, read with Jansson.
 *
 * One table lists the top-level keys, whether each is required and the
 * function that reads it into struct agreement; an unknown key is an error (a
 * misspelt "grace_day" must not silently fall back to a default). After the
 * fields are read, agreement_validate() checks the rules and its problem is
 * reported with the parameter it names.
 */
#include "wire/agreement_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

/* Writes "field: message" into err. Returns HG_EINVAL. */
__attribute__((format(printf, 4, 5))) static hg_status field_error(char *err, size_t errlen, const char *field,
								   const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: ", field);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return HG_EINVAL;
}

/* Copies a JSON string of at most cap-1 bytes into dst. */
static hg_status read_string(const json_t *v, char *dst, size_t cap, const char *field, char *err, size_t errlen)
{
	if (!json_is_string(v))
		return field_error(err, errlen, field, "must be a string");
	size_t len = json_string_length(v);
	if (len >= cap)
		return field_error(err, errlen, field, "longer than %zu bytes", cap - 1);
	if (strlen(json_string_value(v)) != len)
		return field_error(err, errlen, field, "contains a NUL character");
	memcpy(dst, json_string_value(v), len + 1);
	return HG_OK;
}

static hg_status read_int(const json_t *v, long long lo, long long hi, long long *out, const char *field, char *err,
			  size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return field_error(err, errlen, field, "must be an integer %lld..%lld", lo, hi);
	*out = json_integer_value(v);
	return HG_OK;
}

static hg_status read_bool(const json_t *v, bool *out, const char *field, char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return field_error(err, errlen, field, "must be true or false");
	*out = json_is_true(v);
	return HG_OK;
}

static hg_status read_date(const json_t *v, bool nullable, hg_date *out, const char *field, char *err, size_t errlen)
{
	if (nullable && json_is_null(v)) {
		*out = HG_DATE_NONE;
		return HG_OK;
	}
	if (!json_is_string(v) || date_parse(json_string_value(v), out) != HG_OK)
		return field_error(err, errlen, field, "must be a date YYYY-MM-DD%s", nullable ? " or null" : "");
	return HG_OK;
}

/* Reads {"somatic": N, "geriatric": N, "psychiatric": N}: every care type, nothing else. */
static hg_status read_per_care(const json_t *v, long long hi, long long out[CARE_TYPE_COUNT], const char *field,
			       char *err, size_t errlen)
{
	const char *key;
	json_t *val;
	char name[64];
	if (!json_is_object(v))
		return field_error(err, errlen, field, "must be an object with somatic, geriatric and psychiatric");
	json_object_foreach((json_t *)v, key, val) {
		care_type c;
		if (!care_type_from_code(key, &c))
			return field_error(err, errlen, field, "unknown care type '%.40s'", key);
	}
	for (int c = 0; c < CARE_TYPE_COUNT; c++) {
		const char *code = care_type_label((care_type)c)->code;
		snprintf(name, sizeof name, "%s.%s", field, code);
		val = json_object_get(v, code);
		if (!val)
			return field_error(err, errlen, name, "missing");
		if (read_int(val, 0, hi, &out[c], name, err, errlen))
			return HG_EINVAL;
	}
	return HG_OK;
}

typedef hg_status (*field_reader)(const json_t *v, agreement *a, char *err, size_t errlen);

static hg_status f_format(const json_t *v, agreement *a, char *err, size_t errlen)
{
	(void)a;
	if (!json_is_string(v) || strcmp(json_string_value(v), AGREEMENT_JSON_FORMAT) != 0)
		return field_error(err, errlen, "format", "must be \"%s\"", AGREEMENT_JSON_FORMAT);
	return HG_OK;
}

static hg_status f_id(const json_t *v, agreement *a, char *err, size_t errlen)
{
	return read_string(v, a->id, sizeof a->id, "id", err, errlen);
}

static hg_status f_name(const json_t *v, agreement *a, char *err, size_t errlen)
{
	return read_string(v, a->name, sizeof a->name, "name", err, errlen);
}

static hg_status f_version(const json_t *v, agreement *a, char *err, size_t errlen)
{
	long long n = 0;
	if (read_int(v, 1, 1000000, &n, "version", err, errlen))
		return HG_EINVAL;
	a->version = (int)n;
	return HG_OK;
}

static hg_status f_region(const json_t *v, agreement *a, char *err, size_t errlen)
{
	return read_string(v, a->region, sizeof a->region, "region", err, errlen);
}

static hg_status f_municipalities(const json_t *v, agreement *a, char *err, size_t errlen)
{
	char name[48];
	if (!json_is_array(v))
		return field_error(err, errlen, "municipalities", "must be an array of 4-digit codes");
	if (json_array_size(v) > AGREEMENT_MUNICIPALITIES_MAX)
		return field_error(err, errlen, "municipalities", "more than %d entries", AGREEMENT_MUNICIPALITIES_MAX);
	a->n_municipalities = json_array_size(v);
	for (size_t i = 0; i < a->n_municipalities; i++) {
		snprintf(name, sizeof name, "municipalities[%zu]", i);
		if (read_string(json_array_get(v, i), a->municipalities[i], AGREEMENT_CODE_MAX, name, err, errlen))
			return HG_EINVAL;
	}
	return HG_OK;
}

static hg_status f_valid_from(const json_t *v, agreement *a, char *err, size_t errlen)
{
	return read_date(v, false, &a->valid_from, "valid_from", err, errlen);
}

static hg_status f_valid_to(const json_t *v, agreement *a, char *err, size_t errlen)
{
	return read_date(v, true, &a->valid_to, "valid_to", err, errlen);
}

static hg_status f_model(const json_t *v, agreement *a, char *err, size_t errlen)
{
	if (!json_is_string(v) || !agreement_model_from_code(json_string_value(v), &a->model))
		return field_error(err, errlen, "model", "must be \"per_night\" or \"average\"");
	return HG_OK;
}

static hg_status f_grace_days(const json_t *v, agreement *a, char *err, size_t errlen)
{
	long long g[CARE_TYPE_COUNT];
	if (read_per_care(v, AGREEMENT_GRACE_MAX, g, "grace_days", err, errlen))
		return HG_EINVAL;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		a->grace_days[c] = (int)g[c];
	return HG_OK;
}

static hg_status f_count(const json_t *v, agreement *a, char *err, size_t errlen)
{
	if (!json_is_string(v) || !agreement_count_from_code(json_string_value(v), &a->count))
		return field_error(err, errlen, "count", "must be \"calendar\" or \"weekdays\"");
	return HG_OK;
}

static hg_status f_eves(const json_t *v, agreement *a, char *err, size_t errlen)
{
	return read_bool(v, &a->eves_are_holidays, "eves", err, errlen);
}

/* Optional, "charged" when absent (the statute says nothing of leave): "free" leaves leave nights uncharged. */
static hg_status f_leave_nights(const json_t *v, agreement *a, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	if (!s || (strcmp(s, "charged") != 0 && strcmp(s, "free") != 0))
		return field_error(err, errlen, "leave_nights", "must be \"charged\" or \"free\"");
	a->leave_nights_free = strcmp(s, "free") == 0;
	return HG_OK;
}

static hg_status f_withdrawal(const json_t *v, agreement *a, char *err, size_t errlen)
{
	if (!json_is_string(v) || !agreement_withdrawal_from_code(json_string_value(v), &a->withdrawal))
		return field_error(err, errlen, "withdrawal", "must be \"new_grace\" or \"continue\"");
	return HG_OK;
}

static hg_status f_conditions(const json_t *v, agreement *a, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{"admission_notice", offsetof(agreement_conditions, admission_notice)},
		{"ready_notice", offsetof(agreement_conditions, ready_notice)},
		{"sip_called", offsetof(agreement_conditions, sip_called)},
	};
	char name[64];
	if (!json_is_object(v) || json_object_size(v) != sizeof keys / sizeof keys[0])
		return field_error(err, errlen, "conditions",
				   "must be an object with admission_notice, ready_notice and sip_called");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(name, sizeof name, "conditions.%s", keys[i].key);
		const json_t *val = json_object_get(v, keys[i].key);
		if (!val)
			return field_error(err, errlen, name, "missing");
		if (read_bool(val, (bool *)((char *)&a->conditions + keys[i].offset), name, err, errlen))
			return HG_EINVAL;
	}
	return HG_OK;
}

static hg_status f_rates(const json_t *v, agreement *a, char *err, size_t errlen)
{
	char name[64];
	if (!json_is_array(v))
		return field_error(err, errlen, "rates", "must be an array of {year, care, amount_ore}");
	if (json_array_size(v) > AGREEMENT_RATES_MAX)
		return field_error(err, errlen, "rates", "more than %d rows", AGREEMENT_RATES_MAX);
	a->n_rates = json_array_size(v);
	for (size_t i = 0; i < a->n_rates; i++) {
		const json_t *row = json_array_get(v, i), *care;
		long long n;
		snprintf(name, sizeof name, "rates[%zu]", i);
		if (!json_is_object(row) || json_object_size(row) != 3)
			return field_error(err, errlen, name, "must be an object {year, care, amount_ore}");
		snprintf(name, sizeof name, "rates[%zu].year", i);
		if (read_int(json_object_get(row, "year"), 1900, 2199, &n, name, err, errlen))
			return HG_EINVAL;
		a->rates[i].year = (int)n;
		snprintf(name, sizeof name, "rates[%zu].care", i);
		care = json_object_get(row, "care");
		if (!json_is_string(care) || !care_type_from_code(json_string_value(care), &a->rates[i].care))
			return field_error(err, errlen, name, "must be somatic, geriatric or psychiatric");
		snprintf(name, sizeof name, "rates[%zu].amount_ore", i);
		if (read_int(json_object_get(row, "amount_ore"), 0, AGREEMENT_AMOUNT_MAX, &n, name, err, errlen))
			return HG_EINVAL;
		a->rates[i].amount_ore = n;
	}
	return HG_OK;
}

static hg_status f_average(const json_t *v, agreement *a, char *err, size_t errlen)
{
	long long n, per[CARE_TYPE_COUNT];
	const json_t *val;
	if (!json_is_object(v) || json_object_size(v) != 3)
		return field_error(err, errlen, "average",
				   "must be an object {period_months, threshold_centidays, amount_ore}");
	if (!(val = json_object_get(v, "period_months")) ||
	    read_int(val, 1, 12, &n, "average.period_months", err, errlen))
		return val ? HG_EINVAL : field_error(err, errlen, "average.period_months", "missing");
	a->average.period_months = (int)n;
	if (read_per_care(json_object_get(v, "threshold_centidays"), AGREEMENT_THRESHOLD_MAX, per,
			  "average.threshold_centidays", err, errlen))
		return HG_EINVAL;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		a->average.threshold_centidays[c] = per[c];
	if (read_per_care(json_object_get(v, "amount_ore"), AGREEMENT_AMOUNT_MAX, per, "average.amount_ore", err,
			  errlen))
		return HG_EINVAL;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		a->average.amount_ore[c] = per[c];
	return HG_OK;
}

/* {"baseline_year": Y, "targets_centidays": {"0180": 250, ...}}: issue 15.4's yardsticks. */
static hg_status f_yardstick(const json_t *v, agreement *a, char *err, size_t errlen)
{
	char name[64];
	long long n;
	const json_t *targets = json_object_get(v, "targets_centidays"), *val;
	const char *code;
	if (!json_is_object(v) || json_object_size(v) != 2 || !json_is_object(targets))
		return field_error(err, errlen, "yardstick", "must be an object {baseline_year, targets_centidays}");
	if (read_int(json_object_get(v, "baseline_year"), 1900, 2199, &n, "yardstick.baseline_year", err, errlen))
		return HG_EINVAL;
	a->yardstick.baseline_year = (int)n;
	if (json_object_size(targets) > AGREEMENT_MUNICIPALITIES_MAX)
		return field_error(err, errlen, "yardstick.targets_centidays", "more than %d municipalities",
				   AGREEMENT_MUNICIPALITIES_MAX);
	json_object_foreach((json_t *)targets, code, val) {
		agreement_target *t = &a->yardstick.targets[a->yardstick.n_targets];
		snprintf(name, sizeof name, "yardstick.targets_centidays.%.8s", code);
		if (strlen(code) != 4 || strspn(code, "0123456789") != 4)
			return field_error(err, errlen, name, "the key must be a 4-digit municipality code");
		if (read_int(val, 0, AGREEMENT_THRESHOLD_MAX, &n, name, err, errlen))
			return HG_EINVAL;
		memcpy(t->municipality, code, 5);
		t->centidays = n;
		a->yardstick.n_targets++;
	}
	return HG_OK;
}

/* Documentation keys: kept in the file for people, checked for shape, not stored. */
static hg_status f_sources(const json_t *v, agreement *a, char *err, size_t errlen)
{
	(void)a;
	if (!json_is_array(v))
		return field_error(err, errlen, "sources", "must be an array of strings");
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			return field_error(err, errlen, "sources", "entry %zu is not a string", i);
	return HG_OK;
}

static hg_status f_note(const json_t *v, agreement *a, char *err, size_t errlen)
{
	(void)a;
	if (!json_is_string(v))
		return field_error(err, errlen, "note", "must be a string");
	return HG_OK;
}

enum { OPTIONAL = 0, REQUIRED = 1, REQUIRED_IF_AVERAGE = 2 };

static const struct {
	const char *key;
	int need;
	field_reader read;
} fields[] = {
	{"format", REQUIRED, f_format},
	{"id", REQUIRED, f_id},
	{"name", REQUIRED, f_name},
	{"version", REQUIRED, f_version},
	{"region", REQUIRED, f_region},
	{"municipalities", REQUIRED, f_municipalities},
	{"valid_from", REQUIRED, f_valid_from},
	{"valid_to", REQUIRED, f_valid_to},
	{"model", REQUIRED, f_model},
	{"grace_days", REQUIRED, f_grace_days},
	{"count", REQUIRED, f_count},
	{"eves", REQUIRED, f_eves},
	{"withdrawal", REQUIRED, f_withdrawal},
	{"leave_nights", OPTIONAL, f_leave_nights},
	{"conditions", REQUIRED, f_conditions},
	{"rates", REQUIRED, f_rates},
	{"average", REQUIRED_IF_AVERAGE, f_average},
	{"yardstick", OPTIONAL, f_yardstick},
	{"sources", OPTIONAL, f_sources},
	{"note", OPTIONAL, f_note},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static int field_index(const char *key)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].key, key) == 0)
			return (int)i;
	return -1;
}

static hg_status read_object(const json_t *root, agreement *a, char *err, size_t errlen)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)root, key, val) {
		if (field_index(key) < 0)
			return field_error(err, errlen, "(top level)", "unknown key '%.40s'", key);
	}
	for (size_t i = 0; i < N_FIELDS; i++) {
		val = json_object_get(root, fields[i].key);
		if (!val) {
			if (fields[i].need == REQUIRED ||
			    (fields[i].need == REQUIRED_IF_AVERAGE && a->model == AGREEMENT_AVERAGE))
				return field_error(err, errlen, fields[i].key, "missing");
			continue;
		}
		/* "model" precedes "average" in the table, so the model is known here. */
		if (fields[i].read(val, a, err, errlen))
			return HG_EINVAL;
	}
	return HG_OK;
}

hg_status agreement_json_parse(const char *text, size_t len, agreement *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	agreement_issue why;
	hg_status rc;
	if (len > AGREEMENT_JSON_MAX) {
		snprintf(err, errlen, "larger than %d bytes", AGREEMENT_JSON_MAX);
		return HG_ERANGE;
	}
	memset(out, 0, sizeof *out);
	out->valid_from = out->valid_to = HG_DATE_NONE;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "not valid JSON: line %d: %s", jerr.line, jerr.text);
		return HG_EINVAL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(err, errlen, "must be one JSON object");
		return HG_EINVAL;
	}
	rc = read_object(root, out, err, errlen);
	json_decref(root);
	if (rc)
		return rc;
	if (agreement_validate(out, &why) != HG_OK) {
		if (why.index >= 0)
			snprintf(err, errlen, "%s[%d]: %s", agreement_problem_param(why.problem), why.index,
				 agreement_problem_text(why.problem));
		else
			snprintf(err, errlen, "%s: %s", agreement_problem_param(why.problem),
				 agreement_problem_text(why.problem));
		return HG_EINVAL;
	}
	return HG_OK;
}

hg_status agreement_json_load(const char *path, agreement *out, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL;
	size_t len;
	hg_status rc = HG_EIO;
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return HG_EIO;
	}
	buf = hg_malloc(AGREEMENT_JSON_MAX + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		rc = HG_ENOMEM;
		goto out;
	}
	len = fread(buf, 1, AGREEMENT_JSON_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		goto out;
	}
	rc = agreement_json_parse(buf, len, out, err, errlen);
out:
	hg_free(buf);
	fclose(f);
	return rc;
}
