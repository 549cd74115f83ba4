/*
 * test_text.c - the bounded copy (whole text, cut at the end of the buffer,
 * never inside a UTF-8 character, NULL as "") and the one rule of record ids
 * (1 to 18 digits, positive, nothing else).
 */
#include "core/text.h"
#include "test.h"

static void test_copy(struct test *t)
{
	static const struct {
		const char *src;
		size_t cap;
		const char *want;
		bool fit;
	} rows[] = {
	    {"abc", 8, "abc", true},
	    {"abc", 4, "abc", true},
	    {"abcd", 4, "abc", false},
	    {"", 1, "", true},
	    {"a", 1, "", false},
	    {NULL, 4, "", true},
	    /* å is two bytes (c3 a5), € three (e2 82 ac): a cut falls before the character */
	    {"Mölndal", 9, "Mölndal", true},
	    {"Mölndal", 8, "Mölnda", false},
	    {"Mölndal", 3, "M", false},
	    {"Mölndal", 4, "Mö", false},
	    {"€uro", 3, "", false},
	    {"€uro", 4, "€", false},
	    {"a€", 4, "a", false},
	    {"a€", 5, "a€", true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char dst[16];
		memset(dst, 'x', sizeof dst);
		bool fit = hg_copy(dst, rows[i].cap, rows[i].src);
		T_EQ_STR(t, dst, rows[i].want, "copy row %zu", i);
		T_EQ_INT(t, fit, rows[i].fit, "copy row %zu fits", i);
		T_EQ_INT(t, dst[rows[i].cap], 'x', "copy row %zu writes nothing past cap", i);
	}
}

static void test_parse_id(struct test *t)
{
	static const struct {
		const char *in;
		bool ok;
		int64_t want;
	} rows[] = {
	    {"1", true, 1},
	    {"42", true, 42},
	    {"007", true, 7},
	    {"123456789012345", true, 123456789012345},
	    {"999999999999999999", true, 999999999999999999}, /* 18 digits */
	    {"000000000000000001", true, 1},
	    {"1000000000000000000", false, 0}, /* 19 digits */
	    {"9223372036854775807", false, 0}, /* INT64_MAX: 19 digits all the same */
	    {"0", false, 0},
	    {"000", false, 0},
	    {"", false, 0},
	    {"+5", false, 0},
	    {"-5", false, 0},
	    {" 5", false, 0},
	    {"5 ", false, 0},
	    {"5\n", false, 0},
	    {"5a", false, 0},
	    {"0x10", false, 0},
	    {"1e3", false, 0},
	    {"1.0", false, 0},
	    {"١", false, 0}, /* an Arabic-Indic digit is not a decimal digit here */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t got = -1;
		bool ok = hg_parse_id(rows[i].in, &got);
		T_EQ_INT(t, ok, rows[i].ok, "parse_id '%s'", rows[i].in);
		T_EQ_INT(t, got, rows[i].ok ? rows[i].want : -1, "parse_id '%s' value (untouched when refused)",
		         rows[i].in);
	}
	int64_t got = -1;
	T_TRUE(t, !hg_parse_id(NULL, &got) && got == -1, "parse_id NULL");
}

int main(void)
{
	struct test t = {.name = "test_text"};
	test_copy(&t);
	test_parse_id(&t);
	return test_report(&t);
}
