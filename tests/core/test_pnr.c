/*
 * test_pnr.c - personnummer, samordningsnummer and reserve numbers: every
 * written form, the century rule around the 100th birthday, leap days, Luhn on
 * every position, reserve forms with and without their options, age, masking.
 * The valid numbers below are made up; their check digits were computed once
 * and are written out as data.
 */
#include "core/pnr.h"
#include "test.h"

#define REF "2024-06-15"
enum { RES = 1, BIRTH = 2 }; /* accept_reserve, reserve_birth */

static hg_date day_of(const char *ymd)
{
	hg_date d = HG_DATE_NONE;
	if (date_parse(ymd, &d) != HG_OK)
		fprintf(stderr, "test_pnr: bad date literal %s\n", ymd);
	return d;
}

static pnr_options options(const char *ref, unsigned flags)
{
	pnr_options o = pnr_options_default(day_of(ref));
	o.accept_reserve = flags & RES;
	o.reserve_birth = flags & BIRTH;
	return o;
}

static const struct parse_row {
	const char *in, *ref;
	unsigned flags;
	const char *want; /* reason code, "ok" when valid */
	const char *normal, *kind, *birth, *sex;
} parse_rows[] = {
	/* every written form of one number */
	{"121212-1212", REF, 0, "ok", "20121212-1212", "personnummer", "2012-12-12", "male"},
	{"121212+1212", REF, 0, "ok", "19121212-1212", "personnummer", "1912-12-12", "male"},
	{"1212121212", REF, 0, "ok", "20121212-1212", "personnummer", "2012-12-12", "male"},
	{"191212121212", REF, 0, "ok", "19121212-1212", "personnummer", "1912-12-12", "male"},
	{"19121212-1212", REF, 0, "ok", "19121212-1212", "personnummer", "1912-12-12", "male"},
	{"  19121212-1212\t\n", REF, 0, "ok", "19121212-1212", "personnummer", "1912-12-12", "male"},
	{"\t121212+1212 ", REF, 0, "ok", "19121212-1212", "personnummer", "1912-12-12", "male"},
	{"811218-9876", REF, 0, "ok", "19811218-9876", "personnummer", "1981-12-18", "male"},
	{"8112189876", REF, 0, "ok", "19811218-9876", "personnummer", "1981-12-18", "male"},
	{"198112189876", REF, 0, "ok", "19811218-9876", "personnummer", "1981-12-18", "male"},
	{"500101-0015", REF, 0, "ok", "19500101-0015", "personnummer", "1950-01-01", "male"},
	{"500101-0023", REF, 0, "ok", "19500101-0023", "personnummer", "1950-01-01", "female"},
	{"020304-0506", REF, 0, "ok", "20020304-0506", "personnummer", "2002-03-04", "female"},
	{"200102-0300", REF, 0, "ok", "20200102-0300", "personnummer", "2020-01-02", "female"},
	{"881231-9997", REF, 0, "ok", "19881231-9997", "personnummer", "1988-12-31", "male"},
	/* century rule around the 100th birthday of someone born 1924-07-01 */
	{"240701-1234", "2024-06-30", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"240701+1234", "2024-06-30", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"2407011234", "2024-06-30", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"240701-1234", "2024-07-01", 0, "ok", "20240701-1234", "personnummer", "2024-07-01", "male"},
	{"240701+1234", "2024-07-01", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"240701-1234", "2024-07-02", 0, "ok", "20240701-1234", "personnummer", "2024-07-01", "male"},
	{"240701+1234", "2024-07-02", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"240701-1234", "2023-12-31", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"240701+1234", "2023-12-31", 0, "ok", "18240701-1234", "personnummer", "1824-07-01", "male"},
	{"240630-1230", "2024-06-30", 0, "ok", "20240630-1230", "personnummer", "2024-06-30", "male"},
	{"240702-1233", "2024-07-01", 0, "ok", "19240702-1233", "personnummer", "1924-07-02", "male"},
	{"19240701-1234", "2024-06-30", 0, "ok", "19240701-1234", "personnummer", "1924-07-01", "male"},
	{"20240701-1234", "2024-06-30", 0, "future_date", NULL, NULL, NULL, NULL},
	{"202407011234", "2024-06-30", 0, "future_date", NULL, NULL, NULL, NULL},
	{"20240701-1234", "2024-07-01", 0, "ok", "20240701-1234", "personnummer", "2024-07-01", "male"},
	{"20300101-1232", REF, 0, "future_date", NULL, NULL, NULL, NULL},
	/* leap days */
	{"000229-1235", REF, 0, "ok", "20000229-1235", "personnummer", "2000-02-29", "male"},
	{"20000229-1235", REF, 0, "ok", "20000229-1235", "personnummer", "2000-02-29", "male"},
	{"19000229-1235", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"000229+1235", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"000229-1235", "1999-06-15", 0, "bad_date", NULL, NULL, NULL, NULL},
	{"810229-1237", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	/* samordningsnummer: day + 60 */
	{"701063-2391", REF, 0, "ok", "19701063-2391", "samordningsnummer", "1970-10-03", "male"},
	{"19701063-2391", REF, 0, "ok", "19701063-2391", "samordningsnummer", "1970-10-03", "male"},
	{"7010632391", REF, 0, "ok", "19701063-2391", "samordningsnummer", "1970-10-03", "male"},
	{"701091-2397", REF, 0, "ok", "19701091-2397", "samordningsnummer", "1970-10-31", "male"},
	{"701092-2396", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"701060-2394", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"700289-2391", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"701063-2392", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	/* shape */
	{"", REF, 0, "empty", NULL, NULL, NULL, NULL},
	{" \t\r\n ", REF, 0, "empty", NULL, NULL, NULL, NULL},
	{"12121212", REF, 0, "bad_length", NULL, NULL, NULL, NULL},
	{"12345678901234", REF, 0, "bad_length", NULL, NULL, NULL, NULL},
	{"12121212121", REF, 0, "bad_length", NULL, NULL, NULL, NULL},
	{"1912121212121", REF, 0, "bad_length", NULL, NULL, NULL, NULL},
	{"1912-1212-1212", REF, 0, "bad_length", NULL, NULL, NULL, NULL},
	{"121212-12121", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	{"12121-21212", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	{"121212 1212", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	{"121212/1212", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	{"19121212+1212", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	{"121212--212", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	{"12121a-1212", REF, 0, "bad_character", NULL, NULL, NULL, NULL},
	{"121212-121x", REF, 0, "bad_character", NULL, NULL, NULL, NULL},
	{"121212\xe2\x80\x93"
	 "1212",
	 REF, 0, "bad_character", NULL, NULL, NULL, NULL},
	{"121212-1212 x", REF, 0, "bad_separator", NULL, NULL, NULL, NULL},
	/* impossible dates, serial 000 */
	{"121312-1211", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"120012-1216", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"121200-1216", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"121232-1218", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"17991231-1110", REF, 0, "bad_date", NULL, NULL, NULL, NULL},
	{"990101-0000", REF, 0, "bad_serial", NULL, NULL, NULL, NULL},
	/* Luhn: one digit changed on every position of 811218-9876 */
	{"711218-9876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"821218-9876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"810218-9876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811118-9876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811228-9876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811217-9876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811218-8876", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811218-9776", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811218-9866", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"811218-9875", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	{"19811218-9875", REF, RES, "bad_checksum", NULL, NULL, NULL, NULL},
	{"121212-1213", REF, 0, "bad_checksum", NULL, NULL, NULL, NULL},
	/* reserve numbers: only with accept_reserve; a birth date only with reserve_birth */
	{"19800101-R123", REF, 0, "reserve_not_accepted", NULL, NULL, NULL, NULL},
	{"991981000010", REF, 0, "reserve_not_accepted", NULL, NULL, NULL, NULL},
	{"19800101-R123", REF, RES, "ok", "19800101-R123", "reservnummer", NULL, "none"},
	{"19800101r123", REF, RES, "ok", "19800101-R123", "reservnummer", NULL, "none"},
	{" 19810829M071 ", REF, RES, "ok", "19810829-M071", "reservnummer", NULL, "none"},
	{"19810829SU3A", REF, RES, "ok", "19810829-SU3A", "reservnummer", NULL, "none"},
	{"20240615-TTTT", REF, RES, "ok", "20240615-TTTT", "reservnummer", NULL, "none"},
	{"991981000010", REF, RES, "ok", "991981000010", "reservnummer", NULL, "none"},
	{"991981000010", REF, RES | BIRTH, "ok", "991981000010", "reservnummer", NULL, "none"},
	{"19800101-R123", REF, RES | BIRTH, "ok", "19800101-R123", "reservnummer", "1980-01-01", "none"},
	{"19801301-R123", REF, RES, "ok", "19801301-R123", "reservnummer", NULL, "none"},
	{"19801301-R123", REF, RES | BIRTH, "bad_date", NULL, NULL, NULL, NULL},
	{"20300101-R123", REF, RES, "ok", "20300101-R123", "reservnummer", NULL, "none"},
	{"20300101-R123", REF, RES | BIRTH, "future_date", NULL, NULL, NULL, NULL},
	{"19800101-R123", REF, BIRTH, "reserve_not_accepted", NULL, NULL, NULL, NULL},
	{"800101-R123", REF, RES, "bad_character", NULL, NULL, NULL, NULL},
	{"19800101-R12", REF, RES, "bad_separator", NULL, NULL, NULL, NULL},
	{"19800101-R1234", REF, RES, "bad_length", NULL, NULL, NULL, NULL},
	{"19800101/R123", REF, RES, "bad_separator", NULL, NULL, NULL, NULL},
	{"19800101-R1\xc3\xb6", REF, RES, "bad_character", NULL, NULL, NULL, NULL},
	{"1980010A-R123", REF, RES, "bad_character", NULL, NULL, NULL, NULL},
	{"981981000010", REF, RES, "bad_date", NULL, NULL, NULL, NULL},
	{"98198100001O", REF, RES, "ok", "98198100-001O", "reservnummer", NULL, "none"},
	{"991981000010", REF, RES | BIRTH, "ok", "991981000010", "reservnummer", NULL, "none"},
};

static void test_parse(struct test *t)
{
	for (size_t i = 0; i < sizeof parse_rows / sizeof parse_rows[0]; i++) {
		const struct parse_row *r = &parse_rows[i];
		pnr_options o = options(r->ref, r->flags);
		pnr p;
		pnr_reason why;
		hg_status rc = pnr_parse(r->in, &o, &p, &why);
		bool want_ok = strcmp(r->want, "ok") == 0;
		char buf[11];
		T_EQ_STR(t, pnr_reason_label(why)->code, r->want, "row %zu '%s' reason", i, r->in);
		T_EQ_INT(t, rc, want_ok ? HG_OK : HG_EINVAL, "row %zu '%s' status", i, r->in);
		if (!want_ok || rc != HG_OK) {
			T_EQ_INT(t, p.birth, HG_DATE_NONE, "row %zu '%s' cleared on failure", i, r->in);
			continue;
		}
		T_EQ_STR(t, p.normal, r->normal, "row %zu '%s' normal", i, r->in);
		T_EQ_STR(t, pnr_kind_label(p.kind)->code, r->kind, "row %zu '%s' kind", i, r->in);
		T_EQ_STR(t, p.birth == HG_DATE_NONE ? NULL : date_format(p.birth, buf), r->birth, "row %zu '%s' birth",
			 i, r->in);
		T_EQ_STR(t, pnr_sex_code(p.sex), r->sex, "row %zu '%s' sex", i, r->in);
	}
}

static void test_edges(struct test *t)
{
	pnr_options o = options(REF, RES);
	pnr p;
	pnr_reason why;
	char longer[PNR_INPUT_MAX + 2];

	T_EQ_INT(t, pnr_parse(NULL, &o, &p, &why), HG_EINVAL, "NULL input");
	T_EQ_INT(t, why, PNR_EMPTY, "NULL input reason");

	/* 13 characters framed by whitespace up to the ceiling pass; one byte more does not. */
	memset(longer, ' ', sizeof longer);
	memcpy(longer + 20, "19121212-1212", 13);
	longer[PNR_INPUT_MAX] = '\0';
	T_EQ_INT(t, pnr_parse(longer, &o, &p, &why), HG_OK, "input of exactly PNR_INPUT_MAX bytes");
	longer[PNR_INPUT_MAX] = ' ';
	longer[PNR_INPUT_MAX + 1] = '\0';
	T_EQ_INT(t, pnr_parse(longer, &o, &p, &why), HG_EINVAL, "input beyond PNR_INPUT_MAX");
	T_EQ_INT(t, why, PNR_BAD_LENGTH, "input beyond PNR_INPUT_MAX reason");

	o.reference = HG_DATE_NONE;
	T_EQ_INT(t, pnr_parse("19121212-1212", &o, &p, &why), HG_ERANGE, "no reference date");
	T_EQ_INT(t, why, PNR_BAD_REFERENCE, "no reference date reason");
	o.reference = date_from_ymd(2400, 1, 1);
	T_EQ_INT(t, pnr_parse("19121212-1212", &o, &p, &why), HG_ERANGE, "reference after HG_YEAR_MAX");
	T_EQ_INT(t, pnr_parse("19121212-1212", NULL, &p, &why), HG_ERANGE, "no options");

	o = pnr_options_default(day_of(REF));
	T_TRUE(t, !o.accept_reserve && !o.reserve_birth, "default options reject reserve numbers");

	/* Every reason has a code and both messages; codes are distinct. */
	for (int r = 0; r < PNR_REASON_COUNT; r++) {
		const hg_code_label *l = pnr_reason_label((pnr_reason)r);
		T_TRUE(t, l->code && l->sv && l->en && *l->en && *l->sv, "reason %d labelled", r);
		for (int s = 0; s < r; s++)
			T_TRUE(t, strcmp(l->code, pnr_reason_label((pnr_reason)s)->code) != 0, "reason %d unique", r);
	}
	T_EQ_STR(t, pnr_kind_label(PNR_COORDINATION)->en, "coordination number", "kind label");
}

/* The sentence a nurse reads names the part of the number that is wrong (issue 18.5). */
static void test_messages(struct test *t)
{
	static const struct {
		const char *in;
		pnr_reason why;
		const char *part; /* in the Swedish sentence */
		const char *part_en;
	} rows[] = {
		{"19121212-1213", PNR_BAD_CHECKSUM, "Kontrollsiffran (den sista siffran)", "check digit"},
		{"19121312-1212", PNR_BAD_DATE, "Datumdelen (ÅÅÅÅMMDD)", "date part"},
		{"19121212-0002", PNR_BAD_SERIAL, "Födelsenumret", "birth number"},
		{"1912121-21212", PNR_BAD_SEPARATOR, "Bindestrecket", "hyphen"},
		{"19121212-12", PNR_BAD_LENGTH, "antal siffror", "number of digits"},
		{"1912121a-1212", PNR_BAD_CHARACTER, "bara innehålla siffror", "only hold digits"},
		{"20990101-1230", PNR_FUTURE_DATE, "framtiden", "future"},
		{"", PNR_EMPTY, "Skriv personnumret", "Enter"},
	};
	pnr_options o = options(REF, RES);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		pnr p;
		pnr_reason why = PNR_OK;
		T_TRUE(t, pnr_parse(rows[i].in, &o, &p, &why) != HG_OK, "row %zu: '%s' refused", i, rows[i].in);
		T_EQ_INT(t, why, rows[i].why, "row %zu: reason of '%s'", i, rows[i].in);
		const hg_code_label *m = pnr_reason_message(why);
		T_EQ_STR(t, m->code, pnr_reason_label(why)->code, "row %zu: same code", i);
		T_TRUE(t, strstr(m->sv, rows[i].part) != NULL, "row %zu: '%s' names %s", i, m->sv, rows[i].part);
		T_TRUE(t, strstr(m->en, rows[i].part_en) != NULL, "row %zu: '%s' names %s", i, m->en, rows[i].part_en);
	}
	for (int r = 0; r < PNR_REASON_COUNT; r++) {
		const hg_code_label *m = pnr_reason_message((pnr_reason)r);
		T_TRUE(t, m->sv && *m->sv && m->en && *m->en, "reason %d has a sentence", r);
	}
}

static void test_luhn(struct test *t)
{
	static const struct {
		const char *nine;
		int digit;
	} rows[] = {
		{"121212121", 2}, {"811218987", 6}, {"701063239", 1}, {"990101000", 0},
		{"000229123", 5}, {"240701123", 4}, {"12121212a", -1}, {"-21212121", -1},
	};
	static const char *const valid[] = {"1212121212", "8112189876", "7010632391", "9901010000", "0002291235"};
	int missed = 0;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, pnr_luhn_digit(rows[i].nine), rows[i].digit, "luhn digit of %s", rows[i].nine);
	/* Luhn catches every single-digit error: each position, each other digit. */
	for (size_t v = 0; v < sizeof valid / sizeof valid[0]; v++) {
		T_TRUE(t, pnr_luhn_valid(valid[v]), "luhn valid %s", valid[v]);
		for (int pos = 0; pos < 10; pos++) {
			for (char c = '0'; c <= '9'; c++) {
				char ten[10];
				memcpy(ten, valid[v], 10);
				if (ten[pos] == c)
					continue;
				ten[pos] = c;
				missed += pnr_luhn_valid(ten);
			}
		}
	}
	T_EQ_INT(t, missed, 0, "single-digit errors that pass Luhn");
	T_TRUE(t, !pnr_luhn_valid("121212121x"), "non-digit check digit");
}

static void test_age(struct test *t)
{
	static const struct {
		const char *in, *at;
		int ok, age;
	} rows[] = {
		{"19121212-1212", "2024-12-11", 1, 111}, /* the day before the birthday */
		{"19121212-1212", "2024-12-12", 1, 112}, /* on the birthday */
		{"19121212-1212", "2024-12-13", 1, 112},
		{"19121212-1212", "1912-12-12", 1, 0},   /* the day of birth */
		{"19121212-1212", "1912-12-11", 0, 0},   /* before birth */
		{"20000229-1235", "2001-02-28", 1, 0},   /* no 29 Feb in 2001: birthday is 1 March */
		{"20000229-1235", "2001-03-01", 1, 1},
		{"20000229-1235", "2004-02-28", 1, 3},
		{"20000229-1235", "2004-02-29", 1, 4},   /* leap year: birthday on the day */
		{"20000229-1235", "2100-02-28", 1, 99},  /* 2100 is not a leap year */
		{"20000229-1235", "2100-03-01", 1, 100},
		{"19701063-2391", "2024-10-02", 1, 53},  /* samordningsnummer: age from day - 60 */
		{"19701063-2391", "2024-10-03", 1, 54},
		{"19800101-R123", "2024-10-03", 0, 0},   /* reserve number without a birth date */
	};
	pnr_options o = options("2024-12-31", RES);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		pnr p;
		pnr_reason why;
		int age = -1;
		if (pnr_parse(rows[i].in, &o, &p, &why) != HG_OK) {
			T_TRUE(t, false, "age row %zu: '%s' does not parse", i, rows[i].in);
			continue;
		}
		hg_status rc = pnr_age_at(&p, day_of(rows[i].at), &age);
		T_EQ_INT(t, rc == HG_OK, rows[i].ok, "age row %zu status", i);
		if (rows[i].ok)
			T_EQ_INT(t, age, rows[i].age, "age of %s at %s", rows[i].in, rows[i].at);
	}
	o.reserve_birth = true;
	{
		pnr p;
		pnr_reason why;
		int age = -1;
		T_TRUE(t, pnr_parse("19800101-R123", &o, &p, &why) == HG_OK && pnr_age_at(&p, day_of("2024-01-01"), &age) == HG_OK &&
				  age == 44,
		       "age of a dated reserve number with reserve_birth: %d", age);
	}
}

static void test_mask(struct test *t)
{
	static const struct {
		const char *in, *masked;
	} rows[] = {
		{"121212+1212", "19121212-****"},
		{"7010632391", "19701063-****"},
		{"19800101r123", "19800101-****"},
		{"991981000010", "991981******"},
	};
	pnr_options o = options(REF, RES);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		pnr p;
		pnr_reason why;
		char buf[PNR_TEXT_SIZE];
		if (pnr_parse(rows[i].in, &o, &p, &why) != HG_OK) {
			T_TRUE(t, false, "mask row %zu: '%s' does not parse", i, rows[i].in);
			continue;
		}
		T_EQ_STR(t, pnr_mask(&p, buf), rows[i].masked, "mask of %s", rows[i].in);
		T_TRUE(t, pnr_parse(buf, &o, &p, &why) != HG_OK, "masked %s does not parse", buf);
	}
}

int main(void)
{
	struct test t = {.name = "test_pnr"};
	test_parse(&t);
	test_edges(&t);
	test_messages(&t);
	test_luhn(&t);
	test_age(&t);
	test_mask(&t);
	return test_report(&t);
}
