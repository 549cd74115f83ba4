/*
 * test_agreement_json.c - the agreement file format: the shipped files in
 * agreements/ load and the statutory ones equal the built-in default, and each
 * malformed field is refused with its name. Run from the repository root.
 */
#include <jansson.h>
#include <string.h>

#include "wire/agreement_json.h"
#include "test.h"

static hg_date ymd(const char *s)
{
	hg_date d = HG_DATE_NONE;
	if (date_parse(s, &d) != HG_OK)
		return HG_DATE_NONE;
	return d;
}

static void test_shipped(struct test *t)
{
	size_t n;
	const agreement *builtin = agreement_statutory(&n);
	static const struct {
		const char *path;
		int builtin; /* index into agreement_statutory(), or -1 */
	} rows[] = {
		{"agreements/statutory-2018.json", 0},
		{"agreements/statutory.json", 1},
		{"agreements/stockholm-2018.json", -1},
		{"agreements/example-average.json", -1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		agreement a;
		char err[256] = "";
		hg_status rc = agreement_json_load(rows[i].path, &a, err, sizeof err);
		T_EQ_INT(t, rc, HG_OK, "%s loads (%s)", rows[i].path, err);
		if (rc == HG_OK && rows[i].builtin >= 0)
			T_TRUE(t, agreement_equal(&a, &builtin[rows[i].builtin]), "%s equals the built-in default",
			       rows[i].path);
	}
	T_EQ_INT(t, n, 2, "two built-in records, two files");

	agreement s;
	char err[256] = "";
	T_EQ_INT(t, agreement_json_load("agreements/stockholm-2018.json", &s, err, sizeof err), HG_OK, "stockholm");
	T_EQ_INT(t, s.n_municipalities, 26, "stockholm: 26 municipalities");
	T_TRUE(t, agreement_covers(&s, "0180") && agreement_covers(&s, "0192") && !agreement_covers(&s, "0380"),
	       "stockholm: covers Stockholm and Nynäshamn, not Uppsala");
	T_EQ_INT(t, s.grace_days[CARE_SOMATIC], 5, "stockholm: somatic 5");
	T_EQ_INT(t, s.grace_days[CARE_GERIATRIC], 5, "stockholm: geriatric as somatic");
	T_EQ_INT(t, s.grace_days[CARE_PSYCHIATRIC], 30, "stockholm: psychiatric 30");
	T_EQ_INT(t, s.count, AGREEMENT_COUNT_WEEKDAYS, "stockholm: weekdays");
	T_EQ_INT(t, s.valid_from, ymd("2018-01-01"), "stockholm: from");
	T_EQ_INT(t, s.valid_to, ymd("2019-12-31"), "stockholm: to");
	static const struct {
		care_type care;
		int year;
		int64_t ore;
	} rates[] = {
		{CARE_SOMATIC, 2019, 504200}, {CARE_GERIATRIC, 2019, 363800}, {CARE_PSYCHIATRIC, 2019, 427700},
		{CARE_SOMATIC, 2018, 0},      {CARE_PSYCHIATRIC, 2018, 0},
	};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		int64_t ore = -1;
		T_EQ_INT(t, agreement_rate_for(&s, rates[i].care, rates[i].year, &ore), HG_OK, "stockholm rate %zu", i);
		T_EQ_INT(t, ore, rates[i].ore, "stockholm rate %zu amount", i);
	}

	agreement avg;
	T_EQ_INT(t, agreement_json_load("agreements/example-average.json", &avg, err, sizeof err), HG_OK, "average");
	T_EQ_INT(t, avg.model, AGREEMENT_AVERAGE, "average: model");
	T_EQ_INT(t, avg.average.threshold_centidays[CARE_PSYCHIATRIC], 500, "average: psychiatric threshold");
}

/* A valid document; each error row replaces (or with value NULL deletes) one key. */
static const char base_json[] =
	"{\"format\":\"hemgang-agreement/1\",\"id\":\"t\",\"name\":\"T\",\"version\":1,\"region\":\"01\","
	"\"municipalities\":[\"0180\"],\"valid_from\":\"2020-01-01\",\"valid_to\":null,\"model\":\"per_night\","
	"\"grace_days\":{\"somatic\":5,\"geriatric\":5,\"psychiatric\":30},\"count\":\"weekdays\",\"eves\":false,"
	"\"withdrawal\":\"new_grace\",\"conditions\":{\"admission_notice\":true,\"ready_notice\":true,"
	"\"sip_called\":false},\"rates\":[{\"year\":2020,\"care\":\"somatic\",\"amount_ore\":100}]}";

static void test_errors(struct test *t)
{
	static const struct {
		const char *key, *value; /* value: JSON text, NULL = delete the key */
		hg_status rc;
		const char *err; /* exact message */
	} rows[] = {
		{"note", "\"ok\"", HG_OK, ""},
		{"valid_to", "\"2020-12-31\"", HG_OK, ""},
		{"format", "\"hemgang-agreement/2\"", HG_EINVAL, "format: must be \"hemgang-agreement/1\""},
		{"format", NULL, HG_EINVAL, "format: missing"},
		{"id", "7", HG_EINVAL, "id: must be a string"},
		{"id", "\"Has Space\"", HG_EINVAL, "id: id must be 1-47 characters of a-z, 0-9, '.', '_', '-'"},
		{"version", "0", HG_EINVAL, "version: must be an integer 1..1000000"},
		{"version", "1.5", HG_EINVAL, "version: must be an integer 1..1000000"},
		{"region", "\"12345\"", HG_EINVAL, "region: longer than 4 bytes"},
		{"municipalities", "[\"0180\",\"2080\"]", HG_EINVAL,
		 "municipalities[1]: a municipality code must start with the region code"},
		{"municipalities", "[\"0180\",18]", HG_EINVAL, "municipalities[1]: must be a string"},
		{"valid_from", "\"2020-02-30\"", HG_EINVAL, "valid_from: must be a date YYYY-MM-DD"},
		{"valid_to", "\"2019-12-31\"", HG_EINVAL, "valid_to: valid_to is before valid_from"},
		{"valid_to", NULL, HG_EINVAL, "valid_to: missing"},
		{"model", "\"flat\"", HG_EINVAL, "model: must be \"per_night\" or \"average\""},
		{"model", "\"average\"", HG_EINVAL, "average: missing"},
		{"grace_days", "{\"somatic\":5,\"geriatric\":5}", HG_EINVAL, "grace_days.psychiatric: missing"},
		{"grace_days", "{\"somatic\":-1,\"geriatric\":5,\"psychiatric\":30}", HG_EINVAL,
		 "grace_days.somatic: must be an integer 0..365"},
		{"grace_days", "{\"somatic\":5,\"geriatric\":5,\"psychiatric\":30,\"dental\":1}", HG_EINVAL,
		 "grace_days: unknown care type 'dental'"},
		{"count", "\"workdays\"", HG_EINVAL, "count: must be \"calendar\" or \"weekdays\""},
		{"eves", "\"no\"", HG_EINVAL, "eves: must be true or false"},
		{"withdrawal", "\"restart\"", HG_EINVAL, "withdrawal: must be \"new_grace\" or \"continue\""},
		{"leave_nights", "\"free\"", HG_OK, ""},
		{"leave_nights", "\"charged\"", HG_OK, ""},
		{"leave_nights", "true", HG_EINVAL, "leave_nights: must be \"charged\" or \"free\""},
		{"leave_nights", "\"never\"", HG_EINVAL, "leave_nights: must be \"charged\" or \"free\""},
		{"conditions", "{\"admission_notice\":true,\"ready_notice\":true}", HG_EINVAL,
		 "conditions: must be an object with admission_notice, ready_notice and sip_called"},
		{"conditions", "{\"admission_notice\":true,\"ready_notice\":1,\"sip_called\":true}", HG_EINVAL,
		 "conditions.ready_notice: must be true or false"},
		{"rates", "[{\"year\":2020,\"care\":\"somatic\",\"amount_ore\":-5}]", HG_EINVAL,
		 "rates[0].amount_ore: must be an integer 0..100000000"},
		{"rates", "[{\"year\":2020,\"care\":\"somatic\",\"amount_ore\":5042.5}]", HG_EINVAL,
		 "rates[0].amount_ore: must be an integer 0..100000000"},
		{"rates", "[{\"year\":2020,\"care\":\"dental\",\"amount_ore\":5}]", HG_EINVAL,
		 "rates[0].care: must be somatic, geriatric or psychiatric"},
		{"rates",
		 "[{\"year\":2020,\"care\":\"somatic\",\"amount_ore\":5},{\"year\":2020,\"care\":\"somatic\",\"amount_ore\":6}]",
		 HG_EINVAL, "rates[1]: two rate rows for the same year and care type"},
		{"rates", "[{\"year\":2020,\"care\":\"somatic\"}]", HG_EINVAL,
		 "rates[0]: must be an object {year, care, amount_ore}"},
		{"average", "{\"period_months\":5,\"threshold_centidays\":{\"somatic\":1,\"geriatric\":1,\"psychiatric\":1},"
			    "\"amount_ore\":{\"somatic\":1,\"geriatric\":1,\"psychiatric\":1}}",
		 HG_OK, ""}, /* ignored shape-checked parameters under per_night: period 5 is not validated */
		{"grace_day", "3", HG_EINVAL, "(top level): unknown key 'grace_day'"},
		{"sources", "\"one\"", HG_EINVAL, "sources: must be an array of strings"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_error_t jerr;
		json_t *doc = json_loads(base_json, 0, &jerr);
		char text[4096], err[256] = "";
		agreement a;
		T_TRUE(t, doc != NULL, "row %zu: base parses", i);
		if (!doc)
			continue;
		if (rows[i].value) {
			json_t *v = json_loads(rows[i].value, JSON_DECODE_ANY, &jerr);
			T_TRUE(t, v != NULL, "row %zu: value parses", i);
			json_object_set_new(doc, rows[i].key, v);
		} else {
			json_object_del(doc, rows[i].key);
		}
		size_t len = json_dumpb(doc, text, sizeof text, JSON_COMPACT);
		json_decref(doc);
		T_TRUE(t, len > 0 && len < sizeof text, "row %zu: fits", i);
		hg_status rc = agreement_json_parse(text, len, &a, err, sizeof err);
		T_EQ_INT(t, rc, rows[i].rc, "%s=%s: status", rows[i].key, rows[i].value ? rows[i].value : "(deleted)");
		T_EQ_STR(t, err, rows[i].err, "%s=%s: message", rows[i].key, rows[i].value ? rows[i].value : "(deleted)");
	}

	static const struct {
		const char *text, *err;
	} raw[] = {
		{"[]", "must be one JSON object"},
		{"{\"id\":\"a\",\"id\":\"b\"}", "not valid JSON: line 1: duplicate object key near '\"id\"'"},
		{"{", "not valid JSON: line 1: string or '}' expected near end of file"},
	};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		agreement a;
		char err[256] = "";
		T_EQ_INT(t, agreement_json_parse(raw[i].text, strlen(raw[i].text), &a, err, sizeof err), HG_EINVAL,
			 "raw %zu", i);
		T_EQ_STR(t, err, raw[i].err, "raw %zu message", i);
	}
	agreement a;
	char err[256] = "";
	T_EQ_INT(t, agreement_json_parse("{}", AGREEMENT_JSON_MAX + 1, &a, err, sizeof err), HG_ERANGE, "too large");
	T_EQ_INT(t, agreement_json_load("agreements/no-such-file.json", &a, err, sizeof err), HG_EIO, "missing file");
	T_EQ_STR(t, err, "cannot open: No such file or directory", "missing file message");
}

int main(void)
{
	struct test t = {.name = "test_agreement_json"};
	test_shipped(&t);
	test_errors(&t);
	return test_report(&t);
}
